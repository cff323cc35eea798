"""Audit-trail registration: every domain model's create/change/delete is logged.

django-auditlog keeps who (the request's user, via its middleware), when, and the
changed fields (old → new). ``history_for(obj)`` feeds the history panel of each detail
page; ``/app/audit/`` lets administrators search the whole log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

# django-auditlog's LogEntry.Action values → our labels (the package has no Indonesian).
ACTION_LABELS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("accessed"),
}

AUDITED = {
    "core.WorkUnit": {},
    "core.StaffProfile": {},
    "auth.User": {"exclude_fields": ["password", "last_login"]},
    "stakeholders.Organisation": {},
    "stakeholders.Contact": {},
    "stakeholders.ContactConsent": {},
    "stakeholders.Tag": {},
    "stakeholders.Engagement": {},
    "stakeholders.CommunicationGroup": {},
    "stakeholders.GroupMembership": {},
    "media.MediaAsset": {},
    "content.ContentItem": {"exclude_fields": ["body_text", "content_hash", "updated_at"]},
    "content.ChannelVariant": {},
    "content.Election": {},
    "content.ElectionStage": {},
    "content.ProductionTarget": {},
    "portal.AgendaEvent": {},
    "dissemination.ChannelAccount": {
        "exclude_fields": ["secret_ciphertext", "paused_until", "checked_at", "updated_at"]
    },
    "dissemination.MailingList": {},
    "dissemination.Subscriber": {"exclude_fields": ["token"]},
    "dissemination.Publication": {"exclude_fields": ["notified_at", "share_token"]},
    "dissemination.Evidence": {},
    "core.CalendarOverride": {},
    "inbox.InboxSettings": {
        "exclude_fields": [
            "imap_secret_ciphertext",
            "webhook_secret_ciphertext",
            "imap_last_uid",
            "imap_uidvalidity",
            "imap_checked_at",
            "imap_error",
            "updated_at",
        ]
    },
    "inbox.CannedReply": {},
    "inbox.HoaxCase": {},
    "ppid.InformationRequest": {
        "exclude_fields": ["tracking_code_hash", "updated_at", "reminded_for"],
        "mask_fields": ["identity_number"],
    },
    "ppid.Objection": {},
}


def register_all() -> None:
    for label, options in AUDITED.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)


def history_for(obj: Any) -> QuerySet[LogEntry]:
    """The audit entries of one object, newest first, with their actors."""
    return (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor", "content_type")
        .order_by("-timestamp")
    )


def entries_for_user(user: Any) -> QuerySet[LogEntry]:
    """The audit entries ``user`` may read: all for national staff, otherwise the entries
    whose actor belongs to a work unit in the user's scope (cheap: one indexed join)."""
    from bakohumas.core.scoping import visible_unit_ids

    entries = LogEntry.objects.select_related("actor", "content_type")
    ids = visible_unit_ids(user)
    if ids is None:
        return entries
    return entries.filter(actor__profile__unit_id__in=ids)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def changes_as_text(changes: Any) -> str:
    """A flat, searchable "field: old → new; …" rendering of a ``changes`` dict."""
    if not isinstance(changes, dict):
        return ""
    parts = []
    for field, value in changes.items():
        if isinstance(value, dict) and value.get("type") == "m2m":
            objects = ", ".join(_text(o) for o in value.get("objects", []))
            parts.append(f"{field}: {value.get('operation', '')} {objects}")
        elif isinstance(value, list | tuple) and len(value) == 2:
            parts.append(f"{field}: {_text(value[0])} → {_text(value[1])}")
        else:
            parts.append(f"{field}: {_text(value)}")
    return "; ".join(parts)


