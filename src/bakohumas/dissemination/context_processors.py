"""Navigation of dissemination and the unread-notification badge for ``base.html``.

Both values are lazy: nothing is computed unless a template uses them (the portal's
pages never do), and the badge costs one indexed count per page that shows it."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bakohumas.core.scoping import get_profile

# (url name, label, permission, icon)
NAV: list[tuple[str, Any, str, str]] = [
    ("dissemination:publications", _("Publications"), "dissemination.view_publication", "bi-send"),
    (
        "dissemination:calendar",
        _("Dispatch calendar"),
        "dissemination.view_publication",
        "bi-calendar-week",
    ),
    (
        "dissemination:accounts",
        _("Channel accounts"),
        "dissemination.view_channelaccount",
        "bi-plug",
    ),
    ("dissemination:lists", _("Mailing lists"), "dissemination.view_mailinglist", "bi-envelope"),
]


def dissemination(request: HttpRequest) -> dict[str, Any]:
    @cache
    def staff() -> Any:
        user = getattr(request, "user", None)
        return user if get_profile(user) is not None else None

    @cache
    def nav() -> list[dict[str, Any]]:
        user = staff()
        if user is None:
            return []
        items = []
        for name, label, perm, icon in NAV:
            if not user.has_perm(perm):
                continue
            url = reverse(name)
            items.append(
                {
                    "url": url,
                    "label": label,
                    "icon": icon,
                    "active": request.path == url
                    or (name != "dissemination:publications" and request.path.startswith(url)),
                }
            )
        return items

    @cache
    def unread() -> int:
        from bakohumas.dissemination.models import Notification

        user = staff()
        if user is None:
            return 0
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"dissemination_nav": nav, "unread_notifications": unread}
