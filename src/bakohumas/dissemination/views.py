"""Staff pages of dissemination (``/app/dissemination/``).

Thin: reads go through the scoped querysets (another unit's object is a 404), writes
through ``engine`` (plan, pause/resume/cancel/retry, evidence, metrics); a missing role is
a 403, a refused change a clear message with nothing written. Times are shown in the time
zone of the publication's (or the page's) work unit.

Lists stay cheap: publications and mailing lists paginate with a count (they are small);
deliveries (100,000 rows in one campaign) page by key (``?after=`` / ``?before=`` an id)
and never count the whole table.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bakohumas.content.channels import check_variant
from bakohumas.content.models import ContentItem
from bakohumas.core.forms import add_service_errors
from bakohumas.core.listing import paginate
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, require_perm, user_unit
from bakohumas.dissemination import engine, subscriptions
from bakohumas.dissemination.adapters.base import AdapterError, ReconnectRequired, adapter_class
from bakohumas.dissemination.forms import (
    AccountForm,
    CalendarFilterForm,
    DeliveryFilterForm,
    EvidenceForm,
    MailingListForm,
    MetricsForm,
    PlanForm,
    PublicationFilterForm,
    SubscriberAddForm,
    SubscriberFilterForm,
)
from bakohumas.dissemination.models import (
    ACCOUNT_KINDS,
    AUDIENCE_KINDS,
    HAND_POSTABLE_KINDS,
    MANUAL_KINDS,
    OPEN_PUBLICATION_STATUSES,
    AccountStatus,
    ChannelAccount,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    Evidence,
    MailingList,
    Metric,
    Notification,
    Publication,
    PublicationStatus,
    Subscriber,
    SubscriberStatus,
    Suppression,
)
from bakohumas.dissemination.package import build_package, zip_stream

DELIVERY_PAGE = 50
MAX_RETRY_IDS = 500
CALENDAR_MAX = 2000
OPEN_PROBLEMS_CHECKED = 10
# The manual channel suggested when an API channel has no connected account.
MANUAL_FALLBACK: dict[str, str] = {
    ChannelKind.WHATSAPP: ChannelKind.WHATSAPP_GROUP,
    ChannelKind.TELEGRAM: ChannelKind.ONLINE_MEDIA,
    ChannelKind.FACEBOOK: ChannelKind.ONLINE_MEDIA,
    ChannelKind.INSTAGRAM: ChannelKind.ONLINE_MEDIA,
    ChannelKind.X: ChannelKind.ONLINE_MEDIA,
    ChannelKind.YOUTUBE: ChannelKind.ONLINE_MEDIA,
    ChannelKind.TIKTOK: ChannelKind.ONLINE_MEDIA,
    ChannelKind.WEBHOOK: ChannelKind.ONLINE_MEDIA,
}
# engine.plan's field names → the plan form's.
PLAN_FIELDS = {
    "kind": "kind",
    "account_id": "account",
    "mailing_list_id": "mailing_list",
    "group_id": "group",
    "responsible_id": "responsible",
    "segment": "tags",
    "target": "target",
}
ENDED_DELIVERY = [
    s for s in DeliveryStatus.values if s not in {DeliveryStatus.PENDING, DeliveryStatus.SENDING}
]


# --- helpers ---------------------------------------------------------------------------------


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return fallback


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _publications() -> Any:
    return Publication.objects.select_related(
        "item",
        "item__unit",
        "unit",
        "account",
        "mailing_list",
        "group",
        "responsible",
        "created_by",
    )


def _publication(request: HttpRequest, pk: int) -> Publication:
    require_perm(request.user, "dissemination.view_publication")
    return get_scoped_or_404(_publications(), request.user, pk=pk)


@dataclass
class Progress:
    """How far a publication got: rows ended of all rows, by outcome."""

    publication: Publication
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) if self.counts else self.publication.total

    @property
    def open(self) -> int:
        return self.counts.get(DeliveryStatus.PENDING, 0) + self.counts.get(
            DeliveryStatus.SENDING, 0
        )

    @property
    def ended(self) -> int:
        return self.total - self.open

    @property
    def sent(self) -> int:
        return sum(
            self.counts.get(s, 0)
            for s in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)
        )

    @property
    def failed(self) -> int:
        return self.counts.get(DeliveryStatus.FAILED, 0) + self.counts.get(
            DeliveryStatus.BOUNCED, 0
        )

    @property
    def skipped(self) -> int:
        return self.counts.get(DeliveryStatus.SKIPPED, 0)

    @property
    def percent(self) -> int:
        if self.total:
            return int(self.ended * 100 / self.total)
        return 100 if self.publication.status not in OPEN_PUBLICATION_STATUSES else 0

    @property
    def live(self) -> bool:
        """Whether the page should keep polling."""
        status = self.publication.status
        if status == PublicationStatus.SENDING:
            return True
        return (
            status == PublicationStatus.PLANNED
            and self.publication.scheduled_at <= timezone.now() + dt.timedelta(minutes=1)
        )


def _progress_for(publications: list[Publication]) -> dict[int, Progress]:
    """Progress of each campaign or post among ``publications``, in one grouped query over
    the (publication, status) index."""
    ids = [p.pk for p in publications if not p.is_manual and p.kind != "website"]
    grouped: dict[int, dict[str, int]] = defaultdict(dict)
    if ids:
        rows = (
            Delivery.objects.filter(publication_id__in=ids)
            .order_by()
            .values_list("publication_id", "status")
            .annotate(n=Count("pk"))
        )
        for publication_id, status, n in rows:
            grouped[publication_id][status] = n
    return {p.pk: Progress(p, dict(grouped.get(p.pk, {}))) for p in publications}


# --- the plan of an item -------------------------------------------------------------------


def _plan_refusal(item: ContentItem) -> str:
    if item.status not in engine.PLANNABLE_ITEM_STATUSES:
        return _(
            "Only approved content can be disseminated. This item is %(status)s: it must be "
            "submitted and approved by a validator first."
        ) % {"status": item.get_status_display().lower()}
    if not item.approval_valid:
        return _("The content changed after approval; it must be validated again first.")
    return ""


def _connected(accounts: list[ChannelAccount]) -> dict[str, list[ChannelAccount]]:
    by_kind: dict[str, list[ChannelAccount]] = defaultdict(list)
    for account in accounts:
        if account.status == AccountStatus.CONNECTED:
            by_kind[account.kind].append(account)
    return by_kind


@login_required
@require_http_methods(["GET", "POST"])
def plan_view(request: HttpRequest, item_pk: int) -> HttpResponseBase:
    user = request.user
    require_perm(user, "dissemination.view_publication")
    item = get_scoped_or_404(
        ContentItem.objects.select_related("unit", "approved_by"), user, pk=item_pk
    )
    unit = item.unit
    can_plan = user.has_perm("dissemination.add_publication")
    refusal = _plan_refusal(item)
    accounts = list(ChannelAccount.objects.filter(unit=unit).order_by("kind", "name"))
    connected = _connected(accounts)
    status_code = 200
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        with timezone.override(unit.zone):
            form = PlanForm(request.POST, unit=unit)
            valid = form.is_valid()
        if valid and refusal:
            form.add_error(None, refusal)
            valid = False
        kind = form.cleaned_data.get("kind") if valid else None
        by_hand = valid and form.cleaned_data.get("manual") and kind in HAND_POSTABLE_KINDS
        if valid and not by_hand and kind in ACCOUNT_KINDS and not connected.get(str(kind)):
            form.add_error(
                "kind",
                _(
                    "%(channel)s is not connected for this unit. Connect an account, or share "
                    "it by hand with the manual package (%(manual)s)."
                )
                % {
                    "channel": ChannelKind(kind).label,
                    "manual": ChannelKind(MANUAL_FALLBACK[str(kind)]).label
                    if kind not in HAND_POSTABLE_KINDS
                    else _("post it by hand"),
                },
            )
            valid = False
        if valid:
            try:
                publication = engine.plan(item, form.plan_input(), by=user)
            except ValidationError as exc:
                _plan_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Added to the plan: %(channel)s, %(when)s %(zone)s.")
                    % {
                        "channel": publication.get_kind_display(),
                        "when": unit.localtime(publication.scheduled_at).strftime("%d-%m-%Y %H:%M"),
                        "zone": unit.zone_abbreviation,
                    },
                )
                return redirect("dissemination:plan", item.pk)
        status_code = 400
    else:
        initial: dict[str, Any] = {"wa_language": "id"}
        if request.GET.get("kind") in ChannelKind.values:
            initial["kind"] = request.GET["kind"]
        if request.GET.get("target"):
            initial["target"] = request.GET["target"][:300]
        if request.GET.get("manual") == "1":
            initial["manual"] = True
        if user.pk and user_unit(user) == unit:
            initial["responsible"] = user.pk
        form = PlanForm(initial=initial, unit=unit)
    form.fields["kind"].choices = [  # type: ignore[attr-defined]
        (
            value,
            _("%(channel)s (not connected)") % {"channel": label}
            if value in ACCOUNT_KINDS and not connected.get(value)
            else label,
        )
        for value, label in ChannelKind.choices
    ]
    publications = list(
        item.publications.select_related(
            "account", "mailing_list", "group", "responsible", "unit"
        ).order_by("scheduled_at", "id")
    )
    progress = _progress_for(publications)
    problems: dict[int, list[str]] = {}
    for publication in [p for p in publications if p.status in OPEN_PUBLICATION_STATUSES][
        :OPEN_PROBLEMS_CHECKED
    ]:
        publication.item = item
        found = engine.problems_of(publication)
        if found:
            problems[publication.pk] = found
    variants = list(item.variants.all())
    checks = [
        (v, check_variant(v.channel, v.text, v.hashtags, v.link, title=item.title))
        for v in variants
    ]
    channels = []
    for kind in ChannelKind:
        entry: dict[str, Any] = {
            "kind": kind,
            "manual": kind in MANUAL_KINDS,
            "needs_account": kind in ACCOUNT_KINDS,
            "campaign": kind in AUDIENCE_KINDS,
            "accounts": [a for a in accounts if a.kind == kind],
            "connected": bool(connected.get(kind)) or kind not in ACCOUNT_KINDS,
        }
        if kind in ACCOUNT_KINDS and not entry["connected"]:
            if kind in HAND_POSTABLE_KINDS:
                entry["fallback"] = kind
                entry["fallback_query"] = urlencode({"kind": kind.value, "manual": "1"})
            else:
                fallback = ChannelKind(MANUAL_FALLBACK[kind])
                entry["fallback"] = fallback
                entry["fallback_query"] = urlencode(
                    {"kind": fallback.value, "target": str(kind.label)}
                )
        channels.append(entry)
    rows = [
        {"publication": p, "progress": progress[p.pk], "problems": problems.get(p.pk, [])}
        for p in publications
    ]
    return render(
        request,
        "dissemination/plan.html",
        {
            "item": item,
            "unit": unit,
            "rows": rows,
            "form": form,
            "can_plan": can_plan,
            "refusal": refusal,
            "checks": checks,
            "channels": channels,
            "reconnect": [a for a in accounts if a.status == AccountStatus.RECONNECT],
            "can_change_accounts": user.has_perm("dissemination.change_channelaccount"),
        },
        status=status_code,
    )


def _plan_errors(form: PlanForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = PLAN_FIELDS.get(name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- publications --------------------------------------------------------------------------


@login_required
@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "dissemination.view_publication")
    filters = PublicationFilterForm(request.GET or None, user=user)
    qs = Publication.objects.for_user(user).select_related(
        "item", "unit", "account", "mailing_list", "group", "responsible"
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("unit"):
            qs = qs.filter(unit=data["unit"])
        own = user_unit(user)
        zone = own.zone if own is not None else timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(
                scheduled_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=zone)
            )
        if data.get("date_to"):
            qs = qs.filter(
                scheduled_at__lt=dt.datetime.combine(
                    data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone
                )
            )
        if data.get("q"):
            qs = qs.filter(item__title__icontains=data["q"])
    page = paginate(request, qs.order_by("-scheduled_at", "-id"))
    publications = list(page.object_list)
    live = [
        p for p in publications if p.status in {PublicationStatus.SENDING, PublicationStatus.PAUSED}
    ]
    progress = _progress_for(live)
    rows = [{"publication": p, "progress": progress.get(p.pk)} for p in publications]
    return render(
        request,
        "dissemination/publication_list.html",
        {"page_obj": page, "rows": rows, "filter_form": filters},
    )


def _actions_for(user: Any, publication: Publication, progress: Progress) -> list[tuple[str, str]]:
    if not user.has_perm("dissemination.change_publication"):
        return []
    status = publication.status
    actions: list[tuple[str, str]] = []
    if status in {PublicationStatus.PLANNED, PublicationStatus.SENDING}:
        actions.append(("pause", _("Pause")))
    if status == PublicationStatus.PAUSED:
        actions.append(("resume", _("Resume")))
    if status in OPEN_PUBLICATION_STATUSES | {PublicationStatus.AWAITING_EVIDENCE}:
        actions.append(("cancel", _("Cancel")))
    if (
        progress.counts.get(DeliveryStatus.FAILED)
        and status not in {PublicationStatus.CANCELLED, PublicationStatus.PLANNED}
        and not publication.is_manual
    ):
        actions.append(("retry", _("Retry failed")))
    return actions


@login_required
@require_GET
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    user = request.user
    progress = Progress(publication, engine.counts(publication))
    metric = Metric.objects.filter(publication=publication).first()
    evidence = list(publication.evidence.select_related("recorded_by").order_by("-recorded_at"))
    metrics_form = MetricsForm(
        initial={
            "reach": metric.reach,
            "impressions": metric.impressions,
            "engagement": metric.engagement,
            "clicks": metric.clicks,
        }
        if metric
        else None
    )
    return render(
        request,
        "dissemination/publication_detail.html",
        {
            "publication": publication,
            "item": publication.item,
            "unit": publication.unit,
            "progress": progress,
            "counts": [(DeliveryStatus(s).label, s, n) for s, n in progress.counts.items() if n],
            "metric": metric,
            "evidence": evidence,
            "metrics_form": metrics_form,
            "actions": _actions_for(user, publication, progress),
            "can_change": user.has_perm("dissemination.change_publication"),
            "problems": engine.problems_of(publication)
            if publication.status in {PublicationStatus.PLANNED, PublicationStatus.PAUSED}
            else [],
        },
    )


@login_required
@require_GET
def publication_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the progress panel, polled every 2 s while the publication is sending."""
    publication = _publication(request, pk)
    progress = Progress(publication, engine.counts(publication))
    return render(
        request,
        "dissemination/_progress.html",
        {"publication": publication, "progress": progress},
    )


