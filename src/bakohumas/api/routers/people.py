"""Staff profiles: ``GET /people`` and ``GET /people/{id}``."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS
from bakohumas.api.schemas import Id, PersonFilter, PersonOut
from bakohumas.core.models import StaffProfile
from bakohumas.core.scoping import get_scoped_or_404

router = Router(tags=["People"])
VIEW = "core.view_staffprofile"


def _people(request: HttpRequest) -> QuerySet[StaffProfile]:
    return StaffProfile.objects.for_user(acting_user(request)).select_related("user", "unit")


@router.get(
    "/people",
    response={200: list[PersonOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="List people",
)
@paginate(PagePagination)
def list_people(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    """Staff of the work units in your scope, by unit and name."""
    qs = _people(request).order_by("unit__code", "user__first_name", "user__last_name", "id")
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.active is not None:
        qs = qs.filter(user__is_active=filters.active)
    for word in (filters.q or "").split()[:5]:
        qs = qs.filter(
            Q(user__username__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(job_title__icontains=word)
        )
    return qs


@router.get(
    "/people/{id}",
    response={200: PersonOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get a person",
)
def get_person(request: HttpRequest, id: Id) -> Any:
    qs = StaffProfile.objects.select_related("user", "unit")
    return get_scoped_or_404(qs, acting_user(request), pk=id)
