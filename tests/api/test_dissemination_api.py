"""The dissemination API: publications (plan, control, evidence, metrics, package),
deliveries, channel accounts, mailing lists and subscribers, totals.

Everything runs through the engine against real servers on loopback (SMTP for email
campaigns, an HTTP server answering like the Telegram Bot API for the account check)."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from bakohumas.content import services as content_services
from bakohumas.content.models import ContentItem
from bakohumas.core.models import Role
from bakohumas.dissemination import crypto, engine
from bakohumas.dissemination.models import (
    AccountStatus,
    ChannelAccount,
    Delivery,
    DeliveryStatus,
    Evidence,
    MailingList,
    Metric,
    Publication,
    PublicationStatus,
    Subscriber,
    SubscriberStatus,
)
from tests.dissemination.conftest import SmtpSink, free_port

API = "/api/v1"
PUBLICATIONS = f"{API}/publications"
ACCOUNTS = f"{API}/channel-accounts"
LISTS = f"{API}/mailing-lists"
TOKEN = "123456:AAH-sangat-rahasia-token-xyz9"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    # Tasks are stored, not run: the tests drive dispatch and sending through the engine.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def make_approved(make_user: Callable[..., Any], units: dict[str, Any]) -> Callable[..., Any]:
    """An item written by a contributor and approved by a coordinator (four eyes)."""

    def make(code: str = "64.72", **fields: Any) -> ContentItem:
        writer = make_user(code, Role.CONTRIBUTOR)
        validator = make_user(code, Role.COORDINATOR)
        data = {
            "form": "news",
            "title": "Jadwal pemutakhiran data pemilih",
            "summary": "Ringkasan jadwal coklit.",
            "body": "<p>Isi berita.</p>",
        }
        data.update(fields)
        item = content_services.create_item(unit=units[code], by=writer, fields=data)
        content_services.submit(item, by=writer)
        return content_services.approve(item, by=validator)

    return make


@pytest.fixture
def approved(make_approved: Callable[..., Any]) -> ContentItem:
    return make_approved()


@pytest.fixture
def editor(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.EDITOR)


@pytest.fixture
def coordinator(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.COORDINATOR)


@pytest.fixture
def viewer(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.VIEWER)


@pytest.fixture
def mailing_list(units: dict[str, Any]) -> MailingList:
    return MailingList.objects.create(unit=units["64.72"], name="Buletin KPU Samarinda")


def subscribe(mailing_list: MailingList, n: int, *, prefix: str = "warga", **fields: Any) -> None:
    fields.setdefault("status", SubscriberStatus.CONFIRMED)
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(
            mailing_list=mailing_list,
            email=f"{prefix}{i}@example.id",
            name=f"Warga {prefix} {i}",
            confirmed_at=now if fields["status"] == SubscriberStatus.CONFIRMED else None,
            consent_source="portal double opt-in",
            **fields,
        )
        for i in range(n)
    )


def act(client: Any, path: str) -> Any:
    """A POST without a body (as ``curl -X POST`` sends it)."""
    return client.post(path, content_type="application/json")


def plan(client: Any, item: Any, **body: Any) -> Any:
    return client.post_json(f"{API}/content/{item.pk}/publications", body)


def email_campaign(client: Any, item: Any, mailing_list: MailingList) -> dict[str, Any]:
    response = plan(client, item, kind="email", mailing_list=mailing_list.pk)
    assert response.status_code == 201, response.content
    return dict(response.json())


def sending_campaign(client: Any, item: Any, mailing_list: MailingList, n: int = 5) -> Publication:
    subscribe(mailing_list, n)
    data = email_campaign(client, item, mailing_list)
    assert engine.dispatch(data["id"])
    return Publication.objects.get(pk=data["id"])


def state(publication: Publication) -> tuple[Any, ...]:
    """What must not change when a write is refused."""
    publication.refresh_from_db()
    rows = tuple(publication.deliveries.order_by("pk").values_list("status", "attempts", "error"))
    return (
        publication.status,
        publication.error,
        publication.finished_at,
        rows,
        Evidence.objects.filter(publication=publication).count(),
    )


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


# --- planning ---------------------------------------------------------------------------------


def test_plan_then_list_and_get(editor: Any, approved: Any, mailing_list: Any) -> None:
    when = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    response = plan(
        editor,
        approved,
        kind="email",
        mailing_list=mailing_list.pk,
        scheduled_at=when.isoformat(),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "planned" and data["kind"] == "email"
    assert data["item"] == {"id": approved.pk, "title": approved.title, "status": "approved"}
    assert data["mailing_list"] == {"id": mailing_list.pk, "name": mailing_list.name}
    assert data["unit"]["code"] == "64.72"
    assert data["counts"]["sent"] == 0 and data["evidence"] == [] and data["metric"] is None
    assert data["share_url"] is None and data["is_manual"] is False
    publication = Publication.objects.get(pk=data["id"])
    assert publication.created_by == editor.user
    assert publication.scheduled_at == when
    assert publication.approved_hash == approved.approved_hash

    listed = editor.get(PUBLICATIONS, {"item": approved.pk, "kind": "email"}).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == data["id"]
    for query, expected in (
        ({"status": "planned"}, 1),
        ({"status": "done"}, 0),
        ({"kind": "website"}, 0),
        ({"scheduled_from": (when - timedelta(hours=1)).isoformat()}, 1),
        ({"scheduled_to": (when - timedelta(hours=1)).isoformat()}, 0),
        ({"q": "pemutakhiran"}, 1),
        ({"q": "banjir"}, 0),
    ):
        assert editor.get(PUBLICATIONS, query).json()["count"] == expected, query
    assert editor.get(f"{PUBLICATIONS}/{data['id']}").json() == data


def test_plan_a_manual_channel_names_the_responsible(editor: Any, approved: Any) -> None:
    response = plan(editor, approved, kind="whatsapp_group", target="Grup Relawan Demokrasi")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["responsible"]["id"] == editor.user.pk
    assert data["is_manual"] is True and data["share_url"].startswith("http")
    assert data["target"] == "Grup Relawan Demokrasi"


def test_viewer_and_contributor_cannot_plan(
    api: Callable[..., Any], approved: Any, mailing_list: Any
) -> None:
    for role in (Role.VIEWER, Role.CONTRIBUTOR):
        response = plan(api("64.72", role), approved, kind="email", mailing_list=mailing_list.pk)
        assert response.status_code == 403, (role, response.content)
    assert not Publication.objects.exists()


def test_another_units_item_and_publication_are_not_found(
    api: Callable[..., Any], approved: Any, mailing_list: Any, editor: Any
) -> None:
    outsider = api("64.03", Role.EDITOR)
    response = plan(outsider, approved, kind="website")
    assert response.status_code == 404
    assert not Publication.objects.exists()
    publication = email_campaign(editor, approved, mailing_list)
    path = f"{PUBLICATIONS}/{publication['id']}"
    assert outsider.get(path).status_code == 404
    assert outsider.get(f"{path}/deliveries").status_code == 404
    assert outsider.get(f"{path}/package").status_code == 404
    for action in ("pause", "cancel", "retry"):
        assert outsider.post_json(f"{path}/{action}", {}).status_code == 404, action
    assert outsider.put_json(f"{path}/metrics", {"reach": 5}).status_code == 404
    assert outsider.post_json(f"{path}/evidence", {"url": "https://x.id"}).status_code == 404
    assert outsider.get(PUBLICATIONS).json()["count"] == 0
    assert Publication.objects.get().status == PublicationStatus.PLANNED
    # The province sees its regencies' publications.
    assert api("64", Role.VIEWER).get(path).status_code == 200


PLAN_BAD_INPUT: list[tuple[dict[str, Any], str, str]] = [
    ({"kind": "pigeon"}, "kind", "Select a valid choice"),
    ({"kind": "email", "mailing_list": 1, "colour": "red"}, "colour", "Unknown field"),
    ({"kind": "email"}, "__all__", "Choose who receives it"),
    ({"kind": "telegram"}, "__all__", "Choose the account"),
    ({"kind": "email", "mailing_list": 999999}, "mailing_list", "Not found"),
    (
        {"kind": "email", "mailing_list": 1, "scheduled_at": "2026-03-01T09:00:00"},
        "scheduled_at",
        "with its zone",
    ),
    ({"kind": "whatsapp_group", "target": "x" * 301}, "target", "at most 300"),
    ({"kind": "email", "mailing_list": 1, "segment": {"tags": "a"}}, "segment", "list"),
    ({"kind": "email", "mailing_list": 1, "segment": {"categories": ["x"]}}, "segment", "valid"),
    ({"kind": "whatsapp_group", "responsible": 999999}, "responsible", "active staff"),
]


def test_plan_refuses_bad_input_and_writes_nothing(
    editor: Any, approved: Any, mailing_list: Any
) -> None:
    for body, field, fragment in PLAN_BAD_INPUT:
        if body.get("mailing_list") == 1:
            body = {**body, "mailing_list": mailing_list.pk}
        response = plan(editor, approved, **body)
        assert response.status_code == 422, (body, response.content)
        errors = response.json()["errors"]
        assert any(field == key or key.startswith(f"{field}.") for key in errors), errors
        assert fragment in json.dumps(errors), (body, errors)
        assert not Publication.objects.exists()


def test_plan_refuses_another_units_list_account_and_group(
    editor: Any, approved: Any, units: dict[str, Any], group_factory: Any
) -> None:
    other_list = MailingList.objects.create(unit=units["64.03"], name="Buletin Berau")
    other_account = ChannelAccount.objects.create(unit=units["64.03"], kind="telegram", name="B")
    other_group = group_factory("64.03")
    for body, field in (
        ({"kind": "email", "mailing_list": other_list.pk}, "mailing_list"),
        ({"kind": "telegram", "account": other_account.pk}, "account"),
        ({"kind": "email", "group": other_group.pk}, "group"),
    ):
        response = plan(editor, approved, **body)
        assert response.status_code == 422, response.content
        assert field in response.json()["errors"]
    assert not Publication.objects.exists()


def test_plan_conflicts_with_the_item_state(
    editor: Any, approved: Any, units: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    writer = make_user("64.72", Role.CONTRIBUTOR)
    draft = content_services.create_item(
        unit=units["64.72"], by=writer, fields={"form": "news", "title": "Draf"}
    )
    response = plan(editor, draft, kind="website")
    assert response.status_code == 409
    assert "Only approved content" in response.json()["detail"]
    # Changed behind the approval's back: refused although its status still says approved.
    ContentItem.objects.filter(pk=approved.pk).update(content_hash="0" * 64)
    response = plan(editor, approved, kind="website")
    assert response.status_code == 409
    assert "changed after approval" in response.json()["detail"]
    assert not Publication.objects.exists()


# --- campaign control -------------------------------------------------------------------------


def test_pause_resume_cancel(editor: Any, approved: Any, mailing_list: Any) -> None:
    publication = sending_campaign(editor, approved, mailing_list)
    path = f"{PUBLICATIONS}/{publication.pk}"
    response = act(editor, f"{path}/pause")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paused"
    before = state(publication)
    response = act(editor, f"{path}/pause")
    assert response.status_code == 409 and "paused" in response.json()["detail"]
    assert state(publication) == before
    response = act(editor, f"{path}/resume")
    assert response.status_code == 200 and response.json()["status"] == "sending"
    response = act(editor, f"{path}/cancel")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "cancelled" and data["counts"]["cancelled"] == 5
    before = state(publication)
    for action in ("cancel", "resume", "pause", "retry"):
        response = act(editor, f"{path}/{action}")
        assert response.status_code == 409, (action, response.content)
    assert state(publication) == before


def test_viewer_cannot_control_campaigns(
    viewer: Any, editor: Any, approved: Any, mailing_list: Any
) -> None:
    publication = sending_campaign(editor, approved, mailing_list)
    before = state(publication)
    path = f"{PUBLICATIONS}/{publication.pk}"
    for action in ("pause", "cancel", "retry"):
        assert act(viewer, f"{path}/{action}").status_code == 403, action
    assert viewer.put_json(f"{path}/metrics", {"reach": 1}).status_code == 403
    assert state(publication) == before
    assert viewer.get(path).status_code == 200


def test_retry_failed_rows(editor: Any, approved: Any, mailing_list: Any) -> None:
    publication = sending_campaign(editor, approved, mailing_list)
    rows = list(publication.deliveries.order_by("pk"))
    Delivery.objects.filter(pk__in=[r.pk for r in rows[:3]]).update(
        status=DeliveryStatus.FAILED, error="550 mailbox unavailable", attempts=5
    )
    path = f"{PUBLICATIONS}/{publication.pk}/retry"
    response = editor.post_json(path, {"deliveries": [rows[0].pk, rows[4].pk]})
    assert response.status_code == 200, response.content
    assert response.json()["requeued"] == 1  # row 4 had not failed
    assert Delivery.objects.get(pk=rows[0].pk).status == DeliveryStatus.PENDING
    response = act(editor, path)
    assert response.json()["requeued"] == 2
    assert response.json()["publication"]["counts"]["failed"] == 0
    bad = editor.post_json(path, {"deliveries": ["satu"]})
    assert bad.status_code == 422 and "deliveries.0" in bad.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_email_campaign_over_smtp(api: Callable[..., Any], make_approved: Any, units: Any) -> None:
    """Planned over the API, sent to a real SMTP server, read back over the API."""
    sink = SmtpSink()
    from aiosmtpd.controller import Controller
    from django.conf import settings

    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    overrides = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
    from django.test import override_settings

    try:
        with override_settings(**overrides):
            editor = api("64.72", Role.EDITOR)
            item = make_approved()
            mailing_list = MailingList.objects.create(unit=units["64.72"], name="Buletin")
            subscribe(mailing_list, 3)
            subscribe(mailing_list, 1, prefix="ditolak")
            subscribe(mailing_list, 2, prefix="belum", status=SubscriberStatus.PENDING)
            sink.refuse["ditolak0@example.id"] = "550 5.1.1 No such user"
            data = email_campaign(editor, item, mailing_list)
            assert engine.dispatch(data["id"])
            engine.drain("api-test")
            assert settings.EMAIL_PORT == port
    finally:
        controller.stop()
    assert sorted(sink.recipients()) == [f"warga{i}@example.id" for i in range(3)]
    detail = editor.get(f"{PUBLICATIONS}/{data['id']}").json()
    assert detail["status"] == "done"
    assert detail["counts"]["sent"] == 3 and detail["counts"]["failed"] == 1
    assert detail["total"] == 4  # pending subscribers are not addressed at all
    failed = editor.get(f"{PUBLICATIONS}/{data['id']}/deliveries", {"status": "failed"}).json()
    assert [r["recipient"] for r in failed["results"]] == ["ditolak0@example.id"]
    assert "550" in failed["results"][0]["error"]
    sent = editor.get(f"{PUBLICATIONS}/{data['id']}/deliveries", {"status": "sent"}).json()
    assert all(r["consent_ref"].startswith("subscription:") for r in sent["results"])
    assert all(r["sent_at"] for r in sent["results"])


# --- deliveries -------------------------------------------------------------------------------


def test_deliveries_keyset_pages_and_filters(editor: Any, approved: Any, mailing_list: Any) -> None:
    publication = sending_campaign(editor, approved, mailing_list, n=7)
    path = f"{PUBLICATIONS}/{publication.pk}/deliveries"
    seen: list[int] = []
    url: str | None = f"{path}?limit=3"
    pages = 0
    while url:
        page = editor.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
        pages += 1
    assert pages == 3
    assert seen == sorted(publication.deliveries.values_list("pk", flat=True))
    first = editor.get(path, {"limit": 3}).json()
    assert first["next_after"] == seen[2]
    assert editor.get(path, {"after": seen[-1]}).json() == {
        "results": [],
        "next_after": None,
        "next": None,
    }
    row = editor.get(path, {"q": "warga3@"}).json()["results"]
    assert [r["recipient"] for r in row] == ["warga3@example.id"]
    assert row[0]["status"] == "pending" and row[0]["attempts"] == 0
    assert editor.get(path, {"status": "sent"}).json()["results"] == []
    for query in ({"limit": 0}, {"limit": 501}, {"after": -1}, {"status": "lost"}):
        assert editor.get(path, query).status_code == 422, query


def test_viewers_see_masked_recipients(
    viewer: Any, editor: Any, approved: Any, mailing_list: Any
) -> None:
    publication = sending_campaign(editor, approved, mailing_list, n=2)
    path = f"{PUBLICATIONS}/{publication.pk}/deliveries"
    rows = viewer.get(path).json()["results"]
    assert [r["recipient"] for r in rows] == ["w***@example.id", "w***@example.id"]
    # Searching by address would reveal it: viewers search by name only.
    assert viewer.get(path, {"q": "warga1"}).json()["results"] == []
    assert len(viewer.get(path, {"q": "Warga warga 1"}).json()["results"]) == 1
    assert "warga1@example.id" not in viewer.get(path).content.decode()
    assert editor.get(path).json()["results"][1]["recipient"] == "warga1@example.id"


def _bulk_deliveries(publication: Publication, n: int) -> None:
    """``n`` delivery rows written by the database itself (fast on both vendors)."""
    table = Delivery._meta.db_table
    if connection.vendor == "postgresql":
        key = "gen_random_uuid()"
        series = "SELECT generate_series(1, %s) AS n"
    else:
        key = "lower(hex(randomblob(16)))"
        series = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
        series += "SELECT n FROM s"
    sql = (
        f"INSERT INTO {table} (publication_id, recipient, recipient_name, consent_ref, key, "
        "status, attempts, next_attempt_at, lease_owner, provider_id, error, updated_at) "
        f"SELECT %s, 'warga' || n || '@example.id', '', 'subscription:' || n, {key}, "
        "CASE WHEN n %% 1000 = 0 THEN 'failed' ELSE 'sent' END, 1, %s, '', '', '', %s "
        f"FROM ({series}) AS seq"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [publication.pk, now, now, n])


def test_deliveries_stay_fast_with_100k_rows(editor: Any, approved: Any, mailing_list: Any) -> None:
    data = email_campaign(editor, approved, mailing_list)
    publication = Publication.objects.get(pk=data["id"])
    _bulk_deliveries(publication, 100_000)
    ids = list(publication.deliveries.order_by("pk").values_list("pk", flat=True)[::10_000])
    path = f"{PUBLICATIONS}/{publication.pk}/deliveries"
    editor.get(path)  # warm up (the token's last use is written once)
    timings = []
    for query in (
        {"limit": 500},
        {"after": ids[-1], "limit": 500},
        {"status": "failed", "limit": 500},
        {"status": "failed", "after": ids[5]},
        {"q": "warga99999@"},
    ):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = editor.get(path, query)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
        assert len(ctx.captured_queries) <= 8, [q["sql"] for q in ctx.captured_queries]
        assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    page = editor.get(path, {"status": "failed", "limit": 500}).json()
    assert len(page["results"]) == 100 and page["next"] is None
    assert max(timings) < 1.0, timings


# --- manual channels ----------------------------------------------------------------------------


@pytest.fixture
def manual(editor: Any, approved: Any) -> Publication:
    response = plan(editor, approved, kind="whatsapp_group", target="Grup Pemilih Pemula")
    assert response.status_code == 201, response.content
    return Publication.objects.get(pk=response.json()["id"])


def test_evidence_makes_a_manual_publication_count(editor: Any, manual: Publication) -> None:
    path = f"{PUBLICATIONS}/{manual.pk}/evidence"
    before = state(manual)
    response = editor.post_json(path, {"url": "https://wa.me/p/1"})
    assert response.status_code == 409 and "due" in response.json()["detail"]
    assert state(manual) == before
    assert engine.dispatch(manual.pk)
    when = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    response = editor.post_json(
        path,
        {"url": "https://kpu.go.id/bukti", "broadcast_at": when.isoformat(), "audience": 120},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "done" and data["external_url"] == "https://kpu.go.id/bukti"
    assert data["evidence"][0]["audience"] == 120
    assert data["evidence"][0]["recorded_by"]["id"] == editor.user.pk
    assert data["metric"]["reach"] == 120 and data["metric"]["source"] == "manual"
    # A screenshot as multipart: the audiences add up.
    upload = io.BytesIO(png())
    upload.name = "../../layar.png"
    response = editor.post(path, {"file": upload, "audience": "30", "note": "Grup kedua"})
    assert response.status_code == 201, response.content
    shot = next(e for e in response.json()["evidence"] if e["file_url"])
    assert shot["file_url"].startswith("http://testserver/") and shot["file_url"].endswith(".png")
    assert "layar" not in shot["file_url"]
    assert response.json()["metric"]["reach"] == 150
    assert Evidence.objects.filter(publication=manual).count() == 2


EVIDENCE_BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "https://x.id", "audience": -1}, "audience"),
    ({"url": "https://x.id", "broadcast_at": "kemarin"}, "broadcast_at"),
    ({"url": "https://x.id", "broadcast_at": "2999-01-01T00:00:00+08:00"}, "broadcast_at"),
    ({"url": "https://x.id", "note": "a\x00b"}, "note"),
    ({"url": "https://x.id", "colour": "red"}, "colour"),
]
EVIDENCE_BAD_FILES: list[tuple[bytes, str]] = [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "SVG"),
    (b"MZ\x90\x00" + b"\x00" * 200, "accepted"),
    (b"", "empty"),
]


def test_evidence_bad_input_changes_nothing(editor: Any, manual: Publication) -> None:
    engine.dispatch(manual.pk)
    before = state(manual)
    path = f"{PUBLICATIONS}/{manual.pk}/evidence"
    for body, field in EVIDENCE_BAD_INPUT:
        response = editor.post_json(path, body)
        assert response.status_code == 422, (body, response.content)
        assert field in response.json()["errors"], body
    for content, fragment in EVIDENCE_BAD_FILES:
        upload = io.BytesIO(content)
        upload.name = "bukti.png"
        response = editor.post(path, {"file": upload})
        assert response.status_code == 422, response.content
        assert fragment in " ".join(response.json()["errors"]["file"])
    big = io.BytesIO(png() + b"\x00" * (10 * 1024 * 1024))
    big.name = "besar.png"
    response = editor.post(path, {"file": big})
    assert response.status_code == 422, response.content
    assert "larger than 10" in response.json()["errors"]["file"][0]
    response = editor.post(path, {"url": "https://x.id", "colour": "red"})
    assert response.status_code == 422 and "colour" in response.json()["errors"]
    response = editor.post(path, "url=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    response = editor.post(path, "{not json", content_type="application/json")
    assert response.status_code == 400
    response = editor.post_json(path, ["https://x.id"])
    assert response.status_code == 422
    assert state(manual) == before


def test_evidence_is_for_manual_channels_only(
    editor: Any, approved: Any, mailing_list: Any
) -> None:
    publication = sending_campaign(editor, approved, mailing_list, n=1)
    response = editor.post_json(
        f"{PUBLICATIONS}/{publication.pk}/evidence", {"url": "https://kpu.go.id"}
    )
    assert response.status_code == 409
    assert not Evidence.objects.exists()


def test_package_of_a_manual_publication(
    editor: Any, manual: Publication, approved: Any, mailing_list: Any
) -> None:
    response = editor.get(f"{PUBLICATIONS}/{manual.pk}/package")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["whatsapp_text"].startswith(f"*{approved.title}*")
    assert "utm_source=whatsapp_group" in data["link"] and data["link"] in data["whatsapp_text"]
    assert data["share_url"].endswith(f"/{manual.share_token}/")
    assert data["media"] == []
    email = email_campaign(editor, approved, mailing_list)
    response = editor.get(f"{PUBLICATIONS}/{email['id']}/package")
    assert response.status_code == 409


def test_metrics_entered_by_hand(editor: Any, manual: Publication) -> None:
    path = f"{PUBLICATIONS}/{manual.pk}/metrics"
    response = editor.put_json(path, {"reach": 900, "impressions": 1500, "clicks": 12})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["reach"], data["impressions"], data["engagement"], data["clicks"]) == (
        900,
        1500,
        0,
        12,
    )
    assert data["source"] == "manual"
    for body, field in (
        ({"reach": -1}, "reach"),
        ({"reach": "banyak"}, "reach"),
        ({"impressions": 3}, "reach"),
        ({"reach": 1, "shares": 3}, "shares"),
        ({"reach": 3_000_000_000}, "reach"),
    ):
        response = editor.put_json(path, body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], body
    assert Metric.objects.get(publication=manual).reach == 900


# --- channel accounts -----------------------------------------------------------------------------


def _account_body(**fields: Any) -> dict[str, Any]:
    body = {
        "kind": "telegram",
        "name": "Kanal KPU Samarinda",
        "config": {"destination": "@kpusamarinda", "api_base": "https://api.telegram.org"},
        "secret": {"bot_token": TOKEN},
    }
    body.update(fields)
    return body


def test_accounts_keep_secrets_write_only(coordinator: Any, viewer: Any) -> None:
    response = coordinator.post_json(ACCOUNTS, _account_body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["has_secret"] is True and data["secret_hint"] == "…xyz9"
    assert data["status"] == "connected" and data["config"]["destination"] == "@kpusamarinda"
    assert "secret" not in data and "secret_ciphertext" not in data
    assert TOKEN not in response.content.decode()
    account = ChannelAccount.objects.get(pk=data["id"])
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": TOKEN}
    assert TOKEN not in account.secret_ciphertext
    path = f"{ACCOUNTS}/{account.pk}"
    # Merge: a new entry is added, the saved one kept; null removes an entry.
    response = coordinator.patch_json(path, {"secret": {"app_secret": "s3cr3t-baru-abcd"}})
    assert response.status_code == 200, response.content
    assert "s3cr3t" not in response.content.decode() and TOKEN not in response.content.decode()
    account.refresh_from_db()
    assert crypto.decrypt(account.secret_ciphertext) == {
        "bot_token": TOKEN,
        "app_secret": "s3cr3t-baru-abcd",
    }
    response = coordinator.patch_json(path, {"secret": {"app_secret": None}, "name": "Kanal"})
    assert response.status_code == 200
    account.refresh_from_db()
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": TOKEN}
    assert account.name == "Kanal"
    # The secret is in no answer, whoever asks.
    for client in (coordinator, viewer):
        for url in (ACCOUNTS, path, f"{ACCOUNTS}?kind=telegram"):
            body = client.get(url).content.decode()
            assert TOKEN not in body and TOKEN[-12:] not in body, url
            assert "s3cr3t" not in body and account.secret_ciphertext[:20] not in body, url


def test_account_permissions_and_scope(api: Callable[..., Any], coordinator: Any) -> None:
    for role in (Role.CONTRIBUTOR, Role.EDITOR):
        response = api("64.72", role).post_json(ACCOUNTS, _account_body())
        assert response.status_code == 403, role
    assert not ChannelAccount.objects.exists()
    account = ChannelAccount.objects.get(
        pk=coordinator.post_json(ACCOUNTS, _account_body()).json()["id"]
    )
    editor = api("64.72", Role.EDITOR)
    assert editor.patch_json(f"{ACCOUNTS}/{account.pk}", {"name": "X"}).status_code == 403
    assert editor.delete(f"{ACCOUNTS}/{account.pk}").status_code == 403
    outsider = api("64.03", Role.COORDINATOR)
    for method, body in (("get", None), ("patch", {"name": "Diambil"}), ("delete", None)):
        if body is None:
            response = getattr(outsider, method)(f"{ACCOUNTS}/{account.pk}")
        else:
            response = outsider.patch_json(f"{ACCOUNTS}/{account.pk}", body)
        assert response.status_code == 404, method
    assert act(outsider, f"{ACCOUNTS}/{account.pk}/check").status_code == 404
    assert outsider.get(ACCOUNTS).json()["count"] == 0
    response = outsider.post_json(ACCOUNTS, _account_body(unit=account.unit_id))
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    account.refresh_from_db()
    assert account.name == "Kanal KPU Samarinda"
    assert ChannelAccount.objects.count() == 1


ACCOUNT_BAD_INPUT: list[tuple[dict[str, Any], str, str]] = [
    ({"kind": "email"}, "kind", "needs no account"),
    ({"config": {"access_token": "abc"}}, "config", "looks like a credential"),
    ({"config": {"destination": "x" * 2001}}, "config", "at most 2000"),
    ({"config": {"a b": "x"}}, "config", "not a valid setting name"),
    ({"config": {f"k{i}": i for i in range(31)}}, "config", "At most 30"),
    ({"secret": "token"}, "secret", "Enter an object"),
    ({"secret": {"bot_token": "x\x00y"}}, "secret", "Null characters"),
    ({"secret": {"bot_token": "x" * 8193}}, "secret", "at most 8192"),
    ({"name": ""}, "name", "cannot be blank"),
    ({"rate_per_second": -1}, "rate_per_second", "greater than or equal"),
    ({"unit": 999999}, "unit", "within your scope"),
]


def test_account_bad_input_writes_nothing(coordinator: Any) -> None:
    for fields, field, fragment in ACCOUNT_BAD_INPUT:
        response = coordinator.post_json(ACCOUNTS, _account_body(**fields))
        assert response.status_code == 422, (fields, response.content)
        errors = response.json()["errors"]
        assert field in errors and fragment in " ".join(errors[field]), errors
    assert not ChannelAccount.objects.exists()


def test_account_name_is_unique_and_used_accounts_stay(
    coordinator: Any, approved: Any, units: dict[str, Any]
) -> None:
    first = coordinator.post_json(ACCOUNTS, _account_body()).json()
    response = coordinator.post_json(ACCOUNTS, _account_body(name="kanal kpu samarinda"))
    assert response.status_code == 422 and "name" in response.json()["errors"]
    Publication.objects.create(
        item=approved, unit=units["64.72"], kind="telegram", account_id=first["id"]
    )
    response = coordinator.delete(f"{ACCOUNTS}/{first['id']}")
    assert response.status_code == 409 and "disable" in response.json()["detail"]
    response = coordinator.patch_json(f"{ACCOUNTS}/{first['id']}", {"status": "disabled"})
    assert response.json()["status"] == "disabled"
    spare = coordinator.post_json(ACCOUNTS, _account_body(name="Cadangan")).json()
    assert coordinator.delete(f"{ACCOUNTS}/{spare['id']}").status_code == 204
    assert list(ChannelAccount.objects.values_list("pk", flat=True)) == [first["id"]]


class _TelegramHandler(BaseHTTPRequestHandler):
    """Answers ``getMe``/``getChat`` as the Bot API documents: 200 for the good token,
    401 ``Unauthorized`` for any other."""

    good = TOKEN

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        token = self.path.split("/bot", 1)[-1].split("/", 1)[0]
        if token == self.good:
            status = 200
            body: dict[str, Any] = {
                "ok": True,
                "result": {"id": 42, "is_bot": True, "username": "kpusmd_bot", "type": "channel"},
            }
        else:
            status = 401
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def telegram_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TelegramHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_check_an_account_against_the_platform(coordinator: Any, telegram_server: str) -> None:
    config = {"destination": "@kpusamarinda", "api_base": telegram_server}
    data = coordinator.post_json(ACCOUNTS, _account_body(config=config)).json()
    path = f"{ACCOUNTS}/{data['id']}"
    response = act(coordinator, f"{path}/check")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "connected" and response.json()["checked_at"]
    # The token is revoked on the platform's side: the account shows "reconnect".
    coordinator.patch_json(path, {"secret": {"bot_token": "123:dicabut"}})
    response = act(coordinator, f"{path}/check")
    assert response.json()["status"] == "reconnect"
    assert response.json()["status_detail"]
    # New credentials mark it connected again, and the check agrees.
    coordinator.patch_json(path, {"secret": {"bot_token": TOKEN}})
    assert act(coordinator, f"{path}/check").json()["status"] == "connected"
    assert ChannelAccount.objects.get(pk=data["id"]).status == AccountStatus.CONNECTED


# --- mailing lists and subscribers ----------------------------------------------------------------


def test_mailing_lists(editor: Any, viewer: Any, api: Callable[..., Any]) -> None:
    body = {"name": "Buletin Pemilih", "reply_to": "Humas@KPU-Samarinda.go.id", "is_public": True}
    response = editor.post_json(LISTS, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reply_to"] == "Humas@kpu-samarinda.go.id"
    assert data["subscribers"] == {"confirmed": 0, "pending": 0, "unsubscribed": 0, "bounced": 0}
    mailing_list = MailingList.objects.get(pk=data["id"])
    subscribe(mailing_list, 3)
    subscribe(mailing_list, 2, prefix="baru", status=SubscriberStatus.PENDING)
    got = viewer.get(f"{LISTS}/{mailing_list.pk}").json()
    assert got["subscribers"]["confirmed"] == 3 and got["subscribers"]["pending"] == 2
    assert editor.post_json(LISTS, {"name": "buletin pemilih"}).status_code == 422
    for bad in ({"name": ""}, {"name": "X", "reply_to": "bukan-email"}, {"name": "X", "x": 1}):
        assert editor.post_json(LISTS, bad).status_code == 422, bad
    assert viewer.post_json(LISTS, {"name": "Lain"}).status_code == 403
    response = editor.patch_json(f"{LISTS}/{mailing_list.pk}", {"from_name": "KPU Samarinda"})
    assert response.status_code == 200 and response.json()["from_name"] == "KPU Samarinda"
    assert editor.patch_json(f"{LISTS}/{mailing_list.pk}", {"name": None}).status_code == 422
    outsider = api("64.03", Role.EDITOR)
    assert outsider.get(f"{LISTS}/{mailing_list.pk}").status_code == 404
    assert outsider.get(f"{LISTS}/{mailing_list.pk}/subscribers").status_code == 404
    assert outsider.delete(f"{LISTS}/{mailing_list.pk}").status_code == 404
    assert outsider.get(LISTS).json()["count"] == 0
    assert MailingList.objects.count() == 1


def test_a_list_in_use_cannot_be_deleted(editor: Any, approved: Any, mailing_list: Any) -> None:
    email_campaign(editor, approved, mailing_list)
    response = editor.delete(f"{LISTS}/{mailing_list.pk}")
    assert response.status_code == 409
    spare = MailingList.objects.create(unit=mailing_list.unit, name="Cadangan")
    assert editor.delete(f"{LISTS}/{spare.pk}").status_code == 204
    assert list(MailingList.objects.values_list("pk", flat=True)) == [mailing_list.pk]


def test_add_a_subscriber_sends_a_confirmation(
    editor: Any, mailing_list: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = f"{LISTS}/{mailing_list.pk}/subscribers"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post_json(
            path,
            {"email": "Siti@Contoh.ID", "name": "Siti", "source": "Daftar hadir sosialisasi"},
        )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["email"] == "Siti@contoh.id"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Siti@contoh.id"]
    # Staff cannot fabricate consent: nothing is sent to a pending address.
    assert Subscriber.objects.get(pk=data["id"]).status == SubscriberStatus.PENDING
    for body, field in (
        ({"email": "bukan alamat", "source": "x"}, "email"),
        ({"email": "a@b.id"}, "source"),
        ({"email": "a@b.id", "source": "x", "status": "confirmed"}, "status"),
    ):
        response = editor.post_json(path, body)
        assert response.status_code == 422 and field in response.json()["errors"], body
    assert Subscriber.objects.count() == 1


def test_subscribers_list_unsubscribe_delete(
    editor: Any, viewer: Any, api: Callable[..., Any], mailing_list: Any
) -> None:
    subscribe(mailing_list, 3)
    subscribe(mailing_list, 2, prefix="baru", status=SubscriberStatus.PENDING)
    path = f"{LISTS}/{mailing_list.pk}/subscribers"
    assert editor.get(path).json()["count"] == 5
    assert editor.get(path, {"status": "pending"}).json()["count"] == 2
    found = editor.get(path, {"q": "warga2"}).json()["results"]
    assert [s["email"] for s in found] == ["warga2@example.id"]
    masked = viewer.get(path).json()["results"]
    assert {s["email"] for s in masked} == {"b***@example.id", "w***@example.id"}
    assert viewer.get(path, {"q": "warga2@"}).json()["count"] == 0
    assert (
        api("64.72", Role.CONTRIBUTOR)
        .post_json(path, {"email": "a@b.id", "source": "x"})
        .status_code
        == 403
    )
    sid = found[0]["id"]
    assert act(viewer, f"{path}/{sid}/unsubscribe").status_code == 403
    response = act(editor, f"{path}/{sid}/unsubscribe")
    assert response.status_code == 200 and response.json()["status"] == "unsubscribed"
    assert response.json()["unsubscribed_at"]
    assert act(editor, f"{path}/{sid}/unsubscribe").status_code == 200
    assert viewer.delete(f"{path}/{sid}").status_code == 403
    assert editor.delete(f"{path}/{sid}").status_code == 204
    assert editor.delete(f"{path}/{sid}").status_code == 404
    other = MailingList.objects.create(unit=mailing_list.unit, name="Lain")
    stranger = Subscriber.objects.filter(mailing_list=mailing_list).first()
    assert stranger is not None
    assert editor.delete(f"{LISTS}/{other.pk}/subscribers/{stranger.pk}").status_code == 404
    assert Subscriber.objects.count() == 4


# --- totals ---------------------------------------------------------------------------------


def test_totals_per_unit_and_channel(
    api: Callable[..., Any], editor: Any, approved: Any, make_approved: Any, units: Any
) -> None:
    mine = plan(editor, approved, kind="whatsapp_group", target="Grup A").json()
    engine.dispatch(mine["id"])
    editor.post_json(
        f"{PUBLICATIONS}/{mine['id']}/evidence", {"url": "https://a.id", "audience": 40}
    )
    berau = api("64.03", Role.EDITOR)
    theirs = plan(berau, make_approved("64.03"), kind="radio", target="RRI Berau").json()
    engine.dispatch(theirs["id"])
    berau.post_json(
        f"{PUBLICATIONS}/{theirs['id']}/evidence", {"url": "https://b.id", "audience": 7}
    )
    today = timezone.localdate()
    query = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    rows = editor.get(f"{API}/dissemination/totals", query).json()
    assert rows == [
        {
            "unit": {"id": approved.unit_id, "code": "64.72", "name": approved.unit.name},
            "kind": "whatsapp_group",
            "publications": 1,
            "reach": 40,
            "impressions": 0,
            "engagement": 0,
            "clicks": 0,
        }
    ]
    province = api("64", Role.VIEWER)
    rows = province.get(f"{API}/dissemination/totals", query).json()
    assert sorted((r["unit"]["code"], r["reach"]) for r in rows) == [("64.03", 7), ("64.72", 40)]
    only = province.get(f"{API}/dissemination/totals", {**query, "unit": approved.unit_id}).json()
    assert [r["unit"]["code"] for r in only] == ["64.72"]
    past = {"start": "2020-01-01", "end": "2020-03-31"}
    assert editor.get(f"{API}/dissemination/totals", past).json() == []
    for bad, field in (
        ({"start": query["end"], "end": query["start"]}, "end"),
        ({"end": query["end"]}, "start"),
        ({**query, "unit": units["64.03"].pk}, "unit"),
        ({"start": "kemarin", "end": query["end"]}, "start"),
        ({"start": "2020-01-01", "end": "9999-12-31"}, "end"),
    ):
        response = editor.get(f"{API}/dissemination/totals", bad)
        assert response.status_code == 422, (bad, response.content)
        assert field in response.json()["errors"], bad


# --- query counts --------------------------------------------------------------------------------


def _fill(n: int, units: dict[str, Any], approved: Any, editor_user: Any) -> None:
    unit = units["64.72"]
    for i in range(n):
        account = ChannelAccount.objects.create(unit=unit, kind="telegram", name=f"Akun {n}-{i}")
        mailing_list = MailingList.objects.create(unit=unit, name=f"Daftar {n}-{i}")
        Subscriber.objects.create(mailing_list=mailing_list, email=f"s{i}@example.id")
        first = MailingList.objects.order_by("pk").first()
        Subscriber.objects.create(mailing_list=first, email=f"t{n}-{i}@example.id")
        publication = Publication.objects.create(
            item=approved,
            unit=unit,
            kind="telegram",
            account=account,
            responsible=editor_user,
            mailing_list=mailing_list,
        )
        Metric.objects.create(publication=publication, reach=i, source="manual")


@pytest.mark.parametrize(
    "path",
    [PUBLICATIONS, ACCOUNTS, LISTS, f"{LISTS}/{{list}}/subscribers"],
)
def test_list_queries_do_not_grow_with_rows(
    path: str,
    api: Callable[..., Any],
    units: dict[str, Any],
    approved: Any,
    editor: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = api("64", Role.VIEWER)
    client.get(LISTS)  # warm up: the token's last use is written once

    def count(n: int) -> tuple[int, int]:
        _fill(n, units, approved, editor.user)
        first = MailingList.objects.order_by("pk").first()
        url = path.format(list=first.pk if first else 0) + "?page_size=200"
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()["count"]

    few, few_rows = count(3)
    many, many_rows = count(20)
    assert many_rows >= few_rows + 20, (path, few_rows, many_rows)
    assert many == few, (path, few, many)
    # Authentication, permissions and scope take 6; the count and the page 2; the
    # subscribers' list is looked up through the scope first.
    url = path.format(list=MailingList.objects.order_by("pk").values_list("pk", flat=True)[0])
    with django_assert_max_num_queries(9 if "subscribers" in path else 8):
        assert client.get(url).status_code == 200


def test_moving_an_account_to_another_address_needs_new_credentials(coordinator: Any) -> None:
    response = coordinator.post_json(ACCOUNTS, _account_body())
    assert response.status_code == 201, response.content
    path = f"{ACCOUNTS}/{response.json()['id']}"
    account = ChannelAccount.objects.get(pk=response.json()["id"])
    moved = {"api_base": "https://attacker.example", "destination": "@kpusamarinda"}
    refused = coordinator.patch_json(path, {"config": moved})
    assert refused.status_code == 422, refused.content
    assert "needs the credentials again" in refused.content.decode()
    account.refresh_from_db()
    assert account.config.get("api_base") != "https://attacker.example"
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": TOKEN}
    accepted = coordinator.patch_json(path, {"config": moved, "secret": {"bot_token": "9:NEW"}})
    assert accepted.status_code == 200, accepted.content
    account.refresh_from_db()
    # The old credentials are dropped, not merged: only the new token goes to the new address.
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": "9:NEW"}
