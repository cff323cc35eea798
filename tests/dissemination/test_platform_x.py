"""X API v2 specifics against the loopback server: the chunked video upload, duplicate
content (a 403 that is not a credentials problem), X's weighted length and media rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.dissemination import engine
from bakohumas.dissemination.adapters.base import ReconnectRequired
from bakohumas.dissemination.adapters.x import XAdapter
from bakohumas.dissemination.models import AccountStatus, PublicationStatus
from tests.dissemination.fakeplatforms import (
    JPEG,
    FakeX,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)


@pytest.fixture
def x() -> Any:
    with running(FakeX()) as server:
        yield server


@pytest.fixture
def account(x: FakeX, units: Any) -> Any:
    return make_account(units["64.72"], "x", {"api_base": x.url}, {"access_token": x.token})


def publish(item: Any, account: Any, editor: Any) -> Any:
    publication = engine.plan(item, engine.PlanInput(kind="x", account_id=account.pk), by=editor)
    engine.dispatch(publication.pk)
    return drain_until(publication)


@pytest.mark.django_db
def test_a_video_goes_up_in_chunks_and_is_attached_once_processed(
    x: FakeX, account: Any, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    video_bytes = bytes(range(256)) * (9 * 4096 + 7)  # ~9.4 MB: three 4 MB segments
    video = make_asset(units["64.72"], "video", video_bytes)
    item = approved_item(units["64.72"], contributor, coordinator, media=[video])
    publication = publish(item, account, editor)
    assert publication.status == PublicationStatus.DONE, publication.error
    commands = [c.form.get("command") or c.query.get("command") for c in x.calls_to("/media")]
    assert commands == ["INIT", "APPEND", "APPEND", "APPEND", "FINALIZE", "STATUS"]
    init = x.calls_to("/media")[0]
    assert init.form["media_category"] == "tweet_video"
    assert init.form["total_bytes"] == str(len(video_bytes))
    (post,) = x.posts
    (media_id,) = post["media_ids"]
    assert x.media[media_id]["bytes"] == video_bytes
    assert publication.external_id == post["id"]


@pytest.mark.django_db
def test_duplicate_content_fails_with_the_reason_without_asking_to_reconnect(
    x: FakeX, account: Any, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    item = approved_item(units["64.72"], contributor, coordinator)
    assert publish(item, account, editor).status == PublicationStatus.DONE
    again = publish(item, account, editor)
    assert again.status == PublicationStatus.FAILED
    assert "duplicate" in again.error and "already posted" in again.error
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED
    assert len(x.posts) == 1


@pytest.mark.django_db
def test_x_length_and_media_rules_are_checked_when_planned(
    x: FakeX, account: Any, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    wordy = approved_item(units["64.72"], contributor, coordinator, summary="Ringkasan. " * 30)
    with pytest.raises(ValidationError, match=r"counts \d+ characters on X"):
        engine.plan(wordy, engine.PlanInput(kind="x", account_id=account.pk), by=editor)
    photos = [make_asset(units["64.72"], "image", JPEG) for _ in range(5)]
    album = approved_item(units["64.72"], contributor, coordinator, media=photos)
    with pytest.raises(ValidationError, match="up to four images"):
        engine.plan(album, engine.PlanInput(kind="x", account_id=account.pk), by=editor)
    assert x.calls == []


@pytest.mark.django_db
def test_check_credentials_asks_who_the_token_belongs_to(x: FakeX, account: Any) -> None:
    XAdapter(account).check_credentials()
    assert x.calls[-1].path == "/2/users/me"
    x.revoke()
    with pytest.raises(ReconnectRequired, match="401"):
        XAdapter(account).check_credentials()
