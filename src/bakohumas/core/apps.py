from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bakohumas.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from bakohumas.core import audit, signals  # noqa: F401

        audit.register_all()
