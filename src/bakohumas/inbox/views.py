"""Staff inbox views (``/app/inbox/``): the thread list, a thread with its reply, note and
side-panel forms, canned replies, inbox settings and hoax cases.

Thin: every change of a thread goes through ``inbox.services``; single objects are fetched
through the user's scope (another unit's thread is a 404) and writes check the role
permission first (403). A refused change (``InboxError``) is shown and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bakohumas.core.models import CalendarOverride, WorkUnit
from bakohumas.core.scoping import (
    can_see_unit,
    get_scoped_or_404,
    require_perm,
    unit_and_ancestors,
    user_unit,
    visible_unit_ids,
)
from bakohumas.core.workdays import Calendar
from bakohumas.inbox import services
from bakohumas.inbox.forms import (
    BOX_MINE,
    BOX_UNASSIGNED,
    STATUS_ACTIVE,
    STATUS_ALL,
    UNIT_ALL,
    AssignForm,
    CannedReplyForm,
    HoaxCaseCreateForm,
    HoaxCaseUpdateForm,
    HoaxClarificationForm,
    HoaxFilterForm,
    HoaxLinkForm,
    InboxSettingsForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TagsForm,
    ThreadFilterForm,
    TransferForm,
    new_webhook_secret,
    webhook_secret_hint,
)
from bakohumas.inbox.models import (
    Attachment,
    CannedReply,
    Channel,
    HoaxCase,
    InboxSettings,
    InboxTag,
    Message,
    Priority,
    Thread,
    ThreadEvent,
    ThreadStatus,
)
from bakohumas.inbox.search import search_threads
from bakohumas.inbox.services import InboxError
from bakohumas.stakeholders.pagination import CappedPaginator

PER_PAGE = 50
TAG_OPTIONS_LIMIT = 300
EVENTS_LIMIT = 200
MESSAGES_LIMIT = 500
REPORTS_LIMIT = 100
# Attachment types shown in the browser; anything else is downloaded as bytes.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _form_errors_message(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


# --- the thread list ----------------------------------------------------------------------


def _selected_unit_ids(request: HttpRequest, own: WorkUnit | None) -> list[int] | None:
    """The units the list shows: the user's own (default), one visible unit, or all the
    user's units (``None`` = every unit, national staff)."""
    raw = request.GET.get("unit", "")
    if raw == UNIT_ALL:
        return visible_unit_ids(request.user)
    if raw.isdigit() and can_see_unit(request.user, int(raw)):
        return [int(raw)]
    return [own.pk] if own is not None else []


def mask_handle(handle: str) -> str:
    """An address shown in lists: enough to recognise, not the whole of it."""
    handle = (handle or "").strip()
    if not handle:
        return ""
    if "@" in handle:
        local, _sep, domain = handle.rpartition("@")
        return f"{local[:2]}…@{domain}"
    if len(handle) <= 4:
        return "…" + handle[-2:]
    return f"{handle[:4]}…{handle[-2:]}"


def _sender(thread: Thread, user: Any) -> str:
    if services.requester_hidden(thread, user):
        from bakohumas.ppid.services import initials

        return initials(thread.name) or "—"
    return thread.name or mask_handle(thread.handle) or "—"


def _overdue(now: datetime) -> Q:
    return ~Q(status=ThreadStatus.RESOLVED) & (
        Q(due_at__lt=now) | Q(first_response_at__isnull=True, first_response_due__lt=now)
    )