@receiver(pre_save, sender=LogEntry)
def _fill_changes_text(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    """django-auditlog 3 keeps changes as JSON only; keep a text copy for searching."""
    if instance.changes and not instance.changes_text:
        instance.changes_text = changes_as_text(instance.changes)


@dataclass
class Change:
    """One changed field of an audit entry, ready for display."""

    field: str
    old: str
    new: str
    m2m: str = ""  # "add" / "delete" for many-to-many changes


def _is_empty(value: Any) -> bool:
    return value in (None, "", "None")


def _is_noise(field: Any) -> bool:
    """Fields not worth showing: reverse relations, primary keys, automatic timestamps."""
    if not getattr(field, "concrete", False):
        return True
    if getattr(field, "primary_key", False):
        return True
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def prepare_changes(entries: list[LogEntry], zone: Any = None) -> list[LogEntry]:
    """Attach ``entry.display_changes`` (a list of :class:`Change`) to every entry.

    Choice values become their labels and foreign keys the related object's name, with
    one query per related model for the whole page (django-auditlog's own
    ``changes_display_dict`` runs one query per foreign-key value).
    """
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    plans: list[tuple[LogEntry, list[tuple[str, Any, Any, Any]]]] = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        rows: list[tuple[str, Any, Any, Any]] = []
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name, value in changes.items():
            field = None
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
            if field is not None and _is_noise(field):
                continue
            if (
                isinstance(value, list | tuple)
                and len(value) == 2
                and _is_empty(value[0])
                and _is_empty(value[1])
            ):
                continue
            rows.append((name, field, value, None))
            if (
                field is not None
                and (field.many_to_one or field.one_to_one)
                and isinstance(value, list | tuple)
            ):
                related = field.related_model
                for raw in value:
                    if _is_empty(raw):
                        continue
                    try:
                        wanted[related].add(related._meta.pk.to_python(raw))  # type: ignore[union-attr]
                    except (ValidationError, TypeError, ValueError):
                        continue
        plans.append((entry, rows))
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, pks in wanted.items():
        manager = related._default_manager  # type: ignore[attr-defined]
        names[related] = {str(o.pk): str(o) for o in manager.filter(pk__in=pks)}
    for entry, rows in plans:
        display: list[Change] = []
        for name, field, value, _unused in rows:
            label = str(getattr(field, "verbose_name", name)) if field is not None else name
            if isinstance(value, dict) and value.get("type") == "m2m":
                objects = ", ".join(_text(o) for o in value.get("objects", []))
                op = value.get("operation", "")
                display.append(
                    Change(
                        label,
                        "" if op == "add" else objects,
                        objects if op == "add" else "",
                        m2m=op,
                    )
                )
                continue
            if not (isinstance(value, list | tuple) and len(value) == 2):
                display.append(Change(label, "", _text(value)))
                continue
            old, new = value
            display.append(
                Change(label, _display(field, old, names, zone), _display(field, new, names, zone))
            )
        entry.display_changes = display  # type: ignore[attr-defined]
        entry.prepared = True  # type: ignore[attr-defined]
    return entries


def history_entries(obj: Any, zone: Any = None, limit: int = 50) -> list[LogEntry]:
    """The newest ``limit`` audit entries of ``obj``, prepared for ``includes/history.html``
    (readable values, no noise, a bounded number of queries)."""
    return prepare_changes(list(history_for(obj)[:limit]), zone)


def _display(
    field: Any, value: Any, names: dict[type[models.Model], dict[str, str]], zone: Any = None
) -> str:
    if _is_empty(value):
        return ""
    if field is None:
        return _text(value)
    if isinstance(field, models.DateTimeField):
        parsed = parse_datetime(str(value))
        if parsed is None:
            return _text(value)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
        return timezone.localtime(parsed, zone).strftime("%Y-%m-%d %H:%M")
    if field.many_to_one or field.one_to_one:
        found = names.get(field.related_model, {}).get(str(value))
        return found if found is not None else f"#{value}"
    choices = getattr(field, "flatchoices", None)
    if choices:
        lookup = {str(k): str(v) for k, v in choices}
        return lookup.get(str(value), _text(value))
    if isinstance(field, models.BooleanField):
        from django.utils.translation import gettext

        return gettext("yes") if str(value) in ("True", "true", "1") else gettext("no")
    return _text(value)
