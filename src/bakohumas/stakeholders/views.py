"""Views of the stakeholder workspace (``/app/stakeholders/``).

Thin: every read goes through ``selectors`` (scoped querysets), every write through
``services``; single objects are fetched with ``get_scoped_or_404`` (another unit's
record is a 404) and writes check the role permission first (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bakohumas.core.audit import history_entries, prepare_changes
from bakohumas.core.scoping import get_scoped_or_404, require_perm, visible_unit_ids
from bakohumas.stakeholders import exports, selectors, services
from bakohumas.stakeholders.forms import (
    ConsentForm,
    ContactFilterForm,
    ContactForm,
    DuplicateFilterForm,
    EngagementForm,
    GroupFilterForm,
    GroupForm,
    MemberForm,
    OrganisationFilterForm,
    OrganisationForm,
    apply_errors,
)
from bakohumas.stakeholders.models import (
    Channel,
    CommunicationGroup,
    ConsentMethod,
    Contact,
    GroupMembership,
    MemberRole,
    Organisation,
)
from bakohumas.stakeholders.pagination import paginate, per_page_from

HISTORY_LIMIT = 50
ENGAGEMENTS_PER_PAGE = 10
DUPLICATE_GROUPS_PER_PAGE = 20
CANDIDATE_LIMIT = 20


def _fields(cleaned: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: cleaned[name] for name in names if name in cleaned}


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _export_format(request: HttpRequest) -> str:
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"


def _too_big_for_xlsx(queryset: Any) -> bool:
    return bool(
        queryset.order_by().values("pk")[: exports.XLSX_MAX_ROWS + 1].count()
        > exports.XLSX_MAX_ROWS
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("stakeholders:organisation_list")


# --- organisations ----------------------------------------------------------------------


def _organisation_queryset(request: HttpRequest, form: OrganisationFilterForm) -> Any:
    return selectors.organisation_list(
        request.user,
        q=form.value("q"),
        category=form.value("category"),
        unit=form.value("unit", None),
        tag=form.value("tag"),
        active=form.active_value(),
        sort=form.value("sort", "name"),
    )


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "stakeholders.view_organisation")
    form = OrganisationFilterForm(request.GET, user=request.user)
    page = paginate(request, _organisation_queryset(request, form), per_page=per_page_from(request))
    return render(
        request,
        "stakeholders/organisation_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "organisations": page.object_list,
        },
    )


@login_required
@require_GET
def organisation_export(request: HttpRequest) -> HttpResponseBase:
    require_perm(request.user, "stakeholders.view_organisation")
    form = OrganisationFilterForm(request.GET, user=request.user)
    queryset = _organisation_queryset(request, form)
    fmt = _export_format(request)
    if fmt == "xlsx" and _too_big_for_xlsx(queryset):
        messages.error(
            request,
            _(
                "The list is too long for XLSX (more than 100,000 rows). "
                "Narrow it with filters or export CSV."
            ),
        )
        return redirect(reverse("stakeholders:organisation_list") + "?" + request.GET.urlencode())
    return exports.export_organisations(queryset, fmt)


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.view_organisation")
    org = get_scoped_or_404(
        Organisation.objects.select_related("unit").prefetch_related("tags"),
        request.user,
        pk=pk,
    )
    contacts_qs = (
        org.contacts.filter(merged_into__isnull=True)
        .prefetch_related("consents")
        .order_by("-is_active", "name", "id")
    )
    contacts = list(contacts_qs[:50])
    context = {
        "org": org,
        "contacts": contacts,
        "contact_count": len(contacts) if len(contacts) < 50 else contacts_qs.count(),
        "history": history_entries(org, org.unit.zone, HISTORY_LIMIT),
        **_engagement_context(request, org, None),
    }
    return render(request, "stakeholders/organisation_detail.html", context)


def _engagement_context(
    request: HttpRequest, org: Organisation, form: EngagementForm | None
) -> dict[str, Any]:
    page = paginate(
        request,
        selectors.engagement_list(request.user, org),
        per_page=ENGAGEMENTS_PER_PAGE,
        param="log_page",
    )
    if form is None and request.user.has_perm("stakeholders.add_engagement"):
        form = EngagementForm(organisation=org)
    return {"org": org, "engagement_page": page, "engagement_form": form}


@login_required
@require_http_methods(["GET", "POST"])
def organisation_engagements(request: HttpRequest, pk: int) -> HttpResponse:
    """The engagement panel (GET, for htmx paging) or a new entry (POST)."""
    if request.method == "POST":
        require_perm(request.user, "stakeholders.add_engagement")
    else:
        require_perm(request.user, "stakeholders.view_organisation")
    org = get_scoped_or_404(Organisation.objects.select_related("unit"), request.user, pk=pk)
    form: EngagementForm | None = None
    if request.method == "POST":
        with timezone.override(org.unit.zone):
            form = EngagementForm(request.POST, request.FILES, organisation=org)
            valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            try:
                services.add_engagement(
                    org,
                    by=request.user,
                    kind=data["kind"],
                    subject=data["subject"],
                    occurred_at=data.get("occurred_at"),
                    notes=data.get("notes", ""),
                    contact=data.get("contact"),
                    attachment=data.get("attachment") or None,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if not _is_htmx(request):
                    messages.success(request, _("The entry was added to the engagement log."))
                    return redirect("stakeholders:organisation_detail", pk=org.pk)
                form = None
        if form is not None and form.errors and not _is_htmx(request):
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else str(error))
            return redirect("stakeholders:organisation_detail", pk=org.pk)
    context = _engagement_context(request, org, form)
    context["engagement_saved"] = request.method == "POST" and form is None
    return render(request, "stakeholders/_engagement_panel.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "stakeholders.add_organisation")
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.create_organisation(
                by=request.user,
                unit=data["unit"],
                tags=data["tags"],
                **_fields(data, services.ORGANISATION_FIELDS),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Organisation “%(name)s” created.") % {"name": org.name})
            return redirect("stakeholders:organisation_detail", pk=org.pk)
    return render(
        request,
        "stakeholders/organisation_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.change_organisation")
    org = get_scoped_or_404(Organisation.objects.select_related("unit"), request.user, pk=pk)
    form = OrganisationForm(request.POST or None, instance=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.update_organisation(
                Organisation.objects.get(pk=pk),
                by=request.user,
                unit=data["unit"],
                tags=data["tags"],
                **_fields(data, services.ORGANISATION_FIELDS),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Organisation “%(name)s” saved.") % {"name": org.name})
            return redirect("stakeholders:organisation_detail", pk=org.pk)
    return render(
        request,
        "stakeholders/organisation_form.html",
        {"form": form, "org": Organisation.objects.get(pk=pk)},
        status=400 if form.errors else 200,
    )


def _confirm_delete(
    request: HttpRequest,
    obj: Organisation | Contact,
    *,
    kind: Any,
    delete: Any,
    has_history: Any,
    list_url: str,
    detail_url: str,
    deleted_message: Any,
    deactivated_message: Any,
) -> HttpResponse:
    """The confirm page (GET) and the delete (POST) of an organisation or a contact.

    The service deletes a record without history and deactivates one with history.
    """
    if request.method == "POST":
        name = obj.name
        if delete(obj, by=request.user):
            messages.success(request, deleted_message % {"name": name})
            return redirect(list_url)
        messages.success(request, deactivated_message % {"name": name})
        return redirect(detail_url, pk=obj.pk)
    return render(
        request,
        "stakeholders/confirm_delete.html",
        {
            "object": obj,
            "kind": kind,
            "has_history": has_history(obj),
            "cancel_url": reverse(detail_url, args=[obj.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.delete_organisation")
    org = get_scoped_or_404(Organisation.objects.select_related("unit"), request.user, pk=pk)
    return _confirm_delete(
        request,
        org,
        kind=_("organisation"),
        delete=services.delete_organisation,
        has_history=services.organisation_has_history,
        list_url="stakeholders:organisation_list",
        detail_url="stakeholders:organisation_detail",
        deleted_message=_("Organisation “%(name)s” deleted."),
        deactivated_message=_(
            "Organisation “%(name)s” has history, so it was deactivated instead of deleted."
        ),
    )


@login_required
@require_GET
def organisation_options(request: HttpRequest) -> HttpResponse:
    """``<option>`` elements of active organisations matching ``?q=`` (contact form)."""
    require_perm(request.user, "stakeholders.view_organisation")
    q = request.GET.get("q", "").strip()
    options = (
        list(selectors.organisation_list(request.user, q=q, active=True)[:CANDIDATE_LIMIT])
        if q
        else []
    )
    return render(request, "stakeholders/_organisation_options.html", {"options": options, "q": q})


# --- contacts ---------------------------------------------------------------------------


def _contact_queryset(request: HttpRequest, form: ContactFilterForm) -> Any:
    return selectors.contact_list(
        request.user,
        q=form.value("q"),
        organisation=form.value("organisation", None),
        unit=form.value("unit", None),
        tag=form.value("tag"),
        consent_channel=form.value("consent_channel"),
        consent_status=form.value("consent_status"),
        preferred_channel=form.value("preferred_channel"),
        active=form.active_value(),
        sort=form.value("sort", "name"),
    )


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "stakeholders.view_contact")
    form = ContactFilterForm(request.GET, user=request.user)
    page = paginate(request, _contact_queryset(request, form), per_page=per_page_from(request))
    org_id = form.value("organisation", None)
    organisation = (
        Organisation.objects.for_user(request.user).filter(pk=org_id).first() if org_id else None
    )
    return render(
        request,
        "stakeholders/contact_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "contacts": page.object_list,
            "filter_organisation": organisation,
            "channels": Channel.choices,
        },
    )


@login_required
@require_GET
def contact_export(request: HttpRequest) -> HttpResponseBase:
    require_perm(request.user, "stakeholders.view_contact")
    form = ContactFilterForm(request.GET, user=request.user)
    queryset = _contact_queryset(request, form)
    fmt = _export_format(request)
    if fmt == "xlsx" and _too_big_for_xlsx(queryset):
        messages.error(
            request,
            _(
                "The list is too long for XLSX (more than 100,000 rows). "
                "Narrow it with filters or export CSV."
            ),
        )
        return redirect(reverse("stakeholders:contact_list") + "?" + request.GET.urlencode())
    return exports.export_contacts(queryset, fmt)


def _contact_history(contact: Contact) -> Any:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from bakohumas.stakeholders.models import ContactConsent

    consent_ids = [str(c.pk) for c in contact.consents.all()]
    return (
        LogEntry.objects.filter(
            Q(content_type=ContentType.objects.get_for_model(Contact), object_pk=str(contact.pk))
            | Q(
                content_type=ContentType.objects.get_for_model(ContactConsent),
                object_pk__in=consent_ids,
            )
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp")[:HISTORY_LIMIT]
    )


def _consent_context(
    contact: Contact, forms_by_channel: dict[str, ConsentForm] | None = None
) -> dict[str, Any]:
    current = {c.channel: c for c in contact.consents.select_related("recorded_by")}
    rows = []
    for value, label in Channel.choices:
        form = (forms_by_channel or {}).get(value) or ConsentForm(
            initial={"channel": value, "method": ConsentMethod.WRITTEN},
            prefix=f"consent-{value}",
        )
        rows.append({"channel": value, "label": label, "consent": current.get(value), "form": form})
    return {"contact": contact, "consent_rows": rows}


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.view_contact")
    contact = get_scoped_or_404(
        Contact.objects.select_related("unit", "organisation", "merged_into").prefetch_related(
            "tags"
        ),
        request.user,
        pk=pk,
    )
    context = {
        **_consent_context(contact),
        "engagements": contact.engagements.select_related("organisation", "recorded_by").order_by(
            "-occurred_at"
        )[:20],
        "memberships": contact.group_memberships.select_related("group", "group__unit").filter(
            group__in=CommunicationGroup.objects.for_user(request.user)
        ),
        "merged_from": contact.merged_from.order_by("name")[:50],
        "history": prepare_changes(list(_contact_history(contact)), contact.unit.zone),
    }
    return render(request, "stakeholders/contact_detail.html", context)


@login_required
@require_POST
def contact_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant or withdraw one channel's consent; answers the consent panel (htmx) or
    redirects to the contact."""
    require_perm(request.user, "stakeholders.change_contactconsent")
    contact = get_scoped_or_404(Contact.objects.select_related("unit"), request.user, pk=pk)
    channel = request.POST.get("channel", "")
    prefix = f"consent-{channel}"
    data = request.POST.copy()
    for name in ("channel", "status", "method", "evidence", "at"):
        if name in request.POST and f"{prefix}-{name}" not in request.POST:
            data[f"{prefix}-{name}"] = request.POST[name]
    with timezone.override(contact.unit.zone):
        form = ConsentForm(data, prefix=prefix)
        valid = form.is_valid()
    saved = False
    if valid:
        try:
            services.set_consent(
                contact,
                channel=form.cleaned_data["channel"],
                status=form.cleaned_data["status"],
                method=form.cleaned_data["method"],
                evidence=form.cleaned_data["evidence"],
                at=form.cleaned_data["at"],
                by=request.user,
            )
            saved = True
        except ValidationError as exc:
            apply_errors(form, exc)
    if not _is_htmx(request):
        if saved:
            messages.success(request, _("Consent recorded."))
        else:
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            messages.error(request, _("Consent was not recorded: %(errors)s") % {"errors": errors})
        return redirect("stakeholders:contact_detail", pk=contact.pk)
    forms_by_channel = {} if saved or channel not in Channel.values else {channel: form}
    context = _consent_context(contact, forms_by_channel)
    context["consent_saved"] = channel if saved else ""
    return render(request, "stakeholders/_consent_panel.html", context)


