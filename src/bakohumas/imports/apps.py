from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "bakohumas.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from bakohumas.imports.models import ImportJob

        # Who uploaded, confirmed or cancelled: the saves of the job row (progress
        # counters are written with UPDATE and stay out of the trail).
        if not auditlog.contains(ImportJob):
            auditlog.register(
                ImportJob,
                include_fields=[
                    "status",
                    "kind",
                    "unit",
                    "original_name",
                    "duplicate_policy",
                ],
            )
