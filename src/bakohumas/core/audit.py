"""Audit-trail registration: every domain model's create/change/delete is logged.

django-auditlog keeps who (the request's user, via its middleware), when, and the
changed fields (old → new). ``history_for(obj)`` feeds the history panel of each detail
page; ``/app/audit/`` lets administrators search the whole log.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db.models import QuerySet

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
}


def register_all() -> None:
    for label, options in AUDITED.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)


def history_for(obj: Any) -> QuerySet[LogEntry]:
    """The audit entries of one object, newest first, with their actors."""
    return LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")
