"""Dissemination: publications (the plan of an approved item, campaign control, evidence,
metrics, the manual package), their deliveries, channel accounts, mailing lists and
subscribers, and the totals for the reports.

Every state change goes through :mod:`bakohumas.dissemination.engine`, so the API obeys
the rules of the workspace (approved and unchanged content only, consent, one delivery
row per recipient).

**Status codes of writes.** 201 for a new publication, account, list, subscriber or piece
of evidence; 403 when your role lacks the permission; 404 for an id outside your scope;
**422** when what you sent is invalid (``errors`` maps each field to its messages; what
stops a publication, such as a variant over its platform's limit or a missing audience,
under ``__all__``); **409** when the state forbids the action: planning an item that is
not approved (or changed since), pausing a finished campaign, evidence for a publication
not yet due, deleting an account or list that publications use. Neither changes anything.

**Recipients are personal data.** Delivery recipients and subscriber addresses are shown
in full to staff who may change publications (or subscribers): editors and above. Viewers
and contributors see them masked (``w***@example.id``, ``6281******890``) and search by name
only.
"""

import json
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, ProtectedError, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.errors import ApiConflict, ApiValidationError, _validation_errors
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import ErrorOut, Id, aware
from bakohumas.api.schemas_dissemination import (
    AccountFilter,
    AccountIn,
    AccountOut,
    AccountPatch,
    DeliveryFilter,
    DeliveryOut,
    DeliveryPage,
    EvidenceIn,
    MailingListFilter,
    MailingListIn,
    MailingListOut,
    MailingListPatch,
    MetricOut,
    MetricsIn,
    PackageOut,
    PublicationDetailOut,
    PublicationFilter,
    PublicationIn,
    PublicationOut,
    RetryIn,
    RetryOut,
    SubscriberFilter,
    SubscriberIn,
    SubscriberOut,
    TotalOut,
    TotalsFilter,
    metric_of,
)
from bakohumas.api.services import unit_in_scope
from bakohumas.content.models import ContentItem
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, user_unit, visible_unit_ids
from bakohumas.dissemination import crypto, engine
from bakohumas.dissemination.accounts import require_renewed_secrets
from bakohumas.dissemination.adapters.base import AdapterError, ReconnectRequired, adapter_class
from bakohumas.dissemination.links import absolute
from bakohumas.dissemination.models import (
    ACCOUNT_KINDS,
    AUDIENCE_KINDS,
    AccountStatus,
    ChannelAccount,
    ChannelKind,
    Delivery,
    MailingList,
    Publication,
    Subscriber,
    SubscriberStatus,
)
from bakohumas.stakeholders.models import CommunicationGroup

router = Router(tags=["Dissemination"])

VIEW = "dissemination.view_publication"
ADD = "dissemination.add_publication"
CHANGE = "dissemination.change_publication"
VIEW_DELIVERY = "dissemination.view_delivery"
VIEW_ACCOUNT = "dissemination.view_channelaccount"
ADD_ACCOUNT = "dissemination.add_channelaccount"
CHANGE_ACCOUNT = "dissemination.change_channelaccount"
DELETE_ACCOUNT = "dissemination.delete_channelaccount"
VIEW_LIST = "dissemination.view_mailinglist"
ADD_LIST = "dissemination.add_mailinglist"
CHANGE_LIST = "dissemination.change_mailinglist"
DELETE_LIST = "dissemination.delete_mailinglist"
VIEW_SUBSCRIBER = "dissemination.view_subscriber"
ADD_SUBSCRIBER = "dissemination.add_subscriber"
CHANGE_SUBSCRIBER = "dissemination.change_subscriber"
DELETE_SUBSCRIBER = "dissemination.delete_subscriber"

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# The engine's PlanInput names the references with "_id"; the API without.
_PLAN_FIELDS = {
    "account_id": "account",
    "mailing_list_id": "mailing_list",
    "group_id": "group",
    "responsible_id": "responsible",
}


# --- helpers ------------------------------------------------------------------------------


def _engine_errors(exc: DjangoValidationError) -> None:
    """An engine refusal: field errors are a 422, anything else conflicts with the state
    of the publication (409)."""
    if hasattr(exc, "error_dict"):
        raise ApiValidationError(
            {_PLAN_FIELDS.get(k, k): [str(m) for m in v] for k, v in exc.message_dict.items()}
        ) from exc
    raise ApiConflict(" ".join(str(m) for m in exc.messages)) from exc


