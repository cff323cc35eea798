"""The inbox API: threads (list with filters and cursor pages, detail), replies, notes,
changes, transfer, hoax links, canned replies and hoax cases.

Threads are made through ``inbox.services.ingest`` like the channels make them; tasks are
stored, not run (the reply's send task is only enqueued)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bakohumas.core.models import Role
from bakohumas.dissemination import crypto
from bakohumas.dissemination.models import ChannelAccount
from bakohumas.inbox.models import (
    CannedReply,
    Channel,
    Direction,
    HoaxCase,
    InboxTag,
    Message,
    MessageStatus,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadStatus,
)
from bakohumas.inbox.services import Inbound, ingest
from bakohumas.ppid import services as ppid_services

API = "/api/v1/inbox"
THREADS = f"{API}/threads"
NIK = "6472015708900003"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def make_thread(units: dict[str, Any]) -> Callable[..., Thread]:
    """A thread opened by one inbound message, then ``fields`` written on the thread."""

    def make(
        code: str = "64.72",
        channel: str = Channel.EMAIL,
        kind: str = ThreadKind.QUESTION,
        body: str = "Kapan jadwal coklit di Samarinda?",
        handle: str | None = None,
        name: str = "Siti Aminah",
        account: Any = None,
        **fields: Any,
    ) -> Thread:
        n = next(_n)
        message = ingest(
            Inbound(
                unit=units[code],
                channel=channel,
                kind=kind,
                body=body,
                handle=f"warga{n}@example.id" if handle is None else handle,
                name=name,
                subject=f"Pertanyaan {n}",
                account=account,
                dedupe_key=f"test:{uuid.uuid4().hex}",
            )
        )
        assert message is not None
        if fields:
            Thread.objects.filter(pk=message.thread_id).update(**fields)
        return Thread.objects.get(pk=message.thread_id)

    return make


@pytest.fixture
def editor(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.EDITOR)


@pytest.fixture
def viewer(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.VIEWER)


@pytest.fixture
def coordinator(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.COORDINATOR)


def state(thread: Thread) -> tuple[Any, ...]:
    """What must not change when a write is refused."""
    thread.refresh_from_db()
    return (
        thread.unit_id,
        thread.status,
        thread.priority,
        thread.assignee_id,
        thread.hoax_case_id,
        sorted(thread.tags.values_list("name", flat=True)),
        thread.messages.count(),
        thread.events.count(),
    )


# --- list -----------------------------------------------------------------------------------


def test_list_shows_own_units_threads_latest_first(
    editor: Any, make_thread: Callable[..., Thread]
) -> None:
    older = make_thread()
    newer = make_thread()
    Thread.objects.filter(pk=older.pk).update(last_message_at=timezone.now() - timedelta(hours=1))
    other = make_thread("64.03")
    response = editor.get(THREADS)
    assert response.status_code == 200, response.content
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [newer.pk, older.pk]
    assert other.pk not in ids
    row = response.json()["results"][0]
    assert row["unit"]["code"] == "64.72"
    assert row["name"] == "Siti Aminah"
    assert row["status"] == "new" and row["unread"] is True
    assert response.json()["next_cursor"] is None


def test_list_filters(
    editor: Any, make_thread: Callable[..., Thread], make_user: Callable[..., Any]
) -> None:
    mine = make_thread(priority=4, status=ThreadStatus.OPEN, assignee=editor.user)
    late = make_thread(due_at=timezone.now() - timedelta(hours=2))
    hoax = make_thread(kind=ThreadKind.HOAX_REPORT, body="Video surat suara tercoblos")
    wa = make_thread(channel=Channel.WHATSAPP, handle="6281234500001", kind=ThreadKind.MESSAGE)
    resolved_late = make_thread(
        status=ThreadStatus.RESOLVED, due_at=timezone.now() - timedelta(hours=2)
    )
    tag = InboxTag.objects.create(unit=mine.unit, name="DPT")
    late.tags.add(tag)
    colleague = make_user("64.72", Role.EDITOR)
    Thread.objects.filter(pk=wa.pk).update(assignee=colleague)

    def ids(query: str) -> set[int]:
        response = editor.get(f"{THREADS}?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    every = {mine.pk, late.pk, hoax.pk, wa.pk, resolved_late.pk}
    assert ids("") == every
    assert ids("assignee=me") == {mine.pk}
    assert ids("assignee=none") == every - {mine.pk, wa.pk}
    assert ids(f"assignee={colleague.pk}") == {wa.pk}
    assert ids("status=open") == {mine.pk}
    assert ids("priority=4") == {mine.pk}
    assert ids("channel=whatsapp") == {wa.pk}
    assert ids("kind=hoax_report") == {hoax.pk}
    assert ids("tag=DPT") == {late.pk}
    assert ids("overdue=true") == {late.pk}
    assert late.pk not in ids("overdue=false") and resolved_late.pk in ids("overdue=false")
    assert ids("q=tercoblos") == {hoax.pk}
    assert ids(f"unit={mine.unit_id}") == every
    # Another unit's id in the filter shows nothing of it.
    make_thread("64.03")
    assert ids(f"unit={make_thread('64.03').unit_id}") == set()
    overdue_row = editor.get(f"{THREADS}?overdue=true").json()["results"][0]
    assert overdue_row["overdue"] is True and overdue_row["tags"] == ["DPT"]


def test_list_cursor_pages(editor: Any, make_thread: Callable[..., Thread]) -> None:
    now = timezone.now()
    threads = [make_thread() for _ in range(5)]
    # Two share the same last message time: the id breaks the tie.
    for i, thread in enumerate(threads):
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now - timedelta(minutes=i // 2))
    expected = [
        t.pk
        for t in sorted(
            Thread.objects.filter(pk__in=[t.pk for t in threads]),
            key=lambda t: (t.last_message_at, t.pk),
            reverse=True,
        )
    ]
    seen: list[int] = []
    url: str | None = f"{THREADS}?limit=2&status=new"
    pages = 0
    while url:
        data = editor.get(url).json()
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
        pages += 1
        if url:
            assert "status=new" in url and data["next_cursor"] in url
    assert seen == expected
    assert pages == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        ("assignee=someone", "assignee"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("status=closed", "status"),
    ],
)
def test_list_refuses_bad_filters(editor: Any, query: str, field: str) -> None:
    response = editor.get(f"{THREADS}?{query}")
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_list_query_count_does_not_grow(
    editor: Any, make_thread: Callable[..., Thread], make_user: Callable[..., Any]
) -> None:
    editor.get(THREADS)  # warm up: the token's last_used_at is written once

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = editor.get(f"{THREADS}?limit=200")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    tag = InboxTag.objects.create(unit=editor.user.profile.unit, name="Logistik")
    case = HoaxCase.objects.create(unit=editor.user.profile.unit, title="Kasus", claim="Klaim")

    def add(n: int) -> None:
        for _ in range(n):
            thread = make_thread(assignee=make_user("64.72", Role.EDITOR), hoax_case=case)
            thread.tags.add(tag)

    add(2)
    few, few_rows = count()
    add(12)
    many, many_rows = count()
    assert (few_rows, many_rows) == (2, 14)
    assert many == few
    assert few <= 8  # auth (token, permissions, profile, unit) + threads + tags


def test_list_needs_credentials(client: Client, db: Any) -> None:
    response = client.get(THREADS)
    assert response.status_code == 401


# --- detail -----------------------------------------------------------------------------------


def test_detail_returns_messages_as_plain_text(
    viewer: Any, make_thread: Callable[..., Thread]
) -> None:
    body = '<script>alert("x")</script> <b>tebal</b> & 🗳️ "kutip"'
    thread = make_thread(body=body)
    response = viewer.get(f"{THREADS}/{thread.pk}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert [m["body"] for m in data["messages"]] == [body]
    assert data["messages"][0]["direction"] == "in"
    assert data["messages"][0]["attachments"] == []
    # JSON escapes nothing into markup: the raw text is a JSON string.
    assert b"<script>" in response.content and b"&lt;" not in response.content
    assert data["sla"]["due_at"] is not None and data["sla"]["label"]
    assert data["sla"]["breached"] is False
    assert [e["action"] for e in data["events"]] == ["received"]
    assert data["information_request_id"] is None
    assert data["whatsapp_window_open"] is None
    # Reading it does not mark it read.
    thread.refresh_from_db()
    assert thread.unread is True


def test_detail_of_other_unit_is_404(viewer: Any, make_thread: Callable[..., Thread]) -> None:
    thread = make_thread("64.03")
    response = viewer.get(f"{THREADS}/{thread.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert viewer.get(f"{THREADS}/999999").status_code == 404


def test_province_staff_see_kab_kota_threads(
    api: Callable[..., Any], make_thread: Callable[..., Thread]
) -> None:
    thread = make_thread("64.72")
    province = api("64", Role.VIEWER)
    assert province.get(f"{THREADS}/{thread.pk}").status_code == 200
    assert thread.pk in {row["id"] for row in province.get(THREADS).json()["results"]}
    kab = api("64.03", Role.VIEWER)
    assert kab.get(f"{THREADS}/{thread.pk}").status_code == 404


def test_request_threads_mask_the_requester(api: Callable[..., Any], units: dict[str, Any]) -> None:
    request, _code = ppid_services.submit(
        units["64.72"],
        {
            "name": "Budi Santoso",
            "identity_number": NIK,
            "address": "Jl. Gajah Mada 1",
            "email": "budi@example.id",
            "phone": "081234567890",
            "information": "Salinan SK DPT",
            "purpose": "Liputan",
            "receive_method": "softcopy",
        },
    )
    assert request.thread_id is not None
    editor = api("64.72", Role.EDITOR)
    data = editor.get(f"{THREADS}/{request.thread_id}").json()
    assert data["name"] == "B. S."
    assert data["handle"] == "b***@example.id"
    assert data["messages"][0]["sender_name"] == "B. S."
    assert data["information_request_id"] == request.pk
    assert "Budi" not in editor.get(THREADS).content.decode()
    coordinator = api("64.72", Role.COORDINATOR)
    data = coordinator.get(f"{THREADS}/{request.thread_id}").json()
    assert data["name"] == "Budi Santoso" and data["handle"] == "budi@example.id"


# --- replies and notes ------------------------------------------------------------------------


def test_editor_replies_by_email(editor: Any, make_thread: Callable[..., Thread]) -> None:
    thread = make_thread()
    response = editor.post_json(f"{THREADS}/{thread.pk}/reply", {"body": "Jadwal: 1 Maret."})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["direction"] == "out" and data["status"] == "queued"
    assert data["body"] == "Jadwal: 1 Maret."
    assert data["author"]["id"] == editor.user.pk
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.WAITING and thread.first_response_at is not None
    assert Message.objects.get(pk=data["id"]).status == MessageStatus.QUEUED


def test_reply_with_canned_text(editor: Any, make_thread: Callable[..., Thread]) -> None:
    thread = make_thread(name="Siti Aminah")
    canned = CannedReply.objects.create(
        unit=thread.unit, title="Salam", body="Yth. {nama}, terima kasih. {x}"
    )
    response = editor.post_json(f"{THREADS}/{thread.pk}/reply", {"canned_id": canned.pk})
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "Yth. Siti Aminah, terima kasih. {x}"
    other = CannedReply.objects.create(unit=make_thread("64.03").unit, title="Lain", body="Hai")
    response = editor.post_json(f"{THREADS}/{thread.pk}/reply", {"canned_id": other.pk})
    assert response.status_code == 422
    assert "canned_id" in response.json()["errors"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "ok", "cc": "x"}, "cc"),
        ({"body": "a\x00b"}, "body"),
    ],
)
def test_reply_refuses_invalid_payload(
    editor: Any, make_thread: Callable[..., Thread], payload: dict[str, Any], field: str
) -> None:
    thread = make_thread()
    before = state(thread)
    response = editor.post_json(f"{THREADS}/{thread.pk}/reply", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert state(thread) == before


def test_reply_refused_by_role(
    viewer: Any, api: Callable[..., Any], make_thread: Callable[..., Thread]
) -> None:
    thread = make_thread()
    before = state(thread)
    assert viewer.post_json(f"{THREADS}/{thread.pk}/reply", {"body": "Hai"}).status_code == 403
    contributor = api("64.72", Role.CONTRIBUTOR)
    response = contributor.post_json(f"{THREADS}/{thread.pk}/reply", {"body": "Hai"})
    assert response.status_code == 403
    assert state(thread) == before


def test_reply_to_other_unit_is_404(editor: Any, make_thread: Callable[..., Thread]) -> None:
    thread = make_thread("64.03")
    before = state(thread)
    assert editor.post_json(f"{THREADS}/{thread.pk}/reply", {"body": "Hai"}).status_code == 404
    assert state(thread) == before


def test_reply_conflicts_with_the_thread_state(
    editor: Any, make_thread: Callable[..., Thread], units: dict[str, Any]
) -> None:
    # A portal message without an address cannot be answered.
    anonymous = make_thread(channel=Channel.PORTAL, handle="")
    before = state(anonymous)
    response = editor.post_json(f"{THREADS}/{anonymous.pk}/reply", {"body": "Hai"})
    assert response.status_code == 409, response.content
    assert state(anonymous) == before
    # WhatsApp 25 hours after the sender wrote, with no reply template.
    account = ChannelAccount.objects.create(
        unit=units["64.72"],
        kind="whatsapp",
        name="WA",
        config={"phone_number_id": "1"},
        secret_ciphertext=crypto.encrypt('{"access_token": "t"}'),
    )
    wa = make_thread(
        channel=Channel.WHATSAPP, kind=ThreadKind.MESSAGE, handle="6281234500002", account=account
    )
    Thread.objects.filter(pk=wa.pk).update(last_inbound_at=timezone.now() - timedelta(hours=25))
    before = state(wa)
    response = editor.post_json(f"{THREADS}/{wa.pk}/reply", {"body": "Hai"})
    assert response.status_code == 409, response.content
    assert "24 hours" in response.json()["detail"]
    assert state(wa) == before
    assert editor.get(f"{THREADS}/{wa.pk}").json()["whatsapp_window_open"] is False


def test_contributor_adds_a_note(
    api: Callable[..., Any], viewer: Any, make_thread: Callable[..., Thread]
) -> None:
    thread = make_thread()
    contributor = api("64.72", Role.CONTRIBUTOR)
    response = contributor.post_json(f"{THREADS}/{thread.pk}/notes", {"body": "Cek ke Datin."})
    assert response.status_code == 201, response.content
    assert response.json()["direction"] == "note"
    assert thread.messages.filter(direction=Direction.NOTE).count() == 1
    before = state(thread)
    assert viewer.post_json(f"{THREADS}/{thread.pk}/notes", {"body": "x"}).status_code == 403
    assert contributor.post_json(f"{THREADS}/{thread.pk}/notes", {"body": ""}).status_code == 422
    assert state(thread) == before


# --- changes --------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent(
    editor: Any, make_thread: Callable[..., Thread], make_user: Callable[..., Any]
) -> None:
    thread = make_thread()
    colleague = make_user("64.72", Role.EDITOR)
    response = editor.patch_json(
        f"{THREADS}/{thread.pk}",
        {"status": "open", "priority": 3, "assignee_id": colleague.pk, "tags": ["DPT", "Coklit"]},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "open" and data["priority"] == 3
    assert data["assignee"]["id"] == colleague.pk
    assert sorted(data["tags"]) == ["Coklit", "DPT"]
    actions = set(ThreadEvent.objects.filter(thread=thread).values_list("action", flat=True))
    assert {"status", "priority", "assigned", "tags"} <= actions
    # Only the priority: the rest stays; null unassigns.
    response = editor.patch_json(f"{THREADS}/{thread.pk}", {"priority": 1, "assignee_id": None})
    data = response.json()
    assert data["priority"] == 1 and data["assignee"] is None and data["status"] == "open"
    assert sorted(data["tags"]) == ["Coklit", "DPT"]


def test_patch_is_all_or_nothing(
    editor: Any, make_thread: Callable[..., Thread], make_user: Callable[..., Any]
) -> None:
    thread = make_thread()
    outsider = make_user("64.03", Role.EDITOR)
    before = state(thread)
    response = editor.patch_json(
        f"{THREADS}/{thread.pk}", {"tags": ["Baru"], "status": "open", "assignee_id": outsider.pk}
    )
    assert response.status_code == 422, response.content
    assert "assignee_id" in response.json()["errors"]
    assert state(thread) == before
    assert not InboxTag.objects.filter(name="Baru").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"priority": 9}, "priority"),
        ({"status": None}, "status"),
        ({"tags": ["x" * 65]}, "tags.0"),
        ({"assignee_id": 99999999}, "assignee_id"),
        ({"subject": "x"}, "subject"),
    ],
)
def test_patch_refuses_invalid_payload(
    editor: Any, make_thread: Callable[..., Thread], payload: dict[str, Any], field: str
) -> None:
    thread = make_thread()
    before = state(thread)
    response = editor.patch_json(f"{THREADS}/{thread.pk}", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert state(thread) == before


def test_patch_refused_by_role_and_scope(
    viewer: Any, api: Callable[..., Any], editor: Any, make_thread: Callable[..., Thread]
) -> None:
    thread = make_thread()
    before = state(thread)
    assert viewer.patch_json(f"{THREADS}/{thread.pk}", {"status": "open"}).status_code == 403
    contributor = api("64.72", Role.CONTRIBUTOR)
    assert contributor.patch_json(f"{THREADS}/{thread.pk}", {"priority": 4}).status_code == 403
    assert state(thread) == before
    other = make_thread("64.03")
    before = state(other)
    assert editor.patch_json(f"{THREADS}/{other.pk}", {"status": "open"}).status_code == 404
    assert state(other) == before


def test_transfer_up_and_down(
    editor: Any, api: Callable[..., Any], make_thread: Callable[..., Thread], units: dict[str, Any]
) -> None:
    thread = make_thread(assignee=editor.user)
    response = editor.post_json(
        f"{THREADS}/{thread.pk}/transfer", {"unit_id": units["64"].pk, "note": "Kewenangan KPU"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["unit"]["code"] == "64"
    assert response.json()["assignee"] is None
    thread.refresh_from_db()
    assert thread.unit_id == units["64"].pk and thread.transferred_from_id == units["64.72"].pk
    # Now out of the kab/kota editor's scope.
    assert editor.get(f"{THREADS}/{thread.pk}").status_code == 404
    province = api("64", Role.EDITOR)
    response = province.post_json(f"{THREADS}/{thread.pk}/transfer", {"unit_id": units["64.03"].pk})
    assert response.status_code == 200, response.content
    thread.refresh_from_db()
    assert thread.unit_id == units["64.03"].pk


def test_transfer_refused(
    editor: Any, viewer: Any, make_thread: Callable[..., Thread], units: dict[str, Any]
) -> None:
    thread = make_thread()
    before = state(thread)
    # Sideways to another kab/kota, to the national unit, or an unknown unit.
    for unit_id in (units["64.03"].pk, units["00"].pk, 99999999):
        response = editor.post_json(f"{THREADS}/{thread.pk}/transfer", {"unit_id": unit_id})
        assert response.status_code == 422, response.content
        assert "unit_id" in response.json()["errors"]
    assert editor.post_json(f"{THREADS}/{thread.pk}/transfer", {}).status_code == 422
    response = viewer.post_json(f"{THREADS}/{thread.pk}/transfer", {"unit_id": units["64"].pk})
    assert response.status_code == 403
    assert state(thread) == before


# --- hoax cases and links ---------------------------------------------------------------------


def test_hoax_case_create_link_and_read(
    editor: Any, viewer: Any, make_thread: Callable[..., Thread]
) -> None:
    report = make_thread(kind=ThreadKind.HOAX_REPORT, body="Surat suara sudah dicoblos")
    response = editor.post_json(
        f"{API}/hoax-cases",
        {
            "title": "Surat suara tercoblos",
            "claim": "Video surat suara",
            "category": "false_context",
        },
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["unit"]["code"] == "64.72" and case["status"] == "open"
    assert case["report_count"] == 0 and case["created_by"]["id"] == editor.user.pk
    response = editor.post_json(f"{THREADS}/{report.pk}/hoax-link", {"case_id": case["id"]})
    assert response.status_code == 200, response.content
    assert response.json()["hoax_case"]["id"] == case["id"]
    detail = viewer.get(f"{API}/hoax-cases/{case['id']}").json()
    assert detail["report_count"] == 1
    assert [r["id"] for r in detail["reports"]] == [report.pk]
    listed = viewer.get(f"{API}/hoax-cases?status=open&q=tercoblos").json()
    assert [c["id"] for c in listed["results"]] == [case["id"]]
    assert listed["results"][0]["report_count"] == 1
    # Unlink with null.
    response = editor.post_json(f"{THREADS}/{report.pk}/hoax-link", {"case_id": None})
    assert response.json()["hoax_case"] is None


def test_hoax_link_refused(
    editor: Any, viewer: Any, make_thread: Callable[..., Thread], units: dict[str, Any]
) -> None:
    report = make_thread(kind=ThreadKind.HOAX_REPORT)
    other_case = HoaxCase.objects.create(unit=units["64.03"], title="Lain", claim="Lain")
    before = state(report)
    for payload, field in (
        ({"case_id": other_case.pk}, "case_id"),
        ({"case_id": 99999999}, "case_id"),
        ({"clarification_id": 99999999}, "clarification_id"),
        ({}, "__all__"),
    ):
        response = editor.post_json(f"{THREADS}/{report.pk}/hoax-link", payload)
        assert response.status_code == 422, (payload, response.content)
        assert field in response.json()["errors"]
    own = HoaxCase.objects.create(unit=units["64.72"], title="Own", claim="Own")
    response = viewer.post_json(f"{THREADS}/{report.pk}/hoax-link", {"case_id": own.pk})
    assert response.status_code == 403
    assert state(report) == before


def test_hoax_case_refusals(editor: Any, viewer: Any, units: dict[str, Any]) -> None:
    payload = {"title": "Klaim", "claim": "Isi klaim"}
    assert viewer.post_json(f"{API}/hoax-cases", payload).status_code == 403
    response = editor.post_json(f"{API}/hoax-cases", {**payload, "category": "rumour"})
    assert response.status_code == 422 and "category" in response.json()["errors"]
    response = editor.post_json(f"{API}/hoax-cases", {**payload, "unit": units["64.03"].pk})
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    assert editor.post_json(f"{API}/hoax-cases", {"title": "x"}).status_code == 422
    assert not HoaxCase.objects.exists()
    other = HoaxCase.objects.create(unit=units["64.03"], title="Lain", claim="Lain")
    assert viewer.get(f"{API}/hoax-cases/{other.pk}").status_code == 404
    assert viewer.get(f"{API}/hoax-cases").json()["count"] == 0


# --- canned replies ----------------------------------------------------------------------------


def test_canned_replies(coordinator: Any, editor: Any, viewer: Any, units: dict[str, Any]) -> None:
    payload = {"title": "Salam pembuka", "body": "Yth. {nama}, terima kasih."}
    assert editor.post_json(f"{API}/canned-replies", payload).status_code == 403
    response = coordinator.post_json(f"{API}/canned-replies", payload)
    assert response.status_code == 201, response.content
    assert response.json()["unit"]["code"] == "64.72"
    response = coordinator.post_json(f"{API}/canned-replies", payload)
    assert response.status_code == 409
    assert CannedReply.objects.count() == 1
    response = coordinator.post_json(f"{API}/canned-replies", {"title": "", "body": "x"})
    assert response.status_code == 422 and "title" in response.json()["errors"]
    CannedReply.objects.create(unit=units["64.03"], title="Lain", body="Hai")
    listed = viewer.get(f"{API}/canned-replies").json()
    assert [c["title"] for c in listed["results"]] == ["Salam pembuka"]
    assert viewer.get(f"{API}/canned-replies?q=tidak-ada").json()["count"] == 0


# --- session client --------------------------------------------------------------------------


def test_session_client(make_user: Callable[..., Any], make_thread: Callable[..., Thread]) -> None:
    thread = make_thread()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("64.72", Role.EDITOR))
    assert client.get(THREADS).json()["results"][0]["id"] == thread.pk
    assert client.get(f"{THREADS}/{thread.pk}").status_code == 200
    url = f"{THREADS}/{thread.pk}/notes"
    response = client.post(url, {"body": "Catatan"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    client.get("/app/api-tokens/")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        url, {"body": "Catatan"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.content
