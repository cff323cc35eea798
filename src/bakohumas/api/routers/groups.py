"""Communication groups (juknis BAB II B.2) and their members.

Writes go through :mod:`bakohumas.stakeholders.services`, reads through
:mod:`bakohumas.stakeholders.selectors`.
"""

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from bakohumas.api.schemas import (
    GroupFilter,
    GroupIn,
    GroupOut,
    GroupPatch,
    Id,
    MemberIn,
    MemberOut,
)
from bakohumas.core.scoping import get_scoped_or_404
from bakohumas.stakeholders import selectors, services
from bakohumas.stakeholders.models import CommunicationGroup, GroupMembership

router = Router(tags=["Communication groups"])
VIEW = "stakeholders.view_communicationgroup"


def _with_counts(qs: QuerySet[CommunicationGroup]) -> QuerySet[CommunicationGroup]:
    return qs.annotate(n_members=Count("memberships"))


def _get(request: HttpRequest, pk: int, *, counts: bool = True) -> CommunicationGroup:
    qs = CommunicationGroup.objects.select_related("unit")
    return get_scoped_or_404(_with_counts(qs) if counts else qs, acting_user(request), pk=pk)


@router.get(
    "/groups",
    response={200: list[GroupOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="List communication groups",
)
@paginate(PagePagination)
def list_groups(request: HttpRequest, filters: Query[GroupFilter]) -> Any:
    """Communication groups administered by the work units in your scope, by name."""
    qs = selectors.group_list(
        acting_user(request),
        q=filters.q or "",
        platform=filters.platform or "",
        audience=filters.audience or "",
        unit=filters.unit,
        active=filters.active,
    )
    return _with_counts(qs)


@router.get(
    "/groups/{id}",
    response={200: GroupOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get a communication group",
)
def get_group(request: HttpRequest, id: Id) -> Any:
    return _get(request, id)


@router.post(
    "/groups",
    response={201: GroupOut, **WRITE_ERRORS},
    auth=requires("stakeholders.add_communicationgroup"),
    summary="Create a communication group",
)
def create_group(request: HttpRequest, payload: GroupIn) -> Any:
    """Create a group; the name must be unique within the administering unit."""
    data = payload.model_dump()
    group = services.create_group(by=acting_user(request), unit=data.pop("unit"), **data)
    return Status(201, _get(request, group.pk))


@router.patch(
    "/groups/{id}",
    response={200: GroupOut, **WRITE_ERRORS},
    auth=requires("stakeholders.change_communicationgroup"),
    summary="Change a communication group",
)
def update_group(request: HttpRequest, id: Id, payload: GroupPatch) -> Any:
    """Change only the fields sent (``null`` clears a text field)."""
    group = _get(request, id, counts=False)
    data = payload.changes()
    services.update_group(group, by=acting_user(request), unit=data.pop("unit", None), **data)
    return _get(request, id)


@router.get(
    "/groups/{id}/members",
    response={200: list[MemberOut], **DETAIL_ERRORS},
    auth=requires("stakeholders.view_groupmembership"),
    summary="List the members of a group",
)
@paginate(PagePagination)
def list_members(request: HttpRequest, id: Id) -> Any:
    """Staff members first, then contacts, by name."""
    return selectors.group_members(_get(request, id, counts=False))


@router.post(
    "/groups/{id}/members",
    response={201: MemberOut, **WRITE_ERRORS},
    auth=requires("stakeholders.add_groupmembership"),
    summary="Add a member to a group",
)
def add_member(request: HttpRequest, id: Id, payload: MemberIn) -> Any:
    """Add a staff user or a contact (exactly one) of the group's work units. Adding an
    existing member only updates the role."""
    group = _get(request, id, counts=False)
    membership = services.add_member(
        group,
        by=acting_user(request),
        user=payload.user,
        contact=payload.contact,
        role=payload.role,
    )
    return Status(
        201, GroupMembership.objects.select_related("user", "contact").get(pk=membership.pk)
    )


@router.delete(
    "/groups/{id}/members/{member_id}",
    response={204: None, **DETAIL_ERRORS},
    auth=requires("stakeholders.change_communicationgroup"),
    summary="Remove a member from a group",
)
def remove_member(request: HttpRequest, id: Id, member_id: Id) -> Any:
    """``member_id`` is the ``id`` of the membership (see the member list)."""
    group = _get(request, id, counts=False)
    membership = get_scoped_or_404(
        GroupMembership.objects.filter(group=group),
        acting_user(request),
        pk=member_id,
    )
    services.remove_member(membership, by=acting_user(request))
    return Status(204, None)
