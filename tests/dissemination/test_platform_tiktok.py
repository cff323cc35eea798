"""TikTok Content Posting API specifics against the loopback server: the chunk rules of a
large upload, a post still in moderation resolved by the metrics fetch, a video TikTok
refused, and a privacy level the creator may not use."""

from __future__ import annotations

from typing import Any

import pytest

from bakohumas.dissemination import engine
from bakohumas.dissemination.adapters.tiktok import PUBLISH_PREFIX, chunking
from bakohumas.dissemination.models import Metric, PublicationStatus
from tests.dissemination.fakeplatforms import (
    MP4,
    FakeTikTok,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)

MB = 1024 * 1024


@pytest.fixture
def tiktok() -> Any:
    with running(FakeTikTok()) as server:
        yield server


def account_for(tiktok: FakeTikTok, units: Any, **config: Any) -> Any:
    return make_account(
        units["64.72"],
        "tiktok",
        {"api_base": tiktok.url, "poll_seconds": 0.01, "status_wait_seconds": 1, **config},
        {"access_token": tiktok.token},
    )


def publish(
    units: Any, contributor: Any, coordinator: Any, editor: Any, account: Any, data: bytes = MP4
) -> Any:
    video = make_asset(units["64.72"], "video", data)
    item = approved_item(units["64.72"], contributor, coordinator, media=[video])
    publication = engine.plan(
        item, engine.PlanInput(kind="tiktok", account_id=account.pk), by=editor
    )
    engine.dispatch(publication.pk)
    return drain_until(publication)


def test_chunking_follows_the_media_transfer_rules() -> None:
    assert chunking(3 * MB) == (3 * MB, 1)  # under 5 MB: whole
    assert chunking(64 * MB) == (64 * MB, 1)
    size = 100 * MB + 123
    chunk, count = chunking(size)
    assert (chunk, count) == (10 * MB, 10)
    assert 5 * MB <= size - chunk * (count - 1) <= 128 * MB  # the last chunk takes the rest
    assert chunking(4096 * MB)[1] <= 1000


@pytest.mark.django_db
def test_a_large_video_goes_up_in_ordered_chunks(
    tiktok: FakeTikTok, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    data = bytes(range(256)) * (66 * MB // 256 + 3)
    publication = publish(units, contributor, coordinator, editor, account_for(tiktok, units), data)
    assert publication.status == PublicationStatus.DONE, publication.error
    (published,) = tiktok.published()
    assert published["data"] == data
    puts = tiktok.calls_to("/upload/", method="PUT")
    assert [c.status for c in puts] == [206] * 5 + [201]
    assert puts[0].headers["content-range"] == f"bytes 0-{10 * MB - 1}/{len(data)}"
    assert puts[-1].headers["content-range"] == f"bytes {50 * MB}-{len(data) - 1}/{len(data)}"
    init = tiktok.calls_to("/video/init/")[0].json
    assert init["post_info"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert "utm_source=tiktok" in init["post_info"]["title"]
    assert publication.external_url.startswith("https://www.tiktok.com/@kpusamarinda/video/")


@pytest.mark.django_db
def test_a_post_in_moderation_is_resolved_when_metrics_are_fetched(
    tiktok: FakeTikTok, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    tiktok.moderation_polls = 10_000
    account = account_for(tiktok, units, status_wait_seconds=0.05)
    publication = publish(units, contributor, coordinator, editor, account)
    assert publication.status == PublicationStatus.DONE
    assert publication.external_id.startswith(PUBLISH_PREFIX + "v_pub_file~")
    assert engine.fetch_metrics(publication) is None  # still in review: nothing yet
    for publish_state in tiktok.publishes.values():
        publish_state["polls"] = 0
    metric = engine.fetch_metrics(publication)
    assert metric is not None and metric.impressions == 5400
    publication.refresh_from_db()
    (published,) = tiktok.published()
    assert publication.external_id == published["post_id"]
    assert len(tiktok.published()) == 1


@pytest.mark.django_db
def test_a_video_refused_after_review_is_reported_on_the_metrics(
    tiktok: FakeTikTok, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    tiktok.moderation_polls = 10_000
    account = account_for(tiktok, units, status_wait_seconds=0.05)
    publication = publish(units, contributor, coordinator, editor, account)
    tiktok.refuse_reason = "content_violation"
    assert engine.fetch_metrics(publication) is None
    assert "content_violation" in Metric.objects.get(publication=publication).error


@pytest.mark.django_db
def test_refusals_during_the_post_fail_the_publication_with_the_reason(
    tiktok: FakeTikTok, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    tiktok.refuse_reason = "video_pull_failed"
    failed = publish(units, contributor, coordinator, editor, account_for(tiktok, units))
    assert failed.status == PublicationStatus.FAILED
    assert "video_pull_failed" in failed.error
    tiktok.refuse_reason = ""
    private = make_account(
        units["64.72"],
        "tiktok",
        {"api_base": tiktok.url, "privacy_level": "FOLLOWER_OF_CREATOR"},
        {"access_token": tiktok.token},
        name="Akun privat",
    )
    refused = publish(units, contributor, coordinator, editor, private)
    assert refused.status == PublicationStatus.FAILED
    assert "may not post as FOLLOWER_OF_CREATOR" in refused.error
    assert len(tiktok.calls_to("/video/init/")) == 1  # only the first one got that far
