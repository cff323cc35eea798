"""Publications list and detail: scope, filters, live progress, pause/resume/cancel/
retry, hand-entered metrics; the notification list and the badge in the navigation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bakohumas.core.models import Role
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import (
    Delivery,
    DeliveryStatus,
    Metric,
    Notification,
    Publication,
    PublicationStatus,
)
from tests.dissemination.test_views_plan import approved_in, client_for, text

pytestmark = pytest.mark.django_db

LIST = reverse("dissemination:publications")


def detail(p: Publication) -> str:
    return reverse("dissemination:publication", args=[p.pk])


def action(p: Publication, name: str) -> str:
    return reverse("dissemination:action", args=[p.pk, name])


def plan(item: Any, by: Any, kind: str = "print", **fields: Any) -> Publication:
    if kind == "print":
        fields.setdefault("target", "Tribun Kaltim")
    return engine.plan(item, engine.PlanInput(kind=kind, **fields), by=by)


def campaign(item: Any, by: Any, mailing_list: Any, **fields: Any) -> Publication:
    return plan(item, by, "email", mailing_list_id=mailing_list.pk, **fields)


# --- list ----------------------------------------------------------------------------------


def test_list_shows_the_users_scope_only(
    approved: Any, editor: Any, make_user: Callable[..., Any], units: Any
) -> None:
    mine = plan(approved, editor)
    berau_item = approved_in(make_user, units, "64.03")
    berau = plan(berau_item, make_user("64.03", Role.EDITOR))
    body = text(client_for(editor).get(LIST))
    assert detail(mine) in body
    assert detail(berau) not in body
    # The province sees both.
    body = text(client_for(make_user("64", Role.VIEWER)).get(LIST))
    assert detail(mine) in body and detail(berau) in body


def test_list_filters(make_approved: Callable[..., Any], editor: Any, mailing_list: Any) -> None:
    first = make_approved(title="Jadwal coklit")
    second = make_approved(title="Debat kandidat")
    printed = plan(first, editor)
    emailed = campaign(second, editor, mailing_list)
    later = plan(
        first, editor, "radio", target="RRI", scheduled_at=timezone.now() + timedelta(days=40)
    )
    engine.pause(emailed, by=editor)
    client = client_for(editor)

    def shown(**query: str) -> set[int]:
        body = text(client.get(LIST, query))
        return {p.pk for p in (printed, emailed, later) if detail(p) in body}

    assert shown() == {printed.pk, emailed.pk, later.pk}
    assert shown(status="paused") == {emailed.pk}
    assert shown(kind="radio") == {later.pk}
    assert shown(q="debat") == {emailed.pk}
    today = timezone.localdate().isoformat()
    assert shown(date_from=today, date_to=today) == {printed.pk, emailed.pk}
    assert shown(date_from=(timezone.localdate() + timedelta(days=30)).isoformat()) == {later.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "kemarin"},
        {"date_from": "2030-02-01", "date_to": "2030-01-01"},
        {"status": "nope"},
        {"unit": "abc"},
        {"page": "9999"},
        {"q": "x" * 500},
    ],
)
def test_list_bad_filters_are_explained_not_a_500(editor: Any, query: dict[str, str]) -> None:
    response = client_for(editor).get(LIST, query)
    assert response.status_code == 200


def test_list_query_count_does_not_grow(
    make_approved: Callable[..., Any],
    editor: Any,
    mailing_list: Any,
    add_subscribers: Any,
    django_assert_max_num_queries: Any,
) -> None:
    add_subscribers(3)
    client = client_for(editor)
    item = make_approved()
    for kind in ("print", "radio"):
        plan(item, editor, kind, target="x")
    sending = campaign(item, editor, mailing_list)
    engine.dispatch(sending.pk)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    baseline = len(small.captured_queries)
    for i in range(10):
        plan(item, editor, "tv", target=f"TV {i}")
        engine.dispatch(campaign(item, editor, mailing_list).pk)
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST)
    assert text(response).count('data-testid="publication-row"') == 23


# --- detail and progress -------------------------------------------------------------------------


def test_detail_shows_counts_and_polls_while_sending(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any, smtp: Any
) -> None:
    add_subscribers(4)
    add_subscribers(1, status="unsubscribed", prefix="keluar")
    publication = campaign(approved, editor, mailing_list)
    engine.dispatch(publication.pk)
    client = client_for(editor)
    body = text(client.get(detail(publication)))
    assert 'data-testid="publication-status">Sending' in body
    progress_url = reverse("dissemination:progress", args=[publication.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 2s"' in body
    partial = text(client.get(progress_url))
    assert 'data-progress="0"' in partial
    assert "0 of 4 done" in partial
    engine.drain("test")
    partial = text(client.get(progress_url))
    assert 'data-progress="100"' in partial
    assert "4 sent" in partial
    assert "hx-trigger" not in partial  # polling stops once it is done
    body = text(client.get(detail(publication)))
    assert 'data-testid="delivery-counts"' in body
    assert len(smtp.recipients()) == 4


def test_detail_and_progress_of_another_unit_are_404(
    editor: Any, make_user: Callable[..., Any], units: Any
) -> None:
    berau = plan(approved_in(make_user, units, "64.03"), make_user("64.03", Role.EDITOR))
    client = client_for(editor)
    assert client.get(detail(berau)).status_code == 404
    assert client.get(reverse("dissemination:progress", args=[berau.pk])).status_code == 404
    assert client.post(action(berau, "cancel")).status_code == 404
    berau.refresh_from_db()
    assert berau.status == PublicationStatus.PLANNED


# --- actions ---------------------------------------------------------------------------------


def test_pause_resume_cancel(approved: Any, editor: Any) -> None:
    publication = plan(approved, editor, scheduled_at=timezone.now() + timedelta(days=1))
    client = client_for(editor)
    assert client.post(action(publication, "pause")).status_code == 302
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PAUSED
    client.post(action(publication, "resume"))
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PLANNED
    response = client.post(action(publication, "cancel"), follow=True)
    assert "Cancelled." in text(response)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.CANCELLED


def test_refused_action_is_a_message_and_changes_nothing(approved: Any, editor: Any) -> None:
    publication = plan(approved, editor)
    response = client_for(editor).post(action(publication, "resume"), follow=True)
    assert "Only a paused publication can be resumed" in text(response)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PLANNED


def test_unknown_action_is_404_and_get_is_refused(approved: Any, editor: Any) -> None:
    publication = plan(approved, editor)
    client = client_for(editor)
    assert client.post(action(publication, "explode")).status_code == 404
    assert client.get(action(publication, "cancel")).status_code == 405
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PLANNED


def test_viewer_and_contributor_cannot_act(
    approved: Any, editor: Any, contributor: Any, make_user: Callable[..., Any]
) -> None:
    publication = plan(approved, editor)
    for user in (make_user("64.72", Role.VIEWER), contributor):
        client = client_for(user)
        assert client.get(detail(publication)).status_code == 200
        assert client.post(action(publication, "cancel")).status_code == 403
        assert (
            client.post(reverse("dissemination:metrics", args=[publication.pk]), {"reach": 5})
        ).status_code == 403
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PLANNED
    assert not Metric.objects.exists()


def test_retry_failed_requeues_the_failed_rows(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any, smtp: Any
) -> None:
    add_subscribers(3)
    smtp.refuse["warga1@example.id"] = "550 5.1.1 No such user"
    publication = campaign(approved, editor, mailing_list)
    engine.dispatch(publication.pk)
    engine.drain("test")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DONE
    failed = Delivery.objects.get(publication=publication, status=DeliveryStatus.FAILED)
    client = client_for(editor)
    assert "Retry failed" in text(client.get(detail(publication)))
    response = client.post(action(publication, "retry"), follow=True)
    assert "1 failed deliveries will be sent again." in text(response)
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING
    del smtp.refuse["warga1@example.id"]
    engine.drain("test")
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    assert sorted(smtp.recipients()).count("warga1@example.id") == 1


# --- metrics --------------------------------------------------------------------------------


def test_manual_metrics(approved: Any, editor: Any) -> None:
    publication = plan(approved, editor)
    url = reverse("dissemination:metrics", args=[publication.pk])
    client = client_for(editor)
    client.post(url, {"reach": "1200", "impressions": "3000", "engagement": "40", "clicks": ""})
    metric = Metric.objects.get(publication=publication)
    assert (metric.reach, metric.impressions, metric.engagement, metric.clicks) == (
        1200,
        3000,
        40,
        0,
    )
    assert metric.source == Metric.Source.MANUAL
    body = text(client.get(detail(publication)))
    assert 'data-testid="metrics"' in body and "1,200" in body


@pytest.mark.parametrize(
    "data", [{"reach": "-1"}, {"reach": "banyak"}, {}, {"reach": "3000000000"}]
)
def test_bad_metrics_change_nothing(approved: Any, editor: Any, data: dict[str, str]) -> None:
    publication = plan(approved, editor)
    response = client_for(editor).post(
        reverse("dissemination:metrics", args=[publication.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert "Reach:" in text(response)
    assert not Metric.objects.exists()


# --- notifications ---------------------------------------------------------------------------


def test_notifications_badge_list_and_mark_read(
    editor: Any, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    other = make_user("64.72", Role.EDITOR)
    for i in range(3):
        Notification.objects.create(user=editor, text=f"Gagal {i}", url="/app/", is_error=True)
    theirs = Notification.objects.create(user=other, text="Bukan milikmu")
    client = client_for(editor)
    body = text(client.get(LIST))
    assert 'data-testid="notifications-badge"' in body
    assert '3<span class="visually-hidden"> unread' in body
    url = reverse("dissemination:notifications")
    body = text(client.get(url))
    assert body.count('data-testid="notification"') == 3
    assert "Bukan milikmu" not in body
    first = Notification.objects.filter(user=editor).first()
    assert first is not None
    response = client.post(url, {"id": first.pk, "open": "1"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.post(url, {"id": theirs.pk}).status_code == 404
    assert client.post(url, {"id": "abc"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(url, {"all": "1"})
    assert not Notification.objects.filter(user=editor, read_at__isnull=True).exists()
    body = text(client.get(url + "?unread=1"))
    assert "No notifications." in body
    assert '<span class="visually-hidden"> unread' not in body  # the badge is gone
    for i in range(30):
        Notification.objects.create(user=editor, text=f"Lagi {i}")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    baseline = len(small.captured_queries)
    for i in range(60):
        Notification.objects.create(user=editor, text=f"Lebih {i}")
    with django_assert_max_num_queries(baseline):
        client.get(url)
