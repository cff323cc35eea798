"""Writes of the core app (staff accounts and roles)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from bakohumas.core.models import Role, StaffProfile


@transaction.atomic
def set_role(user: Any, role: str) -> None:
    """Give ``user`` exactly one role: the profile field and the matching group."""
    if role not in Role.values:
        raise ValueError(f"Unknown role: {role}")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.set([group])
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff"])
    StaffProfile.objects.filter(user=user).exclude(role=role).update(role=role)
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