def mask(address: str) -> str:
    """``warga1@example.id`` → ``w***@example.id``; ``6281234567890`` → ``6281******890``."""
    if "@" in address:
        local, _sep, domain = address.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if address.isdigit() and len(address) >= 7:
        return address[:4] + "*" * (len(address) - 7) + address[-3:]
    return address


def _publication_queryset() -> QuerySet[Publication]:
    return Publication.objects.select_related(
        "item", "unit", "account", "mailing_list", "group", "responsible", "metric"
    )


def _get(request: HttpRequest, pk: int) -> Publication:
    return get_scoped_or_404(_publication_queryset(), acting_user(request), pk=pk)


def _share_url(publication: Publication) -> str:
    return absolute(reverse("dissemination_public:share", args=[publication.share_token]))


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Everything about one publication: counts per delivery status, metrics, evidence."""
    publication = get_scoped_or_404(
        _publication_queryset().select_related("created_by"), acting_user(request), pk=pk
    )
    computed = {"counts", "evidence", "share_url", "metric"}
    data = {
        name: getattr(publication, name)
        for name in PublicationDetailOut.model_fields
        if name not in computed
    }
    data["metric"] = metric_of(publication)
    data["counts"] = engine.counts(publication)
    data["evidence"] = list(publication.evidence.select_related("recorded_by"))
    data["share_url"] = _share_url(publication) if publication.is_manual else None
    return data


# --- publications: reads --------------------------------------------------------------------


@router.get(
    "/publications",
    response={200: list[PublicationOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="List publications",
)
@paginate(PagePagination)
def list_publications(request: HttpRequest, filters: Query[PublicationFilter]) -> Any:
    """Publications of the work units in your scope, latest send time first."""
    qs = Publication.objects.for_user(acting_user(request)).select_related(
        "item", "unit", "account", "mailing_list", "group", "responsible", "metric"
    )
    if filters.item:
        qs = qs.filter(item_id=filters.item)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.scheduled_from:
        qs = qs.filter(scheduled_at__gte=aware(filters.scheduled_from))
    if filters.scheduled_to:
        qs = qs.filter(scheduled_at__lte=aware(filters.scheduled_to))
    q = (filters.q or "").strip()
    if q:
        qs = qs.filter(item__title__icontains=q)
    return qs.order_by("-scheduled_at", "-id")


@router.get(
    "/publications/{id}",
    response={200: PublicationDetailOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get a publication",
)
def get_publication(request: HttpRequest, id: Id) -> Any:
    """The publication with its delivery rows counted per status, its metrics, the
    evidence recorded for a manual channel and the public share link of its package."""
    return _detail(request, id)


@router.get(
    "/publications/{id}/deliveries",
    response={200: DeliveryPage, **DETAIL_ERRORS},
    auth=requires(VIEW_DELIVERY),
    summary="List the deliveries of a publication",
)
def list_deliveries(request: HttpRequest, id: Id, filters: Query[DeliveryFilter]) -> Any:
    """One row per recipient, by id. Keyset pagination (fast at any depth, no count):
    pass the ``next_after`` of an answer as ``after`` to get the next rows."""
    user = acting_user(request)
    publication = _get(request, id)
    full = user.has_perm(CHANGE) or publication.kind not in AUDIENCE_KINDS
    qs = Delivery.objects.filter(publication=publication, pk__gt=filters.after)
    if filters.status:
        qs = qs.filter(status=filters.status)
    q = (filters.q or "").strip()
    if q:
        qs = qs.filter(recipient__istartswith=q) if full else qs.filter(recipient_name__icontains=q)
    fields = [name for name in DeliveryOut.model_fields]
    rows = list(qs.order_by("pk").values(*fields)[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    if not full:
        for row in rows:
            row["recipient"] = mask(row["recipient"])
    next_after = rows[-1]["id"] if more else None
    next_url = None
    if next_after is not None:
        query = request.GET.copy()
        query["after"] = str(next_after)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": rows, "next_after": next_after, "next": next_url}


# --- publications: plan and control ---------------------------------------------------------


def _check_references(item: ContentItem, payload: PublicationIn) -> None:
    """Accounts, lists and groups of the item's unit only (others are "not found", so
    nothing of another unit is revealed)."""
    errors: dict[str, list[str]] = {}
    checks: list[tuple[str, int | None, Any]] = [
        ("account", payload.account, ChannelAccount),
        ("mailing_list", payload.mailing_list, MailingList),
        ("group", payload.group, CommunicationGroup),
    ]
    for field, value, model in checks:
        if value is not None and not model.objects.filter(pk=value, unit_id=item.unit_id).exists():
            errors[field] = [_("Not found among the records of this item's unit.")]
    if errors:
        raise ApiValidationError(errors)


def _check_item_state(item: ContentItem) -> None:
    if item.status not in engine.PLANNABLE_ITEM_STATUSES:
        raise ApiConflict(
            _("Only approved content can be disseminated (this item is %s).")
            % item.get_status_display()
        )
    if not item.approved_hash or item.approved_hash != item.content_hash:
        raise ApiConflict(_("The content changed after approval; validate it again first."))


@router.post(
    "/content/{id}/publications",
    response={201: PublicationDetailOut, **WRITE_ERRORS},
    auth=requires(ADD),
    summary="Plan a publication of an approved item",
)
def plan_publication(request: HttpRequest, id: Id, payload: PublicationIn) -> Any:
    """Add a publication to the plan of approved item ``id``: a channel (``kind``), the
    account (API channels), who receives it (email and WhatsApp: a ``mailing_list``, a
    stakeholder ``group`` or a ``segment``), a destination and responsible person
    (manual channels) and a time (default now). It is dispatched at ``scheduled_at``;
    the approval is checked again then. 409 when the item is not approved or changed
    since; 422 with what stops the publication otherwise."""
    user = acting_user(request)
    item = get_scoped_or_404(ContentItem.objects.select_related("unit"), user, pk=id)
    _check_references(item, payload)
    _check_item_state(item)
    segment = payload.segment.model_dump() if payload.segment else None
    if segment is not None:
        segment = {k: [str(v) for v in values] for k, values in segment.items() if values}
    data = engine.PlanInput(
        kind=str(payload.kind),
        account_id=payload.account,
        mailing_list_id=payload.mailing_list,
        group_id=payload.group,
        segment=segment or None,
        target=payload.target,
        scheduled_at=payload.scheduled_at,
        responsible_id=payload.responsible,
        template_name=payload.template_name,
        template_language=payload.template_language,
        manual=payload.manual,
    )
    try:
        publication = engine.plan(item, data, by=user)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            _engine_errors(exc)
        raise ApiValidationError({NON_FIELD_ERRORS: [str(m) for m in exc.messages]}) from exc
    return Status(201, _detail(request, publication.pk))


def _control(
    request: HttpRequest, pk: int, action: Callable[..., Any], **kwargs: Any
) -> dict[str, Any]:
    publication = _get(request, pk)
    try:
        action(publication, by=acting_user(request), **kwargs)
    except DjangoValidationError as exc:
        _engine_errors(exc)
    return _detail(request, pk)


def _action(path: str, summary: str) -> Any:  # a decorator factory
    return router.post(
        path,
        response={200: PublicationDetailOut, **WRITE_ERRORS},
        auth=requires(CHANGE),
        summary=summary,
    )


@_action("/publications/{id}/pause", "Pause a publication")
def pause_publication(request: HttpRequest, id: Id) -> Any:
    """Planned or sending → paused: no further row goes out until it is resumed (rows
    already handed to the platform are not called back). 409 in any other status."""
    return _control(request, id, engine.pause)


@_action("/publications/{id}/resume", "Resume a publication")
def resume_publication(request: HttpRequest, id: Id) -> Any:
    """Paused → sending (or planned when nothing was dispatched yet). 409 when it is not
    paused, or its account must be reconnected first."""
    return _control(request, id, engine.resume)


@_action("/publications/{id}/cancel", "Cancel a publication")
def cancel_publication(request: HttpRequest, id: Id) -> Any:
    """Cancel a planned, sending, paused or awaiting-evidence publication: the rows not
    yet sent are cancelled. 409 when it already ended."""
    return _control(request, id, engine.cancel)


@router.post(
    "/publications/{id}/retry",
    response={200: RetryOut, **WRITE_ERRORS},
    auth=requires(CHANGE),
    summary="Retry failed deliveries",
)
def retry_publication(request: HttpRequest, id: Id, payload: RetryIn | None = None) -> Any:
    """Send the failed rows again (all of them, or the ``deliveries`` listed), with the
    same idempotency keys. 409 when the publication has nothing to retry (planned,
    cancelled, a manual or website channel), its account must be reconnected, or its
    content changed after approval."""
    publication = _get(request, id)
    ids = payload.deliveries if payload is not None else None
    try:
        n = engine.retry_failed(publication, by=acting_user(request), delivery_ids=ids)
    except DjangoValidationError as exc:
        _engine_errors(exc)
    return {"requeued": n, "publication": _detail(request, id)}


# --- manual channels: evidence and the package ------------------------------------------------


def _evidence_input(request: HttpRequest) -> tuple[EvidenceIn, Any]:
    """The evidence sent as JSON, or as ``multipart/form-data`` with an optional file."""
    upload = None
    if request.content_type == "multipart/form-data":
        allowed = set(EvidenceIn.model_fields)
        unknown = sorted(set(request.POST) - allowed) + sorted(set(request.FILES) - {"file"})
        if unknown:
            raise ApiValidationError({name: [_("Unknown field.")] for name in unknown})
        raw: Any = {k: request.POST.get(k) for k in request.POST}
        for name in ("audience", "broadcast_at"):
            if raw.get(name) == "":
                raw[name] = None
        upload = request.FILES.get("file")
    elif request.content_type in {"application/json", "", "text/plain"}:
        try:
            raw = json.loads(request.body or b"null")
        except ValueError as exc:
            raise HttpError(400, "Cannot parse request body") from exc
        if not isinstance(raw, dict):
            raise ApiValidationError(
                {NON_FIELD_ERRORS: [_("The request body must be a JSON object.")]}
            )
    else:
        raise ApiValidationError(
            {NON_FIELD_ERRORS: [_("Send the evidence as JSON or as multipart/form-data.")]}
        )
    try:
        payload = EvidenceIn.model_validate(raw)
    except PydanticValidationError as exc:
        raise ApiValidationError(_validation_errors(list(exc.errors()))) from exc  # type: ignore[arg-type]
    if upload is not None:
        _check_evidence_file(upload)
    return payload, upload


def _check_evidence_file(upload: Any) -> None:
    from django.template.defaultfilters import filesizeformat

    from bakohumas.media.detection import detect
    from bakohumas.media.models import MediaKind

    if upload.size > EVIDENCE_MAX_BYTES:
        raise ApiValidationError(
            {"file": [_("The file is larger than %s.") % filesizeformat(EVIDENCE_MAX_BYTES)]}
        )
    try:
        detected = detect(upload)
    except DjangoValidationError as exc:
        raise ApiValidationError({"file": [str(m) for m in exc.messages]}) from exc
    if detected.kind not in {MediaKind.IMAGE, MediaKind.PDF}:
        raise ApiValidationError({"file": [_("Upload a screenshot (an image) or a scan (PDF).")]})
    # Never keep the name the client chose.
    upload.name = f"{uuid.uuid4().hex}.{detected.extension}"


def _evidence_body() -> dict[str, Any]:
    """The OpenAPI request body of ``record_evidence``: JSON, or a form with the file."""
    fields = EvidenceIn.model_json_schema()
    form = {**fields, "properties": {**fields["properties"]}}
    form["properties"]["file"] = {
        "type": "string",
        "format": "binary",
        "description": "A screenshot (image) or scan (PDF), at most 10 MB.",
    }
    form["title"] = "EvidenceForm"
    return {
        "required": True,
        "content": {
            "application/json": {"schema": fields},
            "multipart/form-data": {"schema": form},
        },
    }


@router.post(
    "/publications/{id}/evidence",
    response={201: PublicationDetailOut, **WRITE_ERRORS, 413: ErrorOut},
    auth=requires(CHANGE),
    summary="Record the evidence of a manual publication",
    openapi_extra={"requestBody": _evidence_body()},
)
def record_evidence(request: HttpRequest, id: Id) -> Any:
    """Proof that a manual publication happened: the ``url`` where it appeared and/or a
    screenshot or scan (``file``: an image or a PDF up to 10 MB, sent as
    ``multipart/form-data``), when it was broadcast, the audience reached and a note.
    The first evidence makes it count as published (``done``); the audiences add up as
    its reach. 409 for a channel that is not manual or a publication not yet due."""
    publication = _get(request, id)
    payload, upload = _evidence_input(request)
    try:
        engine.record_evidence(
            publication,
            by=acting_user(request),
            url=payload.url,
            file=upload,
            broadcast_at=payload.broadcast_at,
            audience=payload.audience,
            note=payload.note,
        )
    except DjangoValidationError as exc:
        _engine_errors(exc)
    return Status(201, _detail(request, id))


@router.put(
    "/publications/{id}/metrics",
    response={200: MetricOut, **WRITE_ERRORS},
    auth=requires(CHANGE),
    summary="Enter the metrics of a publication",
)
def set_metrics(request: HttpRequest, id: Id, payload: MetricsIn) -> Any:
    """Reach, impressions, engagement and clicks entered by hand (manual channels, or a
    platform without an API for them); they replace the figures held."""
    publication = _get(request, id)
    try:
        return engine.record_metrics(publication, by=acting_user(request), **payload.model_dump())
    except DjangoValidationError as exc:
        _engine_errors(exc)


@router.get(
    "/publications/{id}/package",
    response={200: PackageOut, **DETAIL_ERRORS, 409: ErrorOut},
    auth=requires(VIEW),
    summary="Get the ready-to-share package of a manual publication",
)
def get_package(request: HttpRequest, id: Id) -> Any:
    """The text formatted for WhatsApp, the link with UTM tags, the media files and the
    public share page. 409 for a channel that is not manual."""
    publication = _get(request, id)
    if not publication.is_manual:
        raise ApiConflict(_("Only manual channels have a package to share."))
    from bakohumas.dissemination.package import build_package

    package = build_package(publication)
    return {
        "whatsapp_text": package.whatsapp_text,
        "link": package.link,
        "share_url": package.share_url,
        "media": [
            {
                "name": m.name,
                "url": request.build_absolute_uri(m.url),
                "size": m.size,
                "mime_type": m.mime_type,
                "kind": m.kind,
                "rendition": m.rendition,
            }
            for m in package.media
        ],
    }


# --- channel accounts ------------------------------------------------------------------------


def _account(request: HttpRequest, pk: int) -> ChannelAccount:
    return get_scoped_or_404(
        ChannelAccount.objects.select_related("unit"), acting_user(request), pk=pk
    )


def _account_name_free(unit_id: int, kind: str, name: str, exclude: int | None = None) -> None:
    qs = ChannelAccount.objects.filter(unit_id=unit_id, kind=kind, name__iexact=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ApiValidationError(
            {"name": [_("The unit already has a %s account with this name.") % kind]}
        )


def _set_secret(account: ChannelAccount, secret: dict[str, Any]) -> None:
    clean = {k: v for k, v in secret.items() if v}
    account.secret_ciphertext = crypto.encrypt(clean) if clean else ""
    account.secret_hint = crypto.hint(clean)


@router.get(
    "/channel-accounts",
    response={200: list[AccountOut], **READ_ERRORS},
    auth=requires(VIEW_ACCOUNT),
    summary="List channel accounts",
)
@paginate(PagePagination)
def list_channel_accounts(request: HttpRequest, filters: Query[AccountFilter]) -> Any:
    """The platform accounts of the work units in your scope (secrets never included)."""
    qs = ChannelAccount.objects.for_user(acting_user(request)).select_related("unit")
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("unit_id", "kind", "name", "id")


@router.get(
    "/channel-accounts/{id}",
    response={200: AccountOut, **DETAIL_ERRORS},
    auth=requires(VIEW_ACCOUNT),
    summary="Get a channel account",
)
def get_channel_account(request: HttpRequest, id: Id) -> Any:
    return _account(request, id)


@router.post(
    "/channel-accounts",
    response={201: AccountOut, **WRITE_ERRORS},
    auth=requires(ADD_ACCOUNT),
    summary="Connect a channel account",
)
def create_channel_account(request: HttpRequest, payload: AccountIn) -> Any:
    """Connect a platform account of your unit (or of ``unit`` in your scope). ``secret``
    is encrypted with the key from the environment and never shown again; check it with
    ``POST /channel-accounts/{id}/check``."""
    user = acting_user(request)
    unit = unit_in_scope(user, payload.unit)
    kind = str(payload.kind)
    if kind not in ACCOUNT_KINDS:
        raise ApiValidationError({"kind": [_("%s needs no account.") % ChannelKind(kind).label]})
    _account_name_free(unit.pk, kind, payload.name)
    account = ChannelAccount(
        unit=unit,
        kind=kind,
        name=payload.name,
        config=payload.config,
        rate_per_second=payload.rate_per_second,
        status=AccountStatus.CONNECTED,
        created_by=user,
    )
    _set_secret(account, payload.secret)
    account.save()
    return Status(201, _account(request, account.pk))


@router.patch(
    "/channel-accounts/{id}",
    response={200: AccountOut, **WRITE_ERRORS},
    auth=requires(CHANGE_ACCOUNT),
    summary="Change a channel account",
)
def update_channel_account(request: HttpRequest, id: Id, payload: AccountPatch) -> Any:
    """Change only the fields sent. ``config`` replaces every setting; ``secret`` is
    merged (a value replaces, ``null`` removes); new credentials mark the account
    connected again. ``status``: ``disabled`` or ``connected``."""
    account = _account(request, id)
    data = payload.changes()
    if "name" in data:
        _account_name_free(account.unit_id, account.kind, data["name"], exclude=account.pk)
        account.name = data["name"]
    renew = False
    if "config" in data:
        try:
            renew = require_renewed_secrets(account, data["config"], data.get("secret") or {})
        except DjangoValidationError as exc:
            raise ApiValidationError(exc.message_dict) from exc
        account.config = data["config"]
    if "rate_per_second" in data:
        account.rate_per_second = data["rate_per_second"]
    if "secret" in data:
        try:
            current = {} if renew else crypto.decrypt(account.secret_ciphertext)
        except crypto.CredentialsUnreadable:
            current = {}
        current.update(data["secret"])
        _set_secret(account, current)
        if any(data["secret"].values()):
            account.status = AccountStatus.CONNECTED
            account.status_detail = ""
            account.paused_until = None
    if "status" in data:
        account.status = data["status"]
        if data["status"] == AccountStatus.CONNECTED:
            account.status_detail = ""
    account.save()
    return _account(request, id)


@router.delete(
    "/channel-accounts/{id}",
    response={204: None, **WRITE_ERRORS},
    auth=requires(DELETE_ACCOUNT),
    summary="Delete a channel account",
)
def delete_channel_account(request: HttpRequest, id: Id) -> Any:
    """Delete the account and its saved credentials. 409 while publications use it
    (disable it instead: ``PATCH`` with ``"status": "disabled"``)."""
    account = _account(request, id)
    try:
        account.delete()
    except ProtectedError as exc:
        raise ApiConflict(
            _("Publications use this account: disable it instead of deleting it.")
        ) from exc
    return Status(204, None)


@router.post(
    "/channel-accounts/{id}/check",
    response={200: AccountOut, **WRITE_ERRORS},
    auth=requires(CHANGE_ACCOUNT),
    summary="Check a channel account's credentials",
)
def check_channel_account(request: HttpRequest, id: Id) -> Any:
    """Ask the platform whether it accepts the saved credentials: ``status`` becomes
    ``connected``, or ``reconnect`` with the platform's reason in ``status_detail``
    (a network error or platform outage only fills ``status_detail``). 409 when no
    adapter connects to this channel."""
    account = _account(request, id)
    cls = adapter_class(account.kind)
    if cls is None:
        raise ApiConflict(_("No adapter connects to %s yet.") % account.get_kind_display())
    try:
        cls(account).check_credentials()
    except ReconnectRequired as exc:
        account.status = AccountStatus.RECONNECT
        account.status_detail = exc.reason
    except AdapterError as exc:
        account.status_detail = exc.reason
    else:
        if account.status != AccountStatus.DISABLED:
            account.status = AccountStatus.CONNECTED
        account.status_detail = ""
    account.checked_at = timezone.now()
    account.save(update_fields=["status", "status_detail", "checked_at", "updated_at"])
    return _account(request, id)


# --- mailing lists ----------------------------------------------------------------------------


def _with_counts(qs: QuerySet[MailingList]) -> QuerySet[MailingList]:
    return qs.annotate(
        **{
            f"n_{status}": Count("subscribers", filter=Q(subscribers__status=status))
            for status in SubscriberStatus.values
        }
    )


def _list(request: HttpRequest, pk: int, *, counts: bool = True) -> MailingList:
    qs = MailingList.objects.select_related("unit")
    return get_scoped_or_404(_with_counts(qs) if counts else qs, acting_user(request), pk=pk)


def _list_name_free(unit_id: int, name: str, exclude: int | None = None) -> None:
    qs = MailingList.objects.filter(unit_id=unit_id, name__iexact=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ApiValidationError({"name": [_("The unit already has a list with this name.")]})


@router.get(
    "/mailing-lists",
    response={200: list[MailingListOut], **READ_ERRORS},
    auth=requires(VIEW_LIST),
    summary="List mailing lists",
)
@paginate(PagePagination)
def list_mailing_lists(request: HttpRequest, filters: Query[MailingListFilter]) -> Any:
    """The mailing lists of the work units in your scope, with their subscribers counted
    per status."""
    qs = MailingList.objects.for_user(acting_user(request)).select_related("unit")
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    q = (filters.q or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    return _with_counts(qs).order_by("name", "id")


@router.get(
    "/mailing-lists/{id}",
    response={200: MailingListOut, **DETAIL_ERRORS},
    auth=requires(VIEW_LIST),
    summary="Get a mailing list",
)
def get_mailing_list(request: HttpRequest, id: Id) -> Any:
    return _list(request, id)


@router.post(
    "/mailing-lists",
    response={201: MailingListOut, **WRITE_ERRORS},
    auth=requires(ADD_LIST),
    summary="Create a mailing list",
)
def create_mailing_list(request: HttpRequest, payload: MailingListIn) -> Any:
    """A new list of your unit (or of ``unit`` in your scope); the name is unique in the
    unit. ``is_public`` lists are offered for subscription on the unit's portal."""
    data = payload.model_dump()
    unit = unit_in_scope(acting_user(request), data.pop("unit"))
    _list_name_free(unit.pk, data["name"])
    mailing_list = MailingList.objects.create(unit=unit, **data)
    return Status(201, _list(request, mailing_list.pk))