@login_required
@require_POST
def publication_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in {"pause", "resume", "cancel", "retry"}:
        raise Http404
    require_perm(request.user, "dissemination.change_publication")
    publication = _publication(request, pk)
    fallback = reverse("dissemination:publication", args=[publication.pk])
    try:
        if action == "retry":
            n = engine.retry_failed(publication, by=request.user)
            if n:
                messages.success(
                    request, _("%(n)s failed deliveries will be sent again.") % {"n": n}
                )
            else:
                messages.info(request, _("There were no failed deliveries to retry."))
        else:
            function = {"pause": engine.pause, "resume": engine.resume, "cancel": engine.cancel}[
                action
            ]
            function(publication, by=request.user)
            messages.success(
                request,
                {"pause": _("Paused."), "resume": _("Resumed."), "cancel": _("Cancelled.")}[action],
            )
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect(_safe_next(request, fallback))


@login_required
@require_POST
def metrics_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "dissemination.change_publication")
    publication = _publication(request, pk)
    form = MetricsForm(request.POST)
    if form.is_valid():
        try:
            engine.record_metrics(publication, by=request.user, **form.figures())
        except ValidationError as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Figures saved."))
    else:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect("dissemination:publication", publication.pk)


# --- the manual package --------------------------------------------------------------------


