"""The staff inbox pages: the thread list (filters, search, scope, query budget) and a
thread (reading, replying, notes, the side-panel actions, canned replies, attachments)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from bakohumas.core.models import Role
from bakohumas.inbox.models import (
    Attachment,
    CannedReply,
    Channel,
    Direction,
    InboxTag,
    Message,
    MessageStatus,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadStatus,
)
from bakohumas.inbox.views import mask_handle

pytestmark = pytest.mark.django_db

LIST = reverse("inbox:list")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response: Any) -> list[int]:
    return [row["thread"].pk for row in response.context["rows"]]


def queued_sends() -> list[Any]:
    return [
        r
        for r in default_task_backend.results  # type: ignore[attr-defined]
        if r.task.name == "send_reply"
    ]


# --- the list -------------------------------------------------------------------------------


def test_list_defaults_to_own_unit_and_hides_resolved(
    make_thread: Callable[..., Thread], editor: Any
) -> None:
    open_one = make_thread(subject="Jadwal coklit")
    resolved = make_thread(subject="Sudah dijawab", status=ThreadStatus.RESOLVED)
    make_thread("64.71", subject="Balikpapan")  # another kab/kota: never listed
    client = client_for(editor)

    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [open_one.pk]
    assert b"Jadwal coklit" in response.content

    response = client.get(LIST, {"status": "all"})
    assert set(listed(response)) == {open_one.pk, resolved.pk}
    response = client.get(LIST, {"status": "resolved"})
    assert listed(response) == [resolved.pk]
    # Another unit's id in the selector falls back to the user's own unit.
    other = make_thread("64.71").unit_id
    assert listed(client.get(LIST, {"unit": other})) == [open_one.pk]
    # Nonsense filter values are ignored, never an error.
    response = client.get(LIST, {"status": "bogus", "priority": "x", "page": "999"})
    assert response.status_code == 200 and listed(response) == [open_one.pk]


def test_list_filters(
    make_thread: Callable[..., Thread], editor: Any, make_user: Callable[..., Any]
) -> None:
    other_editor = make_user("64.72", Role.EDITOR)
    mine = make_thread(subject="Punyaku", assignee=editor)
    theirs = make_thread(subject="Punya orang", assignee=other_editor)
    hoax = make_thread(
        channel=Channel.PORTAL,
        kind=ThreadKind.HOAX_REPORT,
        subject="Hoaks surat suara",
        priority=4,
    )
    whatsapp = make_thread(channel=Channel.WHATSAPP, subject="Dari WA")
    tag = InboxTag.objects.create(unit=mine.unit, name="DPT")
    mine.tags.add(tag)
    past = timezone.now() - timedelta(days=3)
    late = make_thread(subject="Terlambat", due_at=past, first_response_due=past)
    client = client_for(editor)

    assert listed(client.get(LIST, {"box": "mine"})) == [mine.pk]
    unassigned = set(listed(client.get(LIST, {"box": "unassigned"})))
    assert unassigned == {hoax.pk, whatsapp.pk, late.pk}
    assert theirs.pk not in unassigned
    assert listed(client.get(LIST, {"kind": ThreadKind.HOAX_REPORT})) == [hoax.pk]
    assert listed(client.get(LIST, {"channel": Channel.WHATSAPP})) == [whatsapp.pk]
    assert listed(client.get(LIST, {"priority": "4"})) == [hoax.pk]
    assert listed(client.get(LIST, {"tag": "DPT"})) == [mine.pk]
    assert listed(client.get(LIST, {"overdue": "on"})) == [late.pk]
    response = client.get(LIST, {"overdue": "on"})
    assert b"overdue by" in response.content


def test_list_search(make_thread: Callable[..., Thread], editor: Any) -> None:
    found = make_thread(subject="Pertanyaan logistik", name="Budi Santoso")
    by_handle = make_thread(handle="rahmat.k@example.id", subject="Lain")
    make_thread(subject="Jadwal kampanye", name="Ani")
    client = client_for(editor)
    assert listed(client.get(LIST, {"q": "logistik"})) == [found.pk]
    assert listed(client.get(LIST, {"q": "Santoso"})) == [found.pk]
    assert listed(client.get(LIST, {"q": "rahmat"})) == [by_handle.pk]
    assert listed(client.get(LIST, {"q": "tidakadasamasekali"})) == []


def test_list_rows_show_masked_handle_sla_and_badges(
    make_thread: Callable[..., Thread], editor: Any
) -> None:
    make_thread(name="", handle="warga.samarinda@example.id", subject="Tanpa nama")
    response = client_for(editor).get(LIST)
    html = response.content.decode()
    assert "wa…@example.id" in html and "warga.samarinda@example.id" not in html
    assert 'data-testid="sla"' in html and "First reply due in" in html
    assert mask_handle("6281234567890") == "6281…90"
    assert mask_handle("") == ""


def test_province_coordinator_sees_kab_kota_threads(
    make_thread: Callable[..., Thread], make_user: Callable[..., Any]
) -> None:
    province = make_thread("64", subject="Provinsi")
    samarinda = make_thread("64.72", subject="Samarinda")
    balikpapan = make_thread("64.71", subject="Balikpapan")
    coordinator = make_user("64", Role.COORDINATOR)
    client = client_for(coordinator)
    assert listed(client.get(LIST)) == [province.pk]  # own unit by default
    assert set(listed(client.get(LIST, {"unit": "all"}))) == {
        province.pk,
        samarinda.pk,
        balikpapan.pk,
    }
    assert listed(client.get(LIST, {"unit": samarinda.unit_id})) == [samarinda.pk]
    assert client.get(reverse("inbox:detail", args=[samarinda.pk])).status_code == 200


def test_list_query_count_does_not_grow_with_rows(
    make_thread: Callable[..., Thread], make_user: Callable[..., Any]
) -> None:
    coordinator = make_user("64", Role.COORDINATOR)
    client = client_for(coordinator)
    assignee = make_user("64.72", Role.EDITOR)
    tag = InboxTag.objects.create(unit_id=make_thread("64.72").unit_id, name="DPT")
    for i in range(3):
        make_thread("64.72" if i % 2 else "64.71", assignee=assignee).tags.add(tag)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST, {"unit": "all"})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["rows"])

    few, rows_few = count()
    codes = ["64.72", "64.71", "64.03", "64.74", "64.02"]
    for i in range(52):
        thread = make_thread(codes[i % len(codes)], assignee=assignee)
        thread.tags.add(tag)
    many, rows_many = count()
    assert rows_few == 4 and rows_many == 50
    assert many == few
    assert many <= 16


def test_list_needs_login(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302


# --- a thread -------------------------------------------------------------------------------


def test_other_units_thread_is_404(
    make_thread: Callable[..., Thread], editor: Any, coordinator: Any
) -> None:
    other = make_thread("64.71")
    client = client_for(editor)
    assert client.get(reverse("inbox:detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("inbox:reply", args=[other.pk]), {"body": "Halo"}).status_code == 404
    assert (
        client_for(coordinator)
        .post(reverse("inbox:status", args=[other.pk]), {"status": "resolved"})
        .status_code
        == 404
    )
    other.refresh_from_db()
    assert other.status == ThreadStatus.NEW and other.message_count == 1


def test_opening_marks_read_and_escapes_html(
    make_thread: Callable[..., Thread], viewer: Any
) -> None:
    thread = make_thread(
        body='<script>alert("x")</script>\n<b>tebal</b> 🗳️',
        name="<img src=x onerror=alert(1)>",
        subject="<i>subjek</i>",
    )
    assert thread.unread
    response = client_for(viewer).get(reverse("inbox:detail", args=[thread.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    )
    assert "<br>&lt;b&gt;tebal&lt;/b&gt; 🗳️" in html
    assert "<img src=x" not in html and "<i>subjek</i>" not in html
    thread.refresh_from_db()
    assert not thread.unread
    # A viewer gets no forms.
    assert "reply_form" not in response.context and "note_form" not in response.context
    assert "assign_form" not in response.context


def test_viewer_cannot_reply_note_or_assign(
    make_thread: Callable[..., Thread], viewer: Any, editor: Any
) -> None:
    thread = make_thread()
    client = client_for(viewer)
    for name, data in [
        ("inbox:reply", {"body": "Halo"}),
        ("inbox:note", {"body": "Catatan"}),
        ("inbox:assign", {"assignee": editor.pk}),
        ("inbox:status", {"status": "resolved"}),
        ("inbox:tags", {"tags": "DPT"}),
        ("inbox:transfer", {"target": thread.unit.parent_id}),
    ]:
        assert client.post(reverse(name, args=[thread.pk]), data).status_code == 403, name
    thread.refresh_from_db()
    assert thread.message_count == 1 and thread.assignee_id is None
    assert thread.status == ThreadStatus.NEW and not thread.tags.exists()
    assert thread.unit.code == "64.72"


def test_contributor_can_note_but_not_reply(
    make_thread: Callable[..., Thread], contributor: Any
) -> None:
    thread = make_thread()
    client = client_for(contributor)
    page = client.get(reverse("inbox:detail", args=[thread.pk]))
    assert "note_form" in page.context and "reply_form" not in page.context
    response = client.post(reverse("inbox:note", args=[thread.pk]), {"body": "Cek DPT dulu"})
    assert response.status_code == 302
    note = Message.objects.get(thread=thread, direction=Direction.NOTE)
    assert note.body == "Cek DPT dulu" and note.author_id == contributor.pk
    response = client.post(reverse("inbox:reply", args=[thread.pk]), {"body": "Halo"})
    assert response.status_code == 403
    assert not Message.objects.filter(thread=thread, direction=Direction.OUTBOUND).exists()
    # An empty note is refused on the form; nothing is written.
    response = client.post(reverse("inbox:note", args=[thread.pk]), {"body": "   "})
    assert response.status_code == 400
    assert Message.objects.filter(thread=thread, direction=Direction.NOTE).count() == 1


def test_reply_queues_an_outbound_message_and_the_send_task(
    make_thread: Callable[..., Thread],
    editor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    thread = make_thread()
    canned = CannedReply.objects.create(unit=thread.unit, title="Salam", body="Halo {nama}")
    default_task_backend.clear()  # type: ignore[attr-defined]
    client = client_for(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inbox:reply", args=[thread.pk]),
            {"body": "Jadwal coklit 12 Februari.", "canned": canned.pk},
        )
    assert response.status_code == 302
    message = Message.objects.get(thread=thread, direction=Direction.OUTBOUND)
    assert message.status == MessageStatus.QUEUED and message.author_id == editor.pk
    assert [r.args for r in queued_sends()] == [[message.pk]]
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.WAITING and thread.first_response_at is not None
    assert ThreadEvent.objects.get(thread=thread, action="replied").detail["canned"] == canned.pk
    page = client.get(reverse("inbox:detail", args=[thread.pk]))
    assert b'data-testid="message-status">Queued' in page.content

    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, error="Mailbox unavailable"
    )
    page = client.get(reverse("inbox:detail", args=[thread.pk]))
    assert b"Failed" in page.content and b"Mailbox unavailable" in page.content


def test_refused_reply_keeps_the_text_and_changes_nothing(
    make_thread: Callable[..., Thread], editor: Any
) -> None:
    thread = make_thread(handle="bukan-alamat-email")
    response = client_for(editor).post(
        reverse("inbox:reply", args=[thread.pk]), {"body": "Teks yang saya tulis"}
    )
    assert response.status_code == 400
    assert b"no email address to answer to" in response.content
    assert b"Teks yang saya tulis" in response.content
    assert not Message.objects.filter(thread=thread, direction=Direction.OUTBOUND).exists()
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.NEW and thread.first_response_at is None


def test_whatsapp_window_notice(
    make_thread: Callable[..., Thread], editor: Any, whatsapp_account: Any
) -> None:
    old = timezone.now() - timedelta(days=2)
    thread = make_thread(channel=Channel.WHATSAPP, account=whatsapp_account, received_at=old)
    client = client_for(editor)
    page = client.get(reverse("inbox:detail", args=[thread.pk])).content.decode()
    assert "the approved WhatsApp template will be used" in page

    whatsapp_account.config = {
        k: v for k, v in whatsapp_account.config.items() if k != "reply_template"
    }
    whatsapp_account.save()
    page = client.get(reverse("inbox:detail", args=[thread.pk])).content.decode()
    assert "has no approved reply template" in page
    response = client.post(reverse("inbox:reply", args=[thread.pk]), {"body": "Halo"})
    assert response.status_code == 400 and b"24 hours" in response.content
    assert not Message.objects.filter(thread=thread, direction=Direction.OUTBOUND).exists()

    fresh = make_thread(channel=Channel.WHATSAPP, account=whatsapp_account)
    page = client.get(reverse("inbox:detail", args=[fresh.pk])).content.decode()
    assert 'data-testid="wa-notice"' not in page


def test_assign_status_priority_and_tags(
    make_thread: Callable[..., Thread],
    editor: Any,
    make_user: Callable[..., Any],
) -> None:
    thread = make_thread()
    colleague = make_user("64.72", Role.EDITOR)
    province_staff = make_user("64", Role.EDITOR)
    outsider = make_user("64.71", Role.EDITOR)
    client = client_for(editor)
    url = lambda name: reverse(name, args=[thread.pk])  # noqa: E731

    assert client.post(url("inbox:assign"), {"assignee": colleague.pk}).status_code == 302
    thread.refresh_from_db()
    assert thread.assignee_id == colleague.pk
    client.post(url("inbox:assign"), {"assignee": province_staff.pk})
    thread.refresh_from_db()
    assert thread.assignee_id == province_staff.pk
    # Staff of a sibling unit are not offered, and posting them changes nothing.
    response = client.post(url("inbox:assign"), {"assignee": outsider.pk}, follow=True)
    assert b"Select a valid choice" in response.content
    thread.refresh_from_db()
    assert thread.assignee_id == province_staff.pk
    client.post(url("inbox:assign"), {"assignee": ""})
    thread.refresh_from_db()
    assert thread.assignee_id is None

    client.post(url("inbox:status"), {"status": ThreadStatus.RESOLVED})
    client.post(url("inbox:priority"), {"priority": "3"})
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.RESOLVED and thread.priority == 3
    client.post(url("inbox:priority"), {"priority": "9"})
    thread.refresh_from_db()
    assert thread.priority == 3

    client.post(url("inbox:tags"), {"tags": "DPT, logistik ,dpt, "})
    assert sorted(t.name for t in thread.tags.all()) == ["DPT", "logistik"]
    response = client.post(url("inbox:tags"), {"tags": "x" * 70}, follow=True)
    assert b"at most 64 characters" in response.content
    assert sorted(t.name for t in thread.tags.all()) == ["DPT", "logistik"]
    client.post(url("inbox:tags"), {"tags": "logistik"})
    assert [t.name for t in thread.tags.all()] == ["logistik"]
    page = client.get(url("inbox:detail")).content.decode()
    assert "Topics changed" in page and "Resolved" in page


def test_transfer_up_and_down(
    make_thread: Callable[..., Thread], editor: Any, make_user: Callable[..., Any], units: Any
) -> None:
    thread = make_thread(assignee=editor)
    client = client_for(editor)
    # Sideways to another kab/kota: not offered, refused.
    response = client.post(
        reverse("inbox:transfer", args=[thread.pk]), {"target": units["64.71"].pk}
    )
    thread.refresh_from_db()
    assert response.status_code == 302 and thread.unit.code == "64.72"
    # Up to the province: done; the kab/kota editor no longer sees it.
    response = client.post(
        reverse("inbox:transfer", args=[thread.pk]),
        {"target": units["64"].pk, "note": "Perlu keputusan provinsi"},
    )
    assert response.status_code == 302 and response["Location"] == LIST
    thread.refresh_from_db()
    assert thread.unit.code == "64" and thread.transferred_from.code == "64.72"
    assert thread.assignee_id is None
    assert client.get(reverse("inbox:detail", args=[thread.pk])).status_code == 404
    # Down again to another kab/kota by a province editor.
    province_editor = make_user("64", Role.EDITOR)
    client = client_for(province_editor)
    page = client.get(reverse("inbox:detail", args=[thread.pk]))
    targets = {u.code for u in page.context["transfer_form"].fields["target"].queryset}
    assert {"00", "64.71", "64.72"} <= targets
    response = client.post(
        reverse("inbox:transfer", args=[thread.pk]), {"target": units["64.71"].pk}
    )
    assert response["Location"] == reverse("inbox:detail", args=[thread.pk])
    thread.refresh_from_db()
    assert thread.unit.code == "64.71"
    assert ThreadEvent.objects.filter(thread=thread, action="transferred").count() == 2


def test_canned_render_fills_the_reply_box(
    make_thread: Callable[..., Thread], editor: Any, units: Any
) -> None:
    thread = make_thread(name="Siti <Aminah>")
    canned = CannedReply.objects.create(
        unit=thread.unit, title="Salam", body="Yth. {nama},\nterima kasih. {tidakdikenal}"
    )
    national = CannedReply.objects.create(unit=units["00"], title="Nasional", body="Dari RI")
    other = CannedReply.objects.create(unit=units["64.71"], title="Lain", body="Bukan")
    client = client_for(editor)
    url = reverse("inbox:canned_render", args=[thread.pk, canned.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="reply-body"' in html and 'name="body"' in html
    assert "Yth. Siti &lt;Aminah&gt;,\nterima kasih. {tidakdikenal}" in html
    assert (
        client.get(reverse("inbox:canned_render", args=[thread.pk, national.pk])).status_code == 200
    )
    assert client.get(reverse("inbox:canned_render", args=[thread.pk, other.pk])).status_code == 404
    page = client.get(reverse("inbox:detail", args=[thread.pk])).content.decode()
    assert "data-canned-url" in page and "bakohumas/inbox.js" in page


def test_attachment_is_served_only_within_scope(
    make_thread: Callable[..., Thread], editor: Any, make_user: Callable[..., Any]
) -> None:
    thread = make_thread(
        attachments=[
            ("tangkapan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png"),
            ("x.html", b"<script>alert(1)</script>", "text/html"),
        ]
    )
    png, html_file = Attachment.objects.filter(message__thread=thread).order_by("id")
    client = client_for(editor)
    response = client.get(reverse("inbox:attachment", args=[png.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    response = client.get(reverse("inbox:attachment", args=[html_file.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    outsider = client_for(make_user("64.71", Role.COORDINATOR))
    assert outsider.get(reverse("inbox:attachment", args=[png.pk])).status_code == 404
    page = client.get(reverse("inbox:detail", args=[thread.pk])).content.decode()
    assert reverse("inbox:attachment", args=[png.pk]) in page


def test_hoax_link_from_the_thread(
    make_thread: Callable[..., Thread], editor: Any, viewer: Any
) -> None:
    thread = make_thread(channel=Channel.PORTAL, kind=ThreadKind.HOAX_REPORT)
    client = client_for(editor)
    response = client.post(
        reverse("inbox:hoax_link", args=[thread.pk]),
        {"new_title": "Surat suara tercoblos", "new_claim": "Beredar foto", "new_category": ""},
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.hoax_case is not None and thread.hoax_case.title == "Surat suara tercoblos"
    assert thread.hoax_case.unit_id == thread.unit_id
    # Unlink.
    client.post(reverse("inbox:hoax_link", args=[thread.pk]), {"case": ""})
    thread.refresh_from_db()
    assert thread.hoax_case_id is None
    assert (
        client_for(viewer)
        .post(reverse("inbox:hoax_link", args=[thread.pk]), {"new_title": "X"})
        .status_code
        == 403
    )


def test_attachment_file_missing_is_404(make_thread: Callable[..., Thread], editor: Any) -> None:
    thread = make_thread()
    message = Message.objects.get(thread=thread)
    attachment = Attachment(message=message, name="a.pdf", content_type="application/pdf")
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
    attachment.file.storage.delete(attachment.file.name)
    response = client_for(editor).get(reverse("inbox:attachment", args=[attachment.pk]))
    assert response.status_code == 404
