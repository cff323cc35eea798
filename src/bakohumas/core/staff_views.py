"""People pages: staff list and detail; invitation, edit, role and (de)activation."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bakohumas.core import services
from bakohumas.core.audit import prepare_changes
from bakohumas.core.forms import (
    RoleForm,
    StaffEditForm,
    StaffFilterForm,
    StaffInviteForm,
    add_service_errors,
)
from bakohumas.core.listing import paginate, sort_order
from bakohumas.core.models import Role, StaffProfile
from bakohumas.core.scoping import get_profile, get_scoped_or_404, require_perm

MANAGE = "core.manage_staff"

STAFF_SORTS = {
    "name": ["user__first_name", "user__last_name", "user__username"],
    "username": ["user__username"],
    "unit": ["unit__code", "user__first_name", "user__username"],
    "role": ["role", "user__first_name", "user__username"],
    "last_login": ["user__last_login", "user__username"],
}


def _profiles(user: Any) -> QuerySet[StaffProfile]:
    return StaffProfile.objects.for_user(user).select_related("user", "unit")


def _managed_profile(request: HttpRequest, pk: int) -> StaffProfile:
    """403 without ``core.manage_staff``; 404 for a profile outside the user's scope."""
    require_perm(request.user, MANAGE)
    return get_scoped_or_404(_profiles(request.user), request.user, pk=pk)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "core.view_staffprofile")
    params = request.GET.copy()
    params.setdefault("active", "yes")
    form = StaffFilterForm(params, user=request.user)
    form.is_valid()
    data = form.cleaned_data
    profiles = _profiles(request.user)
    if q := (data.get("q") or "").strip():
        for term in q.split()[:5]:
            profiles = profiles.filter(
                Q(user__username__icontains=term)
                | Q(user__first_name__icontains=term)
                | Q(user__last_name__icontains=term)
                | Q(user__email__icontains=term)
            )
    if unit := data.get("unit"):
        profiles = profiles.filter(unit=unit)
    if role := data.get("role"):
        profiles = profiles.filter(role=role)
    if category := data.get("category"):
        profiles = profiles.filter(category=category)
    active = data.get("active") or "yes"
    if active == "yes":
        profiles = profiles.filter(user__is_active=True)
    elif active == "pending":
        profiles = profiles.filter(
            user__is_active=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX
        )
    elif active == "no":
        profiles = profiles.filter(user__is_active=False)
    sort, order = sort_order(request, STAFF_SORTS, "name")
    page = paginate(request, profiles.order_by(*order, "pk"))
    return render(
        request,
        "core/staff_list.html",
        {
            "form": form,
            "page_obj": page,
            "profiles": page.object_list,
            "sort": sort,
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


def _staff_history(profile: StaffProfile) -> QuerySet[LogEntry]:
    """Audit entries of the profile and of its user account, newest first."""
    types = ContentType.objects.get_for_models(StaffProfile, get_user_model())
    return (
        LogEntry.objects.filter(
            Q(content_type=types[StaffProfile], object_pk=str(profile.pk))
            | Q(content_type=types[get_user_model()], object_pk=str(profile.user_id))
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp")
    )


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "core.view_staffprofile")
    profile = get_scoped_or_404(
        _profiles(request.user).select_related("invited_by"), request.user, pk=pk
    )
    return render(
        request,
        "core/staff_detail.html",
        {
            "profile": profile,
            "person": profile.user,
            "can_manage": request.user.has_perm(MANAGE),
            "can_audit": request.user.has_perm("core.view_auditlog"),
            "is_self": profile.user_id == request.user.pk,
            "history": prepare_changes(list(_staff_history(profile)[:50]), profile.unit.zone),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_invite(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, MANAGE)
    if request.method == "POST":
        form = StaffInviteForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                profile = services.invite_staff(
                    request.user,
                    unit=data["unit"],
                    username=data["username"],
                    email=data["email"],
                    role=data["role"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    category=data["category"],
                    pranata_level=data["pranata_level"],
                    team_position=data["team_position"],
                    job_title=data["job_title"],
                    phone=data["phone"],
                    whatsapp=data["whatsapp"],
                    language=get_language() or "",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s has been invited; the invitation is on its way to %(email)s.")
                    % {"name": profile.display_name, "email": profile.user.email},
                )
                return redirect("core:staff_detail", pk=profile.pk)
    else:
        own = get_profile(request.user)
        form = StaffInviteForm(
            user=request.user,
            initial={"unit": own.unit_id if own else None, "role": Role.CONTRIBUTOR},
        )
    return render(request, "core/staff_form.html", {"form": form, "profile": None})


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _managed_profile(request, pk)
    if request.method == "POST":
        form = StaffEditForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_staff(
                    request.user,
                    profile,
                    unit=data["unit"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    category=data["category"],
                    pranata_level=data["pranata_level"],
                    team_position=data["team_position"],
                    job_title=data["job_title"],
                    phone=data["phone"],
                    whatsapp=data["whatsapp"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The profile has been saved."))
                return redirect("core:staff_detail", pk=profile.pk)
    else:
        form = StaffEditForm(user=request.user, initial=StaffEditForm.initial_for(profile))
    return render(request, "core/staff_form.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def staff_role(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _managed_profile(request, pk)
    if request.method == "POST":
        form = RoleForm(request.POST)
        if form.is_valid():
            try:
                services.set_role(profile.user, form.cleaned_data["role"], by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                profile.refresh_from_db()
                messages.success(
                    request,
                    _("%(name)s is now %(role)s.")
                    % {"name": profile.display_name, "role": profile.get_role_display()},
                )
                return redirect("core:staff_detail", pk=profile.pk)
    else:
        form = RoleForm(initial={"role": profile.role})
    return render(request, "core/staff_role.html", {"form": form, "profile": profile})


def _toggle_active(request: HttpRequest, pk: int, *, activate: bool) -> HttpResponse:
    profile = _managed_profile(request, pk)
    error = ""
    if request.method == "POST":
        try:
            if activate:
                changed = services.reactivate_staff(request.user, profile)
            else:
                changed = services.deactivate_staff(request.user, profile)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if activate:
                text = (
                    _("%(name)s can log in again.")
                    if changed
                    else _("%(name)s was already active.")
                )
            else:
                text = (
                    _("%(name)s has been deactivated and can no longer log in.")
                    if changed
                    else _("%(name)s was already deactivated.")
                )
            messages.success(request, text % {"name": profile.display_name})
            return redirect("core:staff_detail", pk=profile.pk)
    return render(
        request,
        "core/staff_confirm.html",
        {"profile": profile, "activate": activate, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle_active(request, pk, activate=False)


@login_required
@require_http_methods(["GET", "POST"])
def staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle_active(request, pk, activate=True)


@login_required
@require_POST
def staff_resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _managed_profile(request, pk)
    try:
        services.resend_invitation(request.user, profile, language=get_language() or "")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("A new invitation is on its way to %(email)s.") % {"email": profile.user.email},
        )
    return redirect("core:staff_detail", pk=profile.pk)
