"""The request workflow: registration, completeness, extension, decisions, objections,
reminders, retention and the yearly statistics."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection

from bakohumas.core.models import Role
from bakohumas.core.workdays import calendar_for
from bakohumas.dissemination.models import Notification
from bakohumas.inbox.models import Thread, ThreadStatus
from bakohumas.ppid import services
from bakohumas.ppid.models import (
    InformationRequest,
    Objection,
    RegisterCounter,
    RequestEvent,
    RequestStatus,
)
from bakohumas.ppid.services import PpidError
from tests.ppid.conftest import Clock, request_data, wita

pytestmark = pytest.mark.django_db

MakeRequest = Callable[..., InformationRequest]


# Registration -----------------------------------------------------------------------
def test_register_numbers_sequential_per_unit_and_year(make_request: MakeRequest) -> None:
    first = make_request(received_at=wita(2026, 7, 6, 9, 0))
    second = make_request(received_at=wita(2026, 7, 6, 10, 0))
    other_unit = make_request("64.71", received_at=wita(2026, 7, 6, 10, 0))
    next_year = make_request(received_at=wita(2027, 1, 4, 9, 0))
    assert first.register_number == "PPID/64.72/2026/00001"
    assert second.register_number == "PPID/64.72/2026/00002"
    assert other_unit.register_number == "PPID/64.71/2026/00001"
    assert next_year.register_number == "PPID/64.72/2027/00001"


def test_invalid_nik_is_refused_with_nothing_written(samarinda: Any) -> None:
    with pytest.raises(PpidError) as info:
        services.submit(samarinda, request_data(identity_number="9972015708900003"))
    assert info.value.field == "identity_number"
    assert "province" in str(info.value)
    with pytest.raises(PpidError):
        services.submit(samarinda, request_data(identity_number="64720157089000"))
    assert not InformationRequest.objects.exists()
    assert not Thread.objects.exists()
    assert not RegisterCounter.objects.exists()


def test_submit_opens_a_thread_and_acknowledgement_has_the_code(
    samarinda: Any, clock: Clock
) -> None:
    clock.set(wita(2026, 7, 6, 9, 0))
    request, code = services.submit(samarinda, request_data(rule_set="perki"))
    assert request.thread is not None and request.thread.kind == "information_request"
    assert services.track(request.register_number, code) == request
    assert services.track(request.register_number, "WRONGCODE1") is None
    services.send_acknowledgement(request, code)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["budi@example.id"]
    assert code in message.body and request.register_number in message.body
    assert "/ppid/lacak/" in message.body
    assert "July 9, 2026" in message.body


# Completeness -----------------------------------------------------------------------
def test_incomplete_then_complete_restarts_the_period(
    make_request: MakeRequest, editor: Any, clock: Clock
) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="uu14")
    assert request.due_date == date(2026, 7, 20)
    clock.set(wita(2026, 7, 7, 10, 0))
    services.mark_incomplete(request, editor, "Fotokopi KTP belum dilampirkan")
    request.refresh_from_db()
    assert request.status == RequestStatus.INCOMPLETE
    assert request.completion_due == date(2026, 7, 21)  # 10 working days after 7 July
    assert "Fotokopi KTP" in mail.outbox[-1].body
    assert Thread.objects.get(pk=request.thread_id).status == ThreadStatus.WAITING
    clock.set(wita(2026, 7, 10, 11, 0))
    services.complete(request, None, "KTP dikirim")
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROCESS
    assert request.due_date == date(2026, 7, 24)  # 10 working days after 10 July
    thread = Thread.objects.get(pk=request.thread_id)
    assert thread.status == ThreadStatus.OPEN
    assert thread.due_at.date() == date(2026, 7, 24)
    actions = list(request.events.values_list("action", flat=True))
    assert actions == ["received", "incomplete", "completed"]


def test_incomplete_needs_a_note_and_viewer_cannot(
    make_request: MakeRequest, editor: Any, viewer: Any
) -> None:
    request = make_request()
    with pytest.raises(PpidError):
        services.mark_incomplete(request, editor, "  ")
    with pytest.raises(PermissionDenied):
        services.mark_incomplete(request, viewer, "KTP")
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_not_completed_in_time_lapses(make_request: MakeRequest, editor: Any, clock: Clock) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
    clock.set(wita(2026, 7, 6, 10, 0))
    services.mark_incomplete(request, editor, "Tujuan belum jelas")
    request.refresh_from_db()
    assert request.completion_due == date(2026, 7, 9)
    assert services.lapse_overdue(wita(2026, 7, 9, 23, 0)) == 0
    clock.set(wita(2026, 7, 10, 8, 0))
    with pytest.raises(PpidError):
        services.complete(request, editor)
    assert services.lapse_overdue(wita(2026, 7, 10, 8, 0)) == 1
    assert services.lapse_overdue(wita(2026, 7, 10, 8, 5)) == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.LAPSED
    assert Thread.objects.get(pk=request.thread_id).status == ThreadStatus.RESOLVED
    assert "lapsed" in mail.outbox[-1].subject


# Extension --------------------------------------------------------------------------
def test_extension_once_only(make_request: MakeRequest, editor: Any, clock: Clock) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="uu14")
    clock.set(wita(2026, 7, 15, 9, 0))
    with pytest.raises(PpidError) as info:
        services.extend(request, editor, "")
    assert info.value.field == "reason"
    services.extend(request, editor, "Dokumen di arsip provinsi")
    request.refresh_from_db()
    assert request.status == RequestStatus.EXTENDED
    assert request.due_date == date(2026, 7, 29)  # 17 working days after 6 July
    with pytest.raises(PpidError):
        services.extend(request, editor, "Lagi")
    request.refresh_from_db()
    assert request.due_date == date(2026, 7, 29)
    assert request.events.filter(action="extended").count() == 1


def test_no_extension_after_the_due_date(
    make_request: MakeRequest, editor: Any, clock: Clock
) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
    clock.set(wita(2026, 7, 9, 23, 30))  # the last day, late evening: still allowed
    services.extend(request, editor, "Perlu koordinasi")
    request.refresh_from_db()
    assert request.due_date == date(2026, 7, 13)  # 3 + 2 working days
    late = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
    clock.set(wita(2026, 7, 10, 8, 0))
    with pytest.raises(PpidError):
        services.extend(late, editor, "Terlambat")
    late.refresh_from_db()
    assert late.extended_at is None and late.status == RequestStatus.RECEIVED


# Decisions --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": "refused", "consequence_test": "Bahaya"}, "exemption_ground"),
        ({"decision": "refused", "exemption_ground": "h"}, "consequence_test"),
        ({"decision": "partly_granted"}, "answer"),
        (
            {"decision": "partly_granted", "answer": "Sebagian", "exemption_ground": "h"},
            "consequence_test",
        ),
        ({"decision": "granted"}, "answer"),
        ({"decision": "redirected"}, "redirected_to"),
        ({"decision": "maybe"}, "decision"),
        (
            {"decision": "refused", "exemption_ground": "z", "consequence_test": "x"},
            "exemption_ground",
        ),
        ({"decision": "granted", "answer": "Ya", "fee": "-5"}, "fee"),
    ],
)
def test_decision_required_fields(
    make_request: MakeRequest, editor: Any, kwargs: dict[str, Any], field: str
) -> None:
    request = make_request()
    with pytest.raises(PpidError) as info:
        services.decide(request, editor, **kwargs)
    assert info.value.field == field
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and request.decision == ""
    assert not mail.outbox


@pytest.mark.parametrize(
    "kwargs",
    [
        {"decision": "granted", "answer": "Terlampir tautan DPT"},
        {"decision": "partly_granted", "answer": "Sebagian terlampir"},
        {
            "decision": "partly_granted",
            "answer": "Sebagian",
            "exemption_ground": "h",
            "consequence_test": "Memuat data pribadi",
        },
        {"decision": "refused", "exemption_ground": "h", "consequence_test": "Data pribadi"},
        {"decision": "not_held"},
        {"decision": "redirected", "redirected_to": "Bawaslu Kota Samarinda"},
    ],
)
def test_decisions_close_the_request(
    make_request: MakeRequest, editor: Any, kwargs: dict[str, Any]
) -> None:
    request = make_request()
    services.decide(request, editor, **kwargs)
    request.refresh_from_db()
    assert request.status == RequestStatus.DECIDED
    assert request.decision == kwargs["decision"]
    assert request.decided_by == editor
    assert Thread.objects.get(pk=request.thread_id).status == ThreadStatus.RESOLVED
    assert "answered" in mail.outbox[-1].subject
    event = request.events.get(action="decided")
    assert event.public_note.startswith("Answered:")


def test_granted_ignores_a_stray_ground(make_request: MakeRequest, editor: Any) -> None:
    request = make_request()
    services.decide(
        request, editor, decision="granted", answer="Ya", exemption_ground="h", fee=5000
    )
    request.refresh_from_db()
    assert request.exemption_ground == "" and request.fee == 5000


def test_no_decision_on_an_incomplete_or_closed_request(
    make_request: MakeRequest, editor: Any
) -> None:
    request = make_request()
    services.mark_incomplete(request, editor, "KTP")
    with pytest.raises(PpidError):
        services.decide(request, editor, decision="not_held")
    other = make_request()
    services.decide(other, editor, decision="not_held")
    with pytest.raises(PpidError):
        services.decide(other, editor, decision="granted", answer="Ya")
    other.refresh_from_db()
    assert other.decision == "not_held"


def test_assign_and_reset_code(
    make_request: MakeRequest, editor: Any, coordinator: Any, make_user: Callable[..., Any]
) -> None:
    request = make_request()
    services.assign(request, coordinator, editor)
    request.refresh_from_db()
    assert request.assignee == editor and request.status == RequestStatus.IN_PROCESS
    assert Thread.objects.get(pk=request.thread_id).assignee == editor
    assert Notification.objects.filter(user=editor).exists()
    outsider = make_user("64.71", Role.EDITOR)
    with pytest.raises(PpidError):
        services.assign(request, coordinator, outsider)
    viewer = make_user("64.72", Role.VIEWER)
    with pytest.raises(PpidError):
        services.assign(request, coordinator, viewer)
    code = services.reset_code(request, editor)
    assert services.track(request.register_number, code) == request
    with pytest.raises(PermissionDenied):
        services.reset_code(request, viewer)


def test_withdraw(make_request: MakeRequest) -> None:
    request = make_request()
    services.withdraw(request)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    with pytest.raises(PpidError):
        services.withdraw(request)


# Objections -------------------------------------------------------------------------
def test_objection_after_the_due_date_without_answer(
    make_request: MakeRequest, coordinator: Any, clock: Clock
) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
    clock.set(wita(2026, 7, 9, 15, 0))
    with pytest.raises(PpidError):
        services.file_objection(request, reason="c", statement="Belum dijawab")
    assert not services.can_file_objection(request)
    clock.set(wita(2026, 7, 10, 9, 0))
    assert services.can_file_objection(request)
    with pytest.raises(PpidError) as info:
        services.file_objection(request, reason="a", statement="Ditolak")
    assert info.value.field == "reason"
    objection = services.file_objection(request, reason="c", statement="Belum dijawab")
    assert objection.register_number == "KBR/64.72/2026/00001"
    assert objection.due_date == date(2026, 7, 15)  # 3 working days after 10 July
    assert Notification.objects.filter(user=coordinator, text__contains="KBR/64.72").exists()
    assert "KBR/64.72/2026/00001" in mail.outbox[-1].body
    with pytest.raises(PpidError):  # one open objection at a time
        services.file_objection(request, reason="g", statement="Lagi")
    assert Objection.objects.count() == 1


def test_objection_window_after_a_decision(
    make_request: MakeRequest, editor: Any, clock: Clock
) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="uu14")
    clock.set(wita(2026, 7, 8, 9, 0))
    services.decide(request, editor, decision="refused", exemption_ground="h", consequence_test="x")
    last = calendar_for(request.unit).add_working_days(date(2026, 7, 8), 30)
    assert last == date(2026, 8, 20)  # 17 August (Independence Day) is off
    clock.set(wita(2026, 8, 21, 9, 0))
    with pytest.raises(PpidError):
        services.file_objection(request, reason="a", statement="Terlambat")
    clock.set(wita(2026, 8, 20, 22, 0))
    objection = services.file_objection(request, reason="a", statement="Keberatan", user=editor)
    assert objection.created_by == editor
    assert objection.due_date == calendar_for(request.unit).add_working_days(date(2026, 8, 20), 30)


def test_objection_register_numbers_sequential(
    make_request: MakeRequest, editor: Any, clock: Clock
) -> None:
    numbers = []
    for _ in range(3):
        request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
        services.decide(request, editor, decision="not_held")
        numbers.append(services.file_objection(request, reason="d", statement="x").register_number)
    assert numbers == [f"KBR/64.72/2026/0000{i}" for i in (1, 2, 3)]


def test_objection_decided_by_the_superior_not_the_decider(
    make_request: MakeRequest, make_user: Callable[..., Any]
) -> None:
    decider = make_user("64.72", Role.COORDINATOR)
    request = make_request()
    services.decide(
        request, decider, decision="refused", exemption_ground="h", consequence_test="x"
    )
    objection = services.file_objection(request, reason="a", statement="Keberatan")
    with pytest.raises(PpidError):
        services.decide_objection(objection, decider, decision="upheld", response="Ya")
    with pytest.raises(PermissionDenied):
        services.decide_objection(
            objection, make_user("64.72", Role.EDITOR), decision="upheld", response="Ya"
        )
    with pytest.raises(PermissionDenied):
        services.decide_objection(
            objection, make_user("64.71", Role.COORDINATOR), decision="upheld", response="Ya"
        )
    superior = make_user("64", Role.COORDINATOR)
    with pytest.raises(PpidError) as info:
        services.decide_objection(objection, superior, decision="upheld", response="")
    assert info.value.field == "response"
    objection.refresh_from_db()
    assert objection.status == "filed"
    services.decide_objection(objection, superior, decision="upheld", response="Berikan")
    objection.refresh_from_db()
    assert (objection.status, objection.decision, objection.decided_by) == (
        "decided",
        "upheld",
        superior,
    )
    assert "Information Commission" in mail.outbox[-1].body
    with pytest.raises(PpidError):
        services.decide_objection(objection, superior, decision="rejected", response="x")


# Reminders and retention -------------------------------------------------------------
def test_remind_due_once_per_due_date(
    make_request: MakeRequest, editor: Any, coordinator: Any
) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
    services.assign(request, coordinator, editor)
    assert services.remind_due(wita(2026, 7, 7, 8, 0)) == 0
    before = Notification.objects.count()
    assert services.remind_due(wita(2026, 7, 8, 8, 0)) == 1
    assert services.remind_due(wita(2026, 7, 8, 9, 0)) == 0
    texts = list(Notification.objects.order_by("pk")[before:].values_list("user_id", "text"))
    assert {user_id for user_id, _t in texts} == {editor.pk, coordinator.pk}
    request.refresh_from_db()
    assert request.reminded_for == date(2026, 7, 9)


def test_remind_objection_once(
    make_request: MakeRequest, editor: Any, coordinator: Any, clock: Clock
) -> None:
    request = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
    clock.set(wita(2026, 7, 7, 9, 0))
    services.decide(request, editor, decision="not_held")
    objection = services.file_objection(request, reason="d", statement="x")
    assert objection.due_date == date(2026, 7, 10)
    assert services.remind_due(wita(2026, 7, 9, 8, 0)) == 1
    assert services.remind_due(wita(2026, 7, 9, 10, 0)) == 0
    assert (
        Notification.objects.filter(
            user=coordinator, text__contains=objection.register_number
        ).count()
        == 2
    )


def test_purge_pii(make_request: MakeRequest, editor: Any, settings: Any, clock: Clock) -> None:
    settings.PPID_PII_RETENTION_DAYS = 30
    clock.set(wita(2026, 1, 6, 9, 0))
    closed = make_request(received_at=wita(2026, 1, 5, 9, 0))
    services.decide(closed, editor, decision="not_held")
    still_open = make_request(received_at=wita(2026, 1, 5, 9, 0))
    assert services.purge_pii(wita(2026, 1, 20, 9, 0)) == 0
    assert services.purge_pii(wita(2026, 3, 1, 9, 0)) == 1
    assert services.purge_pii(wita(2026, 3, 1, 9, 5)) == 0
    closed.refresh_from_db()
    assert (closed.name, closed.email, closed.phone, closed.address) == ("B. S.", "", "", "-")
    assert closed.identity_number == "-" and closed.pii_purged_at is not None
    thread = Thread.objects.get(pk=closed.thread_id)
    assert thread.name == "B. S." and thread.handle == ""
    still_open.refresh_from_db()
    assert still_open.name == "Budi Santoso"


# Personal data ----------------------------------------------------------------------
def test_pii_masked_for_editor_shown_to_coordinator(
    make_request: MakeRequest, editor: Any, coordinator: Any, make_user: Callable[..., Any]
) -> None:
    request = make_request()
    assert not services.can_view_pii(editor, request)
    assert services.can_view_pii(coordinator, request)
    assert not services.can_view_pii(make_user("64.71", Role.COORDINATOR), request)
    assert services.can_view_pii(make_user("64", Role.COORDINATOR), request)
    masked = services.requester_data(request, editor)
    assert masked["masked"] and masked["name"] == "B. S."
    assert masked["identity_number"].endswith("0003") and "6472" not in masked["identity_number"]
    assert masked["email"] == masked["phone"] == masked["address"] == ""
    shown = services.requester_data(request, coordinator)
    assert not shown["masked"] and shown["identity_number"] == "6472015708900003"


# Statistics -------------------------------------------------------------------------
def test_yearly_stats(
    make_request: MakeRequest, editor: Any, make_user: Callable[..., Any], clock: Clock
) -> None:
    on_time = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki")
    late = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki", channel="staff")
    make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="uu14")
    make_request("64.71", received_at=wita(2026, 7, 6, 9, 0))
    make_request(received_at=wita(2025, 7, 7, 9, 0))
    clock.set(wita(2026, 7, 8, 9, 0))
    services.decide(on_time, editor, decision="granted", answer="Ya")  # 2 working days
    clock.set(wita(2026, 7, 13, 9, 0))
    services.decide(late, editor, decision="refused", exemption_ground="h", consequence_test="x")
    objection = services.file_objection(late, reason="a", statement="x")
    services.decide_objection(
        objection, make_user("64.72", Role.COORDINATOR), decision="upheld", response="Ok"
    )
    stats = services.yearly_stats([on_time.unit_id], 2026)
    assert stats["total"] == 3
    assert stats["decided"] == 2
    assert stats["average_working_days"] == 3.5  # 2 and 5 working days
    assert stats["on_time"] == 1 and stats["on_time_share"] == 0.5
    by_decision = {row["key"]: row["count"] for row in stats["by_decision"]}
    assert by_decision["granted"] == 1 and by_decision["refused"] == 1
    assert {row["key"]: row["count"] for row in stats["by_rule_set"]} == {"perki": 2, "uu14": 1}
    assert {row["key"]: row["count"] for row in stats["by_channel"]} == {"portal": 2, "staff": 1}
    assert stats["objections"]["total"] == 1
    assert {r["key"]: r["count"] for r in stats["objections"]["by_decision"]}["upheld"] == 1
    everything = services.yearly_stats(None, 2026)
    assert everything["total"] == 4


# Concurrency ------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_get_distinct_sequential_numbers(units: dict[str, Any]) -> None:
    unit = units["64.72"]
    workers = 4 if connection.vendor == "postgresql" else 1
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=5)
            request, _code = services.submit(
                unit, request_data(), received_at=wita(2026, 7, 6, 9, 0)
            )
            numbers.append(request.register_number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=submit) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == [f"PPID/64.72/2026/{i:05d}" for i in range(1, workers + 1)]
    assert RequestEvent.objects.filter(action="received").count() == workers
