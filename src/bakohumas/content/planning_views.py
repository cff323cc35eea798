"""Planning pages (``/app/planning/``): production targets, elections and their stages.

Thin: reads through ``content.calendar`` selectors (scoped), writes through its planning
functions (role, scope and validity checked there). Another unit's target, or an election
the user cannot see, is a 404; a missing role, or a national election edited by staff
below the national level, a 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bakohumas.content import calendar
from bakohumas.content.models import ContentItem, Election, ElectionStage, ProductionTarget
from bakohumas.content.planning_forms import ElectionForm, StageForm, TargetForm
from bakohumas.core.listing import paginate
from bakohumas.core.models import WorkUnit
from bakohumas.core.scoping import get_scoped_or_404, require_perm


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("planning:target_list")


# --- production targets ------------------------------------------------------------------


def _scoped_target(request: HttpRequest, pk: int) -> ProductionTarget:
    return get_scoped_or_404(calendar.targets_for(request.user), request.user, pk=pk)


@login_required
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    """Targets of the user's scope with this week's and month's production against them."""
    require_perm(request.user, "content.view_productiontarget")
    qs = calendar.targets_for(request.user).order_by("unit__code", "-period", "form", "pk")
    unit: WorkUnit | None = None
    raw_unit = request.GET.get("unit", "").strip()
    if raw_unit:
        unit = get_scoped_or_404(WorkUnit.objects.all(), request.user, pk=raw_unit)
        qs = qs.filter(unit=unit)
    page = paginate(request, qs)
    targets = list(page.object_list)
    progress = {
        p.target.pk: p
        for p in calendar.target_progress({t.unit for t in targets})
        if p.target.pk in {t.pk for t in targets}
    }
    rows = [(t, progress.get(t.pk)) for t in targets]
    return render(
        request,
        "content/planning/target_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "filter_unit": unit,
            "unit_choices": list(calendar.calendar_units(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "content.add_productiontarget")
    form = TargetForm(
        request.POST or None,
        user=request.user,
        initial={"unit": getattr(calendar.user_unit(request.user), "pk", None), "period": "week"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            target = calendar.create_target(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Target saved for %(unit)s.") % {"unit": target.unit.name})
            return redirect("planning:target_list")
    return render(
        request,
        "content/planning/target_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.change_productiontarget")
    target = _scoped_target(request, pk)
    form = TargetForm(
        request.POST or None,
        user=request.user,
        initial={
            "unit": target.unit_id,
            "form": target.form,
            "period": target.period,
            "count": target.count,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            calendar.update_target(target, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            target.refresh_from_db()
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect("planning:target_list")
    return render(
        request,
        "content/planning/target_form.html",
        {"form": form, "target": target},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.delete_productiontarget")
    target = _scoped_target(request, pk)
    if request.method == "POST":
        calendar.delete_target(target, by=request.user)
        messages.success(request, _("Target deleted."))
        return redirect("planning:target_list")
    return render(
        request,
        "content/planning/confirm_delete.html",
        {
            "object": target,
            "description": _("The production target of %(unit)s (%(count)s %(period)s).")
            % {
                "unit": target.unit.name,
                "count": target.count,
                "period": target.get_period_display(),
            },
            "cancel_url": reverse("planning:target_list"),
        },
    )


# --- elections ---------------------------------------------------------------------------


def _scoped_election(request: HttpRequest, pk: int) -> Election:
    # Not get_scoped_or_404: Election.for_user would hide the elections of the units
    # above the user's (a kab/kota sees its province's Pemilihan); visible_elections is
    # the scope here.
    try:
        return calendar.visible_elections(request.user).select_related("unit").get(pk=pk)
    except Election.DoesNotExist as exc:
        raise Http404 from exc


def _require_manage(request: HttpRequest, election: Election) -> None:
    if not calendar.can_manage_election(request.user, election):
        raise PermissionDenied


@login_required
@require_GET
def election_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "content.view_election")
    qs = (
        calendar.visible_elections(request.user)
        .select_related("unit")
        .annotate(stage_count=Count("stages"))
        .order_by("-is_active", "-voting_day", "name", "pk")
    )
    page = paginate(request, qs)
    elections = list(page.object_list)
    return render(
        request,
        "content/planning/election_list.html",
        {
            "page_obj": page,
            "rows": [(e, calendar.can_manage_election(request.user, e)) for e in elections],
        },
    )


@login_required
@require_GET
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.view_election")
    election = _scoped_election(request, pk)
    return _election_detail(request, election, None)


def _election_detail(
    request: HttpRequest, election: Election, stage_form: StageForm | None, status: int = 200
) -> HttpResponse:
    can_manage = calendar.can_manage_election(request.user, election)
    if stage_form is None and can_manage and request.user.has_perm("content.add_electionstage"):
        stage_form = StageForm()
    calendar_unit = election.unit_id
    return render(
        request,
        "content/planning/election_detail.html",
        {
            "election": election,
            "stages": list(election.stages.all()),
            "can_manage": can_manage,
            "stage_form": stage_form,
            "calendar_query": (
                f"?date={election.voting_day.isoformat()}" if election.voting_day else "?"
            )
            + (f"&unit={calendar_unit}" if calendar_unit else ""),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "content.add_election")
    initial: dict[str, Any] = {"kind": "pemilihan", "is_active": True}
    if not calendar.is_national_staff(request.user):
        initial["unit"] = getattr(calendar.user_unit(request.user), "pk", None)
    form = ElectionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            election = calendar.create_election(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Election “%(name)s” created. Add its stages below.") % {"name": election.name},
            )
            return redirect("planning:election_detail", pk=election.pk)
    return render(
        request,
        "content/planning/election_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.change_election")
    election = _scoped_election(request, pk)
    _require_manage(request, election)
    form = ElectionForm(
        request.POST or None, user=request.user, initial=ElectionForm.initial_for(election)
    )
    if request.method == "POST" and form.is_valid():
        try:
            election = calendar.update_election(election, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            election.refresh_from_db()
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Election “%(name)s” saved.") % {"name": election.name})
            return redirect("planning:election_detail", pk=election.pk)
    return render(
        request,
        "content/planning/election_form.html",
        {"form": form, "election": election},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.delete_election")
    election = _scoped_election(request, pk)
    _require_manage(request, election)
    if request.method == "POST":
        name = election.name
        calendar.delete_election(election, by=request.user)
        messages.success(request, _("Election “%(name)s” deleted.") % {"name": name})
        return redirect("planning:election_list")
    linked = ContentItem.objects.filter(election=election).count()
    return render(
        request,
        "content/planning/confirm_delete.html",
        {
            "object": election,
            "description": _(
                "The election and its stages are deleted. %(n)s content items refer to it; "
                "they keep their text and lose the reference."
            )
            % {"n": linked},
            "cancel_url": reverse("planning:election_detail", args=[election.pk]),
        },
    )


# --- stages ------------------------------------------------------------------------------


def _scoped_stage(request: HttpRequest, pk: int) -> ElectionStage:
    visible = calendar.visible_elections(request.user)
    return get_scoped_or_404(
        ElectionStage.objects.filter(election__in=visible).select_related(
            "election", "election__unit"
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.add_electionstage")
    election = _scoped_election(request, pk)
    _require_manage(request, election)
    form = StageForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                stage = calendar.create_stage(election, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Stage “%(name)s” added.") % {"name": stage.name})
                return redirect("planning:election_detail", pk=election.pk)
        return _election_detail(request, election, form, status=400)
    return render(request, "content/planning/stage_form.html", {"form": form, "election": election})


@login_required
@require_http_methods(["GET", "POST"])
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.change_electionstage")
    stage = _scoped_stage(request, pk)
    _require_manage(request, stage.election)
    form = StageForm(request.POST or None, initial=StageForm.initial_for(stage))
    if request.method == "POST" and form.is_valid():
        try:
            calendar.update_stage(stage, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            stage.refresh_from_db()
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Stage “%(name)s” saved.") % {"name": stage.name})
            return redirect("planning:election_detail", pk=stage.election_id)
    return render(
        request,
        "content/planning/stage_form.html",
        {"form": form, "election": stage.election, "stage": stage},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "content.delete_electionstage")
    stage = _scoped_stage(request, pk)
    _require_manage(request, stage.election)
    election_id = stage.election_id
    if request.method == "POST":
        name = stage.name
        calendar.delete_stage(stage, by=request.user)
        messages.success(request, _("Stage “%(name)s” deleted.") % {"name": name})
        return redirect("planning:election_detail", pk=election_id)
    return render(
        request,
        "content/planning/confirm_delete.html",
        {
            "object": stage,
            "description": _("The stage “%(name)s” of %(election)s is deleted.")
            % {"name": stage.name, "election": stage.election.name},
            "cancel_url": reverse("planning:election_detail", args=[election_id]),
        },
    )
