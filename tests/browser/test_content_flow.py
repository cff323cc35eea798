"""Issue 3's done-flow in the browser: a contributor drafts an infographic with channel
variants and submits it; she cannot approve it; the coordinator approves it and it is
scheduled; an edit voids the approval; once approved again and its time comes, the worker
publishes it and it appears on the Samarinda portal and in ``/feed/``.

The real task backend (django-tasks-db) is used; the test runs ``db_worker --batch``
where a deployment has the worker process running.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from bakohumas.content.models import ContentItem, Status
from tests.browser.conftest import in_indonesian, log_in

pytestmark = pytest.mark.browser

TITLE = "Infografis jadwal coklit Samarinda"


def _switch_user(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username)


def test_infographic_from_draft_to_portal(
    page: Any, login_as: Callable[[str], Any], live_server: Any
) -> None:
    base = live_server.url
    login_as("kontributor.samarinda")

    # 1. Draft an infographic with channel variants and submit it.
    page.goto(f"{base}/app/content/new/?form=infographic")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "Jadwal pencocokan dan penelitian data pemilih.")
    page.fill("#id_body", "<p>Petugas datang ke rumah Anda.</p><script>alert(1)</script>")
    page.locator(".media-choices label", has_text="Infografis cek DPT Samarinda").locator(
        "input"
    ).check()
    page.locator("summary", has_text="X (Twitter)").click()
    page.fill("#id_variant_x_text", "Petugas coklit datang ke rumah Anda, sambut ya!")
    page.fill("#id_variant_x_hashtags", "coklit KPUSamarinda")
    # the live counter answers while typing
    expect(page.locator("#check-x")).to_contain_text("280")
    page.locator("summary", has_text="Instagram").click()
    page.fill("#id_variant_instagram_text", "Jadwal coklit di Samarinda")
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1))
    page.fill("#id_publish_at", tomorrow.strftime("%Y-%m-%dT%H:%M:%S"))
    page.locator("button[name=submit]").click()
    page.wait_for_url(re.compile(r".*/app/content/\d+/$"))
    item = ContentItem.objects.get(title=TITLE)
    assert item.status == Status.SUBMITTED
    assert "script" not in item.body
    assert sorted(item.variants.values_list("channel", flat=True)) == ["instagram", "x"]

    # 2. She cannot approve it: no approve button, and a forged POST is refused.
    expect(page.locator("form[action$='/approve/']")).to_have_count(0)
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token}});
            return r.status;
        }""",
        f"{base}/app/content/{item.pk}/approve/",
    )
    assert status == 403
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED

    # 3. The coordinator approves it: scheduled for its planned time.
    _switch_user(page, base, "koordinator.samarinda")
    expect(page.locator("[data-testid=waiting-count]")).not_to_have_text("0")
    page.goto(f"{base}/app/content/{item.pk}/")
    page.locator("form[action$='/approve/'] button.btn-success").click()
    page.wait_for_url(re.compile(rf".*/app/content/{item.pk}/$"))
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED
    assert item.approved_hash == item.content_hash

    # 4. An edit voids the approval.
    _switch_user(page, base, "kontributor.samarinda")
    page.goto(f"{base}/app/content/{item.pk}/edit/")
    page.fill("#id_summary", "Jadwal coklit: 1-28 Desember.")
    page.locator("#void-approval").check()
    page.locator("button[name=save]").click()
    page.wait_for_url(re.compile(rf".*/app/content/{item.pk}/$"))
    expect(page.locator(".alert-warning").first).to_contain_text(
        in_indonesian("Saved. The edit voided the approval: the item is back in review.")
    )
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED and not item.approved_hash

    # 5. Approved again, then rescheduled to a few seconds from now.
    _switch_user(page, base, "koordinator.samarinda")
    page.goto(f"{base}/app/content/{item.pk}/")
    page.locator("form[action$='/approve/'] button.btn-success").click()
    page.wait_for_url(re.compile(rf".*/app/content/{item.pk}/$"))
    soon = timezone.localtime(timezone.now() + timedelta(seconds=8))
    page.fill(
        "form[action$='/schedule/'] input[name=publish_at]", soon.strftime("%Y-%m-%dT%H:%M:%S")
    )
    page.locator("form[action$='/schedule/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/app/content/{item.pk}/$"))
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED

    # Not on the portal before its time.
    page.goto(f"{base}/satker/64.72/")
    expect(page.locator("main")).not_to_contain_text(TITLE)

    # 6. Its time comes: the worker publishes it.
    remaining = (soon - timezone.now()).total_seconds()
    if remaining > 0:
        time.sleep(remaining + 0.5)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED

    # (a new URL: the page seen before is in the browser's cache for up to a minute)
    page.goto(f"{base}/satker/64.72/?setelah-terbit")
    expect(page.locator("main")).to_contain_text(TITLE)
    feed = page.request.get(f"{base}/feed/")
    assert feed.ok and TITLE in feed.text()
    assert "<script>alert(1)" not in feed.text()
