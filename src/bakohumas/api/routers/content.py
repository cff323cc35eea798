"""Content items: list, detail, create, PATCH, delete, the validation workflow, templates
shared down, versions.

Every write goes through :mod:`bakohumas.content.services`, so the API obeys exactly the
rules of the workspace (four eyes, approval bound to a version, scheduling windows).

**Status codes of writes.** 201 for a new item; 403 when your role lacks the permission;
404 for an id outside your scope; **422** when what you sent is invalid (``errors`` maps
each field to its messages) or when the item still lacks something before it can go to
validation (``errors.__all__`` lists it); **409** when the action conflicts with the
item's current state: a transition its status does not allow (approving an approved
item, editing a published one …), a stale ``version``, validating an item you wrote
(four-eyes principle), or content that changed after its approval. A 409 or 422 changes
nothing, except that content found changed after approval is sent back to review.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate
from pydantic import BaseModel

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.content_schemas import (
    ApproveIn,
    CommentIn,
    ContentFilter,
    ContentIn,
    ContentListOut,
    ContentOut,
    ContentPatch,
    LocaliseIn,
    PublishIn,
    ReturnIn,
    ScheduleIn,
    ShareIn,
    TemplateFilter,
    TemplateOut,
    VersionDetailOut,
    VersionOut,
    WithdrawIn,
    file_url,
    thumbnail_url,
)
from bakohumas.api.errors import ApiConflict, ApiValidationError
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import DeleteOut, Id, aware
from bakohumas.content import services
from bakohumas.content.channels import check_variant
from bakohumas.content.models import (
    ContentItem,
    ContentMedia,
    ContentVersion,
    Transition,
)
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, user_unit
from bakohumas.portal.search import search_items

router = Router(tags=["Content"])

VIEW = "content.view_contentitem"
ADD = "content.add_contentitem"
CHANGE = "content.change_contentitem"
DELETE = "content.delete_contentitem"
APPROVE = "content.approve_contentitem"
PUBLISH = "content.publish_contentitem"
SHARE = "content.share_contentitem"

# List inputs passed to the services beside the fields; each replaces the whole list.
LIST_INPUTS = ("variants", "media", "tags", "authors")
# Text fields that a PATCH with ``null`` clears to "" (the rest clear to null).
BLANK_WHEN_NULL = {"claim_rating"}


# --- helpers ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Plain Python data for the services (enums as their values, schemas as dicts)."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _detail_queryset() -> QuerySet[ContentItem]:
    return ContentItem.objects.select_related(
        "unit", "created_by", "approved_by", "source__unit"
    ).prefetch_related(
        "tags",
        "authors",
        "variants",
        Prefetch(
            "media_links",
            queryset=ContentMedia.objects.select_related("asset").prefetch_related(
                "asset__renditions"
            ),
        ),
        Prefetch("transitions", queryset=Transition.objects.select_related("by")),
    )


def _get(request: HttpRequest, pk: int) -> ContentItem:
    """The item through the user's scope (another unit's item is a 404)."""
    return get_scoped_or_404(
        ContentItem.objects.select_related("unit"), acting_user(request), pk=pk
    )


def _unit(user: Any, unit_id: int | None) -> WorkUnit:
    """The unit ``unit_id`` if it is in the user's scope; default their own."""
    if unit_id is None:
        unit = user_unit(user)
        if unit is None:
            raise PermissionDenied
        return unit
    found = WorkUnit.objects.for_user(user).filter(pk=unit_id).first()
    if found is None:
        raise ApiValidationError({"unit": [_("Choose a work unit within your scope.")]})
    return found


def _media_ref(request: HttpRequest, asset: Any) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "kind": asset.kind,
        "title": asset.title,
        "alt_text": asset.alt_text,
        "caption": asset.caption,
        "credit": asset.credit,
        "url": file_url(request, asset.file),
        "thumbnail_url": thumbnail_url(request, asset),
        "needs_alt_text": asset.needs_alt_text,
    }


def _variant(item: ContentItem, variant: Any) -> dict[str, Any]:
    check = check_variant(
        variant.channel, variant.text, variant.hashtags, variant.link, title=item.title
    )
    return {
        "channel": variant.channel,
        "text": variant.text,
        "hashtags": variant.hashtags,
        "link": variant.link,
        "preview": check.composed,
        "check": {
            "length": check.length,
            "limit": check.limit,
            "hashtags": check.hashtags,
            "max_hashtags": check.max_hashtags,
            "ok": check.ok,
            "errors": check.errors,
        },
    }


