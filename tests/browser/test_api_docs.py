"""The interactive API docs (/api/v1/docs) in Debian's chromium: Swagger UI loads from
our own static files (no CDN), runs under the Content-Security-Policy without a single
violation, and calls the API with the workspace session (CSRF header included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _watch(page: Any, base: str) -> list[str]:
    """Collect console errors, CSP reports, page errors and requests to other hosts."""
    problems: list[str] = []

    def on_console(msg: Any) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            problems.append(f"console: {msg.text}")

    def on_request(request: Any) -> None:
        if not request.url.startswith((base, "data:", "blob:")):
            problems.append(f"external request: {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("request", on_request)
    return problems


def _execute(block: Any) -> str:
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    return str(status.inner_text()).strip()


def test_docs_render_under_csp_and_call_the_api(
    login_as: Callable[[str], Any], live_server: Any
) -> None:
    page = login_as("editor.samarinda")
    problems = _watch(page, live_server.url)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 20
    assert "Bakohumas API" in page.locator(".info .title").inner_text()

    # GET /work-units with the session: the editor's own unit only.
    block = page.locator(".opblock-get", has_text="/api/v1/work-units").first
    block.locator(".opblock-summary").click()
    assert _execute(block) == "200"
    body = block.locator(".live-responses-table .microlight").first.inner_text()
    assert "64.72" in body and "64.03" not in body

    # POST /groups: a session write needs the X-CSRFToken header the page adds.
    block = page.locator(".opblock-post", has_text="/api/v1/groups").first
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("textarea.body-param__text").fill('{"name": "Grup dari dokumentasi API"}')
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "201"

    assert not problems, problems
