"""Every single-post platform adapter against its loopback server, through the engine:
a post goes out once and the publication is done; metrics fill ``Metric``; a revoked
token shows "reconnect" and pauses the publication; 429 and 500 are retried (429 after
the Retry-After the platform gave) with exactly one post at the server; media too large
or of the wrong kind is refused when planned, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.dissemination import engine
from bakohumas.dissemination.models import (
    AccountStatus,
    Delivery,
    DeliveryStatus,
    Metric,
    Publication,
    PublicationStatus,
)
from tests.dissemination.fakeplatforms import (
    JPEG,
    MP4,
    FakeMeta,
    FakePlatform,
    FakeTelegram,
    FakeTikTok,
    FakeWebhookReceiver,
    FakeX,
    FakeYouTube,
    approved_item,
    drain_until,
    make_account,
    make_asset,
    running,
)

MB = 1024 * 1024


@dataclass
class Case:
    kind: str
    fake: Callable[[], FakePlatform]
    config: Callable[[Any], dict[str, Any]]
    secret: Callable[[Any], dict[str, Any]]
    posts: Callable[[Any], int]
    media: list[str] = field(default_factory=list)  # kinds of real files on the item
    metrics: dict[str, int] | None = None  # expected figures
    url_prefix: str = ""
    too_large: tuple[str, int] | None = None  # (kind, size) over the platform's limit
    wrong: tuple[str, str] | None = None  # (kind, mime type) the platform refuses
    # The request that makes the post, and whether sending it again is safe (an
    # idempotency key, a resumable upload) or must wait for a person.
    publish_path: str = ""
    publish_method: str = "POST"
    resend_is_safe: bool = False


def _meta(send_path: str) -> Callable[[], FakePlatform]:
    return lambda: FakeMeta(send_path=send_path)


CASES = [
    Case(
        kind="telegram",
        fake=FakeTelegram,
        config=lambda f: {"api_base": f.url, "destination": "@kpusamarinda"},
        secret=lambda f: {"bot_token": f.token},
        posts=lambda f: len(f.posts),
        media=["image"],
        url_prefix="https://t.me/kpusamarinda/",
        publish_path="/sendPhoto",
        too_large=("image", 11 * MB),
    ),
    Case(
        kind="facebook",
        fake=_meta("/photos"),
        config=lambda f: {"api_base": f.api_base, "destination": f.page_id},
        secret=lambda f: {"access_token": f.token},
        posts=lambda f: len([p for p in f.posts if p["platform"] == "facebook"]),
        media=["image"],
        metrics={"reach": 1200, "impressions": 3400, "engagement": 57, "clicks": 89},
        url_prefix="https://www.facebook.com/",
        publish_path="/photos",
        too_large=("image", 5 * MB),
        wrong=("pdf", "application/pdf"),
    ),
    Case(
        kind="instagram",
        fake=_meta("/media_publish"),
        config=lambda f: {
            "api_base": f.api_base,
            "destination": f.ig_user_id,
            "poll_seconds": 0.01,
        },
        secret=lambda f: {"access_token": f.token},
        posts=lambda f: len([p for p in f.posts if p["platform"] == "instagram"]),
        media=["image"],
        metrics={"reach": 900, "impressions": 2100, "engagement": 130, "clicks": 0},
        url_prefix="https://www.instagram.com/p/",
        publish_path="/media_publish",
        too_large=("image", 9 * MB),
        wrong=("image", "image/png"),
    ),
    Case(
        kind="x",
        fake=FakeX,
        config=lambda f: {"api_base": f.url},
        secret=lambda f: {"access_token": f.token},
        posts=lambda f: len(f.posts),
        media=["image"],
        metrics={"reach": 0, "impressions": 2650, "engagement": 41, "clicks": 0},
        url_prefix="https://x.com/i/web/status/",
        publish_path="/2/tweets",
        too_large=("image", 6 * MB),
        wrong=("pdf", "application/pdf"),
    ),
    Case(
        kind="youtube",
        fake=FakeYouTube,
        config=lambda f: {
            "api_base": f.url,
            "destination": f.channel_id,
            "resume_pause": 0.01,
        },
        secret=lambda f: {"access_token": f.token},
        posts=lambda f: len(f.videos),
        media=["video"],
        metrics={"reach": 0, "impressions": 1520, "engagement": 50, "clicks": 0},
        url_prefix="https://www.youtube.com/watch?v=",
        publish_path="/upload/youtube/v3/videos",
        publish_method="PUT",
        resend_is_safe=True,
        too_large=("image", 3 * MB),  # a thumbnail over 2 MB
        wrong=("pdf", "application/pdf"),
    ),
    Case(
        kind="tiktok",
        fake=FakeTikTok,
        config=lambda f: {"api_base": f.url, "poll_seconds": 0.01, "status_wait_seconds": 2},
        secret=lambda f: {"access_token": f.token},
        posts=lambda f: len(f.published()),
        media=["video"],
        metrics={"reach": 0, "impressions": 5400, "engagement": 357, "clicks": 0},
        url_prefix="https://www.tiktok.com/@kpusamarinda/video/",
        publish_path="/upload/",
        publish_method="PUT",
        too_large=("video", 5 * 1024 * MB),
        wrong=("image", "image/jpeg"),
    ),
    Case(
        kind="webhook",
        fake=FakeWebhookReceiver,
        config=lambda f: {"destination": f.url + "/hook"},
        secret=lambda f: {"signing_secret": f.secret},
        posts=lambda f: len(f.received),
        url_prefix="https://mitra.example/p/",
        publish_path="/hook",
        resend_is_safe=True,
    ),
]
IDS = [c.kind for c in CASES]


@pytest.fixture(autouse=True)
def _fast_retries(settings: Any) -> None:
    settings.DELIVERY_RETRY_BASE_SECONDS = 0.05
    settings.DELIVERY_RETRY_MAX_SECONDS = 0.5


@pytest.fixture(params=CASES, ids=IDS)
def case(request: Any) -> Case:
    return request.param


@pytest.fixture
def fake(case: Case) -> Iterator[Any]:
    with running(case.fake()) as server:
        yield server


@pytest.fixture
def account(case: Case, fake: Any, units: Any) -> Any:
    return make_account(units["64.72"], case.kind, case.config(fake), case.secret(fake))


@pytest.fixture
def item(case: Case, units: Any, contributor: Any, coordinator: Any) -> Any:
    data = {"image": JPEG, "video": MP4}
    media = [make_asset(units["64.72"], kind, data[kind]) for kind in case.media]
    return approved_item(units["64.72"], contributor, coordinator, media=media)


def plan_and_dispatch(item: Any, account: Any, editor: Any) -> Publication:
    publication = engine.plan(
        item, engine.PlanInput(kind=account.kind, account_id=account.pk), by=editor
    )
    assert engine.dispatch(publication.pk)
    return publication


def send_calls(fake: Any) -> list[Any]:
    return fake.calls_to(fake.send_path)


@pytest.mark.django_db
def test_post_goes_out_once_is_done_and_its_metrics_are_fetched(
    case: Case, fake: Any, account: Any, item: Any, editor: Any
) -> None:
    publication = drain_until(plan_and_dispatch(item, account, editor))
    assert publication.status == PublicationStatus.DONE, publication.error
    assert case.posts(fake) == 1
    row = Delivery.objects.get(publication=publication)
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 1
    assert publication.external_url.startswith(case.url_prefix)
    if case.kind != "webhook":
        assert publication.external_id and publication.external_id == row.provider_id
    if case.metrics is None:
        assert engine.fetch_metrics(publication) is None
        return
    assert engine.fetch_metrics(publication) is not None
    stored = Metric.objects.get(publication=publication)
    assert stored.source == Metric.Source.PLATFORM
    assert stored.error == ""
    figures = {k: getattr(stored, k) for k in ("reach", "impressions", "engagement", "clicks")}
    assert figures == case.metrics
    assert engine.fetch_due_metrics() == 0  # fresh figures are not fetched again


@pytest.mark.django_db
def test_revoked_token_shows_reconnect_and_pauses_without_retrying(
    case: Case, fake: Any, account: Any, item: Any, editor: Any
) -> None:
    fake.revoke()
    publication = drain_until(plan_and_dispatch(item, account, editor))
    account.refresh_from_db()
    assert account.status == AccountStatus.RECONNECT
    assert account.status_detail
    assert publication.status == PublicationStatus.PAUSED
    assert "reconnect" in publication.error.lower()
    assert case.posts(fake) == 0
    calls = len(fake.calls)
    assert calls >= 1
    engine.drain("again")
    engine.sweep()
    assert len(fake.calls) == calls  # nothing retried silently
    assert Delivery.objects.get(publication=publication).status == DeliveryStatus.PENDING
    with pytest.raises(ValidationError, match="Reconnect"):
        engine.plan(item, engine.PlanInput(kind=case.kind, account_id=account.pk), by=editor)


@pytest.mark.django_db
def test_429_and_500_are_retried_and_the_post_goes_out_exactly_once(
    case: Case, fake: Any, account: Any, item: Any, editor: Any
) -> None:
    fake.fail(status=429, retry_after=1, on_call=1)
    fake.fail(status=500, on_call=2)
    publication = plan_and_dispatch(item, account, editor)
    engine.drain("first")
    account.refresh_from_db()
    assert account.paused_until is not None  # the whole account waits after a 429
    row = Delivery.objects.get(publication=publication)
    assert row.status == DeliveryStatus.PENDING
    assert row.error
    publication = drain_until(publication)
    assert publication.status == PublicationStatus.DONE, publication.error
    assert case.posts(fake) == 1
    calls = send_calls(fake)
    assert [c.status for c in calls[:2]] == [429, 500]
    assert calls[1].at - calls[0].at >= 0.95  # Retry-After honoured
    assert Delivery.objects.get(publication=publication).attempts == 3


@pytest.mark.django_db
def test_a_platform_that_keeps_failing_ends_failed_with_the_reason(
    case: Case, fake: Any, account: Any, item: Any, editor: Any, settings: Any
) -> None:
    settings.DELIVERY_MAX_ATTEMPTS = 3
    fake.fail(status=503, on_call=1, times=100)
    publication = drain_until(plan_and_dispatch(item, account, editor))
    assert publication.status == PublicationStatus.FAILED
    assert "503" in publication.error
    assert "3" in publication.error  # gave up after 3 attempts
    assert case.posts(fake) == 0
    assert len(send_calls(fake)) == 3


@pytest.mark.django_db
def test_media_too_large_or_of_the_wrong_kind_is_refused_when_planned(
    case: Case,
    fake: Any,
    account: Any,
    units: Any,
    contributor: Any,
    coordinator: Any,
    editor: Any,
) -> None:
    unit = units["64.72"]
    refusals = []
    if case.too_large is not None:
        kind, size = case.too_large
        media = [make_asset(unit, kind, size=size)]
        if case.kind in ("youtube", "tiktok") and kind != "video":
            media.append(make_asset(unit, "video", MP4))
        refusals.append((media, "at most"))
    if case.wrong is not None:
        kind, mime_type = case.wrong
        refusals.append(
            ([make_asset(unit, kind, size=1000, mime_type=mime_type)], "does not take|JPEG")
        )
    if not refusals:
        pytest.skip(f"{case.kind} sends links to the files, whatever they are")
    for media, reason in refusals:
        item = approved_item(unit, contributor, coordinator, media=media)
        with pytest.raises(ValidationError, match=reason):
            engine.plan(item, engine.PlanInput(kind=case.kind, account_id=account.pk), by=editor)
        assert not Publication.objects.filter(item=item).exists()
    assert fake.calls == []


@pytest.mark.django_db
def test_a_post_whose_answer_never_came_is_not_posted_twice(
    case: Case, fake: Any, account: Any, item: Any, editor: Any
) -> None:
    account.config = {**account.config, "timeout": 0.5}
    account.save()
    fake.slow(1.5, path=case.publish_path, when=lambda c: c.method == case.publish_method)
    publication = drain_until(plan_and_dispatch(item, account, editor))
    assert case.posts(fake) == 1  # the platform did publish it, once
    publishing = fake.calls_to(case.publish_path, method=case.publish_method)
    if case.resend_is_safe:
        # Sent again with the same idempotency key, or the upload's status asked: done.
        assert publication.status == PublicationStatus.DONE, publication.error
    else:
        assert publication.status == PublicationStatus.FAILED
        assert "may have been published" in publication.error
        assert len(publishing) == 1  # not retried behind the person's back