def _package_page(
    request: HttpRequest, publication: Publication, form: EvidenceForm, status: int = 200
) -> HttpResponse:
    package = build_package(publication)
    evidence = list(publication.evidence.select_related("recorded_by").order_by("-recorded_at"))
    return render(
        request,
        "dissemination/package.html",
        {
            "publication": publication,
            "item": publication.item,
            "unit": publication.unit,
            "package": package,
            "form": form,
            "evidence": evidence,
            "can_record": request.user.has_perm("dissemination.add_evidence")
            and request.user.has_perm("dissemination.change_publication")
            and publication.is_manual
            and publication.status in {PublicationStatus.AWAITING_EVIDENCE, PublicationStatus.DONE},
        },
        status=status,
    )


@login_required
@require_GET
def package_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The task page of the responsible person: the package to share, then the evidence."""
    publication = _publication(request, pk)
    return _package_page(request, publication, EvidenceForm())


@login_required
@require_GET
def package_zip(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    publication = _publication(request, pk)
    package = build_package(publication)
    response = StreamingHttpResponse(zip_stream(package), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.filename}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    if request.method == "GET":
        return redirect("dissemination:package", publication.pk)
    require_perm(request.user, "dissemination.add_evidence")
    require_perm(request.user, "dissemination.change_publication")
    with timezone.override(publication.unit.zone):
        form = EvidenceForm(request.POST, request.FILES)
        valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            engine.record_evidence(
                publication,
                by=request.user,
                url=data.get("url") or "",
                file=data.get("file"),
                broadcast_at=data.get("broadcast_at"),
                audience=data.get("audience"),
                note=data.get("note") or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Evidence recorded. The publication counts as published."))
            return redirect("dissemination:package", publication.pk)
    return _package_page(request, publication, form, status=400)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """An evidence file, only to staff who may see the publication."""
    publication = _publication(request, pk)
    evidence = Evidence.objects.filter(publication=publication, pk=evidence_pk).first()
    if evidence is None or not evidence.file:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"), filename=evidence.file.name.rsplit("/", 1)[-1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- deliveries ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def delivery_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "dissemination.view_delivery")
    if request.method == "POST":
        return _retry_selected(request)
    filters = DeliveryFilterForm(request.GET or None)
    qs = Delivery.objects.for_user(user).select_related(
        "publication", "publication__item", "publication__unit"
    )
    publication: Publication | None = None
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("publication"):
            publication = get_scoped_or_404(_publications(), user, pk=data["publication"])
            qs = qs.filter(publication=publication)
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("q"):
            qs = qs.filter(
                Q(recipient__icontains=data["q"]) | Q(recipient_name__icontains=data["q"])
            )
    after = _int(request.GET.get("after"))
    before = _int(request.GET.get("before"))
    if before is not None:
        rows = list(qs.filter(pk__gt=before).order_by("pk")[: DELIVERY_PAGE + 1])
        has_newer = len(rows) > DELIVERY_PAGE
        rows = rows[:DELIVERY_PAGE][::-1]
        has_older = True
    else:
        if after is not None:
            qs = qs.filter(pk__lt=after)
        rows = list(qs.order_by("-pk")[: DELIVERY_PAGE + 1])
        has_older = len(rows) > DELIVERY_PAGE
        rows = rows[:DELIVERY_PAGE]
        has_newer = after is not None
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    base = query.urlencode()
    counts = engine.counts(publication) if publication is not None else None
    return render(
        request,
        "dissemination/delivery_list.html",
        {
            "filter_form": filters,
            "rows": rows,
            "publication": publication,
            "counts": [(DeliveryStatus(s).label, s, n) for s, n in counts.items() if n]
            if counts
            else [],
            "older_url": f"?{base}&after={rows[-1].pk}" if has_older and rows else "",
            "newer_url": f"?{base}&before={rows[0].pk}" if has_newer and rows else "",
            "first_url": f"?{base}" if has_newer else "",
            "can_retry": user.has_perm("dissemination.change_publication"),
            "page_size": DELIVERY_PAGE,
        },
    )


def _retry_selected(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "dissemination.change_publication")
    back = _safe_next(request, reverse("dissemination:deliveries"))
    raw = request.POST.getlist("ids")
    ids = [n for n in (_int(v) for v in raw[: MAX_RETRY_IDS + 1]) if n is not None]
    if not ids or len(raw) > MAX_RETRY_IDS or len(ids) != len(raw):
        messages.error(
            request,
            _("Select between 1 and %(n)s failed deliveries to retry.") % {"n": MAX_RETRY_IDS},
        )
        return redirect(back)
    by_publication: dict[int, list[int]] = defaultdict(list)
    for publication_id, pk in (
        Delivery.objects.for_user(user).filter(pk__in=ids).values_list("publication_id", "pk")
    ):
        by_publication[publication_id].append(pk)
    if not by_publication:
        raise Http404
    total = 0
    for publication_id, chosen in by_publication.items():
        publication = get_scoped_or_404(_publications(), user, pk=publication_id)
        try:
            total += engine.retry_failed(publication, by=user, delivery_ids=chosen)
        except ValidationError as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
    if total:
        messages.success(request, _("%(n)s failed deliveries will be sent again.") % {"n": total})
    elif not messages.get_messages(request):
        messages.info(request, _("None of the selected deliveries had failed."))
    return redirect(back)


# --- channel accounts ------------------------------------------------------------------------


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "dissemination.view_channelaccount")
    qs = ChannelAccount.objects.for_user(user).select_related("unit")
    unit: WorkUnit | None = None
    raw_unit = request.GET.get("unit", "").strip()
    if raw_unit:
        unit = get_scoped_or_404(WorkUnit.objects.all(), user, pk=raw_unit)
        qs = qs.filter(unit=unit)
    page = paginate(request, qs.order_by("unit__code", "kind", "name"))
    return render(
        request,
        "dissemination/account_list.html",
        {
            "page_obj": page,
            "unit": unit,
            "units": list(WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code"))
            if not unit
            else [],
            "reconnect_count": ChannelAccount.objects.for_user(user)
            .filter(status=AccountStatus.RECONNECT)
            .count(),
            "can_add": user.has_perm("dissemination.add_channelaccount"),
            "can_change": user.has_perm("dissemination.change_channelaccount"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    account: ChannelAccount | None = None
    if pk is None:
        require_perm(user, "dissemination.add_channelaccount")
    else:
        require_perm(user, "dissemination.change_channelaccount")
        account = get_scoped_or_404(ChannelAccount.objects.select_related("unit"), user, pk=pk)
    if request.method == "POST":
        form = AccountForm(request.POST, user=user, account=account)
        if form.is_valid():
            try:
                saved, new_secrets = form.save(by=user)
            except IntegrityError:
                form.add_error("name", _("This unit already has an account of that name."))
            except ValidationError as exc:
                form.add_error(
                    "config_api_base" if "config_api_base" in form.fields else None,
                    exc.message_dict.get("api_base", exc.messages),
                )
            else:
                if new_secrets:
                    messages.success(
                        request,
                        _(
                            "Saved. The credentials are stored encrypted and will not be shown "
                            "again. Check the connection to be sure they work."
                        ),
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect(reverse("dissemination:accounts") + f"?unit={saved.unit_id}")
        status = 400
    else:
        initial: dict[str, Any] = {}
        if account is not None:
            initial = AccountForm.initial_for(account)
        else:
            own = user_unit(user)
            initial["unit"] = own.pk if own else None
            if request.GET.get("kind") in ACCOUNT_KINDS:
                initial["kind"] = request.GET["kind"]
        form = AccountForm(initial=initial, user=user, account=account)
        status = 200
    return render(
        request,
        "dissemination/account_form.html",
        {"form": form, "account": account},
        status=status,
    )


@login_required
@require_POST
def account_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the platform whether the saved credentials still work."""
    user = request.user
    require_perm(user, "dissemination.change_channelaccount")
    account = get_scoped_or_404(ChannelAccount.objects.select_related("unit"), user, pk=pk)
    back = _safe_next(request, reverse("dissemination:accounts") + f"?unit={account.unit_id}")
    cls = adapter_class(account.kind)
    if cls is None:
        messages.error(
            request, _("No adapter can check a %s account.") % account.get_kind_display()
        )
        return redirect(back)
    now = timezone.now()
    try:
        cls(account).check_credentials()
    except ReconnectRequired as exc:
        ChannelAccount.objects.filter(pk=account.pk).update(
            status=AccountStatus.RECONNECT, status_detail=exc.reason, checked_at=now
        )
        messages.error(
            request,
            _("Reconnect needed: %(name)s: %(reason)s")
            % {"name": account.name, "reason": exc.reason},
        )
    except AdapterError as exc:
        ChannelAccount.objects.filter(pk=account.pk).update(
            status_detail=exc.reason[:500], checked_at=now
        )
        messages.warning(
            request,
            _("The check could not be completed (%(reason)s). Try again later.")
            % {"reason": exc.reason},
        )
    else:
        update: dict[str, Any] = {"status_detail": "", "checked_at": now}
        if account.status != AccountStatus.DISABLED:
            update["status"] = AccountStatus.CONNECTED
        ChannelAccount.objects.filter(pk=account.pk).update(**update)
        messages.success(request, _("Connected: %(name)s works.") % {"name": account.name})
    return redirect(back)


