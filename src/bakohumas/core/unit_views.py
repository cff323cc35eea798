"""Work-unit pages: list, detail with history, edit of contact details and logo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bakohumas.core import services
from bakohumas.core.audit import history_entries
from bakohumas.core.forms import UnitFilterForm, UnitForm, add_service_errors
from bakohumas.core.listing import paginate, sort_order
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import can_see_unit, get_scoped_or_404, require_perm

UNIT_SORTS = {
    "code": ["code"],
    "name": ["name", "code"],
    "level": ["level", "code"],
    "staff": ["n_staff", "code"],
}

ACTIVE_STAFF = Q(staff__user__is_active=True)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "core.view_workunit")
    form = UnitFilterForm(request.GET or None, user=request.user)
    units = (
        WorkUnit.objects.for_user(request.user)
        .select_related("parent")
        .annotate(n_staff=Count("staff", filter=ACTIVE_STAFF))
    )
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        if q := (data.get("q") or "").strip():
            for term in q.split():
                units = units.filter(
                    Q(name__icontains=term)
                    | Q(code__startswith=term)
                    | Q(region_name__icontains=term)
                )
        if level := data.get("level"):
            units = units.filter(level=level)
        if province := data.get("province"):
            units = units.filter(Q(province=province) | Q(pk=province.pk))
    sort, order = sort_order(request, UNIT_SORTS, "code")
    page = paginate(request, units.order_by(*order))
    return render(
        request,
        "core/unit_list.html",
        {"form": form, "page_obj": page, "units": page.object_list, "sort": sort},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "core.view_workunit")
    unit = get_scoped_or_404(
        WorkUnit.objects.select_related("parent", "province"), request.user, pk=pk
    )
    children = (
        unit.children.for_user(request.user)  # type: ignore[attr-defined]
        .annotate(n_staff=Count("staff", filter=ACTIVE_STAFF))
        .order_by("code")
    )
    staff_count = unit.staff.filter(user__is_active=True).count()
    return render(
        request,
        "core/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "staff_count": staff_count,
            "parent_visible": unit.parent_id is not None
            and can_see_unit(request.user, unit.parent_id),
            "local_now": unit.localtime(),
            "can_edit": request.user.has_perm("core.change_workunit"),
            "history": history_entries(unit, unit.zone),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "core.change_workunit")
    unit = get_scoped_or_404(WorkUnit.objects.all(), request.user, pk=pk)
    if request.method == "POST":
        form = UnitForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_unit(
                    request.user,
                    unit,
                    address=data["address"],
                    phone=data["phone"],
                    email=data["email"],
                    website=data["website"],
                    logo=data.get("logo") or None,
                    remove_logo=bool(data.get("remove_logo")),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The work unit has been saved."))
                return redirect("core:unit_detail", pk=unit.pk)
    else:
        form = UnitForm(
            initial={
                "address": unit.address,
                "phone": unit.phone,
                "email": unit.email,
                "website": unit.website,
            }
        )
    if not unit.logo:
        form.fields.pop("remove_logo", None)
    return render(request, "core/unit_form.html", {"unit": unit, "form": form})


@login_required
def unit_logo(request: HttpRequest, pk: int) -> FileResponse:
    """The unit's logo (always a PNG re-encoded on upload), served whatever DEBUG is."""
    require_perm(request.user, "core.view_workunit")
    unit = get_scoped_or_404(WorkUnit.objects.all(), request.user, pk=pk)
    if not unit.logo:
        raise Http404
    try:
        handle = unit.logo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
