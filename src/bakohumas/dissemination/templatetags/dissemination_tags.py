"""Badges of dissemination statuses (publication, delivery, account, subscriber)."""

from __future__ import annotations

from django import template

register = template.Library()

PUBLICATION_BADGES = {
    "planned": "text-bg-secondary",
    "sending": "text-bg-primary",
    "paused": "text-bg-warning",
    "awaiting_evidence": "text-bg-info",
    "done": "text-bg-success",
    "failed": "text-bg-danger",
    "cancelled": "text-bg-dark",
}
DELIVERY_BADGES = {
    "pending": "text-bg-secondary",
    "sending": "text-bg-primary",
    "sent": "text-bg-success",
    "delivered": "text-bg-success",
    "read": "text-bg-success",
    "failed": "text-bg-danger",
    "bounced": "text-bg-danger",
    "skipped": "text-bg-light border",
    "cancelled": "text-bg-dark",
}
ACCOUNT_BADGES = {
    "connected": "text-bg-success",
    "reconnect": "text-bg-danger",
    "disabled": "text-bg-secondary",
}
SUBSCRIBER_BADGES = {
    "pending": "text-bg-warning",
    "confirmed": "text-bg-success",
    "unsubscribed": "text-bg-secondary",
    "bounced": "text-bg-danger",
}


@register.filter
def publication_badge(status: str) -> str:
    return PUBLICATION_BADGES.get(status, "text-bg-secondary")


@register.filter
def delivery_badge(status: str) -> str:
    return DELIVERY_BADGES.get(status, "text-bg-secondary")


@register.filter
def account_badge(status: str) -> str:
    return ACCOUNT_BADGES.get(status, "text-bg-secondary")


@register.filter
def subscriber_badge(status: str) -> str:
    return SUBSCRIBER_BADGES.get(status, "text-bg-secondary")
