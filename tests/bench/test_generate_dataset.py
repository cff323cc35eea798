"""``bakohumas generate_dataset``: the expected counts, deterministic, safe to re-run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from bakohumas.core.management.commands.generate_dataset import SCALES
from bakohumas.core.models import Role, StaffProfile, WorkUnit
from bakohumas.stakeholders.models import Contact, ContactConsent, Organisation
from bakohumas.stakeholders.validation import normalise_email, normalise_phone

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_dataset", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "units": WorkUnit.objects.count(),
        "users": get_user_model().objects.count(),
        "profiles": StaffProfile.objects.count(),
        "organisations": Organisation.objects.count(),
        "contacts": Contact.objects.count(),
        "consents": ContactConsent.objects.count(),
    }


def test_small_scale_creates_the_expected_counts_and_rerun_changes_nothing() -> None:
    scale = SCALES["small"]
    output = generate()
    assert "Done in" in output
    first = counts()
    assert first["units"] == 12  # KPU RI, KPU Provinsi Kaltim and its 10 kab/kota
    assert first["users"] == first["profiles"] == scale.users
    assert first["organisations"] == scale.organisations
    assert first["contacts"] == scale.contacts
    assert 0 < first["consents"] < scale.contacts

    again = generate()
    assert "already present" in again
    assert counts() == first


def test_generated_rows_are_valid_scoped_and_usable() -> None:
    generate("--seed", "7")
    units = {u.code: u for u in WorkUnit.objects.all()}
    # Every unit has an administrator and a coordinator; roles match the groups.
    for unit in units.values():
        roles = set(StaffProfile.objects.filter(unit=unit).values_list("role", flat=True))
        assert {Role.ADMINISTRATOR, Role.COORDINATOR} <= roles, unit.code
    for profile in StaffProfile.objects.select_related("user")[:40]:
        assert list(profile.user.groups.values_list("name", flat=True)) == [profile.role]
    assert Group.objects.get(name=Role.COORDINATOR).user_set.exists()

    # The well-known accounts log in with the shared password and see their scope.
    national = get_user_model().objects.get(username="gen.00.2")
    assert national.check_password("bakohumas-dataset")
    assert national.has_perm("stakeholders.view_contact")
    province = get_user_model().objects.get(username="gen.64.2")
    visible = Contact.objects.for_user(province).count()
    assert visible == Contact.objects.exclude(unit__code="00").count()
    samarinda = get_user_model().objects.get(username="gen.64.72.2")
    assert set(Contact.objects.for_user(samarinda).values_list("unit__code", flat=True)) == {
        "64.72"
    }

    # Phone numbers and emails pass the product's own validation unchanged.
    for contact in Contact.objects.order_by("id")[:300]:
        assert normalise_phone(contact.phone) == contact.phone
        assert normalise_phone(contact.whatsapp) == contact.whatsapp
        assert normalise_email(contact.email) == contact.email
    # A contact with an organisation belongs to the organisation's unit.
    assert (
        not Contact.objects.exclude(organisation=None)
        .exclude(unit_id=F("organisation__unit_id"))
        .exists()
    )
    # Consent is only recorded for a channel the contact has an address for.
    assert not ContactConsent.objects.filter(channel="email", contact__email="").exists()
    assert not ContactConsent.objects.filter(channel="whatsapp", contact__whatsapp="").exists()


def test_same_seed_same_data() -> None:
    generate("--seed", "3", "--contacts", "200", "--organisations", "50", "--users", "30")
    first = list(Contact.objects.order_by("id").values_list("name", "phone", "email", "unit__code"))
    orgs = list(Organisation.objects.order_by("id").values_list("name", "category", "unit__code"))
    Contact.objects.all().delete()
    Organisation.objects.all().delete()
    StaffProfile.objects.all().delete()
    get_user_model().objects.all().delete()
    generate("--seed", "3", "--contacts", "200", "--organisations", "50", "--users", "30")
    assert (
        list(Contact.objects.order_by("id").values_list("name", "phone", "email", "unit__code"))
        == first
    )
    assert (
        list(Organisation.objects.order_by("id").values_list("name", "category", "unit__code"))
        == orgs
    )


def test_bad_counts_are_refused_and_change_nothing() -> None:
    with pytest.raises(CommandError):
        generate("--contacts", "-1")
    with pytest.raises(CommandError):
        generate("--batch-size", "0")
    assert Contact.objects.count() == 0
    assert not get_user_model().objects.filter(username__startswith="gen.").exists()
