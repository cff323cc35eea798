"""Issue 4's done-flow in the browser, in Indonesian, on the demo data: an editor of KPU
Kota Samarinda opens an approved press release, plans it for the portal, the newsletter
(the email goes out through the configured backend: the development mailbox in the
embedded default) and a WhatsApp group (manual package); the
unconnected Telegram channel offers the manual package; once the worker has dispatched
them, she copies the WhatsApp text and records the evidence, and the publication counts
as published.

The real task backend (django-tasks-db) is used: ``db_worker --batch`` runs the dispatch
tasks and ``engine.drain`` does what the worker's delivery loop does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from bakohumas.content.models import ContentItem
from bakohumas.dissemination import engine
from bakohumas.dissemination.demo import NEWSLETTER
from bakohumas.dissemination.models import DeliveryStatus, Publication, PublicationStatus
from tests.browser.conftest import in_indonesian

pytestmark = pytest.mark.browser


def _add(page: Any, kind: str, **fields: str) -> None:
    page.select_option("#id_kind", kind)
    for selector, value in fields.items():
        if selector.startswith("select:"):
            page.select_option(selector[7:], label=value)
        else:
            page.fill(selector, value)
    page.locator("#plan-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/app/dissemination/item/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()


def test_press_release_to_portal_newsletter_and_whatsapp_group(
    page: Any, login_as: Callable[[str], Any], live_server: Any
) -> None:
    base = live_server.url
    item = ContentItem.objects.get(slug="siaran-pers-rapat-koordinasi-bakohumas")
    login_as("editor.samarinda")
    page.goto(f"{base}/app/content/{item.pk}/")
    page.get_by_test_id("disseminate").click()
    page.wait_for_url(re.compile(rf".*/app/dissemination/item/{item.pk}/$"))
    expect(page.locator("h1")).to_be_visible()

    # Telegram has no connected account in the demo: the page offers the manual package.
    telegram = page.get_by_test_id("channel-telegram")
    expect(telegram).to_contain_text(in_indonesian("Not connected"))
    expect(telegram.locator("a", has_text=in_indonesian("connect an account"))).to_have_count(0)

    _add(page, "website")
    _add(page, "email", **{"select:#id_mailing_list": NEWSLETTER})
    _add(page, "whatsapp_group", **{"#id_target": "Grup WhatsApp PPS Sungai Kunjang"})
    assert Publication.objects.filter(item=item).count() == 3

    # The worker dispatches what is due and sends the campaign.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    engine.drain("browser-test")
    email = Publication.objects.get(item=item, kind="email")
    assert email.status == PublicationStatus.DONE
    assert email.deliveries.filter(status=DeliveryStatus.SENT).count() == 8
    # pytest-django swaps the development mailbox for its in-memory outbox.
    mails = [m for m in mail.outbox if m.subject == item.title]
    assert len(mails) == 8
    assert mails[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    item.refresh_from_db()
    assert item.status == "published"

    page.reload()
    expect(page.get_by_text(in_indonesian("Published")).first).to_be_visible()

    # The WhatsApp group: the package, then the evidence.
    manual = Publication.objects.get(item=item, kind="whatsapp_group")
    assert manual.status == PublicationStatus.AWAITING_EVIDENCE
    page.goto(f"{base}/app/dissemination/{manual.pk}/package/")
    text = page.get_by_test_id("package-text").input_value()
    assert text.startswith(f"*{item.title}*")
    assert "utm_source=whatsapp_group" in text
    page.fill("#id_url", "https://chat.whatsapp.com/DemoPPSSungaiKunjang")
    page.fill("#id_audience", "74")
    page.get_by_test_id("evidence-form").locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    manual.refresh_from_db()
    assert manual.status == PublicationStatus.DONE
    assert manual.metric.reach == 74
