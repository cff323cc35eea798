from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bakohumas.core.models import Role, WorkUnit
from bakohumas.stakeholders import services
from bakohumas.stakeholders.models import (
    Category,
    Channel,
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    Engagement,
    EngagementKind,
    GroupMembership,
    MemberRole,
    Organisation,
    Tag,
)
from tests.stakeholders.factories import make_contact, make_group, make_org

Units = dict[str, WorkUnit]


@pytest.fixture
def editor(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.COORDINATOR)


# --- organisations ----------------------------------------------------------------------


def test_create_organisation_normalises_and_tags(editor: Any, units: Units) -> None:
    org = services.create_organisation(
        by=editor,
        unit=units["64.72"],
        name="  Kaltim Post  ",
        category=Category.PRESS,
        phone="0541-741234",
        email="Redaksi@KaltimPost.ID",
        tags="media, Pers ,media",
    )
    org.refresh_from_db()
    assert org.name == "Kaltim Post"
    assert org.phone == "+62541741234"
    assert org.email == "Redaksi@kaltimpost.id"
    assert sorted(org.tags.values_list("name", flat=True)) == ["Pers", "media"]


def test_create_organisation_defaults_to_own_unit(editor: Any, units: Units) -> None:
    org = services.create_organisation(by=editor, unit=None, name="X", category=Category.NGO)
    assert org.unit == units["64.72"]


def test_create_organisation_bad_input_writes_nothing(editor: Any, units: Units) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(
            by=editor,
            unit=units["64.72"],
            name="",
            category="nonsense",
            phone="12",
            email="not-mail",
            tags="ok",
        )
    errors = exc.value.message_dict
    assert {"name", "category", "phone", "email"} <= set(errors)
    assert Organisation.objects.count() == 0
    assert Tag.objects.count() == 0


def test_create_organisation_outside_scope_is_refused(editor: Any, units: Units) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(
            by=editor, unit=units["64.03"], name="Polres Berau", category=Category.POLICE
        )
    assert "unit" in exc.value.message_dict
    assert not Organisation.objects.exists()


