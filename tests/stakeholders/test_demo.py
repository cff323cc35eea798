from __future__ import annotations

from typing import Any

import pytest

from bakohumas.core.demo import seed_demo_users
from bakohumas.stakeholders.demo import INTERNAL_GROUP, STAKEHOLDER_GROUP, seed_demo_stakeholders
from bakohumas.stakeholders.models import (
    Category,
    CommunicationGroup,
    ConsentStatus,
    Contact,
    ContactConsent,
    Engagement,
    GroupMembership,
    Organisation,
)
from bakohumas.stakeholders.validation import normalise_email, normalise_phone


def _counts() -> dict[str, int]:
    return {
        "orgs": Organisation.objects.count(),
        "contacts": Contact.objects.count(),
        "consents": ContactConsent.objects.count(),
        "engagements": Engagement.objects.count(),
        "groups": CommunicationGroup.objects.count(),
        "members": GroupMembership.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_plausible(units: Any) -> None:
    seed_demo_users()
    summary = seed_demo_stakeholders()
    assert "created" in summary
    first = _counts()
    assert 45 <= first["orgs"] <= 70
    assert 180 <= first["contacts"] <= 230
    assert seed_demo_stakeholders()  # second run
    assert _counts() == first

    # Every category, every tier, Berau and Samarinda both populated.
    assert set(Organisation.objects.values_list("category", flat=True)) == set(Category.values)
    for code in ("00", "64", "64.72", "64.03"):
        assert Organisation.objects.filter(unit__code=code).exists(), code
        if code != "00":
            assert Contact.objects.filter(unit__code=code).exists(), code
    # Valid, normalised contact points.
    for contact in Contact.objects.all():
        for number in (contact.phone, contact.whatsapp):
            if number:
                assert normalise_phone(number) == number
                assert number.startswith("+62")
        assert normalise_email(contact.email)
        if contact.organisation_id:
            assert contact.organisation.unit_id == contact.unit_id
    statuses = set(ContactConsent.objects.values_list("status", flat=True))
    assert statuses == {ConsentStatus.GRANTED, ConsentStatus.WITHDRAWN}
    assert Contact.objects.filter(consents__isnull=True).exists()
    # The two groups of the guideline.
    internal = CommunicationGroup.objects.get(name=INTERNAL_GROUP)
    assert internal.unit.code == "64"
    assert internal.memberships.filter(user__username="koordinator.berau").exists()
    assert not internal.memberships.filter(contact__isnull=False).exists()
    stakeholder = CommunicationGroup.objects.get(name=STAKEHOLDER_GROUP)
    assert stakeholder.memberships.filter(contact__isnull=False).count() >= 10
    assert not stakeholder.memberships.filter(user__isnull=False).exists()


@pytest.mark.django_db
def test_seed_demo_command_runs_twice(units: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=out)
    assert _counts() == first
    assert "Demo stakeholders" in out.getvalue()