def _contact_form_response(
    request: HttpRequest, form: ContactForm, contact: Contact | None
) -> HttpResponse:
    return render(
        request,
        "stakeholders/contact_form.html",
        {"form": form, "contact": contact},
        status=400 if form.errors else 200,
    )


def _run_contact_service(
    request: HttpRequest, form: ContactForm, contact: Contact | None
) -> Contact | None:
    data = form.cleaned_data
    kwargs = {
        "unit": data["unit"],
        "organisation": data["organisation"],
        "tags": data["tags"],
        "allow_duplicate": bool(data.get("allow_duplicate")),
        **_fields(data, services.CONTACT_FIELDS),
    }
    try:
        if contact is None:
            return services.create_contact(by=request.user, **kwargs)
        return services.update_contact(
            Contact.objects.get(pk=contact.pk), by=request.user, **kwargs
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        if any(f in exc.message_dict for f in ("phone", "whatsapp", "email", "name")):
            form.offer_duplicate_override()
        return None


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "stakeholders.add_contact")
    initial: dict[str, Any] = {}
    org_param = request.GET.get("organisation", "")
    if org_param.isdigit():
        org = Organisation.objects.for_user(request.user).filter(pk=org_param).first()
        if org is not None:
            initial = {"organisation": org, "unit": org.unit_id}
    form = ContactForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        contact = _run_contact_service(request, form, None)
        if contact is not None:
            messages.success(request, _("Contact “%(name)s” created.") % {"name": contact.name})
            return redirect("stakeholders:contact_detail", pk=contact.pk)
    return _contact_form_response(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.change_contact")
    contact = get_scoped_or_404(
        Contact.objects.select_related("unit", "organisation__unit"), request.user, pk=pk
    )
    form = ContactForm(request.POST or None, instance=contact, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _run_contact_service(request, form, contact)
        if saved is not None:
            messages.success(request, _("Contact “%(name)s” saved.") % {"name": saved.name})
            return redirect("stakeholders:contact_detail", pk=saved.pk)
    return _contact_form_response(request, form, Contact.objects.get(pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.delete_contact")
    contact = get_scoped_or_404(Contact.objects.select_related("unit"), request.user, pk=pk)
    return _confirm_delete(
        request,
        contact,
        kind=_("contact"),
        delete=services.delete_contact,
        has_history=services.contact_has_history,
        list_url="stakeholders:contact_list",
        detail_url="stakeholders:contact_detail",
        deleted_message=_("Contact “%(name)s” deleted."),
        deactivated_message=_(
            "Contact “%(name)s” has history, so it was deactivated instead of deleted."
        ),
    )


@login_required
@require_GET
def contact_duplicates(request: HttpRequest) -> HttpResponse:
    """Groups of active contacts in scope sharing a number or an email."""
    require_perm(request.user, "stakeholders.view_contact")
    form = DuplicateFilterForm(request.GET, user=request.user)
    unit = form.value("unit", None)
    keys = selectors.duplicate_keys(request.user, unit=unit)
    page = Paginator(keys, DUPLICATE_GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    groups = selectors.duplicate_groups(request.user, list(page.object_list), unit=unit)
    return render(
        request,
        "stakeholders/contact_duplicates.html",
        {"page_obj": page, "groups": groups, "key_count": len(keys), "filter_form": form},
    )


@login_required
@require_POST
def contact_merge(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "stakeholders.change_contact")
    back = request.POST.get("next") or reverse("stakeholders:contact_duplicates")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("stakeholders:contact_duplicates")
    survivor_id = request.POST.get("survivor", "")
    dup_ids = {int(v) for v in request.POST.getlist("duplicates") if v.isdigit()}
    if not survivor_id.isdigit():
        messages.error(request, _("Choose the contact to keep."))
        return redirect(back)
    dup_ids.discard(int(survivor_id))
    if not dup_ids:
        messages.error(
            request, _("Tick at least one other contact to merge into the one you keep.")
        )
        return redirect(back)
    scoped = Contact.objects.for_user(request.user)
    survivor = scoped.filter(pk=survivor_id).first()
    duplicates = list(scoped.filter(pk__in=dup_ids))
    if survivor is None or len(duplicates) != len(dup_ids):
        messages.error(request, _("A chosen contact does not exist or is outside your work units."))
        return redirect(back)
    try:
        services.merge_contacts(survivor, duplicates, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request,
        _("%(count)s contact(s) merged into “%(name)s”.")
        % {"count": len(duplicates), "name": survivor.name},
    )
    return redirect("stakeholders:contact_detail", pk=survivor.pk)


# --- communication groups ---------------------------------------------------------------


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "stakeholders.view_communicationgroup")
    from django.db.models import Count

    form = GroupFilterForm(request.GET, user=request.user)
    qs = selectors.group_list(
        request.user,
        q=form.value("q"),
        platform=form.value("platform"),
        audience=form.value("audience"),
        unit=form.value("unit", None),
        active=form.active_value(),
        sort=form.value("sort", "name"),
    ).annotate(member_count=Count("memberships"))
    page = paginate(request, qs, per_page=per_page_from(request))
    return render(
        request,
        "stakeholders/group_list.html",
        {"filter_form": form, "page_obj": page, "groups": page.object_list},
    )


def _members_context(
    request: HttpRequest, group: CommunicationGroup, form: MemberForm | None = None
) -> dict[str, Any]:
    return {
        "group": group,
        "members": list(selectors.group_members(group)),
        "member_form": form or MemberForm(),
        "member_roles": MemberRole.choices,
    }


@login_required
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.view_communicationgroup")
    group = get_scoped_or_404(
        CommunicationGroup.objects.select_related("unit"), request.user, pk=pk
    )
    context = {
        **_members_context(request, group),
        "history": history_entries(group, group.unit.zone, HISTORY_LIMIT),
    }
    return render(request, "stakeholders/group_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "stakeholders.add_communicationgroup")
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.create_group(
                by=request.user, unit=data["unit"], **_fields(data, services.GROUP_FIELDS)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Group “%(name)s” created.") % {"name": group.name})
            return redirect("stakeholders:group_detail", pk=group.pk)
    return render(
        request, "stakeholders/group_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.change_communicationgroup")
    group = get_scoped_or_404(
        CommunicationGroup.objects.select_related("unit"), request.user, pk=pk
    )
    form = GroupForm(request.POST or None, instance=group, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.update_group(
                CommunicationGroup.objects.get(pk=pk),
                by=request.user,
                unit=data["unit"],
                **_fields(data, services.GROUP_FIELDS),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Group “%(name)s” saved.") % {"name": group.name})
            return redirect("stakeholders:group_detail", pk=group.pk)
    return render(
        request,
        "stakeholders/group_form.html",
        {"form": form, "group": CommunicationGroup.objects.get(pk=pk)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.delete_communicationgroup")
    group = get_scoped_or_404(
        CommunicationGroup.objects.select_related("unit"), request.user, pk=pk
    )
    if request.method == "POST":
        name = group.name
        services.delete_group(group, by=request.user)
        messages.success(request, _("Group “%(name)s” deleted.") % {"name": name})
        return redirect("stakeholders:group_list")
    return render(
        request,
        "stakeholders/confirm_delete.html",
        {
            "object": group,
            "kind": _("group"),
            "has_history": False,
            "cancel_url": reverse("stakeholders:group_detail", args=[group.pk]),
        },
    )


@login_required
@require_POST
def group_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.add_groupmembership")
    group = get_scoped_or_404(
        CommunicationGroup.objects.select_related("unit"), request.user, pk=pk
    )
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.add_member(
                group,
                by=request.user,
                user=form.cleaned_data["user"],
                contact=form.cleaned_data["contact"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    if not _is_htmx(request):
        if form.errors:
            messages.error(
                request, "; ".join(str(e) for errs in form.errors.values() for e in errs)
            )
        else:
            messages.success(request, _("Member added."))
        return redirect("stakeholders:group_detail", pk=group.pk)
    return render(
        request,
        "stakeholders/_members_panel.html",
        _members_context(request, group, form if form.errors else None),
    )


@login_required
@require_POST
def group_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    require_perm(request.user, "stakeholders.change_communicationgroup")
    group = get_scoped_or_404(
        CommunicationGroup.objects.select_related("unit"), request.user, pk=pk
    )
    membership = get_scoped_or_404(
        GroupMembership.objects.filter(group=group), request.user, pk=member_pk
    )
    services.remove_member(membership, by=request.user)
    if not _is_htmx(request):
        messages.success(request, _("Member removed."))
        return redirect("stakeholders:group_detail", pk=group.pk)
    return render(request, "stakeholders/_members_panel.html", _members_context(request, group))


@login_required
@require_GET
def group_member_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff or contacts (``?kind=user|contact``) matching ``?q=`` that may join the group."""
    require_perm(request.user, "stakeholders.add_groupmembership")
    group = get_scoped_or_404(
        CommunicationGroup.objects.select_related("unit"), request.user, pk=pk
    )
    kind = "user" if request.GET.get("kind") == "user" else "contact"
    q = request.GET.get("q", "").strip()
    allowed = services._unit_subtree_ids(group.unit)
    visible = visible_unit_ids(request.user)
    candidates: list[Any] = []
    if q:
        if kind == "user":
            users = get_user_model().objects.filter(is_active=True, profile__isnull=False)
            for ids in (allowed, visible):
                if ids is not None:
                    users = users.filter(profile__unit_id__in=ids)
            for word in q.split()[:3]:
                users = users.filter(
                    Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                    | Q(username__icontains=word)
                )
            users = users.exclude(group_memberships__group=group)
            candidates = list(
                users.select_related("profile__unit").order_by("first_name", "username")[
                    :CANDIDATE_LIMIT
                ]
            )
        else:
            contacts = selectors.contact_list(request.user, q=q, active=True)
            if allowed is not None:
                contacts = contacts.filter(unit_id__in=allowed)
            contacts = contacts.exclude(group_memberships__group=group)
            candidates = list(contacts[:CANDIDATE_LIMIT])
    return render(
        request,
        "stakeholders/_member_candidates.html",
        {
            "group": group,
            "kind": kind,
            "candidates": candidates,
            "q": q,
            "member_roles": MemberRole.choices,
        },
    )
