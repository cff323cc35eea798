from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bakohumas.core.models import Role, WorkUnit
from bakohumas.stakeholders import services
from bakohumas.stakeholders.models import (
    Category,
    Channel,
    CommunicationGroup,
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    Engagement,
    GroupMembership,
    Organisation,
    Tag,
)
from bakohumas.stakeholders.pagination import CappedPaginator
from tests.stakeholders.factories import make_contact, make_group, make_org

Units = dict[str, WorkUnit]
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args: Any) -> str:
    return reverse(f"stakeholders:{name}", args=args)


@pytest.fixture
def editor_client(login: Callable[..., Client]) -> Client:
    return login("64.72", Role.EDITOR)


def _names(response: Any, model_name: str = "organisations") -> list[str]:
    return [o.name for o in response.context[model_name]]


# --- organisation list ------------------------------------------------------------------


def test_organisation_list_search_filters_and_scope(editor_client: Client, units: Units) -> None:
    kp = make_org(
        units["64.72"],
        "Kaltim Post Biro Samarinda",
        city="Samarinda",
        email="redaksi@kaltimpost.example.id",
    )
    make_org(units["64.72"], "Polresta Samarinda", category=Category.POLICE, city="Samarinda")
    old = make_org(units["64.72"], "Koran Lama", is_active=False)
    make_org(units["64.03"], "Berau Post", city="Tanjung Redeb")
    services.set_tags(kp, ["media"])

    resp = editor_client.get(url("organisation_list"))
    assert resp.status_code == 200
    assert _names(resp) == ["Kaltim Post Biro Samarinda", "Polresta Samarinda"]  # active only
    assert "Berau Post" not in resp.content.decode()

    assert _names(editor_client.get(url("organisation_list"), {"q": "post samarinda"})) == [
        "Kaltim Post Biro Samarinda"
    ]
    assert _names(editor_client.get(url("organisation_list"), {"q": "kaltimpost.example"})) == [
        "Kaltim Post Biro Samarinda"
    ]
    assert _names(editor_client.get(url("organisation_list"), {"category": "police"})) == [
        "Polresta Samarinda"
    ]
    assert _names(editor_client.get(url("organisation_list"), {"tag": "MEDIA"})) == [
        "Kaltim Post Biro Samarinda"
    ]
    assert _names(editor_client.get(url("organisation_list"), {"active": "0"})) == [old.name]
    assert len(_names(editor_client.get(url("organisation_list"), {"active": "all"}))) == 3
    assert _names(editor_client.get(url("organisation_list"), {"sort": "-name"})) == [
        "Polresta Samarinda",
        "Kaltim Post Biro Samarinda",
    ]
    # A unit outside the scope is not a valid filter: ignored, and still nothing of Berau.
    resp = editor_client.get(url("organisation_list"), {"unit": units["64.03"].pk})
    assert resp.status_code == 200 and "Berau Post" not in _names(resp)


def test_organisation_list_province_sees_kabkota(
    login: Callable[..., Client], units: Units
) -> None:
    make_org(units["64.72"], "Org Samarinda")
    make_org(units["64.03"], "Org Berau")
    make_org(units["00"], "Org Nasional")
    client = login("64", Role.VIEWER)
    assert _names(client.get(url("organisation_list"))) == ["Org Berau", "Org Samarinda"]
    berau = client.get(url("organisation_list"), {"unit": units["64.03"].pk})
    assert _names(berau) == ["Org Berau"]


def test_organisation_list_pagination(editor_client: Client, units: Units) -> None:
    for i in range(30):
        make_org(units["64.72"], f"Org {i:02d}")
    resp = editor_client.get(url("organisation_list"))
    assert len(resp.context["organisations"]) == 25
    assert resp.context["page_obj"].paginator.count == 30
    resp = editor_client.get(url("organisation_list"), {"page": 2})
    assert _names(resp) == [f"Org {i:02d}" for i in range(25, 30)]
    assert (
        len(editor_client.get(url("organisation_list"), {"per_page": 10}).context["organisations"])
        == 10
    )
    assert (
        len(
            editor_client.get(url("organisation_list"), {"per_page": 1000}).context["organisations"]
        )
        == 30
    )  # clamped to 100
    assert editor_client.get(url("organisation_list"), {"page": "zzz"}).status_code == 200
    assert editor_client.get(url("organisation_list"), {"per_page": "x"}).status_code == 200


