"""Small helpers creating stakeholder rows directly (bypassing services) for tests."""

from __future__ import annotations

import itertools
from typing import Any

from bakohumas.core.models import WorkUnit
from bakohumas.stakeholders.models import (
    Audience,
    Category,
    CommunicationGroup,
    Contact,
    Organisation,
    Platform,
)

_seq = itertools.count(1)


def make_org(unit: WorkUnit, name: str | None = None, **fields: Any) -> Organisation:
    n = next(_seq)
    fields.setdefault("category", Category.PRESS)
    return Organisation.objects.create(unit=unit, name=name or f"Organisasi {n}", **fields)


def make_contact(unit: WorkUnit, name: str | None = None, **fields: Any) -> Contact:
    n = next(_seq)
    org = fields.get("organisation")
    if org is not None:
        unit = org.unit
    return Contact.objects.create(unit=unit, name=name or f"Kontak {n}", **fields)


def make_group(unit: WorkUnit, name: str | None = None, **fields: Any) -> CommunicationGroup:
    n = next(_seq)
    fields.setdefault("platform", Platform.WHATSAPP)
    fields.setdefault("audience", Audience.STAKEHOLDER)
    return CommunicationGroup.objects.create(unit=unit, name=name or f"Grup {n}", **fields)
