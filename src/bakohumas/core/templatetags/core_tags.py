"""Template helpers of the workspace."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with ``kwargs`` replaced (for pagination and sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return str(query.urlencode())


@register.filter
def in_zone(value: Any, unit: Any) -> Any:
    """``value`` (an aware datetime) as wall-clock time in ``unit``'s zone; unchanged without
    a unit. The result is naive on purpose: filters such as ``date`` would otherwise convert
    an aware value back to the request's zone."""
    if value is None or unit is None or not hasattr(unit, "localtime"):
        return value
    return unit.localtime(value).replace(tzinfo=None)


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], key: str, label: Any) -> str:
    """A column header link that sorts by ``key`` (a second click reverses the order)."""
    from django.utils.html import format_html

    current = context.get("sort", "")
    query = context["request"].GET.copy()
    query["sort"] = f"-{key}" if current == key else key
    query.pop("page", None)
    arrow = ""
    if current == key:
        arrow = " ▲"
    elif current == f"-{key}":
        arrow = " ▼"
    return format_html(
        '<a href="?{}" class="link-body-emphasis">{}{}</a>', query.urlencode(), label, arrow
    )


@register.filter
def audit_action(entry: Any) -> Any:
    """The translated name of an audit entry's action (django-auditlog ships no Indonesian)."""
    from bakohumas.core.audit import ACTION_LABELS

    return ACTION_LABELS.get(entry.action, entry.get_action_display())
