"""The deliveries screen: scope, filters, the reason and the consent of each row, paging by
key that stays fast on a large campaign, and retrying chosen failed rows."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
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
    Publication,
    PublicationStatus,
)
from tests.dissemination.test_views_plan import approved_in, client_for, text

pytestmark = pytest.mark.django_db

URL = reverse("dissemination:deliveries")


def sent_campaign(
    item: Any, by: Any, mailing_list: Any, rows: int, failed_every: int = 0
) -> Publication:
    """A finished email campaign with ``rows`` delivery rows written directly (the engine's
    own tests cover writing them); every ``failed_every``-th row failed."""
    publication = engine.plan(
        item, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=by
    )
    now = timezone.now()
    Delivery.objects.bulk_create(
        (
            Delivery(
                publication=publication,
                recipient=f"warga{i:06d}@example.id",
                recipient_name=f"Warga {i}",
                consent_ref=f"subscription:{i} confirmed 2026-03-01 (portal double opt-in)",
                status=DeliveryStatus.FAILED
                if failed_every and i % failed_every == 0
                else DeliveryStatus.SENT,
                error="550 5.1.1 No such user" if failed_every and i % failed_every == 0 else "",
                attempts=1,
                sent_at=now,
                key=uuid.uuid4(),
            )
            for i in range(rows)
        ),
        batch_size=2000,
    )
    Publication.objects.filter(pk=publication.pk).update(
        status=PublicationStatus.DONE, total=rows, started_at=now, finished_at=now
    )
    publication.refresh_from_db()
    return publication


def test_rows_show_reason_consent_and_attempts(
    approved: Any, editor: Any, mailing_list: Any
) -> None:
    publication = sent_campaign(approved, editor, mailing_list, 6, failed_every=3)
    Delivery.objects.create(
        publication=publication,
        recipient="contact:9",
        status=DeliveryStatus.SKIPPED,
        error="No consent for this channel.",
    )
    body = text(client_for(editor).get(URL, {"publication": publication.pk}))
    assert body.count('data-testid="delivery-row"') == 7
    assert "550 5.1.1 No such user" in body
    assert "No consent for this channel." in body
    assert "subscription:1 confirmed 2026-03-01 (portal double opt-in)" in body
    assert 'data-testid="delivery-counts"' in body
    assert "Failed: 2" in body and "Sent: 4" in body and "Skipped: 1" in body
    # Only failed rows can be ticked for a retry.
    assert body.count('name="ids"') == 2


def test_filters_and_search(approved: Any, editor: Any, mailing_list: Any) -> None:
    publication = sent_campaign(approved, editor, mailing_list, 10, failed_every=5)
    client = client_for(editor)
    body = text(client.get(URL, {"publication": publication.pk, "status": "failed"}))
    assert body.count('data-testid="delivery-row"') == 2
    body = text(client.get(URL, {"q": "warga000007"}))
    assert body.count('data-testid="delivery-row"') == 1
    body = text(client.get(URL, {"q": "Warga 3"}))
    assert body.count('data-testid="delivery-row"') == 1


@pytest.mark.parametrize(
    "query",
    [
        {"publication": "abc"},
        {"status": "lost"},
        {"after": "x"},
        {"before": "-5"},
        {"q": "a" * 300},
    ],
)
def test_bad_filters_are_no_500(editor: Any, query: dict[str, str]) -> None:
    assert client_for(editor).get(URL, query).status_code == 200


def test_another_units_rows_are_hidden_and_their_publication_is_404(
    approved: Any,
    editor: Any,
    mailing_list: Any,
    make_user: Callable[..., Any],
    units: Any,
) -> None:
    from bakohumas.dissemination.models import MailingList

    sent_campaign(approved, editor, mailing_list, 2)
    berau_editor = make_user("64.03", Role.EDITOR)
    berau_list = MailingList.objects.create(unit=units["64.03"], name="Buletin Berau")
    berau = sent_campaign(
        approved_in(make_user, units, "64.03"), berau_editor, berau_list, 3, failed_every=1
    )
    client = client_for(editor)
    body = text(client.get(URL))
    assert body.count('data-testid="delivery-row"') == 2
    assert client.get(URL, {"publication": berau.pk}).status_code == 404
    # Retrying rows of another unit: nothing found, nothing changed.
    ids = list(Delivery.objects.filter(publication=berau).values_list("pk", flat=True))
    assert client.post(URL, {"ids": ids}).status_code == 404
    assert Delivery.objects.filter(publication=berau, status=DeliveryStatus.FAILED).count() == 3


def test_retry_the_selected_failed_rows(approved: Any, editor: Any, mailing_list: Any) -> None:
    publication = sent_campaign(approved, editor, mailing_list, 9, failed_every=3)
    failed = list(
        Delivery.objects.filter(publication=publication, status=DeliveryStatus.FAILED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = Delivery.objects.filter(publication=publication, status=DeliveryStatus.SENT).first()
    assert sent is not None
    back = f"{URL}?publication={publication.pk}"
    response = client_for(editor).post(
        URL, {"ids": [failed[0], failed[1], sent.pk], "next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    assert "2 failed deliveries will be sent again." in text(response)
    statuses = dict(Delivery.objects.filter(pk__in=failed).values_list("pk", "status"))
    assert statuses == {
        failed[0]: DeliveryStatus.PENDING,
        failed[1]: DeliveryStatus.PENDING,
        failed[2]: DeliveryStatus.FAILED,
    }
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SENDING


@pytest.mark.parametrize("ids", [[], ["abc"], ["1"] * 501])
def test_bad_retry_selection_is_a_message(
    approved: Any, editor: Any, mailing_list: Any, ids: list[str]
) -> None:
    publication = sent_campaign(approved, editor, mailing_list, 3, failed_every=1)
    response = client_for(editor).post(URL, {"ids": ids}, follow=True)
    assert "Select between 1 and 500 failed deliveries" in text(response)
    assert (
        Delivery.objects.filter(publication=publication, status=DeliveryStatus.FAILED).count() == 3
    )


def test_viewer_cannot_retry(
    approved: Any, editor: Any, mailing_list: Any, make_user: Callable[..., Any]
) -> None:
    publication = sent_campaign(approved, editor, mailing_list, 3, failed_every=1)
    viewer = client_for(make_user("64.72", Role.VIEWER))
    body = text(viewer.get(URL, {"publication": publication.pk}))
    assert 'name="ids"' not in body
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert viewer.post(URL, {"ids": ids}).status_code == 403
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 3


def test_paging_by_key_walks_every_row_once(approved: Any, editor: Any, mailing_list: Any) -> None:
    publication = sent_campaign(approved, editor, mailing_list, 120)
    client = client_for(editor)
    seen: list[tuple[int, str]] = []
    url = f"{URL}?publication={publication.pk}"
    pages = 0
    while url:
        response = client.get(url)
        seen += [(d.pk, d.recipient) for d in response.context["rows"]]
        older = response.context["older_url"]
        url = f"{URL}{older}" if older else ""
        pages += 1
    assert pages == 3
    recipients = [r for _pk, r in seen]
    assert len(recipients) == 120 and len(set(recipients)) == 120
    assert recipients == sorted(recipients, reverse=True)  # newest first
    # And back: "newer" from the last page gives the middle page again.
    last = client.get(URL, {"publication": publication.pk, "after": seen[99][0]})
    assert [r.pk for r in last.context["rows"]] == [pk for pk, _r in seen[100:]]
    newer = last.context["newer_url"]
    middle = client.get(f"{URL}{newer}")
    assert [d.pk for d in middle.context["rows"]] == [pk for pk, _r in seen[50:100]]


def bulk_rows(publication: Publication, n: int) -> None:
    """``n`` rows in one INSERT … SELECT (100,000 in about a second); every 7th failed."""
    columns = (
        "publication_id, recipient, recipient_name, consent_ref, key, status, attempts, "
        "next_attempt_at, lease_owner, provider_id, error, sent_at, updated_at"
    )
    failed = "CASE WHEN i %% 7 = 0 THEN 'failed' ELSE 'sent' END"
    reason = "CASE WHEN i %% 7 = 0 THEN '550 5.1.1 No such user' ELSE '' END"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO dissemination_delivery ({columns}) "
                "SELECT %s, 'warga' || lpad(i::text, 6, '0') || '@example.id', 'Warga ' || i, "
                "'subscription:' || i || ' confirmed 2026-03-01', md5(i::text || %s)::uuid, "
                f"{failed}, 1, now(), '', '', {reason}, now(), now() "
                "FROM generate_series(0, %s - 1) AS i",
                [publication.pk, str(publication.pk), n],
            )
            # As the autovacuum daemon would once the rows are committed.
            cursor.execute("ANALYZE dissemination_delivery")
        else:
            cursor.execute(
                "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq "
                "WHERE i < %s - 1) "
                f"INSERT INTO dissemination_delivery ({columns}) "
                "SELECT %s, 'warga' || substr('000000' || i, -6) || '@example.id', "
                "'Warga ' || i, 'subscription:' || i || ' confirmed 2026-03-01', "
                f"lower(hex(randomblob(16))), {failed}, 1, datetime('now'), '', '', "
                f"{reason}, datetime('now'), datetime('now') FROM seq",
                [n, publication.pk],
            )


def test_large_campaign_stays_fast_and_uncounted(
    approved: Any, editor: Any, mailing_list: Any
) -> None:
    publication = sent_campaign(approved, editor, mailing_list, 0)
    bulk_rows(publication, 100_000)
    assert Delivery.objects.filter(publication=publication).count() == 100_000
    middle = (
        Delivery.objects.filter(publication=publication)
        .order_by("pk")
        .values_list("pk", flat=True)[50_000]
    )
    client = client_for(editor)
    client.get(URL)
    queries = [
        {},
        {"publication": publication.pk},
        {"publication": publication.pk, "status": "failed"},
        {"q": "warga04200"},
        {"publication": publication.pk, "after": str(middle)},
        {"publication": publication.pk, "before": str(middle)},
    ]
    for query in queries:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(URL, query)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200
        assert len(response.context["rows"]) == (10 if "q" in query else 50), query
        assert elapsed < 2.0, (query, elapsed)
        assert len(captured.captured_queries) <= 12, query
        delivery_counts = [
            q["sql"]
            for q in captured.captured_queries
            if "COUNT(" in q["sql"].upper() and "dissemination_delivery" in q["sql"]
        ]
        # Only the per-status breakdown of a chosen publication counts rows (grouped,
        # over the (publication, status) index); the list itself never counts.
        if "publication" in query:
            assert all("GROUP BY" in sql.upper() for sql in delivery_counts)
        else:
            assert delivery_counts == []
    body = text(client.get(URL, {"publication": publication.pk}))
    assert "Failed: 14,286" in body and "Sent: 85,714" in body
