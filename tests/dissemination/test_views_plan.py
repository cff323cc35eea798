"""The plan screen of an item: its publications, the form that adds one through
engine.plan, unconnected channels offering the manual package, and the refusals (role,
unit, state, bad input) that leave nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.content import services as content_services
from bakohumas.content.models import ContentItem
from bakohumas.core.models import Role
from bakohumas.dissemination import crypto
from bakohumas.dissemination.models import (
    AccountStatus,
    ChannelAccount,
    Publication,
    PublicationStatus,
)
from bakohumas.stakeholders.models import CommunicationGroup, Tag

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan_url(item: ContentItem) -> str:
    return reverse("dissemination:plan", args=[item.pk])


def approved_in(make_user: Callable[..., Any], units: dict[str, Any], code: str) -> ContentItem:
    """An approved item of another unit (its own contributor and coordinator)."""
    author = make_user(code, Role.CONTRIBUTOR)
    validator = make_user(code, Role.COORDINATOR)
    item = content_services.create_item(
        unit=units[code],
        by=author,
        fields={
            "form": "news",
            "title": f"Berita {code}",
            "summary": "Ringkasan.",
            "body": "<p>Isi berita.</p>",
        },
    )
    content_services.submit(item, by=author)
    return content_services.approve(item, by=validator)


def text(response: Any) -> str:
    return str(response.content.decode())


def test_editor_sees_the_form_and_unconnected_channels_offer_the_manual_package(
    approved: ContentItem, editor: Any
) -> None:
    response = client_for(editor).get(plan_url(approved))
    assert response.status_code == 200
    body = text(response)
    assert 'name="kind"' in body
    assert "Nothing planned yet." in body
    # WhatsApp (Cloud API) has no account: "not connected" and the manual fallback link.
    assert 'data-testid="channel-whatsapp"' in body
    assert "WhatsApp (Cloud API) (not connected)" in body
    assert "Not connected" in body
    assert "?kind=whatsapp_group&amp;target=WhatsApp+%28Cloud+API%29#plan-form" in body
    # The fallback link pre-fills the form with the manual kind.
    response = client_for(editor).get(plan_url(approved) + "?kind=whatsapp_group&target=Grup")
    assert '<option value="whatsapp_group" selected>' in text(response)
    assert 'value="Grup"' in text(response)


def test_planning_the_website_and_an_email_campaign(
    approved: ContentItem, editor: Any, mailing_list: Any
) -> None:
    client = client_for(editor)
    response = client.post(plan_url(approved), {"kind": "website"})
    assert response.status_code == 302
    response = client.post(plan_url(approved), {"kind": "email", "mailing_list": mailing_list.pk})
    assert response.status_code == 302
    kinds = {p.kind: p for p in Publication.objects.filter(item=approved)}
    assert set(kinds) == {"website", "email"}
    assert kinds["email"].mailing_list_id == mailing_list.pk
    assert kinds["email"].created_by_id == editor.pk
    assert kinds["email"].status == PublicationStatus.PLANNED
    body = text(client.get(plan_url(approved)))
    assert body.count('data-testid="plan-row"') == 2
    assert mailing_list.name in body


def test_time_is_read_in_the_unit_zone(approved: ContentItem, editor: Any) -> None:
    # Samarinda is WITA (UTC+8): 10:00 local is 02:00 UTC.
    response = client_for(editor).post(
        plan_url(approved),
        {"kind": "print", "target": "Tribun Kaltim", "scheduled_at": "2030-01-02T10:00"},
    )
    assert response.status_code == 302
    publication = Publication.objects.get(item=approved)
    assert publication.scheduled_at == datetime(2030, 1, 2, 2, 0, tzinfo=UTC)
    assert publication.responsible_id == editor.pk  # manual: the planner by default
    body = text(client_for(editor).get(plan_url(approved)))
    assert "02-01-2030 10:00" in body


def test_manual_channel_with_a_named_person(
    approved: ContentItem, editor: Any, make_user: Callable[..., Any]
) -> None:
    colleague = make_user("64.72", Role.EDITOR)
    response = client_for(editor).post(
        plan_url(approved),
        {"kind": "whatsapp_group", "target": "Grup PPK Samarinda", "responsible": colleague.pk},
    )
    assert response.status_code == 302
    publication = Publication.objects.get(item=approved)
    assert publication.responsible_id == colleague.pk
    assert publication.target == "Grup PPK Samarinda"


def test_segment_by_category_and_tags(approved: ContentItem, editor: Any) -> None:
    Tag.objects.create(name="media")
    response = client_for(editor).post(
        plan_url(approved),
        {"kind": "email", "categories": ["press", "university"], "tags": "media, #media"},
    )
    assert response.status_code == 302
    publication = Publication.objects.get(item=approved)
    assert publication.segment == {"categories": ["press", "university"], "tags": ["media"]}


def test_stakeholder_group_audience(approved: ContentItem, editor: Any, units: Any) -> None:
    group = CommunicationGroup.objects.create(
        unit=units["64.72"], name="Jurnalis", platform="whatsapp", audience="media"
    )
    response = client_for(editor).post(plan_url(approved), {"kind": "email", "group": group.pk})
    assert response.status_code == 302
    assert Publication.objects.get(item=approved).group_id == group.pk


def test_api_channel_without_account_is_refused_as_not_connected(
    approved: ContentItem, editor: Any
) -> None:
    response = client_for(editor).post(
        plan_url(approved), {"kind": "whatsapp", "wa_template": "berita"}
    )
    assert response.status_code == 400
    assert "is not connected for this unit" in text(response)
    assert "WhatsApp group (manual)" in text(response)
    assert not Publication.objects.exists()


def test_connected_account_is_used_and_reconnect_is_shown(
    approved: ContentItem, editor: Any, units: Any
) -> None:
    account = ChannelAccount.objects.create(
        unit=units["64.72"],
        kind="telegram",
        name="Kanal KPU Samarinda",
        config={"destination": "@kpusmd", "api_base": "http://127.0.0.1:9"},
        secret_ciphertext=crypto.encrypt({"bot_token": "1:abc"}),
    )
    response = client_for(editor).post(
        plan_url(approved), {"kind": "telegram", "account": account.pk}
    )
    assert response.status_code == 302, text(response)
    assert Publication.objects.get(item=approved).account_id == account.pk
    ChannelAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.RECONNECT, status_detail="Unauthorized"
    )
    body = text(client_for(editor).get(plan_url(approved)))
    assert "Reconnect" in body and "Unauthorized" in body


def test_engine_problems_are_shown_on_the_form_and_nothing_is_saved(
    approved: ContentItem, editor: Any
) -> None:
    # An email campaign without anyone to receive it.
    response = client_for(editor).post(plan_url(approved), {"kind": "email"})
    assert response.status_code == 400
    assert "Choose who receives it" in text(response)
    assert not Publication.objects.exists()


def test_variants_are_previewed_with_their_count(
    make_approved: Callable[..., ContentItem], editor: Any
) -> None:
    item = make_approved(
        variants=[{"channel": "x", "text": "Coklit dimulai", "hashtags": "pemilu"}]
    )
    body = text(client_for(editor).get(plan_url(item)))
    assert "Coklit dimulai" in body
    assert "#pemilu" in body
    assert "/ 280" in body


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "website", "scheduled_at": "besok pagi"}, "Enter a valid date/time."),
        ({"kind": "nonsense"}, "Select a valid choice."),
        ({"kind": "email", "tags": "tidak-ada"}, "Unknown tags: tidak-ada."),
        ({"kind": "print", "target": "a\x00b"}, "Null characters are not allowed."),
        ({"kind": "print", "target": "x" * 301}, "at most 300 characters"),
        ({"kind": "email", "mailing_list": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_input_gives_a_message_and_saves_nothing(
    approved: ContentItem, editor: Any, data: dict[str, str], message: str
) -> None:
    response = client_for(editor).post(plan_url(approved), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not Publication.objects.exists()


def test_another_units_list_or_person_cannot_be_chosen(
    approved: ContentItem, editor: Any, units: Any, make_user: Callable[..., Any]
) -> None:
    from bakohumas.dissemination.models import MailingList

    berau_list = MailingList.objects.create(unit=units["64.03"], name="Buletin Berau")
    berau_person = make_user("64.03", Role.EDITOR)
    client = client_for(editor)
    response = client.post(plan_url(approved), {"kind": "email", "mailing_list": berau_list.pk})
    assert response.status_code == 400
    response = client.post(
        plan_url(approved), {"kind": "print", "target": "x", "responsible": berau_person.pk}
    )
    assert response.status_code == 400
    assert not Publication.objects.exists()


def test_viewer_sees_the_plan_but_cannot_add(
    approved: ContentItem, make_user: Callable[..., Any]
) -> None:
    viewer = client_for(make_user("64.72", Role.VIEWER))
    response = viewer.get(plan_url(approved))
    assert response.status_code == 200
    assert 'data-testid="plan-no-role"' in text(response)
    assert 'name="kind"' not in text(response)
    response = viewer.post(plan_url(approved), {"kind": "website"})
    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_contributor_cannot_plan(approved: ContentItem, contributor: Any) -> None:
    response = client_for(contributor).post(plan_url(approved), {"kind": "website"})
    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_another_units_item_is_404(editor: Any, make_user: Callable[..., Any], units: Any) -> None:
    berau_item = approved_in(make_user, units, "64.03")
    client = client_for(editor)
    assert client.get(plan_url(berau_item)).status_code == 404
    assert client.post(plan_url(berau_item), {"kind": "website"}).status_code == 404
    assert not Publication.objects.exists()
    # The province sees its kab/kota.
    province = client_for(make_user("64", Role.EDITOR))
    assert province.get(plan_url(berau_item)).status_code == 200


def test_draft_cannot_be_planned_and_the_page_says_why(
    editor: Any, contributor: Any, units: Any
) -> None:
    draft = content_services.create_item(
        unit=units["64.72"], by=contributor, fields={"form": "news", "title": "Draf"}
    )
    client = client_for(editor)
    response = client.get(plan_url(draft))
    assert response.status_code == 200
    assert 'data-testid="plan-refusal"' in text(response)
    assert "Only approved content can be disseminated" in text(response)
    response = client.post(plan_url(draft), {"kind": "website"})
    assert response.status_code == 400
    assert not Publication.objects.exists()


def test_item_page_links_to_the_plan(approved: ContentItem, editor: Any) -> None:
    body = text(client_for(editor).get(reverse("content:detail", args=[approved.pk])))
    assert 'data-testid="disseminate"' in body
    assert plan_url(approved) in body


def test_plan_page_queries_do_not_grow_with_publications(
    approved: ContentItem, editor: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(editor)
    for i in range(2):
        client.post(plan_url(approved), {"kind": "print", "target": f"Koran {i}"})
    Publication.objects.filter(item=approved).update(status=PublicationStatus.DONE)
    client.get(plan_url(approved))
    with CaptureQueriesContext(connection) as small:
        client.get(plan_url(approved))
    baseline = len(small.captured_queries)
    for i in range(12):
        client.post(plan_url(approved), {"kind": "radio", "target": f"Radio {i}"})
    Publication.objects.filter(item=approved).update(status=PublicationStatus.DONE)
    with django_assert_max_num_queries(baseline):
        response = client.get(plan_url(approved))
    assert text(response).count('data-testid="plan-row"') == 14