@router.patch(
    "/mailing-lists/{id}",
    response={200: MailingListOut, **WRITE_ERRORS},
    auth=requires(CHANGE_LIST),
    summary="Change a mailing list",
)
def update_mailing_list(request: HttpRequest, id: Id, payload: MailingListPatch) -> Any:
    mailing_list = _list(request, id, counts=False)
    data = payload.changes()
    if "name" in data:
        _list_name_free(mailing_list.unit_id, data["name"], exclude=mailing_list.pk)
    for name, value in data.items():
        setattr(mailing_list, name, value)
    mailing_list.save()
    return _list(request, id)


@router.delete(
    "/mailing-lists/{id}",
    response={204: None, **WRITE_ERRORS},
    auth=requires(DELETE_LIST),
    summary="Delete a mailing list",
)
def delete_mailing_list(request: HttpRequest, id: Id) -> Any:
    """Delete the list and its subscribers. 409 while publications use it."""
    mailing_list = _list(request, id, counts=False)
    try:
        mailing_list.delete()
    except ProtectedError as exc:
        raise ApiConflict(_("Publications use this list, so it cannot be deleted.")) from exc
    return Status(204, None)


# --- subscribers ------------------------------------------------------------------------------


def _subscriber(request: HttpRequest, list_pk: int, pk: int) -> Subscriber:
    mailing_list = _list(request, list_pk, counts=False)
    found = Subscriber.objects.filter(mailing_list=mailing_list, pk=pk).first()
    if found is None:
        raise Http404
    return found