def _page_calendars(threads: list[Thread]) -> dict[int, Calendar]:
    """One working-hours calendar per unit of the page, built with two queries (office
    hours, calendar overrides) whatever the number of threads and units."""
    units = {t.unit_id: t.unit for t in threads}
    if not units:
        return {}
    ids = list(units)
    hours = {
        row.unit_id: row.office_hours()
        for row in InboxSettings.objects.filter(unit_id__in=ids).only(
            "unit_id", "office_start", "office_end", "friday_end"
        )
    }
    rows = CalendarOverride.objects.filter(Q(unit__isnull=True) | Q(unit_id__in=ids))
    national: dict[Any, tuple[str, str]] = {}
    own: dict[int, dict[Any, tuple[str, str]]] = {pk: {} for pk in ids}
    for day, owner, kind, name in rows.values_list("date", "unit_id", "kind", "name"):
        if owner is None:
            national[day] = (kind, name)
        else:
            own[owner][day] = (kind, name)
    return {
        pk: Calendar(
            pk,
            zone=unit.time_zone,
            hours=hours.get(pk),
            overrides={**national, **own[pk]},
        )
        for pk, unit in units.items()
    }


def _sla_states(threads: list[Thread], now: datetime) -> dict[int, services.SlaState]:
    calendars = _page_calendars(threads)
    return {t.pk: services.sla(t, now=now, calendar=calendars.get(t.unit_id)) for t in threads}


@login_required
@require_GET
def thread_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "inbox.view_thread")
    user = request.user
    own = user_unit(user)
    visible = visible_unit_ids(user)
    many_units = visible is None or len(visible) > 1
    units = (
        list(
            WorkUnit.objects.for_user(user)
            .filter(is_active=True)
            .only("id", "code", "name")
            .order_by("code")
        )
        if many_units
        else []
    )
    unit_ids = _selected_unit_ids(request, own)
    tags_qs = InboxTag.objects.for_user(user)
    if unit_ids is not None:
        tags_qs = tags_qs.filter(unit_id__in=unit_ids)
    tags = list(
        tags_qs.order_by("name").values_list("name", flat=True).distinct()[:TAG_OPTIONS_LIMIT]
    )
    form = ThreadFilterForm(request.GET, units=units, own_unit=own, tags=tags)
    now = timezone.now()

    qs: QuerySet[Thread] = Thread.objects.for_user(user)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    box = form.value("box")
    if box == BOX_MINE:
        qs = qs.filter(assignee_id=user.pk)
    elif box == BOX_UNASSIGNED:
        qs = qs.filter(assignee__isnull=True)
    status = form.value("status", STATUS_ACTIVE)
    if status == STATUS_ACTIVE:
        qs = qs.exclude(status=ThreadStatus.RESOLVED)
    elif status != STATUS_ALL:
        qs = qs.filter(status=status)
    for name in ("kind", "channel", "priority"):
        value = form.value(name, None)
        if value is not None:
            qs = qs.filter(**{name: value})
    tag = form.value("tag")
    if tag:
        qs = qs.filter(tags__name=tag)
    if form.value("overdue", False):
        qs = qs.filter(_overdue(now))
    q = (form.value("q") or "").strip()
    if q:
        qs = search_threads(qs, q)
    qs = qs.order_by("-last_message_at", "-id")

    paginator = CappedPaginator(
        qs.select_related("unit", "assignee", "information_request").prefetch_related("tags"),
        PER_PAGE,
    )
    page = paginator.get_page(request.GET.get("page"))
    threads = list(page.object_list)
    sla = _sla_states(threads, now)
    rows = [
        {"thread": t, "sla": sla.get(t.pk), "sender": _sender(t, request.user)} for t in threads
    ]
    return render(
        request,
        "inbox/thread_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "rows": rows,
            "box": box,
            "many_units": many_units,
            "show_unit": unit_ids is None or len(unit_ids) > 1,
            "now": now,
        },
    )


# --- a thread -----------------------------------------------------------------------------


def _thread_queryset() -> Any:
    return Thread.objects.select_related(
        "unit",
        "unit__parent",
        "unit__parent__parent",
        "assignee",
        "account",
        "contact",
        "contact__organisation",
        "hoax_case",
        "hoax_case__clarification",
        "clarification",
        "transferred_from",
        "information_request",
    ).prefetch_related("tags")


def _get_thread(request: HttpRequest, pk: int) -> Thread:
    return get_scoped_or_404(_thread_queryset(), request.user, pk=pk)


