"""Writes of the portal app: the public agenda (``AgendaEvent``), used by the staff UI.

Same three rules as every service: the acting user ``by`` needs the role permission
(``PermissionDenied``), the event and the unit it is moved to must be in ``by``'s scope
(``PermissionDenied`` for the event, ``ValidationError`` on ``unit`` for the target), and
bad values raise ``ValidationError`` with field messages; nothing is written then.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import can_see_unit, user_unit
from bakohumas.portal.models import AgendaEvent

EVENT_FIELDS = ("title", "description", "location", "starts_at", "ends_at", "is_public")


def _require(user: Any, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


def _resolve_unit(user: Any, unit: WorkUnit | int | str | None) -> WorkUnit:
    if unit is None or unit == "":
        own = user_unit(user)
        if own is None:
            raise ValidationError({"unit": [_("Choose a work unit.")]})
        return own
    unit_id = unit.pk if isinstance(unit, WorkUnit) else unit
    try:
        return WorkUnit.objects.for_user(user).get(pk=unit_id, is_active=True)
    except (WorkUnit.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError({"unit": [_("Choose a work unit within your scope.")]}) from exc


def _apply(event: AgendaEvent, fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EVENT_FIELDS))
    if unknown:
        raise TypeError(f"Unknown field(s): {', '.join(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(event, name, value)


def _validate(event: AgendaEvent) -> None:
    errors: dict[str, list[str]] = {}
    try:
        event.full_clean(exclude=["unit"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        errors.setdefault("ends_at", []).append(_("The event cannot end before it starts."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_event(*, by: Any, unit: WorkUnit | int | None = None, **fields: Any) -> AgendaEvent:
    """A new agenda event of ``unit`` (``None``: the user's own unit)."""
    _require(by, "portal.add_agendaevent")
    event = AgendaEvent(unit=_resolve_unit(by, unit))
    _apply(event, fields)
    _validate(event)
    event.save()
    return event


@transaction.atomic
def update_event(
    event: AgendaEvent, *, by: Any, unit: WorkUnit | int | None = None, **fields: Any
) -> AgendaEvent:
    """Change the fields passed (and the unit, when given) of ``event``."""
    _require(by, "portal.change_agendaevent")
    if not can_see_unit(by, event.unit_id):
        raise PermissionDenied(_("This record is outside your work units."))
    event = AgendaEvent.objects.select_for_update().get(pk=event.pk)
    if unit is not None:
        event.unit = _resolve_unit(by, unit)
    _apply(event, fields)
    _validate(event)
    event.save()
    return event


@transaction.atomic
def delete_event(event: AgendaEvent, *, by: Any) -> None:
    _require(by, "portal.delete_agendaevent")
    if not can_see_unit(by, event.unit_id):
        raise PermissionDenied(_("This record is outside your work units."))
    AgendaEvent.objects.filter(pk=event.pk).delete()
