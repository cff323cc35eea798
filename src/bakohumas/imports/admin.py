"""Import jobs in the admin site: read-only, scoped (the workspace pages do the work)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bakohumas.core.admin import ScopedAdminMixin
from bakohumas.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "original_name",
        "kind",
        "unit",
        "status",
        "total_rows",
        "error_rows",
        "created_rows",
        "updated_rows",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["original_name"]
    list_select_related = ["unit"]
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
