"""The staff's content pages in Debian's chromium: no serious or critical accessibility
violation found by axe-core on the dashboard, the content list, the editor, an item and
the calendar (axe-core is vendored in ``tests/browser/vendor``; the context bypasses the
CSP only to inject it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bakohumas.content.models import ContentItem
from tests.browser.conftest import TIMEOUT_MS, log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True, locale="id-ID", timezone_id="Asia/Makassar")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def test_staff_content_pages_have_no_serious_violations(
    axe_page: Any, live_server: Any, demo: None
) -> None:
    log_in(axe_page, live_server.url, "koordinator.samarinda")
    waiting = ContentItem.objects.get(slug="pemilih-pemula-dan-media-sosial")
    paths = [
        "/app/",
        "/app/content/",
        "/app/content/new/?form=infographic",
        f"/app/content/{waiting.pk}/",
        f"/app/content/{waiting.pk}/versions/1/",
        "/app/content/templates/",
        "/app/calendar/",
        "/app/calendar/?view=week",
        "/app/media-library/",
    ]
    # Issue 4: the dissemination pages of the demo plan.
    from bakohumas.dissemination.models import MailingList, Publication

    news = ContentItem.objects.get(slug="ayo-cek-data-pemilih")
    campaign = Publication.objects.filter(item=news, kind="email").first()
    radio = Publication.objects.get(item=news, kind="radio")
    newsletter = MailingList.objects.get(unit__code="64.72")
    paths += [
        f"/app/dissemination/item/{news.pk}/",
        "/app/dissemination/",
        f"/app/dissemination/{campaign.pk}/",
        f"/app/dissemination/{radio.pk}/package/",
        f"/app/dissemination/deliveries/?publication={campaign.pk}",
        "/app/dissemination/calendar/",
        "/app/dissemination/accounts/",
        "/app/dissemination/accounts/new/?kind=telegram",
        "/app/dissemination/lists/",
        f"/app/dissemination/lists/{newsletter.pk}/",
        "/app/dissemination/notifications/",
    ]
    # Issue 5: the inbox and the information requests.
    from bakohumas.inbox.models import HoaxCase, Thread
    from bakohumas.ppid.models import InformationRequest

    thread = Thread.objects.filter(unit__code="64.72", kind="hoax_report").first()
    request = InformationRequest.objects.filter(unit__code="64.72").first()
    case = HoaxCase.objects.filter(unit__code="64.72").first()
    assert thread is not None and request is not None and case is not None
    paths += [
        "/app/inbox/",
        f"/app/inbox/{thread.pk}/",
        "/app/inbox/balasan/",
        "/app/inbox/pengaturan/",
        "/app/inbox/hoaks/",
        f"/app/inbox/hoaks/{case.pk}/",
        "/app/ppid/",
        f"/app/ppid/{request.pk}/",
        "/app/ppid/baru/",
        "/app/ppid/keberatan/",
        "/app/ppid/statistik/",
        "/app/ppid/kalender/",
        "/satker/64.72/hubungi/",
        "/satker/64.72/lapor-hoaks/",
        "/satker/64.72/ppid/permohonan/",
        "/ppid/lacak/",
    ]
    script = AXE.read_text(encoding="utf-8")
    problems = {}
    for path in paths:
        axe_page.goto(live_server.url + path)
        axe_page.add_script_tag(content=script)
        found = axe_page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        blocking = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in found
            if v["impact"] in BLOCKING
        ]
        if blocking:
            problems[path] = blocking
    for path, issues in problems.items():
        print("A11Y", path, issues)
    assert problems == {}
