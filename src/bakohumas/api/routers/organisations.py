"""Stakeholder organisations: list, detail, create, PATCH and delete.

Writes go through :mod:`bakohumas.stakeholders.services` (the same functions as the
workspace), reads through :mod:`bakohumas.stakeholders.selectors`.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import (
    DeleteOut,
    Id,
    OrganisationFilter,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
)
from bakohumas.core.scoping import get_scoped_or_404
from bakohumas.stakeholders import selectors, services
from bakohumas.stakeholders.models import Organisation

router = Router(tags=["Organisations"])


def _detail_queryset() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("unit").prefetch_related("tags")


def _get(request: HttpRequest, pk: int) -> Organisation:
    return get_scoped_or_404(_detail_queryset(), acting_user(request), pk=pk)


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **READ_ERRORS},
    auth=requires("stakeholders.view_organisation"),
    summary="List organisations",
)
@paginate(PagePagination)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]) -> Any:
    """Stakeholder organisations of the work units in your scope, by name."""
    return selectors.organisation_list(
        acting_user(request),
        q=filters.q or "",
        category=filters.category or "",
        unit=filters.unit,
        tag=filters.tag or "",
        active=filters.active,
    )


@router.get(
    "/organisations/{id}",
    response={200: OrganisationOut, **DETAIL_ERRORS},
    auth=requires("stakeholders.view_organisation"),
    summary="Get an organisation",
)
def get_organisation(request: HttpRequest, id: Id) -> Any:
    return _get(request, id)


@router.post(
    "/organisations",
    response={201: OrganisationOut, **WRITE_ERRORS},
    auth=requires("stakeholders.add_organisation"),
    summary="Create an organisation",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Any:
    """Create an organisation. The name must be unique within the work unit."""
    data = payload.model_dump()
    org = services.create_organisation(
        by=acting_user(request),
        unit=data.pop("unit"),
        tags=data.pop("tags"),
        **data,
    )
    return Status(201, _get(request, org.pk))


@router.patch(
    "/organisations/{id}",
    response={200: OrganisationOut, **WRITE_ERRORS},
    auth=requires("stakeholders.change_organisation"),
    summary="Change an organisation",
)
def update_organisation(request: HttpRequest, id: Id, payload: OrganisationPatch) -> Any:
    """Change only the fields sent (``null`` clears a text field); ``tags`` replaces the
    tags; ``unit`` moves it (and its contacts) to another work unit in your scope."""
    org = _get(request, id)
    data = payload.changes()
    services.update_organisation(
        org,
        by=acting_user(request),
        unit=data.pop("unit", None),
        tags=data.pop("tags", None),
        **data,
    )
    return _get(request, id)


@router.delete(
    "/organisations/{id}",
    response={200: DeleteOut, **DETAIL_ERRORS},
    auth=requires("stakeholders.delete_organisation"),
    summary="Delete an organisation",
)
def delete_organisation(request: HttpRequest, id: Id) -> Any:
    """Delete it; an organisation with contacts or engagement entries is deactivated
    instead (``deleted: false``)."""
    org = _get(request, id)
    deleted = services.delete_organisation(org, by=acting_user(request))
    detail = (
        _("The organisation was deleted.")
        if deleted
        else _("The organisation has history, so it was deactivated instead of deleted.")
    )
    return {"deleted": deleted, "detail": detail}
