"""Inbox services: ingestion (threading, reopening, replays, the stakeholder engagement
log), notes, assignment, status, priority, tags, transfer, hoax links, canned replies,
permissions and the retention purge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import default_task_backend

from bakohumas.core.models import Role
from bakohumas.dissemination.models import Notification
from bakohumas.inbox import services, tasks
from bakohumas.inbox.models import (
    Attachment,
    CannedReply,
    Channel,
    Direction,
    HoaxCase,
    InboxTag,
    Message,
    MessageStatus,
    Priority,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadStatus,
)
from bakohumas.inbox.services import Inbound, InboxError, InboxForbidden, ingest
from bakohumas.stakeholders.models import Contact, Engagement, Organisation

pytestmark = pytest.mark.django_db


def inbound(units: dict[str, Any], **fields: Any) -> Inbound:
    data: dict[str, Any] = {
        "unit": units["64.72"],
        "channel": Channel.WHATSAPP,
        "body": "Halo, di mana TPS saya?",
        "handle": "6281255550001",
        "name": "Rahmat",
    }
    data.update(fields)
    return Inbound(**data)


def events(thread: Thread, action: str) -> list[ThreadEvent]:
    return list(ThreadEvent.objects.filter(thread=thread, action=action))


# --- Ingestion -----------------------------------------------------------------------------


def test_messages_of_one_sender_share_a_thread_and_replays_write_nothing(
    units: dict[str, Any],
) -> None:
    first = ingest(inbound(units, dedupe_key="whatsapp:1:wamid.A"))
    second = ingest(inbound(units, body="Saya di Sungai Kunjang", dedupe_key="whatsapp:1:wamid.B"))
    assert first is not None and second is not None
    assert first.thread_id == second.thread_id
    assert ingest(inbound(units, dedupe_key="whatsapp:1:wamid.B")) is None
    thread = Thread.objects.get(pk=first.thread_id)
    assert thread.message_count == 2
    assert thread.snippet == "Saya di Sungai Kunjang"
    assert Message.objects.filter(thread=thread).count() == 2
    # Another sender, and the same sender at another unit, get threads of their own.
    other = ingest(inbound(units, handle="6281255550002", dedupe_key="whatsapp:1:wamid.C"))
    elsewhere = ingest(inbound(units, unit=units["64"], dedupe_key="whatsapp:1:wamid.D"))
    assert other is not None and elsewhere is not None
    assert len({first.thread_id, other.thread_id, elsewhere.thread_id}) == 3


def test_portal_tickets_never_merge(units: dict[str, Any]) -> None:
    a = ingest(inbound(units, channel=Channel.PORTAL, kind=ThreadKind.QUESTION, handle="a@x.id"))
    b = ingest(inbound(units, channel=Channel.PORTAL, kind=ThreadKind.QUESTION, handle="a@x.id"))
    assert a is not None and b is not None and a.thread_id != b.thread_id


def test_a_new_message_reopens_a_recent_thread_but_not_an_old_one(
    units: dict[str, Any], make_thread: Callable[..., Thread]
) -> None:
    now = timezone.now()
    thread = make_thread(
        channel=Channel.WHATSAPP,
        handle="6281255550003",
        status=ThreadStatus.RESOLVED,
        resolved_at=now - timedelta(days=2),
    )
    message = ingest(inbound(units, handle="6281255550003"))
    assert message is not None and message.thread_id == thread.pk
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN and thread.resolved_at is None
    assert events(thread, "status")[-1].detail == {
        "from": ThreadStatus.RESOLVED,
        "to": ThreadStatus.OPEN,
        "by": "sender",
    }
    Thread.objects.filter(pk=thread.pk).update(
        status=ThreadStatus.RESOLVED, resolved_at=now - timedelta(days=30)
    )
    later = ingest(inbound(units, handle="6281255550003"))
    assert later is not None and later.thread_id != thread.pk


def test_a_known_contact_is_linked_and_logged_in_the_engagement_log(
    units: dict[str, Any],
) -> None:
    unit = units["64.72"]
    organisation = Organisation.objects.create(
        unit=unit, name="Bawaslu Samarinda", category="bawaslu"
    )
    contact = Contact.objects.create(
        unit=unit, organisation=organisation, name="Rahmat", whatsapp="6281255550004"
    )
    message = ingest(inbound(units, handle="6281255550004", body="Mohon data DPT"))
    assert message is not None
    assert message.thread.contact_id == contact.pk
    engagement = Engagement.objects.get(organisation=organisation)
    assert engagement.contact_id == contact.pk
    assert engagement.notes == "Mohon data DPT"
    # An unknown sender leaves no engagement.
    ingest(inbound(units, handle="6281255559999"))
    assert Engagement.objects.count() == 1


def test_new_thread_notifies_the_unit_coordinators_and_the_assignee(
    make_user: Callable[..., Any], make_thread: Callable[..., Thread], editor: Any
) -> None:
    coordinator = make_user("64.72", Role.COORDINATOR)
    make_user("64", Role.COORDINATOR)  # another unit's coordinator: not told
    thread = make_thread(kind=ThreadKind.QUESTION, channel=Channel.PORTAL, assignee=editor)
    assert tasks.notify_new_thread.call(thread.pk) == 2
    notes = Notification.objects.order_by("user_id")
    assert {n.user_id for n in notes} == {coordinator.pk, editor.pk}
    assert all(n.url == f"/app/inbox/{thread.pk}/" for n in notes)
    assert "Jadwal coklit" in notes[0].text


def test_ingest_enqueues_the_new_thread_notification_on_commit(
    units: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    default_task_backend.clear()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        message = ingest(inbound(units))
    assert message is not None
    results = default_task_backend.results  # type: ignore[attr-defined]
    assert [(r.task.name, r.args) for r in results] == [("notify_new_thread", [message.thread_id])]


# --- Permissions ---------------------------------------------------------------------------


def test_forbidden_paths(
    make_thread: Callable[..., Thread],
    make_user: Callable[..., Any],
    viewer: Any,
    contributor: Any,
    units: dict[str, Any],
) -> None:
    thread = make_thread()
    stranger = make_user("64.71", Role.COORDINATOR)  # Balikpapan: another kab/kota
    for user in (viewer, contributor, stranger):
        with pytest.raises(PermissionDenied):
            services.reply(thread, user, "Jawaban")
        with pytest.raises(InboxError):
            services.set_status(thread, user, ThreadStatus.RESOLVED)
        with pytest.raises(InboxForbidden):
            services.transfer(thread, user, units["64"])
        with pytest.raises(InboxForbidden):
            services.set_tags(thread, user, ["DPT"])
        with pytest.raises(InboxForbidden):
            services.assign(thread, user, None)
    with pytest.raises(InboxForbidden):
        services.add_note(thread, viewer, "Catatan")
    with pytest.raises(InboxForbidden):
        services.add_note(thread, stranger, "Catatan")
    with pytest.raises(InboxForbidden):
        services.create_hoax_case(units["64.72"], contributor, title="T", claim="C")
    with pytest.raises(InboxForbidden):
        services.mark_read(thread, stranger)
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.NEW
    assert not Message.objects.filter(direction__in=[Direction.OUTBOUND, Direction.NOTE]).exists()
    assert not InboxTag.objects.exists() and not HoaxCase.objects.exists()
    assert ThreadEvent.objects.filter(thread=thread).exclude(action="received").count() == 0


def test_province_staff_act_on_their_kab_kota_threads(
    make_thread: Callable[..., Thread], make_user: Callable[..., Any]
) -> None:
    thread = make_thread()
    provincial = make_user("64", Role.EDITOR)
    services.set_priority(thread, provincial, Priority.HIGH)
    thread.refresh_from_db()
    assert thread.priority == Priority.HIGH


# --- Notes, status, priority, assignment, read ----------------------------------------------


def test_a_note_is_internal_and_changes_no_clock(
    make_thread: Callable[..., Thread], contributor: Any
) -> None:
    thread = make_thread()
    note = services.add_note(thread, contributor, "  Sudah dicek ke bagian data.  ")
    assert note.direction == Direction.NOTE and note.body == "Sudah dicek ke bagian data."
    thread.refresh_from_db()
    assert thread.first_response_at is None and thread.status == ThreadStatus.NEW
    assert events(thread, "note")[0].detail == {"message": note.pk}
    with pytest.raises(InboxError) as error:
        services.add_note(thread, contributor, "   ")
    assert error.value.field == "body"


def test_status_priority_and_read(make_thread: Callable[..., Thread], editor: Any) -> None:
    thread = make_thread()
    services.set_status(thread, editor, ThreadStatus.RESOLVED)
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.RESOLVED and thread.resolved_at is not None
    services.set_status(thread, editor, ThreadStatus.OPEN)
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN and thread.resolved_at is None
    assert [e.detail["to"] for e in events(thread, "status")] == ["resolved", "open"]
    with pytest.raises(InboxError):
        services.set_status(thread, editor, "closed")
    for bad in (0, 9, "x"):
        with pytest.raises(InboxError):
            services.set_priority(thread, editor, bad)  # type: ignore[arg-type]
    services.set_priority(thread, editor, Priority.URGENT)
    services.set_priority(thread, editor, Priority.URGENT)  # unchanged: no event
    assert len(events(thread, "priority")) == 1
    assert thread.unread
    services.mark_read(thread, editor)
    thread.refresh_from_db()
    assert not thread.unread


def test_assign_to_own_or_higher_unit_staff_only(
    make_thread: Callable[..., Thread], make_user: Callable[..., Any], editor: Any
) -> None:
    thread = make_thread()
    colleague = make_user("64.72", Role.CONTRIBUTOR)
    provincial = make_user("64", Role.EDITOR)
    national = make_user("00", Role.EDITOR)
    neighbour = make_user("64.71", Role.EDITOR)
    services.assign(thread, editor, colleague)
    thread.refresh_from_db()
    assert thread.assignee_id == colleague.pk
    assert Notification.objects.get(user=colleague).url == f"/app/inbox/{thread.pk}/"
    services.assign(thread, editor, provincial)
    services.assign(thread, editor, national)
    with pytest.raises(InboxError) as error:
        services.assign(thread, editor, neighbour)
    assert error.value.field == "assignee"
    services.assign(thread, editor, None)
    thread.refresh_from_db()
    assert thread.assignee_id is None
    assert [e.detail["to"] for e in events(thread, "assigned")] == [
        colleague.pk,
        provincial.pk,
        national.pk,
        None,
    ]


# --- Tags ----------------------------------------------------------------------------------


def test_tags_are_the_units_created_as_needed_and_matched_regardless_of_case(
    make_thread: Callable[..., Thread], editor: Any, units: dict[str, Any]
) -> None:
    InboxTag.objects.create(unit=units["64.72"], name="DPT")
    InboxTag.objects.create(unit=units["64"], name="Logistik")  # the province's own
    thread = make_thread()
    services.set_tags(thread, editor, ["dpt", "  logistik  ", "DPT", ""])
    assert sorted(t.name for t in thread.tags.all()) == ["DPT", "logistik"]
    assert InboxTag.objects.filter(unit=units["64.72"]).count() == 2
    assert events(thread, "tags")[0].detail == {"added": ["DPT", "logistik"], "removed": []}
    services.set_tags(thread, editor, ["Logistik", "dpt"])  # same set: nothing written
    assert len(events(thread, "tags")) == 1
    services.set_tags(thread, editor, [])
    assert thread.tags.count() == 0
    assert events(thread, "tags")[1].detail == {"added": [], "removed": ["DPT", "logistik"]}
    with pytest.raises(InboxError):
        services.set_tags(thread, editor, ["x" * 65])
    with pytest.raises(InboxError):
        services.set_tags(thread, editor, [f"t{i}" for i in range(21)])
    assert thread.tags.count() == 0


# --- Transfer ------------------------------------------------------------------------------


def test_transfer_up_and_down_and_not_sideways(
    make_thread: Callable[..., Thread],
    make_user: Callable[..., Any],
    editor: Any,
    units: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    province_coordinator = make_user("64", Role.COORDINATOR)
    thread = make_thread(assignee=editor)
    due = thread.due_at
    first_due = thread.first_response_due
    with pytest.raises(InboxError) as error:
        services.transfer(thread, editor, units["64.71"])  # a sibling kab/kota
    assert error.value.field == "unit"
    with pytest.raises(InboxError):
        services.transfer(thread, editor, units["00"])  # skipping the province
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer(thread, editor, units["64"], note="Kewenangan provinsi")
    thread.refresh_from_db()
    assert thread.unit_id == units["64"].pk
    assert thread.transferred_from_id == units["64.72"].pk
    assert thread.assignee_id is None
    assert (thread.due_at, thread.first_response_due) == (due, first_due)
    assert events(thread, "transferred")[0].detail == {
        "from": "64.72",
        "to": "64",
        "note": "Kewenangan provinsi",
    }
    assert Notification.objects.filter(user=province_coordinator).count() == 1
    # The kab/kota editor no longer sees it; the province sends it down to another one.
    with pytest.raises(InboxForbidden):
        services.transfer(thread, editor, units["64.72"])
    services.transfer(thread, province_coordinator, units["64.71"])
    thread.refresh_from_db()
    assert thread.unit_id == units["64.71"].pk
    assert thread.transferred_from_id == units["64"].pk


def test_transfer_moves_the_information_request(
    make_thread: Callable[..., Thread], coordinator: Any, units: dict[str, Any]
) -> None:
    from bakohumas.ppid import services as ppid_services

    data = {
        "requester_kind": "person",
        "name": "Budi Santoso",
        "identity_type": "nik",
        "identity_number": "6472015708900003",
        "address": "Jl. Gajah Mada 1, Samarinda",
        "email": "budi@example.id",
        "information": "Salinan keputusan penetapan DPT Kota Samarinda",
        "purpose": "Liputan",
        "receive_method": "softcopy",
        "copy_method": "email",
        "rule_set": "uu14",
    }
    request, _code = ppid_services.submit(units["64.72"], data)
    assert request.thread is not None
    thread = Thread.objects.get(pk=request.thread.pk)
    due = thread.due_at
    services.transfer(thread, coordinator, units["64"])
    request.refresh_from_db()
    thread.refresh_from_db()
    assert request.unit_id == units["64"].pk
    assert thread.unit_id == units["64"].pk and thread.due_at == due


# --- Hoax cases ----------------------------------------------------------------------------


def test_hoax_case_and_link(
    make_thread: Callable[..., Thread],
    editor: Any,
    units: dict[str, Any],
    make_user: Callable[..., Any],
) -> None:
    with pytest.raises(InboxError) as error:
        services.create_hoax_case(units["64.72"], editor, title=" ", claim="x")
    assert error.value.field == "title"
    with pytest.raises(InboxError):
        services.create_hoax_case(units["64.72"], editor, title="T", claim="x", category="bogus")
    case = services.create_hoax_case(
        units["64.72"],
        editor,
        title="Surat suara tercoblos",
        claim="Video surat suara sudah tercoblos beredar",
        category="false_context",
    )
    national_case = HoaxCase.objects.create(unit=units["00"], title="N", claim="N")
    other_case = HoaxCase.objects.create(unit=units["64.71"], title="B", claim="B")
    thread = make_thread(kind=ThreadKind.HOAX_REPORT, channel=Channel.PORTAL)
    services.link_hoax(thread, editor, case=case, clarification=None)
    thread.refresh_from_db()
    assert thread.hoax_case_id == case.pk
    services.link_hoax(thread, editor, case=national_case, clarification=None)
    with pytest.raises(InboxError):
        services.link_hoax(thread, editor, case=other_case, clarification=None)
    thread.refresh_from_db()
    assert thread.hoax_case_id == national_case.pk
    assert [e.detail["hoax_case"] for e in events(thread, "linked")] == [case.pk, national_case.pk]


# --- Canned replies ------------------------------------------------------------------------


def test_canned_variables(
    make_thread: Callable[..., Thread], editor: Any, units: dict[str, Any]
) -> None:
    editor.first_name, editor.last_name = "Dewi", "Lestari"
    canned = CannedReply.objects.create(
        unit=units["64.72"],
        title="Terima kasih",
        body="Yth. {nama}, pesan nomor {nomor} diterima {satker} pada {tanggal}. "
        "Salam, {petugas}. {tidak_dikenal} {}",
    )
    thread = make_thread(name="Siti Aminah")
    text = services.render_canned(canned, thread, editor)
    today = units["64.72"].localtime().date()
    assert text.startswith(f"Yth. Siti Aminah, pesan nomor {thread.pk} diterima ")
    assert units["64.72"].name in text
    assert str(today.year) in text
    assert text.endswith("Salam, Dewi Lestari. {tidak_dikenal} {}")
    anonymous = make_thread(name="")
    assert services.render_canned(canned, anonymous, editor).startswith("Yth. Sir/Madam,")


# --- Retention -----------------------------------------------------------------------------


def test_purge_removes_personal_data_of_old_resolved_threads_only(
    units: dict[str, Any], editor: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.INBOX_PII_RETENTION_DAYS = 30
    now = timezone.now()
    old = ingest(
        inbound(
            units,
            channel=Channel.PORTAL,
            kind=ThreadKind.HOAX_REPORT,
            handle="siti@example.id",
            name="Siti",
            phone="08123",
            body="Lihat tangkapan layar",
            attachments=[("bukti.png", b"\x89PNG fake", "image/png")],
        )
    )
    recent = ingest(inbound(units, handle="6281255550010"))
    open_old = ingest(inbound(units, handle="6281255550011"))
    assert old is not None and recent is not None and open_old is not None
    services.reply(old.thread, editor, "Terima kasih, Siti")
    stored = Attachment.objects.get().file.name
    assert default_storage.exists(stored)
    Thread.objects.filter(pk=old.thread_id).update(
        status=ThreadStatus.RESOLVED, resolved_at=now - timedelta(days=31)
    )
    Thread.objects.filter(pk=recent.thread_id).update(
        status=ThreadStatus.RESOLVED, resolved_at=now - timedelta(days=29)
    )
    Thread.objects.filter(pk=open_old.thread_id).update(created_at=now - timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_pii(now) == 1
    assert services.purge_pii(now) == 0  # once
    thread = Thread.objects.get(pk=old.thread_id)
    assert (thread.name, thread.handle, thread.phone, thread.snippet) == ("", "", "", "")
    assert thread.pii_purged_at == now
    assert thread.message_count == 2
    inbound_message = Message.objects.get(thread=thread, direction=Direction.INBOUND)
    assert "Siti" not in inbound_message.body and inbound_message.sender_name == ""
    assert Message.objects.get(thread=thread, direction=Direction.OUTBOUND).status == (
        MessageStatus.QUEUED
    )
    assert not Attachment.objects.exists()
    assert not default_storage.exists(stored)
    for pk in (recent.thread_id, open_old.thread_id):
        assert Thread.objects.get(pk=pk).name == "Rahmat"