# --- mailing lists -----------------------------------------------------------------------------


@login_required
@require_GET
def list_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "dissemination.view_mailinglist")
    qs = (
        MailingList.objects.for_user(user)
        .select_related("unit")
        .annotate(
            confirmed=Count(
                "subscribers", filter=Q(subscribers__status=SubscriberStatus.CONFIRMED)
            ),
            pending=Count("subscribers", filter=Q(subscribers__status=SubscriberStatus.PENDING)),
        )
        .order_by("unit__code", "name", "id")
    )
    page = paginate(request, qs)
    return render(
        request,
        "dissemination/list_list.html",
        {"page_obj": page, "can_add": user.has_perm("dissemination.add_mailinglist")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    instance: MailingList | None = None
    if pk is None:
        require_perm(user, "dissemination.add_mailinglist")
    else:
        require_perm(user, "dissemination.change_mailinglist")
        instance = get_scoped_or_404(MailingList.objects.select_related("unit"), user, pk=pk)
    status = 200
    if request.method == "POST":
        form = MailingListForm(request.POST, instance=instance, user=user)
        if form.is_valid():
            try:
                mailing_list = form.save()
            except IntegrityError:
                form.add_error("name", _("This unit already has a list of that name."))
            else:
                messages.success(request, _("Saved."))
                return redirect("dissemination:list", mailing_list.pk)
        status = 400
    else:
        own = user_unit(user)
        form = MailingListForm(
            instance=instance, user=user, initial={"unit": own.pk} if own and not instance else None
        )
    return render(
        request,
        "dissemination/list_form.html",
        {"form": form, "mailing_list": instance},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_perm(user, "dissemination.view_mailinglist")
    mailing_list = get_scoped_or_404(MailingList.objects.select_related("unit"), user, pk=pk)
    add_form = SubscriberAddForm()
    status = 200
    if request.method == "POST":
        require_perm(user, "dissemination.add_subscriber")
        add_form = SubscriberAddForm(request.POST)
        if add_form.is_valid():
            done = _add_subscriber(request, mailing_list, add_form)
            if done:
                return redirect("dissemination:list", mailing_list.pk)
        status = 400
    filters = SubscriberFilterForm(request.GET or None)
    qs = mailing_list.subscribers.all()
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("q"):
            qs = qs.filter(Q(email__icontains=data["q"]) | Q(name__icontains=data["q"]))
    page = paginate(request, qs.order_by("email", "id"))
    counts = dict(
        mailing_list.subscribers.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return render(
        request,
        "dissemination/list_detail.html",
        {
            "mailing_list": mailing_list,
            "unit": mailing_list.unit,
            "page_obj": page,
            "filter_form": filters,
            "add_form": add_form,
            "counts": [
                (SubscriberStatus(s).label, s, counts.get(s, 0)) for s in SubscriberStatus.values
            ],
            "can_add": user.has_perm("dissemination.add_subscriber"),
            "can_change": user.has_perm("dissemination.change_subscriber"),
            "can_delete": user.has_perm("dissemination.delete_subscriber"),
            "can_edit_list": user.has_perm("dissemination.change_mailinglist"),
        },
        status=status,
    )


def _add_subscriber(
    request: HttpRequest, mailing_list: MailingList, form: SubscriberAddForm
) -> bool:
    data = form.cleaned_data
    email = data["email"].strip()
    local, _sep, domain = email.rpartition("@")
    email = f"{local}@{domain.lower()}"
    user = request.user
    existing = Subscriber.objects.filter(mailing_list=mailing_list, email__iexact=email).first()
    if data["mode"] == SubscriberAddForm.CONFIRM:
        source = f"staff: {user.get_username()}"
        try:
            subscriptions.request(mailing_list, email, data.get("name", ""), source=source)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return False
        messages.success(
            request,
            _("A confirmation email was sent to %(email)s; the address counts once confirmed.")
            % {"email": email},
        )
        return True
    # Without the owner's confirmation, a suppressed or departed address stays out.
    if Suppression.objects.filter(address__iexact=email).exists():
        form.add_error(
            "email",
            _(
                "This address hard-bounced or asked to receive nothing more. Only a "
                "confirmation email can subscribe it again."
            ),
        )
        return False
    if existing is not None and existing.status in {
        SubscriberStatus.UNSUBSCRIBED,
        SubscriberStatus.BOUNCED,
    }:
        form.add_error(
            "mode",
            _(
                "This address left the list (%(status)s). Only a confirmation email can "
                "subscribe it again."
            )
            % {"status": existing.get_status_display().lower()},
        )
        return False
    if existing is not None and existing.status == SubscriberStatus.CONFIRMED:
        form.add_error("email", _("This address is already subscribed."))
        return False
    now = timezone.now()
    note = f"staff {user.get_username()}: {data['consent_note']}"[:200]
    with transaction.atomic():
        if existing is None:
            Subscriber.objects.create(
                mailing_list=mailing_list,
                email=email,
                name=data.get("name", ""),
                status=SubscriberStatus.CONFIRMED,
                consent_source=note,
                subscribed_at=now,
                confirmed_at=now,
            )
        else:
            existing.status = SubscriberStatus.CONFIRMED
            existing.consent_source = note
            existing.confirmed_at = now
            existing.name = data.get("name") or existing.name
            existing.save(update_fields=["status", "consent_source", "confirmed_at", "name"])
    messages.success(request, _("%(email)s was added as subscribed.") % {"email": email})
    return True


@login_required
@require_POST
def subscriber_action(
    request: HttpRequest, pk: int, subscriber_pk: int, action: str
) -> HttpResponse:
    """Unsubscribe (kept, never mailed again) or delete a subscriber."""
    user = request.user
    if action not in {"unsubscribe", "delete"}:
        raise Http404
    require_perm(
        user,
        "dissemination.change_subscriber"
        if action == "unsubscribe"
        else "dissemination.delete_subscriber",
    )
    mailing_list = get_scoped_or_404(MailingList.objects.all(), user, pk=pk)
    subscriber = Subscriber.objects.filter(mailing_list=mailing_list, pk=subscriber_pk).first()
    if subscriber is None:
        raise Http404
    if action == "unsubscribe":
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            messages.info(
                request, _("%(email)s was already unsubscribed.") % {"email": subscriber.email}
            )
        else:
            subscriber.status = SubscriberStatus.UNSUBSCRIBED
            subscriber.unsubscribed_at = timezone.now()
            subscriber.save(update_fields=["status", "unsubscribed_at"])
            messages.success(
                request, _("%(email)s was unsubscribed.") % {"email": subscriber.email}
            )
    else:
        email = subscriber.email
        subscriber.delete()
        messages.success(request, _("%(email)s was removed from the list.") % {"email": email})
    return redirect(_safe_next(request, reverse("dissemination:list", args=[mailing_list.pk])))


# --- the dispatch calendar ---------------------------------------------------------------------


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool
    is_today: bool
    entries: list[dict[str, Any]] = field(default_factory=list)


@login_required
@require_GET
def dispatch_calendar(request: HttpRequest) -> HttpResponse:
    from bakohumas.content import calendar as content_calendar

    user = request.user
    require_perm(user, "dissemination.view_publication")
    filters = CalendarFilterForm(request.GET or None, user=user)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {}) or {}
    unit: WorkUnit | None = None
    raw_unit = request.GET.get("unit", "").strip()
    if raw_unit:
        unit = get_scoped_or_404(WorkUnit.objects.all(), user, pk=raw_unit)
    unit = unit or user_unit(user)
    if unit is None:
        raise PermissionDenied
    today = content_calendar.local_today(unit)
    anchor = data.get("month") or today.replace(day=1)
    start, end = content_calendar.period_bounds(content_calendar.MONTH, anchor)
    zone = unit.zone
    qs = (
        Publication.objects.for_user(user)
        .filter(
            unit=unit,
            scheduled_at__gte=content_calendar.start_of_day(start, zone),
            scheduled_at__lt=content_calendar.start_of_day(end, zone),
        )
        .select_related("item")
        .order_by("scheduled_at", "id")
    )
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    publications = list(qs[: CALENDAR_MAX + 1])
    truncated = len(publications) > CALENDAR_MAX
    publications = publications[:CALENDAR_MAX]
    days: dict[dt.date, CalendarDay] = {}
    day = start
    while day < end:
        days[day] = CalendarDay(day, day.month == anchor.month, day == today)
        day += dt.timedelta(days=1)
    for publication in publications:
        local = unit.localtime(publication.scheduled_at)
        cell = days.get(local.date())
        if cell is not None:
            cell.entries.append({"publication": publication, "time": local.strftime("%H:%M")})
    ordered = list(days.values())
    weeks = [ordered[i : i + 7] for i in range(0, len(ordered), 7)]
    previous = content_calendar.previous_month(anchor)
    following = content_calendar.next_month(anchor)

    def link(month: dt.date) -> str:
        query = request.GET.copy()
        query["month"] = month.strftime("%Y-%m")
        query["unit"] = str(unit.pk)
        return f"?{query.urlencode()}"

    return render(
        request,
        "dissemination/calendar.html",
        {
            "unit": unit,
            "weeks": weeks,
            "anchor": anchor,
            "filter_form": filters,
            "units": list(WorkUnit.objects.for_user(user).filter(is_active=True).order_by("code")),
            "weekday_names": [date_format(d.date, "l") for d in weeks[0]],
            "prev_url": link(previous),
            "next_url": link(following),
            "today_url": link(today.replace(day=1)),
            "truncated": truncated,
            "count": len(publications),
        },
    )


# --- notifications -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    mine = Notification.objects.filter(user=user)
    if request.method == "POST":
        now = timezone.now()
        if request.POST.get("all") == "1":
            n = mine.filter(read_at__isnull=True).update(read_at=now)
            messages.success(request, _("%(n)s notifications marked as read.") % {"n": n})
        else:
            pk = _int(request.POST.get("id"))
            note = mine.filter(pk=pk).first() if pk else None
            if note is None:
                raise Http404
            if note.read_at is None:
                note.read_at = now
                note.save(update_fields=["read_at"])
            if request.POST.get("open") == "1" and url_has_allowed_host_and_scheme(
                note.url, allowed_hosts={request.get_host()}
            ):
                return redirect(note.url)
        return redirect("dissemination:notifications")
    unread_only = request.GET.get("unread") == "1"
    qs = mine.filter(read_at__isnull=True) if unread_only else mine
    page = paginate(request, qs.order_by("-created_at", "-id"))
    return render(
        request,
        "dissemination/notification_list.html",
        {"page_obj": page, "unread_only": unread_only, "unit": user_unit(user)},
    )