def test_capped_paginator_reports_capped_count(units: Units) -> None:
    for i in range(7):
        make_org(units["64.72"], f"O{i}")
    paginator = CappedPaginator(Organisation.objects.order_by("name"), 2, cap=5)
    assert paginator.count == 5 and paginator.is_capped
    assert paginator.num_pages == 3
    exact = CappedPaginator(Organisation.objects.order_by("name"), 2, cap=50)
    assert exact.count == 7 and not exact.is_capped


@pytest.mark.parametrize("route", ["organisation_list", "contact_list", "group_list"])
def test_list_query_count_does_not_grow(
    route: str, editor_client: Client, units: Units, django_assert_max_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for _i in range(n):
            org = make_org(units["64.72"])
            services.set_tags(org, ["media", "pemilu"])
            contact = make_contact(units["64.72"], organisation=org)
            services.set_tags(contact, ["narasumber"])
            ContactConsent.objects.create(
                contact=contact,
                channel=Channel.EMAIL,
                status=ConsentStatus.GRANTED,
                method=ConsentMethod.WRITTEN,
            )
            group = make_group(units["64.72"])
            GroupMembership.objects.create(group=group, contact=contact)

    add(5)
    editor_client.get(url(route))  # warm caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert editor_client.get(url(route)).status_code == 200
    add(25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        resp = editor_client.get(url(route))
    assert resp.status_code == 200
    assert len(resp.context["page_obj"].object_list) == 25


# --- organisation create / edit / delete ------------------------------------------------


def test_organisation_create_and_edit(editor_client: Client, units: Units) -> None:
    resp = editor_client.post(
        url("organisation_create"),
        {
            "name": "Tribun Kaltim",
            "category": "press",
            "unit": units["64.72"].pk,
            "phone": "0541 741234",
            "email": "redaksi@tribun.example.id",
            "facebook": "tribunkaltim",
            "tags": "media, koran",
            "is_active": "on",
        },
    )
    org = Organisation.objects.get()
    assert resp.status_code == 302 and resp["Location"] == url("organisation_detail", org.pk)
    assert org.phone == "+62541741234"
    assert set(org.tags.values_list("name", flat=True)) == {"media", "koran"}
    detail = editor_client.get(url("organisation_detail", org.pk)).content.decode()
    assert "https://www.facebook.com/tribunkaltim" in detail
    assert "Tribun Kaltim" in detail

    resp = editor_client.post(
        url("organisation_edit", org.pk),
        {
            "name": "Tribun Kaltim",
            "category": "press",
            "unit": units["64.72"].pk,
            "city": "Balikpapan",
            "tags": "media",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    org.refresh_from_db()
    assert org.city == "Balikpapan" and list(org.tags.values_list("name", flat=True)) == ["media"]
    # The change is in the history panel.
    detail = editor_client.get(url("organisation_detail", org.pk)).content.decode()
    assert "Balikpapan" in detail


def test_organisation_create_bad_input_shows_errors_writes_nothing(
    editor_client: Client, units: Units
) -> None:
    resp = editor_client.post(
        url("organisation_create"),
        {
            "name": "",
            "category": "x",
            "unit": units["64.72"].pk,
            "phone": "12345",
            "email": "nope",
            "website": "not a url",
            "tags": "ok",
        },
    )
    assert resp.status_code == 400
    form = resp.context["form"]
    assert {"name", "category", "email", "website", "phone"} <= set(form.errors)  # all at once
    assert "Nothing was saved" in resp.content.decode()
    assert not Organisation.objects.exists() and not Tag.objects.exists()
    # Valid form, invalid phone: the service's message lands on the field.
    resp = editor_client.post(
        url("organisation_create"),
        {
            "name": "A",
            "category": "ngo",
            "unit": units["64.72"].pk,
            "phone": "12345",
        },
    )
    assert resp.status_code == 400 and "phone" in resp.context["form"].errors
    assert not Organisation.objects.exists()


def test_organisation_create_other_unit_refused(editor_client: Client, units: Units) -> None:
    resp = editor_client.post(
        url("organisation_create"),
        {
            "name": "Polres Berau",
            "category": "police",
            "unit": units["64.03"].pk,
        },
    )
    assert resp.status_code == 400 and "unit" in resp.context["form"].errors
    assert not Organisation.objects.exists()


def test_organisation_double_submit_creates_one(editor_client: Client, units: Units) -> None:
    data = {"name": "RRI Samarinda", "category": "broadcaster", "unit": units["64.72"].pk}
    assert editor_client.post(url("organisation_create"), data).status_code == 302
    resp = editor_client.post(url("organisation_create"), data)
    assert resp.status_code == 400 and "name" in resp.context["form"].errors
    assert Organisation.objects.count() == 1


def test_organisation_delete_and_deactivate(login: Callable[..., Client], units: Units) -> None:
    client = login("64.72", Role.COORDINATOR)
    bare = make_org(units["64.72"])
    used = make_org(units["64.72"])
    make_contact(units["64.72"], organisation=used)
    page = client.get(url("organisation_delete", used.pk))
    assert page.status_code == 200 and page.context["has_history"] is True
    assert client.post(url("organisation_delete", bare.pk)).status_code == 302
    assert not Organisation.objects.filter(pk=bare.pk).exists()
    client.post(url("organisation_delete", used.pk))
    used.refresh_from_db()
    assert used.is_active is False


# --- engagement log (htmx) --------------------------------------------------------------


def test_engagement_add_via_htmx(login: Callable[..., Client], units: Units) -> None:
    client = login("64.72", Role.CONTRIBUTOR)
    org = make_org(units["64.72"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(
        url("organisation_engagements", org.pk),
        {
            "kind": "meeting",
            "subject": "Rapat koordinasi",
            "occurred_at": "2024-10-01T09:30",
            "attachment": SimpleUploadedFile("notulen.pdf", b"%PDF-1.4"),
        },
        **HTMX,
    )
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="engagement-panel"' in body and "Rapat koordinasi" in body
    assert "<html" not in body  # a fragment
    entry = Engagement.objects.get()
    assert entry.attachment.name.endswith(".pdf")
    # 09:30 in WITA (UTC+8) is 01:30 UTC.
    assert entry.occurred_at.hour == 1 and entry.occurred_at.minute == 30
    assert "09:30 WITA" in body


def test_engagement_bad_input_via_htmx(editor_client: Client, units: Units) -> None:
    org = make_org(units["64.72"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = editor_client.post(
        url("organisation_engagements", org.pk),
        {
            "kind": "meeting",
            "subject": "",
            "attachment": SimpleUploadedFile("x.exe", b"MZ"),
        },
        **HTMX,
    )
    assert resp.status_code == 200
    assert resp.context["engagement_form"].errors
    assert not Engagement.objects.exists()
    resp = editor_client.post(
        url("organisation_engagements", org.pk),
        {
            "kind": "meeting",
            "subject": "Ok",
            "attachment": SimpleUploadedFile("x.exe", b"MZ"),
        },
        **HTMX,
    )
    assert "attachment" in resp.context["engagement_form"].errors
    assert not Engagement.objects.exists()


def test_engagement_without_htmx_redirects(editor_client: Client, units: Units) -> None:
    org = make_org(units["64.72"])
    resp = editor_client.post(
        url("organisation_engagements", org.pk), {"kind": "call", "subject": "Telepon redaksi"}
    )
    assert resp.status_code == 302
    assert Engagement.objects.filter(subject="Telepon redaksi").count() == 1
    # Sent twice: still one entry.
    editor_client.post(
        url("organisation_engagements", org.pk), {"kind": "call", "subject": "Telepon redaksi"}
    )
    assert Engagement.objects.filter(subject="Telepon redaksi").count() == 1


# --- contacts ---------------------------------------------------------------------------


def test_contact_list_search_and_filters(editor_client: Client, units: Units) -> None:
    org = make_org(units["64.72"], "Samarinda Pos")
    budi = make_contact(
        units["64.72"],
        "Budi Santoso",
        organisation=org,
        position="Redaktur",
        whatsapp="+6281234567890",
        email="budi@sapos.example.id",
        preferred_channel=Channel.WHATSAPP,
    )
    sari = make_contact(units["64.72"], "Sari Dewi", phone="+6285298765432")
    make_contact(units["64.03"], "Budi Berau", phone="+6281234567890")
    ContactConsent.objects.create(
        contact=budi,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.WRITTEN,
    )
    ContactConsent.objects.create(
        contact=sari,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.WITHDRAWN,
        method=ConsentMethod.UNSUBSCRIBE,
    )

    def names(**params: Any) -> list[str]:
        resp = editor_client.get(url("contact_list"), params)
        assert resp.status_code == 200
        return _names(resp, "contacts")

    assert names() == ["Budi Santoso", "Sari Dewi"]
    assert names(q="0812-3456") == ["Budi Santoso"]
    assert names(q="+62 852") == ["Sari Dewi"]
    assert names(q="redaktur") == ["Budi Santoso"]
    assert names(q="budi@sapos") == ["Budi Santoso"]
    assert names(organisation=org.pk) == ["Budi Santoso"]
    assert names(consent_channel="whatsapp") == ["Budi Santoso"]
    assert names(consent_channel="whatsapp", consent_status="withdrawn") == ["Sari Dewi"]
    assert names(consent_channel="email", consent_status="none") == ["Budi Santoso", "Sari Dewi"]
    assert names(preferred_channel="whatsapp") == ["Budi Santoso"]
    assert names(organisation="abc") == ["Budi Santoso", "Sari Dewi"]  # invalid: ignored


def test_contact_create_duplicate_then_override(editor_client: Client, units: Units) -> None:
    first = make_contact(units["64.72"], "Budi Santoso", whatsapp="+6281234567890")
    data = {
        "name": "Budi S.",
        "unit": units["64.72"].pk,
        "phone": "0812 3456 7890",
        "is_active": "on",
    }
    resp = editor_client.post(url("contact_create"), data)
    assert resp.status_code == 400
    body = resp.content.decode()
    assert f"#{first.pk}" in body
    assert "allow_duplicate" in resp.context["form"].fields
    assert Contact.objects.count() == 1
    resp = editor_client.post(url("contact_create"), {**data, "allow_duplicate": "on"})
    assert resp.status_code == 302
    assert Contact.objects.count() == 2


def test_contact_create_with_organisation_takes_its_unit(
    login: Callable[..., Client], units: Units
) -> None:
    client = login("64", Role.EDITOR)
    org = make_org(units["64.03"], "Polres Berau")
    page = client.get(url("contact_create"), {"organisation": org.pk})
    assert "Polres Berau" in page.content.decode()
    resp = client.post(
        url("contact_create"),
        {
            "name": "AKP Hendra",
            "organisation": org.pk,
            "unit": units["64"].pk,
            "whatsapp": "0813-1111-2222",
            "email": "hendra@polres.example.id",
            "tags": "keamanan",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    contact = Contact.objects.get()
    assert contact.unit == units["64.03"] and contact.whatsapp == "+6281311112222"


def test_contact_edit_bad_input_writes_nothing(editor_client: Client, units: Units) -> None:
    contact = make_contact(units["64.72"], "Sari", email="sari@example.id")
    resp = editor_client.post(
        url("contact_edit", contact.pk),
        {
            "name": "Sari Baru",
            "unit": units["64.72"].pk,
            "whatsapp": "hello",
        },
    )
    assert resp.status_code == 400 and "whatsapp" in resp.context["form"].errors
    contact.refresh_from_db()
    assert contact.name == "Sari"


def test_organisation_options_lists_scope_only(editor_client: Client, units: Units) -> None:
    make_org(units["64.72"], "Universitas 17 Agustus 1945 Samarinda")
    make_org(units["64.03"], "Universitas Berau")
    body = editor_client.get(url("organisation_options"), {"q": "universitas"}).content.decode()
    assert "Samarinda" in body and "Berau" not in body
    assert body.count("<option") == 2  # the match and "none"


def test_consent_grant_and_withdraw_via_htmx(editor_client: Client, units: Units) -> None:
    contact = make_contact(units["64.72"])
    resp = editor_client.post(
        url("contact_consent", contact.pk),
        {
            "channel": "whatsapp",
            "consent-whatsapp-status": "granted",
            "consent-whatsapp-method": "whatsapp_opt_in",
            "consent-whatsapp-evidence": "Balasan YA",
            "consent-whatsapp-at": "2024-05-02T10:00",
        },
        **HTMX,
    )
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="consent-panel"' in body and "Balasan YA" in body and "10:00 WITA" in body
    consent = ContactConsent.objects.get(contact=contact, channel="whatsapp")
    assert consent.status == "granted" and consent.given_at.hour == 2
    editor_client.post(
        url("contact_consent", contact.pk),
        {
            "channel": "whatsapp",
            "consent-whatsapp-status": "withdrawn",
            "consent-whatsapp-method": "unsubscribe",
        },
        **HTMX,
    )
    consent.refresh_from_db()
    assert consent.status == "withdrawn" and consent.withdrawn_at is not None
    assert consent.given_at.hour == 2


def test_consent_bad_input_changes_nothing(editor_client: Client, units: Units) -> None:
    contact = make_contact(units["64.72"])
    resp = editor_client.post(
        url("contact_consent", contact.pk),
        {
            "channel": "email",
            "consent-email-status": "granted",
            "consent-email-method": "telepathy",
            "consent-email-at": "2999-01-01T00:00",
        },
        **HTMX,
    )
    assert resp.status_code == 200
    assert not ContactConsent.objects.exists()
    # Without htmx: a message and a redirect.
    resp = editor_client.post(
        url("contact_consent", contact.pk),
        {"channel": "pigeon", "status": "granted", "method": "written"},
    )
    assert resp.status_code == 302 and not ContactConsent.objects.exists()


def test_duplicates_page_and_merge(editor_client: Client, units: Units) -> None:
    a = make_contact(units["64.72"], "Budi Santoso", phone="+6281234567890")
    b = make_contact(units["64.72"], "Budi S.", whatsapp="+6281234567890")
    c = make_contact(units["64.72"], "Sari", email="Sari@Example.id")
    d = make_contact(units["64.72"], "Sari D", email="sari@example.id")
    make_contact(units["64.03"], "Budi Berau", phone="+6281234567890")
    make_contact(units["64.72"], "Unik", phone="+6285200000001")
    resp = editor_client.get(url("contact_duplicates"))
    assert resp.status_code == 200
    groups = resp.context["groups"]
    assert {g["value"] for g in groups} == {"+6281234567890", "sari@example.id"}
    assert all(g["contacts"][0].pk in (a.pk, c.pk) for g in groups)  # oldest, most complete
    phone_group = next(g for g in groups if g["kind"] == "phone")
    assert {x.pk for x in phone_group["contacts"]} == {a.pk, b.pk}  # Berau not in scope

    resp = editor_client.post(url("contact_merge"), {"survivor": a.pk, "duplicates": [a.pk, b.pk]})
    assert resp.status_code == 302 and resp["Location"] == url("contact_detail", a.pk)
    b.refresh_from_db()
    assert b.merged_into == a and not b.is_active
    groups = editor_client.get(url("contact_duplicates")).context["groups"]
    assert [g["value"] for g in groups] == ["sari@example.id"]
    # Nothing ticked → a message, nothing merged.
    resp = editor_client.post(url("contact_merge"), {"survivor": c.pk})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.merged_into is None
    # Merging a contact of another unit is refused.
    berau = Contact.objects.get(name="Budi Berau")
    editor_client.post(url("contact_merge"), {"survivor": c.pk, "duplicates": [berau.pk]})
    berau.refresh_from_db()
    assert berau.merged_into is None and berau.is_active


# --- exports ----------------------------------------------------------------------------


def test_organisation_export_csv_respects_scope_and_filters(
    editor_client: Client, units: Units
) -> None:
    kp = make_org(units["64.72"], "Kaltim Post", city="Samarinda", phone="+62541741234")
    services.set_tags(kp, ["media", "koran"])
    make_org(units["64.72"], '=HYPERLINK("http://evil")', category=Category.NGO)
    make_org(units["64.03"], "Berau Post")
    resp = editor_client.get(url("organisation_export"), {"format": "csv"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert "attachment" in resp["Content-Disposition"]
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = [r[1] for r in rows[1:]]
    assert "Kaltim Post" in names and "Berau Post" not in names
    assert '\'=HYPERLINK("http://evil")' in names  # formula neutralised
    kp_row = next(r for r in rows if r[1] == "Kaltim Post")
    assert "+62541741234" in kp_row and "koran, media" in kp_row
    filtered = editor_client.get(url("organisation_export"), {"format": "csv", "q": "kaltim"})
    filtered_rows = list(
        csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode("utf-8-sig")))
    )
    assert [r[1] for r in filtered_rows[1:]] == ["Kaltim Post"]


def test_contact_export_xlsx(editor_client: Client, units: Units) -> None:
    org = make_org(units["64.72"], "Samarinda Pos")
    budi = make_contact(units["64.72"], "Budi", organisation=org, whatsapp="+6281234567890")
    ContactConsent.objects.create(
        contact=budi,
        channel=Channel.WHATSAPP,
        status=ConsentStatus.GRANTED,
        method=ConsentMethod.WRITTEN,
    )
    make_contact(units["64.03"], "Berau Person")
    resp = editor_client.get(url("contact_export"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "spreadsheetml" in resp["Content-Type"]
    workbook = load_workbook(io.BytesIO(b"".join(resp.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one contact in scope
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Name"] == "Budi" and record["Organisation"] == "Samarinda Pos"
    assert record["WhatsApp"] == "+6281234567890"
    assert record["Consent: WhatsApp"] == "Granted"
    assert record["Consent: Email"] is None


def test_xlsx_export_refuses_huge_lists(
    editor_client: Client, units: Units, monkeypatch: Any
) -> None:
    from bakohumas.stakeholders import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    for _i in range(3):
        make_org(units["64.72"])
    resp = editor_client.get(url("organisation_export"), {"format": "xlsx"})
    assert resp.status_code == 302
    assert resp["Location"].startswith(url("organisation_list"))
    assert editor_client.get(url("organisation_export"), {"format": "csv"}).status_code == 200


# --- groups -----------------------------------------------------------------------------


def test_group_create_edit_and_members(
    login: Callable[..., Client], make_user: Any, units: Units
) -> None:
    client = login("64", Role.EDITOR)
    resp = client.post(
        url("group_create"),
        {
            "name": "Grup Internal Kaltim",
            "platform": "whatsapp",
            "audience": "internal",
            "unit": units["64"].pk,
            "invite_link": "https://chat.whatsapp.com/abc",
            "is_active": "on",
        },
    )
    group = CommunicationGroup.objects.get()
    assert resp.status_code == 302 and resp["Location"] == url("group_detail", group.pk)
    dup = client.post(
        url("group_create"),
        {
            "name": "grup internal kaltim",
            "platform": "whatsapp",
            "audience": "internal",
            "unit": units["64"].pk,
        },
    )
    assert dup.status_code == 400 and CommunicationGroup.objects.count() == 1

    staff = make_user("64.03", Role.VIEWER)
    staff.first_name = "Andi"
    staff.save()
    contact = make_contact(units["64.72"], "Budi Kontak")
    cand = client.get(url("group_member_candidates", group.pk), {"kind": "user", "q": "andi"})
    assert "Andi" in cand.content.decode()
    cand = client.get(url("group_member_candidates", group.pk), {"kind": "contact", "q": "budi"})
    assert "Budi Kontak" in cand.content.decode()

    resp = client.post(
        url("group_member_add", group.pk), {"user": staff.pk, "role": "admin"}, **HTMX
    )
    assert resp.status_code == 200 and 'id="members-panel"' in resp.content.decode()
    client.post(
        url("group_member_add", group.pk), {"contact": contact.pk, "role": "member"}, **HTMX
    )
    client.post(
        url("group_member_add", group.pk), {"contact": contact.pk, "role": "member"}, **HTMX
    )  # twice: still one membership
    assert group.memberships.count() == 2
    # Already a member: no longer a candidate.
    cand = client.get(url("group_member_candidates", group.pk), {"kind": "contact", "q": "budi"})
    assert "Budi Kontak" not in cand.content.decode()
    bad = client.post(url("group_member_add", group.pk), {"role": "member"}, **HTMX)
    assert bad.status_code == 200 and bad.context["member_form"].errors
    membership = group.memberships.get(contact=contact)
    resp = client.post(url("group_member_remove", group.pk, membership.pk), **HTMX)
    assert resp.status_code == 200 and group.memberships.count() == 1

    resp = client.post(
        url("group_edit", group.pk),
        {
            "name": "Grup Internal Kaltim",
            "platform": "telegram",
            "audience": "internal",
            "unit": units["64"].pk,
        },
    )
    assert resp.status_code == 302
    group.refresh_from_db()
    assert group.platform == "telegram" and group.is_active is False


def test_group_list_filters(login: Callable[..., Client], units: Units) -> None:
    make_group(units["64"], "Grup A", platform="whatsapp")
    make_group(units["64.72"], "Grup B", platform="telegram")
    make_group(units["64.03"], "Grup C")
    client = login("64.72", Role.VIEWER)
    assert _names(client.get(url("group_list")), "groups") == ["Grup B"]
    province = login("64", Role.VIEWER)
    assert _names(province.get(url("group_list")), "groups") == ["Grup A", "Grup B", "Grup C"]
    assert _names(province.get(url("group_list"), {"platform": "telegram"}), "groups") == ["Grup B"]


def test_pages_require_login(client: Client, units: Units) -> None:
    resp = client.get(url("organisation_list"))
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_duplicates_sharing_number_and_email_make_one_group(
    editor_client: Client, units: Units
) -> None:
    org = make_org(units["64.72"])
    alias = make_contact(units["64.72"], "Budi S.", phone="+6281234567890", email="BUDI@example.id")
    full = make_contact(
        units["64.72"],
        "Budi Santoso",
        organisation=org,
        position="Redaktur",
        whatsapp="+6281234567890",
        email="budi@example.id",
    )
    groups = editor_client.get(url("contact_duplicates")).context["groups"]
    assert len(groups) == 1
    assert set(groups[0]["keys"]) == {("phone", "+6281234567890"), ("email", "budi@example.id")}
    assert [c.pk for c in groups[0]["contacts"]] == [full.pk, alias.pk]  # most complete first


def test_duplicates_filter_by_unit(login: Callable[..., Client], units: Units) -> None:
    make_contact(units["64.72"], "A", phone="+6281234567890")
    make_contact(units["64.72"], "B", whatsapp="+6281234567890")
    make_contact(units["64.03"], "C", email="x@example.id")
    make_contact(units["64.03"], "D", email="X@example.id")
    client = login("64", Role.VIEWER)
    assert len(client.get(url("contact_duplicates")).context["groups"]) == 2
    berau = client.get(url("contact_duplicates"), {"unit": units["64.03"].pk})
    assert [g["value"] for g in berau.context["groups"]] == ["x@example.id"]
    assert "Merge into the kept contact" not in berau.content.decode()  # viewer: no merge