class _MaskedSubscriber:
    """A subscriber as a user who may not see addresses sees it."""

    def __init__(self, subscriber: Subscriber) -> None:
        self._subscriber = subscriber
        self.email = mask(subscriber.email)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._subscriber, name)


@router.get(
    "/mailing-lists/{id}/subscribers",
    response={200: list[SubscriberOut], **DETAIL_ERRORS},
    auth=requires(VIEW_SUBSCRIBER),
    summary="List the subscribers of a mailing list",
)
@paginate(PagePagination)
def list_subscribers(request: HttpRequest, id: Id, filters: Query[SubscriberFilter]) -> Any:
    """By address. Addresses are masked unless you may change subscribers."""
    user = acting_user(request)
    full = user.has_perm(CHANGE_SUBSCRIBER)
    qs = Subscriber.objects.filter(mailing_list=_list(request, id, counts=False))
    if filters.status:
        qs = qs.filter(status=filters.status)
    q = (filters.q or "").strip()
    if q:
        qs = (
            qs.filter(Q(email__icontains=q) | Q(name__icontains=q))
            if full
            else qs.filter(name__icontains=q)
        )
    qs = qs.order_by("email", "id")
    if full:
        return qs
    return _MaskedRows(qs)


class _MaskedRows:
    """A queryset whose rows come out masked (for the paginator: ``count`` and slices)."""

    def __init__(self, qs: QuerySet[Subscriber]) -> None:
        self.qs = qs

    def all(self) -> QuerySet[Subscriber]:
        return self.qs

    def __getitem__(self, index: slice) -> list[_MaskedSubscriber]:
        return [_MaskedSubscriber(s) for s in self.qs[index]]

    def __len__(self) -> int:
        return self.qs.count()


