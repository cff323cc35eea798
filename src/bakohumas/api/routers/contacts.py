"""Stakeholder contacts: list, detail (with consents), create, PATCH, delete, consent.

Writes go through :mod:`bakohumas.stakeholders.services`, reads through
:mod:`bakohumas.stakeholders.selectors`.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import (
    ConsentIn,
    ConsentOut,
    ContactFilter,
    ContactIn,
    ContactOut,
    ContactPatch,
    DeleteOut,
    Id,
)
from bakohumas.core.scoping import get_scoped_or_404
from bakohumas.stakeholders import selectors, services
from bakohumas.stakeholders.models import Channel, Contact, ContactConsent

router = Router(tags=["Contacts"])


def _detail_queryset() -> QuerySet[Contact]:
    return Contact.objects.select_related("unit", "organisation").prefetch_related(
        "tags", Prefetch("consents", queryset=ContactConsent.objects.order_by("channel"))
    )


def _get(request: HttpRequest, pk: int) -> Contact:
    return get_scoped_or_404(_detail_queryset(), acting_user(request), pk=pk)


@router.get(
    "/contacts",
    response={200: list[ContactOut], **READ_ERRORS},
    auth=requires("stakeholders.view_contact"),
    summary="List contacts",
)
@paginate(PagePagination)
def list_contacts(request: HttpRequest, filters: Query[ContactFilter]) -> Any:
    """Contacts of the work units in your scope, by name, with their consents."""
    return selectors.contact_list(
        acting_user(request),
        q=filters.q or "",
        organisation=filters.organisation,
        unit=filters.unit,
        tag=filters.tag or "",
        consent_channel=filters.consent or "",
        consent_status=filters.consent_status or "",
        preferred_channel=filters.preferred_channel or "",
        active=filters.active,
    )


@router.get(
    "/contacts/{id}",
    response={200: ContactOut, **DETAIL_ERRORS},
    auth=requires("stakeholders.view_contact"),
    summary="Get a contact",
)
def get_contact(request: HttpRequest, id: Id) -> Any:
    return _get(request, id)


@router.post(
    "/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    auth=requires("stakeholders.add_contact"),
    summary="Create a contact",
)
def create_contact(request: HttpRequest, payload: ContactIn) -> Any:
    """Create a contact. Numbers are stored in E.164; a phone, WhatsApp number or email
    already used by a contact of the unit is refused unless ``allow_duplicate``."""
    data = payload.model_dump()
    contact = services.create_contact(
        by=acting_user(request),
        unit=data.pop("unit"),
        organisation=data.pop("organisation"),
        tags=data.pop("tags"),
        allow_duplicate=data.pop("allow_duplicate"),
        **data,
    )
    return Status(201, _get(request, contact.pk))


@router.patch(
    "/contacts/{id}",
    response={200: ContactOut, **WRITE_ERRORS},
    auth=requires("stakeholders.change_contact"),
    summary="Change a contact",
)
def update_contact(request: HttpRequest, id: Id, payload: ContactPatch) -> Any:
    """Change only the fields sent (``null`` clears a text field); ``organisation: null``
    unlinks the organisation; ``tags`` replaces the tags."""
    contact = _get(request, id)
    data = payload.changes()
    extra: dict[str, Any] = {}
    if "organisation" in data:
        extra["organisation"] = data.pop("organisation")
    services.update_contact(
        contact,
        by=acting_user(request),
        unit=data.pop("unit", None),
        tags=data.pop("tags", None),
        allow_duplicate=data.pop("allow_duplicate", False),
        **extra,
        **data,
    )
    return _get(request, id)


@router.delete(
    "/contacts/{id}",
    response={200: DeleteOut, **DETAIL_ERRORS},
    auth=requires("stakeholders.delete_contact"),
    summary="Delete a contact",
)
def delete_contact(request: HttpRequest, id: Id) -> Any:
    """Delete it; a contact with history (consents, engagements, group memberships,
    merges) is deactivated instead (``deleted: false``)."""
    contact = _get(request, id)
    deleted = services.delete_contact(contact, by=acting_user(request))
    detail = (
        _("The contact was deleted.")
        if deleted
        else _("The contact has history, so it was deactivated instead of deleted.")
    )
    return {"deleted": deleted, "detail": detail}


@router.put(
    "/contacts/{id}/consents/{channel}",
    response={200: ConsentOut, **WRITE_ERRORS},
    auth=requires("stakeholders.change_contactconsent"),
    summary="Set a contact's consent for a channel",
)
def set_consent(
    request: HttpRequest,
    id: Id,
    channel: Path[Channel],
    payload: ConsentIn,
) -> Any:
    """Record that the contact granted or withdrew consent for ``channel``, how, and
    with what evidence. The previous state stays in the audit trail."""
    contact = _get(request, id)
    return services.set_consent(
        contact,
        channel=channel,
        status=payload.status,
        method=payload.method,
        evidence=payload.evidence,
        at=payload.at,
        by=acting_user(request),
    )
