"""Template context shared by every workspace page: the user's unit and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from bakohumas.core.scoping import get_profile

# (url name, label, permission needed or None, icon)
NAV_ITEMS: list[tuple[str, Any, str | None]] = [
    ("core:dashboard", _("Dashboard"), None),
    ("inbox:list", _("Inbox"), "inbox.view_thread"),
    ("ppid:request_list", _("Information requests"), "ppid.view_informationrequest"),
    ("content:list", _("Content"), "content.view_contentitem"),
    ("calendar:index", _("Calendar"), "content.view_contentitem"),
    ("planning:target_list", _("Planning"), "content.view_productiontarget"),
    ("media:list", _("Media library"), "media.view_mediaasset"),
    ("agenda:event_list", _("Agenda"), "portal.view_agendaevent"),
    ("stakeholders:organisation_list", _("Organisations"), "stakeholders.view_organisation"),
    ("stakeholders:contact_list", _("Contacts"), "stakeholders.view_contact"),
    ("stakeholders:group_list", _("Groups"), "stakeholders.view_communicationgroup"),
    ("imports:job_list", _("Imports"), "imports.view_importjob"),
    ("core:unit_list", _("Work units"), "core.view_workunit"),
    ("core:staff_list", _("People"), "core.view_staffprofile"),
    ("core:audit_log", _("Audit log"), "core.view_auditlog"),
    ("core:mailbox", _("Mailbox"), "core.view_mailbox"),
    ("api:token_list", _("API tokens"), None),
]


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    profile = get_profile(user)
    nav = []
    if profile is not None and user is not None:
        for name, label, perm in NAV_ITEMS:
            if perm and not user.has_perm(perm):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            nav.append(
                {
                    "url": url,
                    "label": label,
                    "active": request.path.startswith(url)
                    and (url != "/app/" or request.path == "/app/"),
                }
            )
    return {
        "current_profile": profile,
        "current_unit": profile.unit if profile else None,
        "nav_items": nav,
    }
