"""YouTube Data API specifics against the loopback server: the resumable upload resumed
after a broken PUT (308 Resume Incomplete + Range), the thumbnail, quota errors (a 403
that means wait), YouTube's title rules, the channel check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.dissemination import engine
from bakohumas.dissemination.adapters.base import ReconnectRequired
from bakohumas.dissemination.adapters.youtube import YouTubeAdapter
from bakohumas.dissemination.models import (
    AccountStatus,
    Delivery,
    DeliveryStatus,
    PublicationStatus,
)
from tests.dissemination.fakeplatforms import (
    JPEG,
    MP4,
    FakeYouTube,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)


@pytest.fixture
def youtube() -> Any:
    with running(FakeYouTube()) as server:
        yield server


@pytest.fixture
def account(youtube: FakeYouTube, units: Any) -> Any:
    return make_account(
        units["64.72"],
        "youtube",
        {
            "api_base": youtube.url,
            "destination": youtube.channel_id,
            "privacy": "unlisted",
            "resume_pause": 0.01,
        },
        {"access_token": youtube.token},
    )


def plan(item: Any, account: Any, editor: Any) -> Any:
    publication = engine.plan(
        item, engine.PlanInput(kind="youtube", account_id=account.pk), by=editor
    )
    engine.dispatch(publication.pk)
    return publication


@pytest.mark.django_db
def test_a_broken_upload_resumes_where_youtube_stopped_and_makes_one_video(
    youtube: FakeYouTube,
    account: Any,
    units: Any,
    contributor: Any,
    coordinator: Any,
    editor: Any,
) -> None:
    video = make_asset(units["64.72"], "video", MP4)
    thumb = make_asset(units["64.72"], "image", JPEG)
    item = approved_item(
        units["64.72"], contributor, coordinator, media=[video, thumb], title="Debat publik"
    )
    youtube.break_after = 5000
    publication = drain_until(plan(item, account, editor))
    assert publication.status == PublicationStatus.DONE, publication.error
    (stored,) = youtube.videos
    assert stored["data"] == MP4
    puts = youtube.calls_to("/upload/youtube/v3/videos", method="PUT")
    assert [c.status for c in puts] == [503, 308, 200]
    assert puts[1].headers["content-range"] == f"bytes */{len(MP4)}"
    assert puts[2].headers["content-range"] == f"bytes 5000-{len(MP4) - 1}/{len(MP4)}"
    assert Delivery.objects.get(publication=publication).attempts == 1  # resumed, not redone
    snippet = stored["resource"]["snippet"]
    assert snippet["title"] == "Debat publik"
    assert "utm_source=youtube" in snippet["description"]
    assert stored["resource"]["status"]["privacyStatus"] == "unlisted"
    assert youtube.thumbnails[publication.external_id] == JPEG
    assert publication.external_url == f"https://www.youtube.com/watch?v={stored['id']}"


@pytest.mark.django_db
def test_an_exhausted_quota_waits_instead_of_asking_to_reconnect(
    youtube: FakeYouTube,
    account: Any,
    units: Any,
    contributor: Any,
    coordinator: Any,
    editor: Any,
) -> None:
    youtube.fail(status=403)  # quotaExceeded
    video = make_asset(units["64.72"], "video", MP4)
    item = approved_item(units["64.72"], contributor, coordinator, media=[video])
    publication = plan(item, account, editor)
    engine.drain("w")
    account.refresh_from_db()
    row = Delivery.objects.get(publication=publication)
    assert account.status == AccountStatus.CONNECTED
    assert row.status == DeliveryStatus.PENDING
    assert "quotaExceeded" in row.error
    assert account.paused_until is not None
    assert account.paused_until >= row.updated_at + timedelta(minutes=55)
    assert youtube.videos == []


@pytest.mark.django_db
def test_youtube_rules_are_checked_when_planned(
    youtube: FakeYouTube,
    account: Any,
    units: Any,
    contributor: Any,
    coordinator: Any,
    editor: Any,
) -> None:
    video = make_asset(units["64.72"], "video", MP4)
    angled = approved_item(
        units["64.72"], contributor, coordinator, media=[video], title="Hasil <resmi> pemilu"
    )
    with pytest.raises(ValidationError, match="< or >"):
        engine.plan(angled, engine.PlanInput(kind="youtube", account_id=account.pk), by=editor)
    no_video = approved_item(units["64.72"], contributor, coordinator)
    with pytest.raises(ValidationError, match="needs an image or a video"):
        engine.plan(no_video, engine.PlanInput(kind="youtube", account_id=account.pk), by=editor)
    assert youtube.calls == []


@pytest.mark.django_db
def test_check_credentials_wants_the_token_of_the_configured_channel(
    youtube: FakeYouTube, account: Any
) -> None:
    YouTubeAdapter(account).check_credentials()
    account.config = {**account.config, "destination": "UCanotherchannel"}
    with pytest.raises(ReconnectRequired, match="does not belong"):
        YouTubeAdapter(account).check_credentials()
