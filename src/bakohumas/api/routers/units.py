"""Work units: ``GET /work-units`` and ``GET /work-units/{id}``."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from bakohumas.api.auth import acting_user, requires
from bakohumas.api.pagination import PagePagination
from bakohumas.api.routers import DETAIL_ERRORS, READ_ERRORS
from bakohumas.api.schemas import Id, WorkUnitFilter, WorkUnitOut
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404

router = Router(tags=["Work units"])
VIEW = "core.view_workunit"


def _units(request: HttpRequest) -> QuerySet[WorkUnit]:
    return WorkUnit.objects.for_user(acting_user(request)).select_related("parent")


@router.get(
    "/work-units",
    response={200: list[WorkUnitOut], **READ_ERRORS},
    auth=requires(VIEW),
    summary="List work units",
)
@paginate(PagePagination)
def list_work_units(request: HttpRequest, filters: Query[WorkUnitFilter]) -> Any:
    """The work units in your scope, by region code."""
    qs = _units(request).order_by("code")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(
            Q(code__startswith=text) | Q(name__icontains=text) | Q(region_name__icontains=text)
        )
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs


@router.get(
    "/work-units/{id}",
    response={200: WorkUnitOut, **DETAIL_ERRORS},
    auth=requires(VIEW),
    summary="Get a work unit",
)
def get_work_unit(request: HttpRequest, id: Id) -> Any:
    qs = WorkUnit.objects.select_related("parent")
    return get_scoped_or_404(qs, acting_user(request), pk=id)