# The fields of ContentOut read straight off the item.
_PLAIN = frozenset(
    {f.attname for f in ContentItem._meta.concrete_fields}
    | {f.name for f in ContentItem._meta.concrete_fields if not f.is_relation}
    | {"unit", "created_by"}
)


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Everything about one item, for the user asking."""
    user = acting_user(request)
    item = get_scoped_or_404(_detail_queryset(), user, pk=pk)
    approved_version = None
    if item.approved_hash:
        approved_version = (
            item.versions.filter(content_hash=item.approved_hash)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
    source = item.source
    return {
        **{name: getattr(item, name) for name in ContentOut.model_fields if name in _PLAIN},
        "tags": [tag.name for tag in item.tags.all()],
        "source": (
            {"id": source.pk, "unit": source.unit, "title": source.title} if source else None
        ),
        "authors": sorted(item.authors.all(), key=lambda u: u.pk),
        "media": [_media_ref(request, link.asset) for link in item.media_links.all()],
        "variants": [_variant(item, v) for v in item.variants.all()],
        "approval": {
            "approved_by": item.approved_by,
            "approved_at": item.approved_at,
            "approved_version": approved_version,
            "valid": item.approval_valid,
        },
        "transitions": list(item.transitions.all()),
        "submission_problems": services.submission_problems(item),
        "schedule_warnings": services.schedule_warnings(item.unit, item.publish_at),
        "can_edit": services.can_edit(user, item),
        "validation_refusal": services.approval_refusal(user, item),
    }


@contextmanager
def _workflow(item: ContentItem | None = None) -> Iterator[None]:
    """Translate a service's ``ValidationError`` into the API's answer: field errors stay
    a 422; what the item still lacks (its submission problems) is a 422 on ``__all__``;
    any other refusal conflicts with the item's state: 409."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        messages = [str(m) for m in exc.messages]
        if item is not None:
            fresh = ContentItem.objects.filter(pk=item.pk).first()
            problems = services.submission_problems(fresh) if fresh is not None else []
            if problems and set(messages) <= set(problems):
                raise ApiValidationError({NON_FIELD_ERRORS: messages}) from exc
        raise ApiConflict(" ".join(messages)) from exc


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {}
    for name, value in data.items():
        if value is None and name in BLANK_WHEN_NULL:
            value = ""
        fields[name] = _plain(value)
    return fields


# --- reads --------------------------------------------------------------------------------


