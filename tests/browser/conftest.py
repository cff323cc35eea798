"""Browser tests: pytest-playwright driving Debian's chromium against ``live_server``.

Run with ``pytest -m browser tests/browser``. Never downloads a browser: chromium comes
from the distribution (``apt-get install chromium``); without it the tests are skipped.
A failing test leaves a screenshot under ``test-results/``.

Every test uses ``transactional_db`` (the live server runs in another thread and must see
committed rows) and the demo data of ``bakohumas seed_demo``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop running in the test thread; the tests only
# touch the database between browser calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEMO_PASSWORD = "bakohumas-demo"
TIMEOUT_MS = 15_000


def pytest_configure(config: Any) -> None:
    # A screenshot of every page of a failed test lands in test-results/ (pytest-playwright).
    if getattr(config.option, "screenshot", None) == "off":
        config.option.screenshot = "only-on-failure"
        config.option.full_page_screenshot = True


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Debian's chromium is not installed at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # An Indonesian browser, as the staff use: Accept-Language id-ID.
    return {**browser_context_args, "locale": "id-ID", "timezone_id": "Asia/Makassar"}


@pytest.fixture
def demo(transactional_db: Any, settings: Any) -> None:
    """The demo work units, users and stakeholders (``bakohumas seed_demo``)."""
    # One fast hash: the demo users are created for every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", verbosity=0)


def in_indonesian(message: str) -> str:
    """``message`` as the Indonesian UI shows it (from the translation catalogues)."""
    from django.utils import translation

    with translation.override("id"):
        return str(translation.gettext(message))


def log_in(page: Any, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form and wait for the dashboard."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/app/$"))


@pytest.fixture
def login_as(page: Any, live_server: Any, demo: None) -> Callable[[str], Any]:
    """``login_as("koordinator.samarinda")`` → the ``page``, logged in on the dashboard."""
    page.set_default_timeout(TIMEOUT_MS)

    def do(username: str) -> Any:
        log_in(page, live_server.url, username)
        return page

    return do
