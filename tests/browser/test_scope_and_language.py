"""Scoping and language as staff see them: the Indonesian UI by default, English on
request; a kab/kota coordinator sees only their own unit's contacts, the provincial
coordinator sees every kab/kota of the province."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from bakohumas.stakeholders.models import Contact
from tests.browser.conftest import in_indonesian

pytestmark = pytest.mark.browser

CONTACTS_URL = "/app/stakeholders/contacts/"


def berau_contact() -> Contact:
    """An active Berau contact whose name no other contact shares."""
    names = Counter(Contact.objects.values_list("name", flat=True))
    contact = next(
        c
        for c in Contact.objects.filter(unit__code="64.03", merged_into__isnull=True).order_by(
            "name"
        )
        if names[c.name] == 1
    )
    return contact


def test_samarinda_sees_indonesian_ui_own_contacts_only_then_english(
    page: Any, login_as: Callable[[str], Any], live_server: Any
) -> None:
    base = live_server.url
    berau = berau_contact()

    # The login page already speaks Indonesian (Django's own catalogue has these words).
    page.goto(f"{base}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    username_label = in_indonesian("username")
    assert username_label != "username"
    expect(page.locator("label[for=id_username]")).to_contain_text(
        re.compile(re.escape(username_label), re.IGNORECASE)
    )

    login_as("koordinator.samarinda")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    sidebar = page.locator("nav.sidebar")
    contacts_link = sidebar.get_by_role("link", name=in_indonesian("Contacts"), exact=True)
    expect(contacts_link).to_be_visible()
    expect(sidebar.get_by_role("link", name=in_indonesian("Dashboard"), exact=True)).to_be_visible()

    contacts_link.click()
    page.wait_for_url(re.compile(rf".*{CONTACTS_URL}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(in_indonesian("Contacts"))

    # Every listed contact belongs to KPU Kota Samarinda; none of Berau's is there.
    page.goto(f"{base}{CONTACTS_URL}?per_page=100")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    own = Contact.objects.filter(unit__code="64.72").count()
    assert own > 0
    assert rows.count() == min(own, 100)
    units = {
        t.strip() for t in page.locator("main table tbody tr td:nth-child(3)").all_inner_texts()
    }
    assert units == {"64.72"}
    expect(page.get_by_role("link", name=berau.name, exact=True)).to_have_count(0)

    # Searching for the Berau contact finds nothing; its address is a 404.
    page.goto(f"{base}{CONTACTS_URL}?q={berau.name.replace(' ', '+')}")
    expect(page.locator("main table tbody")).to_contain_text(
        in_indonesian("No contacts match these filters.")
    )
    expect(page.get_by_role("link", name=berau.name, exact=True)).to_have_count(0)
    response = page.goto(f"{base}{CONTACTS_URL}{berau.pk}/")
    assert response is not None and response.status == 404

    # Switch to English: the same page, in English, and it stays English.
    page.goto(f"{base}{CONTACTS_URL}")
    page.select_option("#language-select", "en")
    page.locator("form:has(#language-select) button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf".*{CONTACTS_URL}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    expect(sidebar.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
    page.goto(f"{base}/app/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_province_coordinator_sees_berau_contacts(
    page: Any, login_as: Callable[[str], Any], live_server: Any
) -> None:
    base = live_server.url
    berau = berau_contact()
    login_as("koordinator.kaltim")

    page.goto(f"{base}{CONTACTS_URL}?q={berau.name.replace(' ', '+')}")
    link = page.get_by_role("link", name=berau.name, exact=True)
    expect(link).to_be_visible()
    row = page.locator("main table tbody tr", has=link)
    expect(row.locator("td:nth-child(3)")).to_have_text("64.03")

    link.click()
    page.wait_for_url(re.compile(rf".*{CONTACTS_URL}{berau.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(berau.name)

    # The whole province is there: Berau's contacts and Samarinda's, unit by unit.
    samarinda = Contact.objects.filter(unit__code="64.72").first()
    assert samarinda is not None
    for unit_id, code in ((berau.unit_id, "64.03"), (samarinda.unit_id, "64.72")):
        page.goto(f"{base}{CONTACTS_URL}?unit={unit_id}")
        cells = page.locator("main table tbody tr td:nth-child(3)")
        expect(cells.first).to_have_text(code)
        assert {t.strip() for t in cells.all_inner_texts()} == {code}