@router.get(
    "/content",
    response={200: list[ContentListOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="List content items",
)
@paginate(PagePagination)
def list_content(request: HttpRequest, filters: Query[ContentFilter]) -> Any:
    """Content items of the work units in your scope, most recently changed first
    (``awaiting_my_validation=true``: the validation queue, oldest first)."""
    user = acting_user(request)
    if filters.awaiting_my_validation:
        qs = services.awaiting_validation(user)
    else:
        qs = ContentItem.objects.for_user(user)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.form:
        qs = qs.filter(form=filters.form)
    if filters.topic:
        qs = qs.filter(topic=filters.topic)
    if filters.tag:
        qs = qs.filter(tags__name__iexact=filters.tag.strip())
    if filters.template is not None:
        qs = qs.filter(is_template=filters.template)
    if filters.planned_from:
        qs = qs.filter(publish_at__gte=aware(filters.planned_from))
    if filters.planned_to:
        qs = qs.filter(publish_at__lte=aware(filters.planned_to))
    qs = qs.select_related("unit").prefetch_related("tags")
    q = (filters.q or "").strip()
    if q:
        qs = search_items(qs, q)
    return qs


@router.get(
    "/content/templates",
    response={200: list[TemplateOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="List the templates offered to a unit",
)
@paginate(PagePagination)
def list_templates(request: HttpRequest, filters: Query[TemplateFilter]) -> Any:
    """Items the units above shared down as templates; ``localised_id`` is the unit's
    own copy once localised."""
    unit = _unit(acting_user(request), filters.unit)
    own_copy = ContentItem.objects.filter(source=OuterRef("pk"), unit=unit).values("pk")[:1]
    return (
        services.templates_for(unit)
        .annotate(localised_id=Subquery(own_copy))
        .prefetch_related("tags")
        .order_by("-updated_at", "-id")
    )


@router.post(
    "/content/templates/{id}/localise",
    response={201: ContentOut, **WRITE_ERRORS},
    auth=requires(ADD),
    summary="Localise a template",
)
def localise_template(request: HttpRequest, id: Id, payload: LocaliseIn | None = None) -> Any:
    """A new draft of your unit (or ``unit``) copied from a template offered to it; it
    keeps the link to its source and goes through the unit's own validation. 409 when
    the unit already has its copy."""
    user = acting_user(request)
    unit = _unit(user, payload.unit if payload else None)
    template = services.templates_for(unit).filter(pk=id).first()
    if template is None:
        raise Http404
    with _workflow():
        item = services.localise(template, unit=unit, by=user)
    return Status(201, _detail(request, item.pk))


@router.get(
    "/content/{id}",
    response={200: ContentOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get a content item",
)
def get_content(request: HttpRequest, id: Id) -> Any:
    """The item with its channel variants (each checked against its platform's limits),
    media, tags, authors, approval, workflow history, what still stops it from going to
    validation, and warnings about its planned time."""
    return _detail(request, id)


@router.get(
    "/content/{id}/versions",
    response={200: list[VersionOut], **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="List the versions of a content item",
)
@paginate(PagePagination)
def list_versions(request: HttpRequest, id: Id) -> Any:
    """Every version of the item's content, newest first."""
    item = _get(request, id)
    return item.versions.select_related("created_by").order_by("-number")


def _changed(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    if old is None:
        return []
    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    changed = [
        name
        for name in sorted(set(old_fields) | set(new_fields))
        if old_fields.get(name) != new_fields.get(name)
    ]
    changed += [key for key in ("tags", "media", "variants") if old.get(key) != new.get(key)]
    return changed


@router.get(
    "/content/{id}/versions/{number}",
    response={200: VersionDetailOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get one version of a content item",
)
def get_version(request: HttpRequest, id: Id, number: Id) -> Any:
    """The content of version ``number`` and what changed since the version before."""
    item = _get(request, id)
    version = (
        ContentVersion.objects.select_related("created_by").filter(item=item, number=number).first()
    )
    if version is None:
        raise Http404
    previous = item.versions.filter(number__lt=number).order_by("-number").first()
    return {
        "number": version.number,
        "content_hash": version.content_hash,
        "created_by": version.created_by,
        "created_at": version.created_at,
        "snapshot": version.snapshot,
        "changed": _changed(previous.snapshot if previous else None, version.snapshot),
    }


# --- create, change, delete ---------------------------------------------------------------


@router.post(
    "/content",
    response={201: ContentOut, **WRITE_ERRORS},
    auth=requires(ADD),
    summary="Create a content item",
)
def create_content(request: HttpRequest, payload: ContentIn) -> Any:
    """A new draft of your unit (or of ``unit`` in your scope); you are its first author.
    The body is sanitised (allow-list); a slug already used in the unit is a 422 on
    ``slug``."""
    user = acting_user(request)
    data = payload.model_dump()
    unit = _unit(user, data.pop("unit"))
    lists = {name: _plain(data.pop(name)) for name in LIST_INPUTS}
    with _workflow():
        item = services.create_item(unit=unit, by=user, fields=_fields(data), **lists)
    return Status(201, _detail(request, item.pk))


@router.patch(
    "/content/{id}",
    response={200: ContentOut, **WRITE_ERRORS},
    auth=requires(CHANGE),
    summary="Change a content item",
)
def update_content(request: HttpRequest, id: Id, payload: ContentPatch) -> Any:
    """Change only the fields sent; ``variants``, ``media``, ``tags`` and ``authors``
    replace the whole list. ``version`` is required: the version you edited. Changing
    the content of an approved or scheduled item voids its approval and sends it back
    to validation (status ``submitted``), so it needs ``"void_approval": true``. 409: a
    newer version exists, an approved item without ``void_approval``, or the item can no
    longer be edited (published, withdrawn, archived)."""
    item = _get(request, id)
    data = payload.changes()
    version = data.pop("version")
    void_approval = bool(data.pop("void_approval", False))
    lists = {name: _plain(data.pop(name)) for name in LIST_INPUTS if name in data}
    with _workflow():
        services.update_item(
            item,
            by=acting_user(request),
            fields=_fields(data) or None,
            expected_version=version,
            void_approval=void_approval,
            **lists,
        )
    return _detail(request, id)


@router.delete(
    "/content/{id}",
    response={200: DeleteOut, **WRITE_ERRORS},
    auth=requires(DELETE),
    summary="Delete a draft",
)
def delete_content(request: HttpRequest, id: Id) -> Any:
    """Delete an item that never went public (draft or returned); 409 for anything else
    (archive it instead)."""
    item = _get(request, id)
    with _workflow():
        services.delete_draft(item, by=acting_user(request))
    return {"deleted": True, "detail": _("The draft was deleted.")}


# --- the workflow -------------------------------------------------------------------------


def _action(path: str, perm: str, summary: str, status: int = 200) -> Any:  # a decorator factory
    return router.post(
        path,
        response={status: ContentOut, **WRITE_ERRORS},
        auth=requires(perm),
        summary=summary,
    )


@_action("/content/{id}/submit", CHANGE, "Submit for validation")
def submit_content(request: HttpRequest, id: Id, payload: CommentIn | None = None) -> Any:
    """Draft or returned → awaiting validation (``submitted``). 422 lists what the item
    still lacks (``errors.__all__``); 409 for another status."""
    item = _get(request, id)
    with _workflow(item):
        services.submit(item, by=acting_user(request), comment=payload.comment if payload else "")
    return _detail(request, id)


@_action("/content/{id}/return", APPROVE, "Return with comments")
def return_content(request: HttpRequest, id: Id, payload: ReturnIn) -> Any:
    """Awaiting validation → returned, with what must change. 409 when the item is not
    awaiting validation or you wrote it."""
    item = _get(request, id)
    with _workflow():
        services.return_for_changes(item, by=acting_user(request), comment=payload.comment)
    return _detail(request, id)


@_action("/content/{id}/approve", APPROVE, "Approve (validate)")
def approve_content(request: HttpRequest, id: Id, payload: ApproveIn) -> Any:
    """Awaiting validation → approved, bound to the exact version you reviewed
    (``version``); an item with a future planned time is scheduled at once. The approver
    is a coordinator of the item's unit or a unit above it and never one of its authors
    (four eyes). 409: not awaiting validation (e.g. already approved), you wrote it, or
    the version is stale. 422: the item still lacks something, or its planned time falls
    in a restricted period without ``reason``."""
    item = _get(request, id)
    with _workflow(item):
        services.approve(
            item,
            by=acting_user(request),
            comment=payload.comment,
            expected_version=payload.version,
            reason=payload.reason,
        )
    return _detail(request, id)


@_action("/content/{id}/schedule", PUBLISH, "Schedule publication")
def schedule_content(request: HttpRequest, id: Id, payload: ScheduleIn) -> Any:
    """Approved (or scheduled) → scheduled for ``publish_at``. A time in a period that
    restricts publishing (quiet period) needs ``reason`` (422 on ``schedule_reason``
    otherwise). 409 when the item is not approved, or its content changed after approval
    (it is then back in review)."""
    item = _get(request, id)
    with _workflow():
        services.schedule(
            item, by=acting_user(request), publish_at=payload.publish_at, reason=payload.reason
        )
    return _detail(request, id)


@_action("/content/{id}/reschedule", CHANGE, "Move the planned time")
def reschedule_content(request: HttpRequest, id: Id, payload: ScheduleIn) -> Any:
    """Move the planned time of an item not yet published (the calendar's drag and drop);
    a scheduled item stays scheduled at the new time."""
    item = _get(request, id)
    with _workflow():
        services.reschedule(
            item, by=acting_user(request), publish_at=payload.publish_at, reason=payload.reason
        )
    return _detail(request, id)


@_action("/content/{id}/unschedule", PUBLISH, "Cancel the schedule")
def unschedule_content(request: HttpRequest, id: Id) -> Any:
    """Scheduled → approved (the approval stands). 409 when it is not scheduled."""
    item = _get(request, id)
    with _workflow():
        services.unschedule(item, by=acting_user(request))
    return _detail(request, id)


@_action("/content/{id}/publish", PUBLISH, "Publish now")
def publish_content(request: HttpRequest, id: Id, payload: PublishIn | None = None) -> Any:
    """Approved or scheduled → published now. 409 when it is not approved, or its content
    changed after approval (it is then back in review)."""
    item = _get(request, id)
    with _workflow():
        services.publish_now(
            item, by=acting_user(request), reason=payload.reason if payload else ""
        )
    return _detail(request, id)


@_action("/content/{id}/withdraw", PUBLISH, "Withdraw with a correction notice")
def withdraw_content(request: HttpRequest, id: Id, payload: WithdrawIn) -> Any:
    """Published → withdrawn: off the portal, which shows the public ``notice`` instead
    (the public API answers 410 with it). 409 when it is not published."""
    item = _get(request, id)
    with _workflow():
        services.withdraw(item, by=acting_user(request), notice=payload.notice)
    return _detail(request, id)


@_action("/content/{id}/archive", PUBLISH, "Archive")
def archive_content(request: HttpRequest, id: Id, payload: CommentIn | None = None) -> Any:
    """Published, withdrawn, draft or returned → archived (a published item stays
    readable on the portal). 409 for another status."""
    item = _get(request, id)
    with _workflow():
        services.archive(item, by=acting_user(request), comment=payload.comment if payload else "")
    return _detail(request, id)


@_action("/content/{id}/share", SHARE, "Share down as a template")
def share_content(request: HttpRequest, id: Id, payload: ShareIn) -> Any:
    """Offer (``shared: true``) or stop offering a province or national item to the units
    below as a template. 409 for a kab/kota item or one not yet approved."""
    item = _get(request, id)
    with _workflow():
        services.share_down(item, by=acting_user(request), shared=payload.shared)
    return _detail(request, id)


@_action("/content/{id}/duplicate", ADD, "Duplicate as a new draft", status=201)
def duplicate_content(request: HttpRequest, id: Id) -> Any:
    """A new draft copied from the item in the same unit (e.g. to correct a published
    item); you are its author."""
    item = _get(request, id)
    with _workflow():
        copy = services.duplicate(item, by=acting_user(request))
    return Status(201, _detail(request, copy.pk))
