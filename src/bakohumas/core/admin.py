"""The admin site for administrators (``is_staff`` comes with the administrator role only).

Administrators are not superusers: every admin page goes through the same scoping as the
workspace. ``ScopedAdminMixin`` limits the rows to the user's units and the work-unit
choices of foreign keys to units in scope; other apps can reuse it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bakohumas.core.models import StaffProfile, WorkUnit
from bakohumas.core.scoping import scope_filter

admin.site.site_header = _("Bakohumas administration")
admin.site.site_title = "Bakohumas"
admin.site.index_title = _("Administration")


class ScopedAdminMixin:
    """Rows and work-unit choices limited to the requesting user's scope.

    ``scope_field`` is the work-unit id path of the model (``unit_id``, ``id`` for
    ``WorkUnit`` itself, ``profile__unit_id`` for users …).
    """

    scope_field = "unit_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return qs  # type: ignore[no-any-return]
        return qs.filter(scope_filter(request.user, self.scope_field))  # type: ignore[no-any-return]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is WorkUnit and not request.user.is_superuser:
            kwargs["queryset"] = WorkUnit.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


@admin.register(WorkUnit)
class WorkUnitAdmin(ScopedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    scope_field = "id"
    list_display = ["code", "name", "level", "time_zone", "is_active"]
    list_filter = ["level", "time_zone", "is_active"]
    search_fields = ["code", "name", "region_name"]
    ordering = ["code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent", "province"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return ["created_at", "updated_at"]
        # The tree itself comes from the region data file; administrators edit details.
        return [
            "code",
            "name",
            "region_name",
            "level",
            "kind",
            "parent",
            "province",
            "time_zone",
            "is_active",
            "created_at",
            "updated_at",
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(StaffProfile)
class StaffProfileAdmin(ScopedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "unit", "role", "category", "team_position"]
    list_filter = ["role", "category", "team_position"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "unit"]
    raw_id_fields = ["user"]
    # Roles change through the People page (core.services.set_role keeps groups in step).
    readonly_fields = [
        "role",
        "invited_at",
        "invited_by",
        "invitation_sent_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(ScopedAdminMixin, UserAdmin):  # type: ignore[type-arg]
    """Django's user admin, scoped; permission fields are for superusers only."""

    scope_field = "profile__unit_id"
    list_select_related = ["profile__unit"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (None, {"fields": ("username",)}),
            (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
            (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # Email changes go through the People page, which keeps addresses unique.
        return ["username", "email", "last_login", "date_joined"]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New accounts are invited from the People page, which also creates the profile.
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
