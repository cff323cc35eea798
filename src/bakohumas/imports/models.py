"""Spreadsheet imports of stakeholder organisations and contacts.

An import is two-phase: the uploaded file is parsed and every row validated into
``ImportRow`` (the preview, with line numbers and reasons); nothing touches the
stakeholder tables until the user confirms, and then only the valid rows are written.
Both phases run as background tasks that report progress on the job row.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import ScopedQuerySet

#: An "importing" job without progress for this long may be resumed (the worker died).
STALLED_AFTER = timedelta(minutes=10)


class ImportKind(models.TextChoices):
    ORGANISATIONS = "organisations", _("Organisations")
    CONTACTS = "contacts", _("Contacts")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Validating")
    PREVIEW = "preview", _("Ready for review")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class DuplicatePolicy(models.TextChoices):
    """What to do with a row that matches a record already in the database."""

    UPDATE = "update", _("Update the existing record")
    SKIP = "skip", _("Skip the row")


class ImportJobQuerySet(ScopedQuerySet["ImportJob"]):
    unit_field = "unit_id"


class ImportJob(models.Model):
    """One uploaded spreadsheet and its progress through validation and import."""

    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
        db_index=True,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_rows = models.PositiveIntegerField(_("created"), default=0)
    updated_rows = models.PositiveIntegerField(_("updated"), default=0)
    planned_create = models.PositiveIntegerField(_("to create"), default=0)
    planned_update = models.PositiveIntegerField(_("to update"), default=0)
    planned_skip = models.PositiveIntegerField(_("to skip"), default=0)
    skipped_rows = models.PositiveIntegerField(_("skipped"), default=0)
    failed_rows = models.PositiveIntegerField(_("failed while importing"), default=0)
    duplicate_policy = models.CharField(
        _("existing records"),
        max_length=8,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.UPDATE,
    )
    # The language the user uploaded in: row messages are written in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Field keys of the recognised columns, in file order; unknown headers are listed apart.
    columns = models.JSONField(_("columns"), default=list, blank=True)
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            models.Index(fields=["unit", "-created_at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["unit", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def rows_to_write(self) -> int:
        """Rows the import writes: the planned creates and updates."""
        return self.planned_create + self.planned_update

    @property
    def progress_percent(self) -> int:
        """Progress of the running phase: rows validated, then rows written.

        ``processed_rows`` counts the rows of the current phase: it runs up to
        ``total_rows`` while validating and up to ``rows_to_write`` while importing.
        """
        if self.status == ImportStatus.IMPORTING:
            todo = self.rows_to_write
        elif self.status in {ImportStatus.UPLOADED, ImportStatus.VALIDATING}:
            todo = self.total_rows
        else:
            return 100
        if not todo:
            return 0
        return max(0, min(100, int(self.processed_rows * 100 / todo)))

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def can_resume(self) -> bool:
        """An import that stopped half-way: failed after confirmation, or "importing"
        without progress for :data:`STALLED_AFTER` (the worker died)."""
        if self.confirmed_at is None:
            return False
        if self.status == ImportStatus.FAILED:
            return True
        return (
            self.status == ImportStatus.IMPORTING
            and self.updated_at is not None
            and self.updated_at < timezone.now() - STALLED_AFTER
        )

    @property
    def can_cancel(self) -> bool:
        return self.status in {ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.PREVIEW}


RUNNING_STATUSES = {ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING}


class RowAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update existing")
    SKIP = "skip", _("Skip")
    ERROR = "error", _("Error")


class RowOutcome(models.TextChoices):
    """What the import actually did with a row (empty until the import reaches it)."""

    PENDING = "", _("Not written yet")
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class ImportRow(models.Model):
    """One data row of an import: its line number, values, errors and planned action.

    ``line_number`` is the row as a spreadsheet user sees it (the header is line 1).
    ``data`` holds the normalised values keyed by field, ``errors`` readable messages,
    ``notes`` readable remarks (e.g. which existing record a row updates). After the
    import, ``outcome`` says what was done and ``result_id`` names the written record, so
    a re-run never writes a row twice.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line_number = models.PositiveIntegerField(_("line"))
    data = models.JSONField(_("values"), default=dict)
    errors = models.JSONField(_("errors"), default=list)
    action = models.CharField(_("action"), max_length=16, choices=RowAction.choices)
    existing_id = models.BigIntegerField(_("existing record"), null=True, blank=True)
    result_id = models.BigIntegerField(_("written record"), null=True, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=RowOutcome.choices,
        default=RowOutcome.PENDING,
        blank=True,
    )

    class Meta:
        ordering = ["line_number"]
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        indexes = [
            models.Index(fields=["job", "action", "line_number"]),
            models.Index(fields=["job", "outcome", "line_number"]),
            models.Index(fields=["job", "line_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line_number}"

    @property
    def has_errors(self) -> bool:
        return self.action == RowAction.ERROR or self.outcome == RowOutcome.FAILED
