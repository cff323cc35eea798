"""Spreadsheet imports of stakeholder organisations and contacts.

An import is two-phase: the uploaded file is parsed and every row validated into
``ImportRow`` (the preview, with line numbers and reasons); nothing touches the
stakeholder tables until the user confirms, and then only the valid rows are written.
Both phases run as background tasks that report progress on the job row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import ScopedQuerySet


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


class ImportJobQuerySet(ScopedQuerySet["ImportJob"]):
    unit_field = "unit_id"


class ImportJob(models.Model):
    """One uploaded spreadsheet and its progress through validation and import."""

    unit = models.ForeignKey(WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT,
                             related_name="import_jobs")
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED, db_index=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_rows = models.PositiveIntegerField(_("created"), default=0)
    updated_rows = models.PositiveIntegerField(_("updated"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in {ImportStatus.UPLOADED, ImportStatus.VALIDATING} else 100
        return min(100, int(self.processed_rows * 100 / self.total_rows))


class RowAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update existing")
    SKIP = "skip", _("Skip")
    ERROR = "error", _("Error")


class ImportRow(models.Model):
    """One data row of an import: its line number, values, errors and planned action."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line_number = models.PositiveIntegerField(_("line"))
    data = models.JSONField(_("values"), default=dict)
    errors = models.JSONField(_("errors"), default=list)
    action = models.CharField(_("action"), max_length=16, choices=RowAction.choices)
    existing_id = models.BigIntegerField(_("existing record"), null=True, blank=True)
    result_id = models.BigIntegerField(_("written record"), null=True, blank=True)

    class Meta:
        ordering = ["line_number"]
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        indexes = [models.Index(fields=["job", "action", "line_number"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line_number}"