def _canned_replies(thread: Thread) -> Any:
    """Canned replies usable on ``thread``: its unit's and those of the units above it."""
    return (
        CannedReply.objects.filter(unit_id__in=unit_and_ancestors(thread.unit))
        .select_related("unit")
        .order_by("title", "id")
    )


ACTION_LABELS = {
    "received": gettext_lazy("Received"),
    "assigned": gettext_lazy("Assigned"),
    "status": gettext_lazy("Status changed"),
    "priority": gettext_lazy("Priority changed"),
    "tags": gettext_lazy("Topics changed"),
    "transferred": gettext_lazy("Transferred"),
    "linked": gettext_lazy("Linked"),
    "replied": gettext_lazy("Replied"),
    "note": gettext_lazy("Internal note"),
    "read": gettext_lazy("Read"),
}


def _event_text(action: str, detail: dict[str, Any]) -> str:
    """A short description of a timeline event (plain text, escaped when shown)."""
    status_labels = dict(ThreadStatus.choices)
    priority_labels = {str(v): str(label) for v, label in Priority.choices}
    channel_labels = {str(v): str(label) for v, label in Channel.choices}
    if action in ("status", "priority"):
        labels = status_labels if action == "status" else priority_labels
        before, after = str(detail.get("from", "")), str(detail.get("to", ""))
        text = f"{labels.get(before, before)} → {labels.get(after, after)}"
        if detail.get("by") == "sender":
            text += " " + _("(the sender wrote again)")
        return text
    if action == "assigned":
        return str(detail.get("name") or "") or _("nobody")
    if action == "tags":
        parts = []
        if detail.get("added"):
            parts.append("+ " + ", ".join(str(v) for v in detail["added"]))
        if detail.get("removed"):
            parts.append("- " + ", ".join(str(v) for v in detail["removed"]))
        return "; ".join(parts)
    if action == "transferred":
        text = f"{detail.get('from', '')} → {detail.get('to', '')}"
        if detail.get("note"):
            text += f": {detail['note']}"
        return text
    if action == "linked":
        parts = []
        if detail.get("hoax_case"):
            parts.append(_("hoax case #%(pk)s") % {"pk": detail["hoax_case"]})
        if detail.get("clarification"):
            parts.append(_("clarification #%(pk)s") % {"pk": detail["clarification"]})
        return ", ".join(parts) or _("links removed")
    if action in ("received", "replied"):
        channel = str(detail.get("channel", ""))
        text = channel_labels.get(channel, channel)
        if detail.get("template"):
            text += " · " + _("WhatsApp template")
        return text
    return ""


def _event_rows(events: list[ThreadEvent]) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        rows.append(
            {
                "event": event,
                "label": ACTION_LABELS.get(event.action, event.action),
                "text": _event_text(event.action, detail)[:300],
            }
        )
    return rows


def _whatsapp_state(thread: Thread) -> dict[str, Any]:
    if thread.channel != Channel.WHATSAPP:
        return {}
    window_open = services.whatsapp_window_open(thread)
    config = thread.account.config if thread.account is not None else {}
    has_template = bool(isinstance(config, dict) and config.get("reply_template"))
    return {"wa_window_open": window_open, "wa_has_template": has_template}


