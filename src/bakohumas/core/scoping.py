"""The one permission-scoping mechanism.

National staff see every work unit, provincial staff their province and its kab/kota,
kab/kota staff only their own unit. Every domain queryset filters through
:func:`scope_filter` (usually via ``ScopedQuerySet.for_user``); views and API endpoints
fetch single objects from such a queryset, so an object of another unit is a 404.
What a user may *change* is decided by role permissions (Django groups) on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from bakohumas.core.models import StaffProfile, WorkUnit

_CACHE_ATTR = "_bakohumas_visible_unit_ids"
M = TypeVar("M", bound=models.Model)


def get_profile(user: Any) -> StaffProfile | None:
    """The user's staff profile, or ``None`` for anonymous users and users without one."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.profile  # type: ignore[no-any-return]
    except Exception:  # RelatedObjectDoesNotExist
        return None


def user_unit(user: Any) -> WorkUnit | None:
    profile = get_profile(user)
    return profile.unit if profile else None


def visible_unit_ids(user: Any) -> list[int] | None:
    """Ids of the work units ``user`` may see; ``None`` means every unit (national staff).

    Users without a staff profile see nothing (an empty list). The answer is cached on the
    user object for the request.
    """
    if hasattr(user, _CACHE_ATTR):
        cached: list[int] | None = getattr(user, _CACHE_ATTR)
        return cached
    from bakohumas.core.models import Level, WorkUnit

    profile = get_profile(user)
    ids: list[int] | None
    if profile is None:
        ids = []
    else:
        unit = profile.unit
        if unit.level == Level.NATIONAL:
            ids = None
        elif unit.level == Level.PROVINCE:
            ids = list(WorkUnit.objects.filter(province_id=unit.pk).values_list("id", flat=True))
            if unit.pk not in ids:
                ids.append(unit.pk)
        else:
            ids = [unit.pk]
    if user is not None:
        try:
            setattr(user, _CACHE_ATTR, ids)
        except AttributeError:
            pass
    return ids


def scope_filter(user: Any, field: str = "unit_id") -> Q:
    """A ``Q`` limiting ``field`` (a work-unit id path) to the units ``user`` may see."""
    ids = visible_unit_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids})


def can_see_unit(user: Any, unit_id: int | None) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or (unit_id is not None and unit_id in ids)


class ScopedQuerySet(models.QuerySet[M]):
    """Base queryset of every unit-owned model. Subclasses set ``unit_field``."""

    unit_field = "unit_id"

    def for_user(self, user: Any) -> Self:
        return self.filter(scope_filter(user, self.unit_field))


def require_perm(user: Any, perm: str) -> None:
    """Raise ``PermissionDenied`` (HTTP 403) unless ``user`` holds ``perm``."""
    if not user.has_perm(perm):
        raise PermissionDenied


def get_scoped_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """Fetch one object through the user's scope; another unit's object is a 404."""
    qs: Any = queryset
    if hasattr(qs, "for_user"):
        qs = qs.for_user(user)
    try:
        return qs.get(**lookup)  # type: ignore[no-any-return]
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def unit_and_ancestors(unit: WorkUnit) -> list[int]:
    """``unit`` and the units above it (kab/kota → province → national), nearest first.
    Select ``parent__parent`` with the unit to walk the tree without queries."""
    ids = [unit.pk]
    parent = unit.parent if unit.parent_id else None
    while parent is not None and parent.pk not in ids:
        ids.append(parent.pk)
        parent = parent.parent if parent.parent_id else None
    return ids