def test_create_organisation_needs_role(make_user: Callable[..., Any], units: Units) -> None:
    viewer = make_user("64.72", Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.create_organisation(by=viewer, unit=None, name="X", category=Category.NGO)


def test_duplicate_organisation_name_in_unit_refused(editor: Any, units: Units) -> None:
    services.create_organisation(
        by=editor, unit=None, name="RRI Samarinda", category=Category.BROADCASTER
    )
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(
            by=editor, unit=None, name="rri samarinda", category=Category.BROADCASTER
        )
    assert "name" in exc.value.message_dict
    assert Organisation.objects.count() == 1


def test_update_organisation_moving_unit_moves_contacts(
    make_user: Callable[..., Any], units: Units
) -> None:
    province = make_user("64", Role.EDITOR)
    org = make_org(units["64.72"], "Universitas Mulawarman")
    contact = make_contact(units["64.72"], organisation=org)
    services.update_organisation(org, by=province, unit=units["64"], city="Samarinda")
    contact.refresh_from_db()
    org.refresh_from_db()
    assert org.unit == units["64"] and org.city == "Samarinda"
    assert contact.unit == units["64"]


def test_update_organisation_of_other_unit_denied(editor: Any, units: Units) -> None:
    org = make_org(units["64.03"])
    with pytest.raises(PermissionDenied):
        services.update_organisation(org, by=editor, name="Hacked")
    org.refresh_from_db()
    assert org.name != "Hacked"


def test_update_organisation_tags_replaced_only_when_given(editor: Any, units: Units) -> None:
    org = services.create_organisation(
        by=editor, unit=None, name="A", category=Category.NGO, tags=["one", "two"]
    )
    services.update_organisation(org, by=editor, notes="n")
    assert org.tags.count() == 2
    services.update_organisation(org, by=editor, tags="")
    assert org.tags.count() == 0


def test_delete_organisation_without_history_deletes(coordinator: Any, units: Units) -> None:
    org = make_org(units["64.72"])
    assert services.delete_organisation(org, by=coordinator) is True
    assert not Organisation.objects.filter(pk=org.pk).exists()


def test_delete_organisation_with_history_deactivates(coordinator: Any, units: Units) -> None:
    org = make_org(units["64.72"])
    make_contact(units["64.72"], organisation=org)
    assert services.delete_organisation(org, by=coordinator) is False
    org.refresh_from_db()
    assert org.is_active is False


def test_delete_organisation_needs_delete_role(editor: Any, units: Units) -> None:
    org = make_org(units["64.72"])
    with pytest.raises(PermissionDenied):
        services.delete_organisation(org, by=editor)
    assert Organisation.objects.filter(pk=org.pk).exists()


# --- contacts ---------------------------------------------------------------------------


def test_contact_takes_organisation_unit(make_user: Callable[..., Any], units: Units) -> None:
    province = make_user("64", Role.EDITOR)
    org = make_org(units["64.03"], "Polres Berau")
    contact = services.create_contact(
        by=province,
        unit=units["64"],
        organisation=org,
        name="AKP Hendra",
        phone="0812 3456 7890",
        whatsapp="62812-3456-7891",
        email="Hendra@Polri.GO.ID",
    )
    assert contact.unit == units["64.03"]
    assert contact.phone == "+6281234567890"
    assert contact.whatsapp == "+6281234567891"
    assert contact.email == "Hendra@polri.go.id"


def test_contact_organisation_outside_scope_refused(editor: Any, units: Units) -> None:
    org = make_org(units["64.03"])
    with pytest.raises(ValidationError) as exc:
        services.create_contact(by=editor, organisation=org, name="X")
    assert "organisation" in exc.value.message_dict
    assert not Contact.objects.exists()


def test_contact_bad_numbers_write_nothing(editor: Any, units: Units) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_contact(
            by=editor, name="Budi", phone="abc", whatsapp="0812", email="x@", tags="a"
        )
    assert {"phone", "whatsapp", "email"} <= set(exc.value.message_dict)
    assert not Contact.objects.exists() and not Tag.objects.exists()


def test_contact_duplicate_number_refused_unless_allowed(editor: Any, units: Units) -> None:
    first = services.create_contact(by=editor, name="Budi", whatsapp="081234567890")
    with pytest.raises(ValidationError) as exc:
        services.create_contact(by=editor, name="Budi S.", phone="+62 812-3456-7890")
    assert "phone" in exc.value.message_dict
    assert str(first.pk) in exc.value.message_dict["phone"][0]
    second = services.create_contact(
        by=editor, name="Budi S.", phone="+62 812-3456-7890", allow_duplicate=True
    )
    assert second.pk != first.pk


def test_update_contact_can_unlink_organisation(editor: Any, units: Units) -> None:
    org = make_org(units["64.72"])
    contact = make_contact(units["64.72"], organisation=org)
    services.update_contact(contact, by=editor, organisation=None, position="Humas")
    contact.refresh_from_db()
    assert contact.organisation is None and contact.position == "Humas"
    assert contact.unit == units["64.72"]


def test_delete_contact_with_consent_deactivates(coordinator: Any, units: Units) -> None:
    contact = make_contact(units["64.72"])
    services.set_consent(
        contact,
        channel=Channel.EMAIL,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.WRITTEN,
        by=coordinator,
    )
    assert services.delete_contact(contact, by=coordinator) is False
    contact.refresh_from_db()
    assert contact.is_active is False
    bare = make_contact(units["64.72"])
    assert services.delete_contact(bare, by=coordinator) is True
    assert not Contact.objects.filter(pk=bare.pk).exists()


# --- consent ----------------------------------------------------------------------------


def test_set_consent_keeps_given_and_withdrawn_times(editor: Any, units: Units) -> None:
    contact = make_contact(units["64.72"])
    given = timezone.now() - timedelta(days=10)
    consent = services.set_consent(
        contact,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.WHATSAPP_OPT_IN,
        at=given,
        by=editor,
    )
    assert consent.given_at == given and consent.withdrawn_at is None
    assert consent.recorded_by == editor
    # Repeating the same status keeps the original time.
    again = services.set_consent(
        contact,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.WRITTEN,
        evidence="Formulir 12",
        by=editor,
    )
    assert again.pk == consent.pk and again.given_at == given
    assert again.method == ConsentMethod.WRITTEN and again.evidence == "Formulir 12"
    withdrawn = services.set_consent(
        contact,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.WITHDRAWN,
        method=ConsentMethod.UNSUBSCRIBE,
        by=editor,
    )
    assert withdrawn.given_at == given and withdrawn.withdrawn_at is not None
    assert ContactConsent.objects.filter(contact=contact).count() == 1
    regranted = services.set_consent(
        contact,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.VERBAL,
        by=editor,
    )
    assert regranted.withdrawn_at is None and regranted.given_at > given


def test_set_consent_rejects_bad_values(editor: Any, units: Units) -> None:
    contact = make_contact(units["64.72"])
    with pytest.raises(ValidationError) as exc:
        services.set_consent(
            contact,
            channel="pigeon",
            status="maybe",
            method="x",
            at=timezone.now() + timedelta(days=1),
            by=editor,
        )
    assert {"channel", "status", "method", "at"} <= set(exc.value.message_dict)
    assert not ContactConsent.objects.exists()


def test_set_consent_other_unit_and_viewer_denied(
    make_user: Callable[..., Any], editor: Any, units: Units
) -> None:
    berau = make_contact(units["64.03"])
    with pytest.raises(PermissionDenied):
        services.set_consent(
            berau,
            channel=Channel.EMAIL,
            status=ConsentStatus.GRANTED,
            method=ConsentMethod.WRITTEN,
            by=editor,
        )
    viewer = make_user("64.72", Role.VIEWER)
    own = make_contact(units["64.72"])
    with pytest.raises(PermissionDenied):
        services.set_consent(
            own,
            channel=Channel.EMAIL,
            status=ConsentStatus.GRANTED,
            method=ConsentMethod.WRITTEN,
            by=viewer,
        )
    assert not ContactConsent.objects.exists()


# --- duplicates and merge ---------------------------------------------------------------


def test_find_duplicates_across_phone_and_whatsapp(units: Units) -> None:
    a = make_contact(units["64.72"], phone="+6281234567890")
    b = make_contact(units["64.72"], whatsapp="+6281234567890")
    c = make_contact(units["64.72"], email="Sari@Example.id")
    make_contact(units["64.03"], phone="+6281234567890")
    merged = make_contact(units["64.72"], phone="+6281234567890", is_active=False)
    found = services.find_duplicate_contacts(unit_ids=[units["64.72"].pk], phone="0812-3456-7890")
    assert set(found) == {a, b}
    assert merged not in found
    assert list(services.find_duplicate_contacts(unit_ids=None, email="sari@example.ID")) == [c]
    assert set(
        services.find_duplicate_contacts(
            unit_ids=[units["64.72"].pk], whatsapp="+6281234567890", exclude_id=a.pk
        )
    ) == {b}
    assert not services.find_duplicate_contacts(unit_ids=None, phone="garbage").exists()
    assert not services.find_duplicate_contacts(unit_ids=None).exists()


def test_merge_moves_everything_and_never_deletes(editor: Any, units: Units) -> None:
    org = make_org(units["64.72"])
    survivor = make_contact(units["64.72"], name="Budi Santoso", phone="+6281234567890")
    dup = make_contact(
        units["64.72"],
        name="Budi S.",
        organisation=org,
        whatsapp="+6281234567890",
        email="budi@example.id",
        position="Redaktur",
        notes="Catatan lama",
    )
    dup2 = make_contact(units["64.72"], name="Pak Budi", phone="+6281234567890")
    services.set_tags(survivor, ["media"])
    services.set_tags(dup, ["pers", "media"])
    old = timezone.now() - timedelta(days=30)
    new = timezone.now() - timedelta(days=1)
    # email: survivor granted long ago, duplicate withdrew recently -> withdrawn wins.
    services.set_consent(
        survivor,
        channel=Channel.EMAIL,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.WRITTEN,
        at=old,
        by=editor,
    )
    services.set_consent(
        dup,
        channel=Channel.EMAIL,
        status=ConsentStatus.WITHDRAWN,
        method=ConsentMethod.UNSUBSCRIBE,
        at=new,
        by=editor,
    )
    # whatsapp: only the duplicate has it -> the row moves.
    services.set_consent(
        dup2,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.WHATSAPP_OPT_IN,
        at=old,
        by=editor,
    )
    # sms: survivor newer than duplicate -> survivor's state stays.
    services.set_consent(
        survivor,
        channel=Channel.SMS,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.VERBAL,
        at=new,
        by=editor,
    )
    services.set_consent(
        dup,
        channel=Channel.SMS,
        status=ConsentStatus.WITHDRAWN,
        method=ConsentMethod.UNSUBSCRIBE,
        at=old,
        by=editor,
    )
    entry = Engagement.objects.create(
        organisation=org, contact=dup, kind=EngagementKind.CALL, subject="Telepon"
    )
    group = make_group(units["64.72"])
    other_group = make_group(units["64.72"])
    GroupMembership.objects.create(group=group, contact=survivor, role=MemberRole.MEMBER)
    GroupMembership.objects.create(group=group, contact=dup, role=MemberRole.ADMIN)
    GroupMembership.objects.create(group=other_group, contact=dup2)

    services.merge_contacts(survivor, [dup, dup2], by=editor)

    survivor.refresh_from_db()
    dup.refresh_from_db()
    dup2.refresh_from_db()
    assert Contact.objects.count() == 3  # nothing deleted
    for d in (dup, dup2):
        assert d.merged_into == survivor and d.is_active is False
    assert survivor.is_active and survivor.merged_into is None
    assert survivor.email == "budi@example.id" and survivor.position == "Redaktur"
    assert survivor.whatsapp == "+6281234567890"
    assert survivor.organisation == org
    assert "Catatan lama" in survivor.notes
    assert set(survivor.tags.values_list("name", flat=True)) == {"media", "pers"}
    consents = {c.channel: c for c in survivor.consents.all()}
    assert consents[Channel.EMAIL].status == ConsentStatus.WITHDRAWN
    assert consents[Channel.WHATSAPP].status == ConsentStatus.GRANTED
    assert consents[Channel.SMS].status == ConsentStatus.GRANTED
    entry.refresh_from_db()
    assert entry.contact == survivor
    memberships = {m.group_id: m for m in survivor.group_memberships.all()}
    assert memberships[group.pk].role == MemberRole.ADMIN
    assert other_group.pk in memberships


def test_merge_rejects_invalid_requests(editor: Any, units: Units) -> None:
    a = make_contact(units["64.72"])
    b = make_contact(units["64.72"])
    berau = make_contact(units["64.03"])
    with pytest.raises(ValidationError):
        services.merge_contacts(a, [a], by=editor)
    with pytest.raises(PermissionDenied):
        services.merge_contacts(a, [berau], by=editor)
    services.merge_contacts(a, [b], by=editor)
    with pytest.raises(ValidationError):
        services.merge_contacts(b, [a], by=editor)
    berau.refresh_from_db()
    assert berau.merged_into is None


# --- engagement -------------------------------------------------------------------------


def test_add_engagement_with_attachment(make_user: Callable[..., Any], units: Units) -> None:
    contributor = make_user("64.72", Role.CONTRIBUTOR)
    org = make_org(units["64.72"])
    contact = make_contact(units["64.72"], organisation=org)
    upload = SimpleUploadedFile("notulen.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    entry = services.add_engagement(
        org,
        by=contributor,
        kind=EngagementKind.MEETING,
        subject=" Rapat koordinasi ",
        contact=contact.pk,
        attachment=upload,
    )
    assert entry.subject == "Rapat koordinasi" and entry.contact == contact
    assert entry.attachment.name.endswith(".pdf")
    assert entry.recorded_by == contributor


def test_add_engagement_bad_input_writes_nothing(editor: Any, units: Units) -> None:
    org = make_org(units["64.72"])
    stranger = make_contact(units["64.72"])  # not of this organisation
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        services.add_engagement(
            org, by=editor, kind="party", subject=" ", contact=stranger, attachment=upload
        )
    assert {"kind", "subject", "contact", "attachment"} <= set(exc.value.message_dict)
    assert not Engagement.objects.exists()


# --- groups -----------------------------------------------------------------------------


def test_group_membership_rules(make_user: Callable[..., Any], units: Units) -> None:
    province = make_user("64", Role.EDITOR)
    samarinda_staff = make_user("64.72", Role.VIEWER)
    group = services.create_group(
        by=province,
        unit=units["64"],
        name="Grup Internal",
        platform="whatsapp",
        audience="internal",
    )
    m1 = services.add_member(group, by=province, user=samarinda_staff, role=MemberRole.ADMIN)
    m2 = services.add_member(group, by=province, user=samarinda_staff.pk, role=MemberRole.MEMBER)
    assert m1.pk == m2.pk and m2.role == MemberRole.MEMBER
    contact = make_contact(units["64.03"])
    services.add_member(group, by=province, contact=contact)
    assert group.memberships.count() == 2
    with pytest.raises(ValidationError):
        services.add_member(group, by=province, user=samarinda_staff, contact=contact)
    # A Samarinda group cannot take Berau contacts, even for a province user.
    local = services.create_group(
        by=province, unit=units["64.72"], name="Lokal", platform="telegram", audience="stakeholder"
    )
    with pytest.raises(ValidationError) as exc:
        services.add_member(local, by=province, contact=contact)
    assert "contact" in exc.value.message_dict
    services.remove_member(m2, by=province)
    assert group.memberships.count() == 1


def test_group_name_unique_and_scope(editor: Any, units: Units) -> None:
    services.create_group(
        by=editor, unit=None, name="Grup Media", platform="whatsapp", audience="stakeholder"
    )
    with pytest.raises(ValidationError) as exc:
        services.create_group(
            by=editor, unit=None, name="grup media", platform="whatsapp", audience="stakeholder"
        )
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_group(
            by=editor, unit=units["64"], name="Grup", platform="whatsapp", audience="internal"
        )
    assert "unit" in exc.value.message_dict


def test_set_tags_matches_existing_case_insensitively(units: Units) -> None:
    Tag.objects.create(name="Media")
    org = make_org(units["64.72"])
    tags = services.set_tags(org, " media ,  Pemilu  2024, MEDIA")
    assert [t.name for t in tags] == ["Media", "Pemilu 2024"]
    assert Tag.objects.count() == 2
    with pytest.raises(ValidationError):
        services.parse_tag_names(["x" * 65])