def _detail_context(request: HttpRequest, thread: Thread, **bound: Any) -> dict[str, Any]:
    user = request.user
    unit = thread.unit
    messages_list = list(
        Message.objects.filter(thread=thread)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")[:MESSAGES_LIMIT]
    )
    events = list(
        ThreadEvent.objects.filter(thread=thread)
        .select_related("actor")
        .order_by("created_at", "id")[:EVENTS_LIMIT]
    )
    can_change = user.has_perm("inbox.change_thread")
    can_reply = user.has_perm("inbox.reply_thread")
    can_note = user.has_perm("inbox.add_message")
    tags = [t.name for t in thread.tags.all()]
    context: dict[str, Any] = {
        "thread": thread,
        "unit": unit,
        "thread_messages": messages_list,
        "events": _event_rows(events),
        "sla": services.sla(thread),
        "can_change": can_change,
        "can_reply": can_reply,
        "can_note": can_note,
        "can_add_case": user.has_perm("inbox.add_hoaxcase"),
        "information_request": getattr(thread, "information_request", None),
        "sender_hidden": services.requester_hidden(thread, user),
        "sender_display": _sender(thread, user),
        **_whatsapp_state(thread),
    }
    if can_reply:
        context["reply_form"] = bound.get("reply_form") or ReplyForm(
            canned_replies=_canned_replies(thread)
        )
    if can_note:
        context["note_form"] = bound.get("note_form") or NoteForm()
    if can_change:
        context.update(
            {
                "assign_form": AssignForm(initial={"assignee": thread.assignee_id}, unit=unit),
                "status_form": StatusForm(initial={"status": thread.status}),
                "priority_form": PriorityForm(initial={"priority": thread.priority}),
                "tags_form": TagsForm(initial={"tags": ", ".join(tags)}),
                "tag_options": list(
                    InboxTag.objects.filter(unit_id=unit.pk).values_list("name", flat=True)[
                        :TAG_OPTIONS_LIMIT
                    ]
                ),
                "transfer_form": TransferForm(unit=unit),
                "hoax_form": HoaxLinkForm(
                    initial={
                        "case": thread.hoax_case_id,
                        "clarification": thread.clarification_id,
                    },
                    unit=unit,
                ),
            }
        )
    return context


@login_required
@require_GET
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.view_thread")
    thread = _get_thread(request, pk)
    if thread.unread:
        try:
            services.mark_read(thread, request.user)
        except InboxError:
            pass
    return render(request, "inbox/thread_detail.html", _detail_context(request, thread))


def _back(thread: Thread) -> HttpResponse:
    return redirect("inbox:detail", pk=thread.pk)


def _refused(request: HttpRequest, exc: InboxError) -> None:
    messages.error(request, str(exc))


