"""Writes of the import workflow: upload, validate, confirm, import, cancel.

Life of a job::

    uploaded ──validate──▶ validating ──▶ preview ──confirm──▶ importing ──▶ done
        │                      │   └──▶ failed (unreadable file, wrong headers)
        └──────── cancel ──────┴──────── cancel ◀──┘

**Validation** (:func:`validate_job`) parses the file and writes one ``ImportRow`` per
data row in batches of :data:`BATCH_SIZE`, each batch in its own short transaction that
also advances ``processed_rows`` (so the progress bar moves and SQLite is never locked
for long). Nothing touches the stakeholder tables.

**Import** (:func:`import_job`) writes the valid rows through the stakeholder services
(``create_organisation``, ``update_contact``, ``set_consent`` …), as the confirming user
(audit actor). Chosen design: *batched transactions, re-runnable and idempotent*. One
transaction over 10,000 rows would hold SQLite's single write lock for the whole import
and hide all progress; instead each batch of :data:`IMPORT_BATCH_SIZE` rows commits
together with the rows' ``outcome``/``result_id`` and the job's counters. So at every
moment the job row and its rows say exactly which records were written: a row with an
``outcome`` is done, one without is not. If the worker dies, running the import again
(``confirm`` on a stalled job, or the task again) continues with the rows that have no
outcome and never writes a row twice. A row the services refuse at write time (say a
contact created meanwhile with the same number) gets outcome ``failed`` with the reason;
the other rows are written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bakohumas.core.models import WorkUnit
from bakohumas.imports.columns import key_for_header
from bakohumas.imports.models import (
    DuplicatePolicy,
    ImportJob,
    ImportKind,
    ImportRow,
    ImportStatus,
    RowAction,
    RowOutcome,
)
from bakohumas.imports.parsing import SpreadsheetError, read_sheet
from bakohumas.imports.validation import HeaderError, PlannedRow, RowValidator, map_header

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
IMPORT_BATCH_SIZE = 100
#: Largest number of data rows in one file.
MAX_ROWS = int(getattr(settings, "IMPORT_MAX_ROWS", 50_000))


class ImportCancelled(Exception):
    """The job was cancelled while a task was working on it."""


@contextmanager
def _job_language(job: ImportJob) -> Iterator[None]:
    with translation.override(job.language or settings.LANGUAGE_CODE):
        yield


# --- upload -----------------------------------------------------------------------------


@transaction.atomic
def create_job(
    *,
    by: Any,
    unit: WorkUnit,
    kind: str,
    upload: UploadedFile,
    policy: str = DuplicatePolicy.UPDATE,
    language: str = "",
) -> ImportJob:
    """Store an uploaded file as a new job in state "uploaded" (validation is enqueued
    by :func:`start_validation` once this transaction has committed).

    The caller (form) has checked the file's type, size and the unit's scope; this
    re-checks the permission and the scope so the API and the UI share one rule.
    """
    if not by.has_perm("imports.add_importjob"):
        raise PermissionDenied
    if not WorkUnit.objects.for_user(by).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": [_("Choose a work unit within your scope.")]})
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose what to import.")]})
    if policy not in DuplicatePolicy.values:
        raise ValidationError({"duplicate_policy": [_("Choose what to do with existing records.")]})
    job = ImportJob(
        unit=unit,
        kind=kind,
        duplicate_policy=policy,
        created_by=by,
        original_name=(upload.name or "upload")[-255:],
        language=language[:16],
    )
    job.file.save(upload.name or "upload", upload, save=False)
    job.save()
    return job


def start_validation(job: ImportJob) -> None:
    """Enqueue the validation task of ``job``."""
    from bakohumas.imports.tasks import validate_import

    validate_import.enqueue(job.pk)


# --- validation -------------------------------------------------------------------------


def _fail(job: ImportJob, message: str) -> None:
    ImportRow.objects.filter(job=job).delete()
    ImportJob.objects.filter(pk=job.pk).exclude(status=ImportStatus.CANCELLED).update(
        status=ImportStatus.FAILED,
        message=message,
        finished_at=timezone.now(),
        processed_rows=0,
        updated_at=timezone.now(),
    )


def validate_job(job_id: int) -> str:
    """Parse and validate the file of job ``job_id`` into ``ImportRow``s (task body).

    Returns the final status. Runs again from scratch when called again on a job that
    is still "uploaded" or "validating" (a worker that died half-way).
    """
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("unit", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status not in {ImportStatus.UPLOADED, ImportStatus.VALIDATING}:
            return job.status if job else "missing"
        # Phase changes made by the worker are written with UPDATE, so the job's audit
        # trail keeps the user's acts (upload, confirm, cancel).
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.VALIDATING,
            processed_rows=0,
            message="",
            updated_at=timezone.now(),
        )
        ImportRow.objects.filter(job=job).delete()
    with _job_language(job):
        try:
            return _validate(job)
        except ImportCancelled:
            ImportRow.objects.filter(job=job).delete()
            return ImportStatus.CANCELLED
        except (SpreadsheetError, HeaderError) as exc:
            _fail(job, str(exc))
            return ImportStatus.FAILED
        except Exception:
            logger.exception("Validation of import job %s failed", job.pk)
            _fail(
                job,
                _(
                    "The file could not be checked because of an unexpected error. "
                    "Check the file and upload it again."
                ),
            )
            return ImportStatus.FAILED


def _validate(job: ImportJob) -> str:
    with job.file.open("rb") as fileobj:
        sheet = read_sheet(
            fileobj,
            job.original_name,
            MAX_ROWS,
            known_header=lambda header: key_for_header(job.kind, header) is not None,
        )
    mapping, ignored = map_header(job.kind, sheet.header)
    if not sheet.rows:
        raise SpreadsheetError(_("The file has a header but no data rows."))
    ImportJob.objects.filter(pk=job.pk).update(
        total_rows=len(sheet.rows),
        columns=[mapping[i] for i in sorted(mapping)],
        ignored_columns=ignored,
        updated_at=timezone.now(),
    )
    validator = RowValidator(
        kind=job.kind,
        unit=job.unit,
        user=job.created_by,
        policy=job.duplicate_policy,
        mapping=mapping,
    )
    counts = {action: 0 for action in RowAction.values}
    processed = 0
    for start in range(0, len(sheet.rows), BATCH_SIZE):
        batch = [
            validator.clean(line, cells) for line, cells in sheet.rows[start : start + BATCH_SIZE]
        ]
        validator.plan_batch(batch)
        processed += len(batch)
        with transaction.atomic():
            ImportRow.objects.bulk_create(_to_rows(job, batch), batch_size=BATCH_SIZE)
            alive = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING).update(
                processed_rows=processed, updated_at=timezone.now()
            )
            if not alive:
                raise ImportCancelled
        for row in batch:
            counts[row.action] += 1
    total = len(sheet.rows)
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING).update(
        status=ImportStatus.PREVIEW,
        total_rows=total,
        processed_rows=total,
        valid_rows=total - counts[RowAction.ERROR],
        error_rows=counts[RowAction.ERROR],
        planned_create=counts[RowAction.CREATE],
        planned_update=counts[RowAction.UPDATE],
        planned_skip=counts[RowAction.SKIP],
        updated_at=timezone.now(),
    )
    if not updated:
        raise ImportCancelled
    return ImportStatus.PREVIEW


def _to_rows(job: ImportJob, batch: list[PlannedRow]) -> list[ImportRow]:
    return [
        ImportRow(
            job=job,
            line_number=row.line,
            data=row.stored_data(),
            errors=row.errors,
            notes=row.notes,
            action=row.action,
            existing_id=row.existing_id,
        )
        for row in batch
    ]


# --- confirm and cancel -----------------------------------------------------------------


def _check_write_permissions(job: ImportJob, user: Any) -> None:
    model = "contact" if job.kind == ImportKind.CONTACTS else "organisation"
    needed = ["imports.add_importjob", f"stakeholders.add_{model}"]
    if job.planned_update:
        needed.append(f"stakeholders.change_{model}")
    if job.kind == ImportKind.CONTACTS:
        needed.append("stakeholders.change_contactconsent")
    if not all(user.has_perm(p) for p in needed):
        raise PermissionDenied


def confirm_job(job: ImportJob, *, by: Any) -> bool:
    """Start writing the valid rows of ``job``. Returns ``False`` (and changes nothing)
    when the job is not waiting for confirmation: a second click, a finished job.

    A job stuck in "importing" (no progress for :data:`STALLED_AFTER`, e.g. the worker
    died) may be confirmed again: the import continues where it stopped.
    """
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        _check_write_permissions(locked, by)
        if not (locked.status == ImportStatus.PREVIEW or locked.can_resume):
            return False
        if not locked.rows_to_write:
            return False
        if locked.status == ImportStatus.PREVIEW:
            locked.confirmed_at = timezone.now()
            locked.processed_rows = 0
        locked.status = ImportStatus.IMPORTING
        locked.confirmed_by = by
        locked.message = ""
        locked.finished_at = None
        locked.save()
    from bakohumas.imports.tasks import run_import

    run_import.enqueue(job.pk)
    return True


@transaction.atomic
def cancel_job(job: ImportJob, *, by: Any) -> bool:
    """Cancel ``job`` before its import started; its rows and file are deleted.
    Returns ``False`` when it can no longer be cancelled."""
    if not by.has_perm("imports.add_importjob"):
        raise PermissionDenied
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not locked.can_cancel:
        return False
    locked.status = ImportStatus.CANCELLED
    locked.finished_at = timezone.now()
    locked.message = _("Cancelled by %(user)s.") % {"user": by.get_full_name() or by.get_username()}
    locked.save(update_fields=["status", "finished_at", "message", "updated_at"])
    ImportRow.objects.filter(job=locked).delete()
    name = locked.file.name
    if name:
        storage = locked.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    return True


# --- import -----------------------------------------------------------------------------


def import_job(job_id: int) -> str:
    """Write the valid rows of job ``job_id`` (task body); see the module docstring."""
    job = ImportJob.objects.select_related("unit", "confirmed_by").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.IMPORTING:
        return job.status if job else "missing"
    user = job.confirmed_by
    if user is None:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            message=_("The confirming user no longer exists."),
            finished_at=timezone.now(),
        )
        return ImportStatus.FAILED
    with _job_language(job):
        try:
            return _import(job, user)
        except Exception:
            logger.exception("Import job %s stopped", job.pk)
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).update(
                status=ImportStatus.FAILED,
                finished_at=timezone.now(),
                message=_(
                    "The import stopped because of an unexpected error. The rows "
                    "marked as written are in the database; the others are not. "
                    "You can resume the import."
                ),
            )
            return ImportStatus.FAILED


def _import(job: ImportJob, user: Any) -> str:
    from bakohumas.imports.writing import RowWriter

    writer = RowWriter(job, user)
    with set_actor(user):
        # Planned skips are done at once: nothing to write.
        with transaction.atomic():
            skipped = ImportRow.objects.filter(
                job=job, action=RowAction.SKIP, outcome=RowOutcome.PENDING
            ).update(outcome=RowOutcome.SKIPPED)
            _bump(job, skipped_rows=skipped)
        while True:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status != ImportStatus.IMPORTING:
                    return locked.status
                rows = list(
                    ImportRow.objects.select_for_update()
                    .filter(
                        job=job,
                        action__in=[RowAction.CREATE, RowAction.UPDATE],
                        outcome=RowOutcome.PENDING,
                    )
                    .order_by("line_number")[:IMPORT_BATCH_SIZE]
                )
                if not rows:
                    break
                tally = writer.write(rows)
                _bump(job, processed_rows=len(rows), **tally)
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.DONE,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return ImportStatus.DONE


def _bump(job: ImportJob, **counts: int) -> None:
    from django.db.models import F

    changes: dict[str, Any] = {k: F(k) + v for k, v in counts.items() if v}
    changes["updated_at"] = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(**changes)