@router.post(
    "/mailing-lists/{id}/subscribers",
    response={201: SubscriberOut, **WRITE_ERRORS},
    auth=requires(ADD_SUBSCRIBER),
    summary="Add a subscriber (double opt-in)",
)
def add_subscriber(request: HttpRequest, id: Id, payload: SubscriberIn) -> Any:
    """Add an address as *awaiting confirmation* and email it a confirmation link: it
    receives nothing until the person confirms (double opt-in). ``source`` records how
    the person asked to subscribe."""
    from bakohumas.dissemination import subscriptions

    user = acting_user(request)
    mailing_list = _list(request, id, counts=False)
    source = f"staff: {user.get_username()}: {payload.source}"
    try:
        subscriber = subscriptions.request(
            mailing_list, payload.email, payload.name, source=source[:200]
        )
    except DjangoValidationError as exc:
        raise ApiValidationError({"email": [str(m) for m in exc.messages]}) from exc
    return Status(201, subscriber)


@router.post(
    "/mailing-lists/{id}/subscribers/{subscriber_id}/unsubscribe",
    response={200: SubscriberOut, **WRITE_ERRORS},
    auth=requires(CHANGE_SUBSCRIBER),
    summary="Unsubscribe a subscriber",
)
def unsubscribe_subscriber(request: HttpRequest, id: Id, subscriber_id: Id) -> Any:
    """The address receives nothing more from this list (the row is kept, with its
    history). Unsubscribing twice changes nothing."""
    from bakohumas.dissemination import subscriptions

    subscriber = _subscriber(request, id, subscriber_id)
    subscriptions.unsubscribe(subscriber)
    subscriber.refresh_from_db()
    return subscriber


