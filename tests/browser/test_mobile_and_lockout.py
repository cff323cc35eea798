"""A phone-sized screen, and the lockout after repeated wrong passwords."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, TIMEOUT_MS, in_indonesian

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_dashboard_on_a_phone_has_the_menu_toggle(login_as: Callable[[str], Any]) -> None:
    page = login_as("koordinator.samarinda")
    expect(page.get_by_role("heading", level=1)).to_have_text(in_indonesian("Dashboard"))
    # The sidebar gives way to the collapsed menu behind the toggle.
    toggle = page.locator("button.navbar-toggler")
    menu = page.locator("#mainnav")
    expect(toggle).to_be_visible()
    expect(page.locator("nav.sidebar")).to_be_hidden()
    expect(menu).to_be_hidden()
    # The page fits the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    toggle.click()
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    link = menu.get_by_role("link", name=in_indonesian("Contacts"), exact=True)
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(r".*/app/stakeholders/contacts/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(in_indonesian("Contacts"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _attempt(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_repeated_wrong_passwords_lock_the_account(
    page: Any, live_server: Any, demo: None, settings: Any
) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    base = live_server.url
    limit = settings.AXES_FAILURE_LIMIT
    locked_title = in_indonesian("Too many failed log-in attempts")

    # Below the limit: the form comes back with an error, nothing is locked.
    for _ in range(limit - 1):
        _attempt(page, base, "koordinator.samarinda", "wrong-password")
        expect(page.locator("main .alert-danger")).to_be_visible()
        expect(page.locator("#id_username")).to_be_visible()
        expect(page.get_by_text(locked_title)).to_have_count(0)

    # The limit-th failure locks the account …
    _attempt(page, base, "koordinator.samarinda", "wrong-password")
    expect(page.get_by_role("heading", name=locked_title)).to_be_visible()

    # … so even the right password is refused now, and nothing is reachable.
    _attempt(page, base, "koordinator.samarinda", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=locked_title)).to_be_visible()
    page.goto(f"{base}/app/")
    expect(page).to_have_url(re.compile(r".*/login/\?next=/app/$"))

    # Another user from the same browser is not affected.
    _attempt(page, base, "koordinator.kaltim", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r".*/app/$"))
