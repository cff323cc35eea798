"""Phase two of an import: valid rows written through the stakeholder services.

Every row is written in its own savepoint (the services are atomic), so a row the
services refuse rolls back alone and is marked ``failed`` with the reason; the caller
commits a batch of rows together with their outcomes and the job's counters.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from bakohumas.imports.columns import column_map
from bakohumas.imports.models import ImportJob, ImportKind, ImportRow, RowAction, RowOutcome
from bakohumas.stakeholders import services as stakeholder_services
from bakohumas.stakeholders.models import (
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    Organisation,
)

ORGANISATION_FIELDS = [f for f in stakeholder_services.ORGANISATION_FIELDS if f != "is_active"]
logger = logging.getLogger(__name__)

CONTACT_FIELDS = [f for f in stakeholder_services.CONTACT_FIELDS if f != "is_active"]


def _messages(exc: ValidationError, kind: str) -> list[str]:
    """Readable messages of a service's ``ValidationError``, prefixed by column label."""
    labels = {key: str(col.label) for key, col in column_map(kind).items()}
    labels["organisation_id"] = labels.get("organisation", "")
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    result = []
    for field, messages in exc.message_dict.items():
        label = labels.get(field)
        for message in messages:
            if label:
                result.append(_("%(column)s: %(error)s") % {"column": label, "error": message})
            else:
                result.append(message)
    return result


class RowWriter:
    """Writes rows of one job as one user; :meth:`write` returns the counters to add."""

    def __init__(self, job: ImportJob, user: Any) -> None:
        self.job = job
        self.user = user
        self.kind = job.kind
        self.evidence = _("Import #%(id)d, file %(file)s") % {
            "id": job.pk,
            "file": job.original_name,
        }

    def write(self, rows: list[ImportRow]) -> dict[str, int]:
        tally = {"created_rows": 0, "updated_rows": 0, "failed_rows": 0}
        existing = self._existing(rows)
        for row in rows:
            try:
                with transaction.atomic():  # one savepoint per row: a refusal undoes it all
                    obj, outcome = self._write_row(row, existing.get(row.existing_id or 0))
            except ValidationError as exc:
                self._failed(row, _messages(exc, self.kind))
                tally["failed_rows"] += 1
                continue
            except PermissionDenied:
                self._failed(row, [_("You may not change this record.")])
                tally["failed_rows"] += 1
                continue
            except DatabaseError:
                logger.exception("Import job %s, line %s", self.job.pk, row.line_number)
                self._failed(row, [_("The database refused this row. Try again later.")])
                tally["failed_rows"] += 1
                continue
            row.outcome = outcome
            row.result_id = obj.pk
            row.save(update_fields=["outcome", "result_id"])
            tally["created_rows" if outcome == RowOutcome.CREATED else "updated_rows"] += 1
        return tally

    def _failed(self, row: ImportRow, messages: list[str]) -> None:
        row.outcome = RowOutcome.FAILED
        row.errors = [*row.errors, *messages]
        row.save(update_fields=["outcome", "errors"])

    def _existing(self, rows: list[ImportRow]) -> dict[int, Any]:
        ids = [r.existing_id for r in rows if r.action == RowAction.UPDATE and r.existing_id]
        if not ids:
            return {}
        model: Any = Contact if self.kind == ImportKind.CONTACTS else Organisation
        qs = model.objects.for_user(self.user).filter(pk__in=ids).prefetch_related("tags")
        if self.kind == ImportKind.CONTACTS:
            qs = qs.prefetch_related("consents")
        return {obj.pk: obj for obj in qs}

    def _write_row(self, row: ImportRow, existing: Any) -> tuple[Any, str]:
        if row.action == RowAction.UPDATE and existing is None:
            raise ValidationError(
                _(
                    "The existing record this row would update no longer exists or is "
                    "outside your work units."
                )
            )
        if self.kind == ImportKind.CONTACTS:
            return self._write_contact(row, existing)
        return self._write_organisation(row, existing)

    def _fields(self, row: ImportRow, allowed: list[str]) -> dict[str, Any]:
        return {k: v for k, v in row.data.items() if k in allowed and v not in ("", None)}

    def _tags(self, row: ImportRow, existing: Any) -> list[str] | None:
        names = list(row.data.get("tags") or [])
        if not names:
            return None
        if existing is None:
            return names
        # An update adds the file's tags to the record's own.
        current = [t.name for t in existing.tags.all()]
        known = {n.casefold() for n in current}
        return current + [n for n in names if n.casefold() not in known]

    def _write_organisation(
        self, row: ImportRow, existing: Organisation | None
    ) -> tuple[Organisation, str]:
        fields = self._fields(row, ORGANISATION_FIELDS)
        tags = self._tags(row, existing)
        if existing is None:
            org = stakeholder_services.create_organisation(
                by=self.user, unit=self.job.unit, tags=tags, **fields
            )
            return org, RowOutcome.CREATED
        fields.pop("name", None)  # matched by name: keep the record's own spelling
        org = stakeholder_services.update_organisation(existing, by=self.user, tags=tags, **fields)
        return org, RowOutcome.UPDATED

    def _write_contact(self, row: ImportRow, existing: Contact | None) -> tuple[Contact, str]:
        fields = self._fields(row, CONTACT_FIELDS)
        tags = self._tags(row, existing)
        organisation = row.data.get("organisation_id")
        if existing is None:
            contact = stakeholder_services.create_contact(
                by=self.user,
                unit=self.job.unit,
                organisation=organisation,
                tags=tags,
                **fields,
            )
            outcome = RowOutcome.CREATED
        else:
            extra: dict[str, Any] = {"organisation": organisation} if organisation else {}
            contact = stakeholder_services.update_contact(
                existing, by=self.user, tags=tags, **extra, **fields
            )
            outcome = RowOutcome.UPDATED
        self._record_consents(row, contact, existing)
        return contact, outcome

    def _record_consents(self, row: ImportRow, contact: Contact, existing: Any) -> None:
        granted: set[str] = set()
        if existing is not None:
            granted = {
                c.channel
                for c in existing.consents.all()
                if isinstance(c, ContactConsent) and c.status == ConsentStatus.GRANTED
            }
        for key, column in column_map(ImportKind.CONTACTS).items():
            if column.kind != "consent" or not row.data.get(key):
                continue
            if column.channel in granted:
                continue  # already granted: keep its original date and method
            stakeholder_services.set_consent(
                contact,
                channel=column.channel,
                status=ConsentStatus.GRANTED,
                method=ConsentMethod.IMPORT,
                evidence=self.evidence,
                by=self.user,
            )