@router.delete(
    "/mailing-lists/{id}/subscribers/{subscriber_id}",
    response={204: None, **DETAIL_ERRORS},
    auth=requires(DELETE_SUBSCRIBER),
    summary="Delete a subscriber",
)
def delete_subscriber(request: HttpRequest, id: Id, subscriber_id: Id) -> Any:
    """Erase the address from the list (e.g. at the person's request). Deliveries keep
    the consent reference they relied on."""
    _subscriber(request, id, subscriber_id).delete()
    return Status(204, None)


# --- totals ------------------------------------------------------------------------------------


@router.get(
    "/dissemination/totals",
    response={200: list[TotalOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="Totals per unit and channel over a period",
)
def dissemination_totals(request: HttpRequest, filters: Query[TotalsFilter]) -> Any:
    """Publications completed from ``start`` to ``end`` (days in the time zone of ``unit``
    or of your own unit, both included) with their reach, impressions, engagement and
    clicks, per work unit and channel: the figures of the quarterly and annual reports."""
    user = acting_user(request)
    unit = unit_in_scope(user, filters.unit) if filters.unit is not None else None
    if filters.end < filters.start:
        raise ApiValidationError({"end": [_("The end comes before the start.")]})
    zone_unit = unit or user_unit(user)
    zone = zone_unit.zone if zone_unit is not None else timezone.get_current_timezone()
    try:
        start = datetime.combine(filters.start, time.min, tzinfo=zone)
        end = datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=zone)
    except OverflowError as exc:
        raise ApiValidationError({"end": [_("Enter a valid date.")]}) from exc
    unit_ids = [unit.pk] if unit is not None else visible_unit_ids(user)
    rows = engine.totals(unit_ids, start, end)
    units = WorkUnit.objects.in_bulk({row["unit_id"] for row in rows})
    figures = ("publications", "reach", "impressions", "engagement", "clicks")
    return [
        {
            "unit": units[row["unit_id"]],
            "kind": row["kind"],
            **{name: int(row[name] or 0) for name in figures},
        }
        for row in rows
    ]
