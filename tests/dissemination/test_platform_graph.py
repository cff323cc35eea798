"""Facebook Page and Instagram specifics against the loopback Graph server: the feed for
text, the video edge, Instagram's container → status → media_publish flow, a container
Instagram could not process, and Graph's throttling codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.dissemination import engine
from bakohumas.dissemination.adapters.base import ReconnectRequired
from bakohumas.dissemination.adapters.graph import FacebookAdapter
from bakohumas.dissemination.models import Delivery, PublicationStatus
from tests.dissemination.fakeplatforms import (
    JPEG,
    MP4,
    FakeMeta,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)


class ThrottledMeta(FakeMeta):
    """Graph's usual throttling answer: HTTP 400 with code 4, no Retry-After."""

    def error(self, call: Any, status: int, retry_after: float | None) -> Any:
        return self._error(400, "(#4) Application request limit reached", 4)


@pytest.fixture
def meta() -> Any:
    with running(FakeMeta(send_path="/feed")) as server:
        yield server


def facebook(meta: FakeMeta, units: Any) -> Any:
    return make_account(
        units["64.72"],
        "facebook",
        {"api_base": meta.api_base, "destination": meta.page_id},
        {"access_token": meta.token},
    )


def instagram(meta: FakeMeta, units: Any) -> Any:
    return make_account(
        units["64.72"],
        "instagram",
        {"api_base": meta.api_base, "destination": meta.ig_user_id, "poll_seconds": 0.01},
        {"access_token": meta.token},
    )


def publish(item: Any, account: Any, editor: Any) -> Any:
    publication = engine.plan(
        item, engine.PlanInput(kind=account.kind, account_id=account.pk), by=editor
    )
    engine.dispatch(publication.pk)
    return drain_until(publication)


@pytest.mark.django_db
def test_facebook_text_goes_to_the_feed_and_a_video_to_the_video_edge(
    meta: FakeMeta, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    account = facebook(meta, units)
    text = approved_item(units["64.72"], contributor, coordinator)
    done = publish(text, account, editor)
    assert done.status == PublicationStatus.DONE
    (feed,) = meta.calls_to("/feed")
    assert feed.bearer() == meta.token
    assert feed.form["message"].startswith(text.title)
    assert done.external_id.startswith(meta.page_id + "_")

    video = make_asset(units["64.72"], "video", MP4)
    clip = approved_item(
        units["64.72"], contributor, coordinator, media=[video], title="Video sosialisasi"
    )
    done = publish(clip, account, editor)
    assert done.status == PublicationStatus.DONE, done.error
    (upload,) = meta.calls_to("/videos")
    _name, mime, data = upload.files["source"]
    assert (mime, data) == ("video/mp4", MP4)
    assert upload.form["title"] == "Video sosialisasi"


@pytest.mark.django_db
def test_instagram_publishes_a_container_once_it_is_finished(
    meta: FakeMeta, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    meta.container_polls = 2
    image = make_asset(units["64.72"], "image", JPEG)
    item = approved_item(units["64.72"], contributor, coordinator, media=[image])
    publication = publish(item, instagram(meta, units), editor)
    assert publication.status == PublicationStatus.DONE, publication.error
    (container,) = meta.calls_to(f"/{meta.ig_user_id}/media", method="POST")[:1]
    assert container.form["image_url"].endswith(".jpg")
    assert container.form["alt_text"] == image.alt_text
    assert "utm_source=instagram" in container.form["caption"]
    polls = [c for c in meta.calls if c.query.get("fields") == "status_code"]
    assert len(polls) == 3  # IN_PROGRESS twice, then FINISHED
    (published,) = meta.calls_to("/media_publish")
    assert published.form["creation_id"] in meta.containers
    assert publication.external_url == f"https://www.instagram.com/p/{publication.external_id}/"


@pytest.mark.django_db
def test_instagram_reports_a_file_it_could_not_process(
    meta: FakeMeta, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    video = make_asset(units["64.72"], "video", MP4)
    item = approved_item(units["64.72"], contributor, coordinator, media=[video])
    account = instagram(meta, units)
    publication = engine.plan(
        item, engine.PlanInput(kind="instagram", account_id=account.pk), by=editor
    )
    engine.dispatch(publication.pk)
    meta.container_polls = 0
    original = meta._container

    def broken(params: dict[str, str]) -> Any:
        answer = original(params)
        for container in meta.containers.values():
            container["status"] = "ERROR"
        return answer

    meta._container = broken  # type: ignore[method-assign]
    publication = drain_until(publication)
    assert publication.status == PublicationStatus.FAILED
    assert "could not process" in publication.error
    (container,) = meta.calls_to(f"/{meta.ig_user_id}/media", method="POST")
    assert container.form["media_type"] == "REELS"
    assert meta.calls_to("/media_publish") == []


@pytest.mark.django_db
def test_instagram_without_an_image_or_video_is_refused_when_planned(
    meta: FakeMeta, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    item = approved_item(units["64.72"], contributor, coordinator)
    account = instagram(meta, units)
    with pytest.raises(ValidationError, match="needs an image or a video"):
        engine.plan(item, engine.PlanInput(kind="instagram", account_id=account.pk), by=editor)


@pytest.mark.django_db
def test_graph_throttling_without_retry_after_holds_the_account_a_minute(
    units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    with running(ThrottledMeta(send_path="/feed")) as meta:
        meta.fail(status=400)
        account = facebook(meta, units)
        item = approved_item(units["64.72"], contributor, coordinator)
        publication = engine.plan(
            item, engine.PlanInput(kind="facebook", account_id=account.pk), by=editor
        )
        engine.dispatch(publication.pk)
        engine.drain("w")
        account.refresh_from_db()
        row = Delivery.objects.get(publication=publication)
        assert "[code 4]" in row.error
        assert account.paused_until is not None
        wait = (account.paused_until - row.updated_at).total_seconds()
        assert 55 <= wait <= 65
        assert row.next_attempt_at >= row.updated_at + timedelta(seconds=55)
        assert len(meta.calls_to("/feed")) == 1  # the account waits: no second try now
        engine.drain("w")
        assert len(meta.calls_to("/feed")) == 1


@pytest.mark.django_db
def test_facebook_check_credentials(meta: FakeMeta, units: Any) -> None:
    account = facebook(meta, units)
    FacebookAdapter(account).check_credentials()
    meta.revoke()
    with pytest.raises(ReconnectRequired, match="code 190"):
        FacebookAdapter(account).check_credentials()
