"""Staff views of content items (``/app/content/``).

Thin: reads through scoped querysets, writes through ``content.services``; another
unit's item is a 404, a missing role a 403, a refused transition a clear message.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bakohumas.content import services
from bakohumas.content.channels import check_variant
from bakohumas.content.forms import (
    CommentForm,
    ContentFilterForm,
    ContentItemForm,
    ScheduleForm,
    WithdrawForm,
)
from bakohumas.content.models import (
    Channel,
    ContentForm,
    ContentItem,
    ContentMedia,
    ContentVersion,
    Status,
    Transition,
)
from bakohumas.core.audit import history_entries
from bakohumas.core.listing import paginate, sort_order
from bakohumas.core.scoping import get_profile, get_scoped_or_404, require_perm

SORTS = {
    "updated": ["updated_at", "id"],
    "title": ["title", "id"],
    "publish_at": ["publish_at", "id"],
    "status": ["status", "updated_at"],
}


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in msgs:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "content.view_contentitem")
    user = request.user
    filters = ContentFilterForm(request.GET or None, user=user)
    qs = ContentItem.objects.for_user(user).select_related("unit", "created_by")
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("form"):
            qs = qs.filter(form=data["form"])
        if data.get("topic"):
            qs = qs.filter(topic=data["topic"])
        if data.get("unit"):
            qs = qs.filter(unit=data["unit"])
        if data.get("mine"):
            qs = qs.filter(Q(created_by=user) | Q(authors=user)).distinct()
        if data.get("q"):
            qs = _search(qs, data["q"])
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        qs = services.awaiting_validation(user)
    sort_key, order = sort_order(request, SORTS, "-updated")
    page = paginate(request, qs.order_by(*order))
    return render(
        request,
        "content/item_list.html",
        {
            "page_obj": page,
            "filter_form": filters,
            "sort": sort_key,
            "waiting": waiting,
            "forms": ContentForm.choices,
        },
    )


def _search(qs: Any, query: str) -> Any:
    try:
        from bakohumas.portal.search import search_items
    except ImportError:  # pragma: no cover - the portal ships with the package
        return qs.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    return search_items(qs, query)


def _item(request: HttpRequest, pk: int) -> ContentItem:
    require_perm(request.user, "content.view_contentitem")
    return get_scoped_or_404(
        ContentItem.objects.select_related(
            "unit", "created_by", "approved_by", "election", "stage", "source__unit"
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponseBase:
    require_perm(request.user, "content.add_contentitem")
    profile = get_profile(request.user)
    if profile is None:
        raise PermissionDenied
    unit = profile.unit
    initial: dict[str, Any] = {"unit": unit.pk}
    if request.GET.get("form") in ContentForm.values:
        initial["form"] = request.GET["form"]
    if request.method == "POST":
        form = ContentItemForm(request.POST, user=request.user, unit=unit)
        if form.is_valid():
            target = form.cleaned_data["unit"] or unit
            try:
                item = services.create_item(
                    unit=target,
                    by=request.user,
                    fields=form.service_fields(),
                    variants=form.service_variants(),
                    media=form.cleaned_data["assets"],
                    tags=form.cleaned_data["tags"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Draft saved."))
                if "submit" in request.POST:
                    return _submit_after_save(request, item)
                return redirect("content:detail", item.pk)
    else:
        form = ContentItemForm(initial=initial, user=request.user, unit=unit)
    return render(request, "content/item_form.html", {"form": form, "item": None})


def _submit_after_save(request: HttpRequest, item: ContentItem) -> HttpResponse:
    try:
        services.submit(item, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Your role does not allow this."))
    else:
        messages.success(request, _("Submitted for validation."))
    return redirect("content:detail", item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = _item(request, pk)
    require_perm(request.user, "content.change_contentitem")
    if not services.can_edit(request.user, item):
        if item.status in {Status.PUBLISHED, Status.WITHDRAWN, Status.ARCHIVED}:
            messages.error(
                request,
                _("A %(status)s item cannot be edited. Withdraw it, or make a copy.")
                % {"status": item.get_status_display().lower()},
            )
            return redirect("content:detail", item.pk)
        raise PermissionDenied
    was_approved = item.status in {Status.APPROVED, Status.SCHEDULED}
    if request.method == "POST":
        form = ContentItemForm(request.POST, user=request.user, item=item)
        if form.is_valid():
            try:
                item = services.update_item(
                    item,
                    by=request.user,
                    fields=form.service_fields(),
                    variants=form.service_variants(),
                    media=form.cleaned_data["assets"],
                    tags=form.cleaned_data["tags"],
                    expected_version=form.cleaned_data.get("version"),
                    void_approval=bool(request.POST.get("void_approval")),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                if was_approved and item.status == Status.SUBMITTED:
                    messages.warning(
                        request,
                        _("Saved. The edit voided the approval: the item is back in review."),
                    )
                else:
                    messages.success(request, _("Saved."))
                if "submit" in request.POST and item.status in {Status.DRAFT, Status.RETURNED}:
                    return _submit_after_save(request, item)
                return redirect("content:detail", item.pk)
    else:
        form = ContentItemForm(
            initial=ContentItemForm.initial_for(item), user=request.user, item=item
        )
    approved = item.status in {Status.APPROVED, Status.SCHEDULED}
    return render(
        request, "content/item_form.html", {"form": form, "item": item, "approved": approved}
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    user = request.user
    variants = list(item.variants.all())
    checks = [
        (v, check_variant(v.channel, v.text, v.hashtags, v.link, title=item.title))
        for v in variants
    ]
    media_links = list(
        ContentMedia.objects.filter(item=item)
        .select_related("asset")
        .prefetch_related("asset__renditions")
        .order_by("position")
    )
    transitions = list(item.transitions.select_related("by").order_by("-at", "-id")[:100])
    versions = list(item.versions.select_related("created_by").order_by("-number")[:50])
    refusal = services.approval_refusal(user, item)
    editable_now = item.status in {Status.DRAFT, Status.RETURNED}
    context = {
        "item": item,
        "checks": checks,
        "media_links": media_links,
        "transitions": transitions,
        "versions": versions,
        "authors": list(item.authors.all()),
        "tags": list(item.tags.all()),
        "problems": services.submission_problems(item) if editable_now else [],
        "warnings": services.schedule_warnings(item.unit, item.publish_at)
        if item.publish_at and item.status not in {Status.PUBLISHED, Status.ARCHIVED}
        else [],
        "can_edit": services.can_edit(user, item),
        "can_submit": editable_now and services.can_edit(user, item),
        "can_validate": refusal is None,
        "validate_refusal": refusal
        if item.status == Status.SUBMITTED and user.has_perm("content.approve_contentitem")
        else None,
        "can_publish": user.has_perm("content.publish_contentitem"),
        "can_share": user.has_perm("content.share_contentitem")
        and item.unit.level != "regency_city",
        "can_delete": user.has_perm("content.delete_contentitem")
        and item.status in {Status.DRAFT, Status.RETURNED},
        "comment_form": CommentForm(initial={"version": item.version}),
        "schedule_form": ScheduleForm(
            initial={
                "publish_at": item.unit.localtime(item.publish_at).replace(tzinfo=None)
                if item.publish_at
                else None
            }
        ),
        "withdraw_form": WithdrawForm(),
        "history": history_entries(item, item.unit.zone, 30),
        "localisations": list(item.localisations.select_related("unit").order_by("unit__code")),
        "channels": Channel,
    }
    return render(request, "content/item_detail.html", context)


def _act(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    item = _item(request, pk)
    try:
        action(item)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("content:detail", item.pk)


@login_required
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _act(
        request,
        pk,
        lambda i: services.submit(i, by=request.user, comment=comment),
        _("Submitted for validation."),
    )


@login_required
@require_POST
def item_return(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _act(
        request,
        pk,
        lambda i: services.return_for_changes(i, by=request.user, comment=comment),
        _("Returned to the authors with your comments."),
    )


@login_required
@require_POST
def item_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = CommentForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "") if form.is_valid() else ""
    version = form.cleaned_data.get("version") if form.is_valid() else None
    reason = request.POST.get("reason", "")

    def approve(item: ContentItem) -> None:
        result = services.approve(
            item, by=request.user, comment=comment, expected_version=version, reason=reason
        )
        if result.status == Status.SCHEDULED and result.publish_at:
            messages.info(
                request,
                _("Scheduled for %(when)s %(zone)s.")
                % {
                    "when": result.unit.localtime(result.publish_at).strftime("%d-%m-%Y %H:%M"),
                    "zone": result.unit.zone_abbreviation,
                },
            )

    return _act(request, pk, approve, _("Approved."))


@login_required
@require_POST
def item_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    with timezone.override(item.unit.zone):
        form = ScheduleForm(request.POST)
        valid = form.is_valid()
    if not valid:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("content:detail", item.pk)
    return _act(
        request,
        pk,
        lambda i: services.schedule(
            i,
            by=request.user,
            publish_at=form.cleaned_data["publish_at"],
            reason=form.cleaned_data.get("reason", ""),
        ),
        _("Scheduled."),
    )


@login_required
@require_POST
def item_unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda i: services.unschedule(i, by=request.user),
        _("Schedule cancelled; the item stays approved."),
    )


@login_required
@require_POST
def item_publish(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda i: services.publish_now(i, by=request.user, reason=reason),
        _("Published."),
    )


@login_required
@require_POST
def item_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = request.POST.get("notice", "")
    return _act(
        request,
        pk,
        lambda i: services.withdraw(i, by=request.user, notice=notice),
        _("Withdrawn. The portal shows the correction notice."),
    )


@login_required
@require_POST
def item_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda i: services.archive(i, by=request.user), _("Archived."))


@login_required
@require_POST
def item_share(request: HttpRequest, pk: int) -> HttpResponse:
    shared = request.POST.get("shared") == "1"
    return _act(
        request,
        pk,
        lambda i: services.share_down(i, by=request.user, shared=shared),
        _("Shared with the units below as a template.")
        if shared
        else _("No longer shared as a template."),
    )


@login_required
@require_POST
def item_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        copy = services.duplicate(item, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("content:detail", item.pk)
    messages.success(request, _("Copied into a new draft."))
    return redirect("content:detail", copy.pk)


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        services.delete_draft(item, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("content:detail", item.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("content:list")


@login_required
def version_diff(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    item = _item(request, pk)
    version = get_object_or_404(ContentVersion, item=item, number=number)
    previous = (
        ContentVersion.objects.filter(item=item, number__lt=number).order_by("-number").first()
    )
    rows = _diff_rows(previous.snapshot if previous else {}, version.snapshot)
    return render(
        request,
        "content/version_diff.html",
        {"item": item, "version": version, "previous": previous, "rows": rows},
    )


def _flatten(snapshot: dict[str, Any]) -> dict[str, str]:
    from bakohumas.content.sanitize import html_to_text

    out: dict[str, str] = {}
    for name, value in (snapshot.get("fields") or {}).items():
        text = "" if value is None else str(value)
        out[name] = html_to_text(text) if name == "body" else text
    out["tags"] = ", ".join(snapshot.get("tags") or [])
    out["media"] = "\n".join(
        f"#{m['id']} {m.get('title') or ''} · alt: {m.get('alt_text') or '—'}"
        for m in snapshot.get("media") or []
    )
    for variant in snapshot.get("variants") or []:
        out[f"variant:{variant['channel']}"] = "\n".join(
            p for p in (variant.get("text"), variant.get("hashtags"), variant.get("link")) if p
        )
    return out


def _diff_rows(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    before, after = _flatten(old), _flatten(new)
    rows = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, ""), after.get(key, "")
        if a == b:
            continue
        lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=2))[2:]
        rows.append(
            {
                "field": key,
                "lines": [
                    {
                        "kind": "add"
                        if ln.startswith("+")
                        else "del"
                        if ln.startswith("-")
                        else "ctx",
                        "text": ln,
                    }
                    for ln in lines
                ],
            }
        )
    return rows


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "content.view_contentitem")
    profile = get_profile(request.user)
    if profile is None:
        raise PermissionDenied
    qs = (
        services.templates_for(profile.unit)
        .order_by("-updated_at")
        .prefetch_related(
            Prefetch(
                "localisations",
                queryset=ContentItem.objects.filter(unit=profile.unit).only(
                    "id", "source_id", "title", "status"
                ),
                to_attr="mine",
            )
        )
    )
    page = paginate(request, qs)
    return render(request, "content/template_list.html", {"page_obj": page, "unit": profile.unit})


@login_required
@require_POST
def template_localise(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.add_contentitem")
    profile = get_profile(request.user)
    if profile is None:
        raise PermissionDenied
    template = services.templates_for(profile.unit).filter(pk=pk).first()
    if template is None:
        from django.http import Http404

        raise Http404
    try:
        item = services.localise(template, unit=profile.unit, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("content:templates")
    messages.success(request, _("A draft for your unit was made from the template."))
    return redirect("content:edit", item.pk)


@login_required
@require_POST
def variant_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the count and preview of one channel variant while typing."""
    channel = request.POST.get("channel", "")
    if channel not in Channel.values:
        return HttpResponse(_("Unknown channel."), status=400)
    prefix = f"variant_{channel}_"
    check = check_variant(
        channel,
        request.POST.get(prefix + "text", "")[:70000],
        request.POST.get(prefix + "hashtags", "")[:600],
        request.POST.get(prefix + "link", "")[:600],
        title=request.POST.get("title", "")[:300],
    )
    return render(
        request, "content/_variant_check.html", {"check": check, "channel": Channel(channel)}
    )


__all__ = ["Transition"]
