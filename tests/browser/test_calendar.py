"""The content calendar as an editor uses it: drag an item to another day and see it
there; drag it into a quiet period (masa tenang), give the reason the dialog asks for,
and see it moved with the reason kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Election, ElectionStage
from bakohumas.core.models import WorkUnit

pytestmark = pytest.mark.browser


def test_drag_item_to_another_day_then_into_quiet_period(
    page: Any, login_as: Callable[[str], Any], live_server: Any
) -> None:
    samarinda = WorkUnit.objects.get(code="64.72")
    editor = get_user_model().objects.get(username="editor.samarinda")
    item = services.create_item(
        unit=samarinda,
        by=editor,
        fields={
            "form": "news",
            "title": "Uji seret kalender",
            "body": "<p>x</p>",
            "publish_at": datetime(2031, 3, 10, 10, 15, tzinfo=samarinda.zone),
        },
    )
    election = Election.objects.create(
        name="Pemilihan Gubernur uji", kind="pemilihan", unit=samarinda.province
    )
    ElectionStage.objects.create(
        election=election,
        name="Masa tenang uji",
        starts_on=date(2031, 3, 13),
        ends_on=date(2031, 3, 15),
        restricts_publishing=True,
    )

    login_as("editor.samarinda")
    # The whole month in view: Playwright's drag does not scroll between press and release.
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.goto(f"{live_server.url}/app/calendar/?date=2031-03-10")
    source = page.locator(f'li[data-item-id="{item.pk}"]')
    expect(page.locator('td[data-drop-date="2031-03-10"]')).to_contain_text("Uji seret kalender")
    expect(source).to_have_attribute("draggable", "true")
    expect(
        page.locator('td[data-drop-date="2031-03-13"] [data-testid=quiet-badge]')
    ).to_be_visible()

    # 1. Drag to Wednesday 12 March: moved, same time of day, the page reloads with a notice.
    with page.expect_navigation():  # the page reloads once the server has moved it
        source.drag_to(page.locator('td[data-drop-date="2031-03-12"]'))
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(
        page.locator(f'td[data-drop-date="2031-03-12"] li[data-item-id="{item.pk}"]')
    ).to_be_visible()
    expect(
        page.locator(f'td[data-drop-date="2031-03-10"] li[data-item-id="{item.pk}"]')
    ).to_have_count(0)
    item.refresh_from_db()
    local = samarinda.localtime(item.publish_at)
    assert (local.date(), local.hour, local.minute) == (date(2031, 3, 12), 10, 15)

    # 2. Drag into the quiet period: the dialog asks for the reason; nothing moves before it.
    page.locator(f'li[data-item-id="{item.pk}"]').drag_to(
        page.locator('td[data-drop-date="2031-03-14"]')
    )
    dialog = page.locator("#calendar-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Masa tenang uji")
    item.refresh_from_db()
    assert samarinda.localtime(item.publish_at).date() == date(2031, 3, 12)
    dialog.locator("textarea[name=reason]").fill("Klarifikasi hoaks yang mendesak")
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(
        page.locator(f'td[data-drop-date="2031-03-14"] li[data-item-id="{item.pk}"]')
    ).to_be_visible()
    item = ContentItem.objects.get(pk=item.pk)
    assert samarinda.localtime(item.publish_at).date() == date(2031, 3, 14)
    assert item.schedule_reason == "Klarifikasi hoaks yang mendesak"