@login_required
@require_POST
def thread_reply(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.reply_thread")
    thread = _get_thread(request, pk)
    form = ReplyForm(request.POST, canned_replies=_canned_replies(thread))
    if form.is_valid():
        try:
            with transaction.atomic():
                services.reply(
                    thread,
                    request.user,
                    form.cleaned_data["body"],
                    canned=form.cleaned_data.get("canned"),
                )
        except PermissionDenied:
            raise
        except InboxError as exc:
            form.add_error("body" if exc.field in (None, "body") else None, str(exc))
        else:
            messages.success(request, _("The reply was queued for sending."))
            return _back(thread)
    return render(
        request,
        "inbox/thread_detail.html",
        _detail_context(request, thread, reply_form=form),
        status=400,
    )


@login_required
@require_POST
def thread_note(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.add_message")
    thread = _get_thread(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.add_note(thread, request.user, form.cleaned_data["body"])
        except PermissionDenied:
            raise
        except InboxError as exc:
            form.add_error("body", str(exc))
        else:
            messages.success(request, _("The note was added."))
            return _back(thread)
    return render(
        request,
        "inbox/thread_detail.html",
        _detail_context(request, thread, note_form=form),
        status=400,
    )


def _side_action(
    request: HttpRequest, pk: int, form_class: Any, action: Any, done: str, **form_kwargs: Any
) -> HttpResponse:
    """A side-panel POST: validate, call the service, show the outcome, back to the thread."""
    require_perm(request.user, "inbox.change_thread")
    thread = _get_thread(request, pk)
    kwargs = {key: value(thread) for key, value in form_kwargs.items()}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        _form_errors_message(request, form)
        return _back(thread)
    try:
        with transaction.atomic():
            action(thread, request.user, form.cleaned_data)
    except PermissionDenied:
        raise
    except InboxError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return _back(thread)


@login_required
@require_POST
def thread_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _side_action(
        request,
        pk,
        AssignForm,
        lambda t, u, d: services.assign(t, u, d.get("assignee")),
        _("The assignee was saved."),
        unit=lambda t: t.unit,
    )


@login_required
@require_POST
def thread_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _side_action(
        request,
        pk,
        StatusForm,
        lambda t, u, d: services.set_status(t, u, d["status"]),
        _("The status was saved."),
    )


@login_required
@require_POST
def thread_priority(request: HttpRequest, pk: int) -> HttpResponse:
    return _side_action(
        request,
        pk,
        PriorityForm,
        lambda t, u, d: services.set_priority(t, u, d["priority"]),
        _("The priority was saved."),
    )


@login_required
@require_POST
def thread_tags(request: HttpRequest, pk: int) -> HttpResponse:
    return _side_action(
        request,
        pk,
        TagsForm,
        lambda t, u, d: services.set_tags(t, u, d["tags"]),
        _("The topics were saved."),
    )


@login_required
@require_POST
def thread_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.change_thread")
    thread = _get_thread(request, pk)
    form = TransferForm(request.POST, unit=thread.unit)
    if not form.is_valid():
        _form_errors_message(request, form)
        return _back(thread)
    target = form.cleaned_data["target"]
    try:
        with transaction.atomic():
            services.transfer(thread, request.user, target, form.cleaned_data.get("note", ""))
    except PermissionDenied:
        raise
    except InboxError as exc:
        _refused(request, exc)
        return _back(thread)
    messages.success(request, _("The thread was transferred to %(unit)s.") % {"unit": target.name})
    # The user may not see the receiving unit (a kab/kota escalating to its province).
    if can_see_unit(request.user, target.pk):
        return _back(thread)
    return redirect("inbox:list")


def _link_hoax(thread: Thread, user: Any, data: dict[str, Any]) -> None:
    case = data.get("case")
    if data.get("new_title"):
        if not user.has_perm("inbox.add_hoaxcase"):
            raise InboxError(_("You may not open hoax cases."))
        case = services.create_hoax_case(
            thread.unit,
            user,
            title=data["new_title"],
            claim=data.get("new_claim") or thread.snippet or data["new_title"],
            category=data.get("new_category") or "",
        )
    services.link_hoax(thread, user, case=case, clarification=data.get("clarification"))


@login_required
@require_POST
def thread_hoax(request: HttpRequest, pk: int) -> HttpResponse:
    return _side_action(
        request,
        pk,
        HoaxLinkForm,
        _link_hoax,
        _("The hoax links were saved."),
        unit=lambda t: t.unit,
    )


@login_required
@require_GET
def canned_render(request: HttpRequest, pk: int, canned_pk: int) -> HttpResponse:
    """The reply textarea filled with a canned reply rendered for this thread (htmx)."""
    require_perm(request.user, "inbox.view_thread")
    thread = _get_thread(request, pk)
    canned = _canned_replies(thread).filter(pk=canned_pk).first()
    if canned is None:
        raise Http404
    text = services.render_canned(canned, thread, request.user)
    form = ReplyForm(initial={"body": text})
    return render(request, "inbox/_reply_body.html", {"field": form["body"]})


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An attachment of a thread the user may see (another unit's: 404)."""
    require_perm(request.user, "inbox.view_thread")
    visible = Thread.objects.for_user(request.user).values("pk")
    found = (
        Attachment.objects.filter(pk=pk, message__thread_id__in=visible)
        .select_related("message")
        .first()
    )
    if found is None or not found.file:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    inline = found.content_type in INLINE_TYPES and request.GET.get("download") != "1"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=found.name or "attachment",
        content_type=found.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- canned replies -----------------------------------------------------------------------


def _manageable_units(user: Any) -> Any:
    return WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")


@login_required
@require_GET
def canned_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "inbox.view_cannedreply")
    qs = (
        CannedReply.objects.for_user(request.user)
        .select_related("unit")
        .order_by("unit__code", "title", "id")
    )
    paginator = CappedPaginator(qs, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "inbox/canned_list.html",
        {
            "page_obj": page,
            "replies": page.object_list,
            "can_manage": request.user.has_perm("inbox.manage_inbox"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def canned_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "inbox.manage_inbox")
    own = user_unit(request.user)
    form = CannedReplyForm(
        request.POST or None,
        units=_manageable_units(request.user),
        initial={"unit": own.pk if own else None},
    )
    if request.method == "POST" and form.is_valid():
        reply = form.save()
        messages.success(request, _("Canned reply “%(title)s” saved.") % {"title": reply.title})
        return redirect("inbox:canned_list")
    return render(
        request, "inbox/canned_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.manage_inbox")
    reply = get_scoped_or_404(CannedReply.objects.select_related("unit"), request.user, pk=pk)
    form = CannedReplyForm(
        request.POST or None, instance=reply, units=_manageable_units(request.user)
    )
    if request.method == "POST" and form.is_valid():
        reply = form.save()
        messages.success(request, _("Canned reply “%(title)s” saved.") % {"title": reply.title})
        return redirect("inbox:canned_list")
    return render(
        request,
        "inbox/canned_form.html",
        {"form": form, "reply": reply},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def canned_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.manage_inbox")
    reply = get_scoped_or_404(CannedReply.objects.all(), request.user, pk=pk)
    title = reply.title
    reply.delete()
    messages.success(request, _("Canned reply “%(title)s” deleted.") % {"title": title})
    return redirect("inbox:canned_list")


# --- inbox settings -----------------------------------------------------------------------


def _settings_unit(request: HttpRequest) -> WorkUnit:
    raw = request.GET.get("unit", "") or request.POST.get("unit", "")
    if raw.isdigit():
        return get_scoped_or_404(WorkUnit.objects.all(), request.user, pk=int(raw))
    own = user_unit(request.user)
    if own is None:
        raise Http404
    return own


def _settings_row(unit: WorkUnit) -> InboxSettings:
    return InboxSettings.objects.filter(unit_id=unit.pk).first() or InboxSettings(unit=unit)


def _settings_context(
    request: HttpRequest, unit: WorkUnit, row: InboxSettings, form: InboxSettingsForm
) -> dict[str, Any]:
    from bakohumas.dissemination.models import ChannelAccount, ChannelKind

    accounts = []
    for account in ChannelAccount.objects.filter(
        unit_id=unit.pk, kind__in=[ChannelKind.TELEGRAM, ChannelKind.WHATSAPP]
    ).order_by("kind", "name"):
        if account.kind == ChannelKind.TELEGRAM:
            path = reverse("inbox_hooks:telegram", args=[account.pk])
        else:
            path = reverse("dissemination_public:hook_whatsapp", args=[account.pk])
        accounts.append({"account": account, "url": request.build_absolute_uri(path)})
    visible = visible_unit_ids(request.user)
    return {
        "unit": unit,
        "form": form,
        "row": row,
        "units": list(_manageable_units(request.user).only("id", "code", "name"))
        if visible is None or len(visible) > 1
        else [],
        "webhook_url": request.build_absolute_uri(reverse("inbox_hooks:email", args=[unit.code])),
        "webhook_hint": webhook_secret_hint(row),
        "accounts": accounts,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def inbox_settings(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "inbox.manage_inbox")
    unit = _settings_unit(request)
    row = _settings_row(unit)
    form = InboxSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The inbox settings were saved."))
        return redirect(reverse("inbox:settings") + f"?unit={unit.pk}")
    return render(
        request,
        "inbox/settings.html",
        _settings_context(request, unit, row, form),
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_POST
def inbox_settings_secret(request: HttpRequest) -> HttpResponse:
    """Generate a new inbound-email webhook secret and show it once."""
    require_perm(request.user, "inbox.manage_inbox")
    unit = _settings_unit(request)
    with transaction.atomic():
        row = _settings_row(unit)
        secret = new_webhook_secret(row)
    context = _settings_context(request, unit, row, InboxSettingsForm(instance=row))
    context["new_secret"] = secret
    response = render(request, "inbox/settings.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- hoax cases ---------------------------------------------------------------------------


@login_required
@require_GET
def hoax_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "inbox.view_hoaxcase")
    form = HoaxFilterForm(request.GET)
    qs = HoaxCase.objects.for_user(request.user)
    status = form.value("status")
    if status:
        qs = qs.filter(status=status)
    q = (form.value("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(claim__icontains=q))
    qs = (
        qs.select_related("unit", "clarification")
        .annotate(report_count=Count("reports"))
        .order_by("-created_at", "-id")
    )
    paginator = CappedPaginator(qs, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "inbox/hoax_list.html",
        {"filter_form": form, "page_obj": page, "cases": page.object_list},
    )


@login_required
@require_http_methods(["GET", "POST"])
def hoax_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "inbox.add_hoaxcase")
    own = user_unit(request.user)
    form = HoaxCaseCreateForm(
        request.POST or None,
        units=_manageable_units(request.user),
        initial={"unit": own.pk if own else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                case = services.create_hoax_case(
                    data["unit"],
                    request.user,
                    title=data["title"],
                    claim=data["claim"],
                    category=data.get("category") or "",
                )
        except PermissionDenied:
            raise
        except InboxError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Hoax case “%(title)s” opened.") % {"title": case.title})
            return redirect("inbox:hoax_detail", pk=case.pk)
    return render(
        request, "inbox/hoax_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _get_case(request: HttpRequest, pk: int) -> HoaxCase:
    return get_scoped_or_404(
        HoaxCase.objects.select_related("unit", "clarification", "created_by"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def hoax_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.view_hoaxcase")
    case = _get_case(request, pk)
    reports = list(
        Thread.objects.for_user(request.user)
        .filter(hoax_case=case)
        .select_related("unit")
        .order_by("-last_message_at", "-id")[:REPORTS_LIMIT]
    )
    can_change = request.user.has_perm("inbox.change_hoaxcase")
    context: dict[str, Any] = {
        "case": case,
        "reports": reports,
        "can_change": can_change,
        "can_delete": request.user.has_perm("inbox.manage_inbox"),
    }
    if can_change:
        context["update_form"] = HoaxCaseUpdateForm(
            initial={"status": case.status, "category": case.category}
        )
        context["clarification_form"] = HoaxClarificationForm(
            initial={"clarification": case.clarification_id}, unit=case.unit
        )
    return render(request, "inbox/hoax_detail.html", context)


@login_required
@require_POST
def hoax_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.change_hoaxcase")
    case = _get_case(request, pk)
    form = HoaxCaseUpdateForm(request.POST)
    if form.is_valid():
        form.save(case)
        messages.success(request, _("The hoax case was saved."))
    else:
        _form_errors_message(request, form)
    return redirect("inbox:hoax_detail", pk=case.pk)


@login_required
@require_POST
def hoax_clarification(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.change_hoaxcase")
    case = _get_case(request, pk)
    form = HoaxClarificationForm(request.POST, unit=case.unit)
    if form.is_valid():
        case.clarification = form.cleaned_data.get("clarification")
        case.save(update_fields=["clarification", "updated_at"])
        messages.success(request, _("The clarification was saved."))
    else:
        _form_errors_message(request, form)
    return redirect("inbox:hoax_detail", pk=case.pk)


@login_required
@require_POST
def hoax_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "inbox.manage_inbox")
    case = _get_case(request, pk)
    title = case.title
    case.delete()  # the reports stay, unlinked
    messages.success(request, _("Hoax case “%(title)s” deleted.") % {"title": title})
    return redirect("inbox:hoax_list")
