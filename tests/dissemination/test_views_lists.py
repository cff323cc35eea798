"""Mailing lists: create and edit, subscribers with status filter and search, adding one by
hand (a confirmation email through a real SMTP server, or consent recorded with a note),
unsubscribing and removing; scope and roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bakohumas.core.models import Role
from bakohumas.dissemination.models import (
    MailingList,
    Subscriber,
    SubscriberStatus,
    Suppression,
)
from tests.dissemination.test_views_plan import client_for, text

pytestmark = pytest.mark.django_db

LISTS = reverse("dissemination:lists")
NEW = reverse("dissemination:list_new")


def detail(mailing_list: MailingList) -> str:
    return reverse("dissemination:list", args=[mailing_list.pk])


def test_create_and_edit_a_list(editor: Any, units: Any) -> None:
    client = client_for(editor)
    response = client.post(
        NEW,
        {
            "unit": units["64.72"].pk,
            "name": "Buletin Pemilih",
            "description": "Kabar KPU",
            "is_public": "on",
            "from_name": "KPU Kota Samarinda",
            "reply_to": "humas@kpu-samarinda.go.id",
        },
    )
    mailing_list = MailingList.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(mailing_list)
    assert mailing_list.is_public and mailing_list.from_name == "KPU Kota Samarinda"
    edit = reverse("dissemination:list_edit", args=[mailing_list.pk])
    client.post(edit, {"name": "Buletin Pemilih Samarinda", "unit": units["64.03"].pk})
    mailing_list.refresh_from_db()
    assert mailing_list.name == "Buletin Pemilih Samarinda"
    assert mailing_list.unit_id == units["64.72"].pk  # the unit is fixed
    assert "Buletin Pemilih Samarinda" in text(client.get(LISTS))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Buletin KPU Samarinda"}, "already has a list of that name"),
        ({"name": "Baru", "reply_to": "bukan-alamat"}, "Enter a valid email address."),
        ({"name": "Baru", "from_name": "KPU\r\nBcc: x@y"}, "cannot contain line breaks"),
    ],
)
def test_bad_list_input(
    editor: Any, units: Any, mailing_list: MailingList, data: dict[str, str], message: str
) -> None:
    response = client_for(editor).post(NEW, {"unit": units["64.72"].pk, **data})
    assert response.status_code == 400
    assert message in text(response)
    assert MailingList.objects.count() == 1


def test_roles_and_scope(
    mailing_list: MailingList, contributor: Any, make_user: Callable[..., Any], units: Any
) -> None:
    berau = MailingList.objects.create(unit=units["64.03"], name="Buletin Berau")
    client = client_for(contributor)
    assert client.get(detail(mailing_list)).status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"unit": units["64.72"].pk, "name": "X"}).status_code == 403
    response = client.post(detail(mailing_list), {"email": "a@example.id", "mode": "consented"})
    assert response.status_code == 403
    editor = client_for(make_user("64.72", Role.EDITOR))
    assert editor.get(detail(berau)).status_code == 404
    assert editor.get(reverse("dissemination:list_edit", args=[berau.pk])).status_code == 404
    assert "Buletin Berau" not in text(editor.get(LISTS))
    assert not Subscriber.objects.exists()


def test_subscribers_filter_search_and_counts(
    editor: Any, mailing_list: MailingList, add_subscribers: Any
) -> None:
    add_subscribers(3)
    add_subscribers(2, status=SubscriberStatus.PENDING, prefix="tunggu")
    client = client_for(editor)
    body = text(client.get(detail(mailing_list)))
    assert body.count('data-testid="subscriber-row"') == 5
    assert "Subscribed: 3" in body and "Awaiting confirmation: 2" in body
    body = text(client.get(detail(mailing_list), {"status": "pending"}))
    assert body.count('data-testid="subscriber-row"') == 2
    body = text(client.get(detail(mailing_list), {"q": "warga1@"}))
    assert body.count('data-testid="subscriber-row"') == 1
    assert client.get(detail(mailing_list), {"status": "x", "page": "z"}).status_code == 200
    lists = text(client.get(LISTS))
    assert 'data-testid="list-row"' in lists


def test_add_with_a_confirmation_email(
    editor: Any,
    mailing_list: MailingList,
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            detail(mailing_list),
            {"email": "Budi@Contoh.ID", "name": "Budi", "mode": "confirm"},
            follow=True,
        )
    assert "A confirmation email was sent to Budi@contoh.id" in text(response)
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Budi@contoh.id"
    assert subscriber.status == SubscriberStatus.PENDING
    assert smtp.recipients() == ["Budi@contoh.id"]


def test_add_with_recorded_consent_needs_a_note(editor: Any, mailing_list: MailingList) -> None:
    client = client_for(editor)
    response = client.post(detail(mailing_list), {"email": "siti@contoh.id", "mode": "consented"})
    assert response.status_code == 400
    assert "Describe the consent the person gave" in text(response)
    assert not Subscriber.objects.exists()
    response = client.post(
        detail(mailing_list),
        {
            "email": "siti@contoh.id",
            "name": "Siti",
            "mode": "consented",
            "consent_note": "formulir bertanda tangan, sosialisasi 3 Mei",
        },
    )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert subscriber.consent_source == (
        f"staff {editor.username}: formulir bertanda tangan, sosialisasi 3 Mei"
    )
    # Twice: refused, not duplicated.
    response = client.post(
        detail(mailing_list),
        {"email": "siti@contoh.id", "mode": "consented", "consent_note": "lagi"},
    )
    assert response.status_code == 400
    assert "already subscribed" in text(response)
    assert Subscriber.objects.count() == 1


def test_departed_or_suppressed_addresses_need_their_owner(
    editor: Any, mailing_list: MailingList
) -> None:
    Subscriber.objects.create(
        mailing_list=mailing_list, email="keluar@contoh.id", status=SubscriberStatus.UNSUBSCRIBED
    )
    Suppression.objects.create(address="mental@contoh.id", reason="hard_bounce")
    client = client_for(editor)
    for address, message in (
        ("keluar@contoh.id", "Only a confirmation email can subscribe it again."),
        ("mental@contoh.id", "hard-bounced or asked to receive nothing more"),
    ):
        response = client.post(
            detail(mailing_list),
            {"email": address, "mode": "consented", "consent_note": "katanya mau"},
        )
        assert response.status_code == 400
        assert message in text(response)
    assert Subscriber.objects.get(email="keluar@contoh.id").status == "unsubscribed"
    assert not Subscriber.objects.filter(email="mental@contoh.id").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "bukan email", "mode": "confirm"}, "Enter a valid email address."),
        ({"email": "a@b.id", "mode": "other"}, "Select a valid choice."),
        ({"email": "a@b.id", "mode": "consented", "consent_note": "x\x00"}, "Null characters"),
    ],
)
def test_bad_subscriber_input(
    editor: Any, mailing_list: MailingList, data: dict[str, str], message: str
) -> None:
    response = client_for(editor).post(detail(mailing_list), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not Subscriber.objects.exists()


def test_unsubscribe_and_remove(
    editor: Any,
    mailing_list: MailingList,
    add_subscribers: Any,
    make_user: Callable[..., Any],
    units: Any,
) -> None:
    first, second = add_subscribers(2)
    client = client_for(editor)

    def act(subscriber: Subscriber, name: str, on: MailingList = mailing_list) -> Any:
        return client.post(
            reverse("dissemination:subscriber_action", args=[on.pk, subscriber.pk, name])
        )

    assert act(first, "unsubscribe").status_code == 302
    first.refresh_from_db()
    assert first.status == SubscriberStatus.UNSUBSCRIBED and first.unsubscribed_at
    assert act(second, "delete").status_code == 302
    assert not Subscriber.objects.filter(pk=second.pk).exists()
    assert act(first, "explode").status_code == 404
    # A subscriber looked up through another list, or another unit's list: 404.
    other = MailingList.objects.create(unit=units["64.72"], name="Lain")
    assert act(first, "delete", on=other).status_code == 404
    berau = MailingList.objects.create(unit=units["64.03"], name="Berau")
    berau_sub = Subscriber.objects.create(mailing_list=berau, email="b@contoh.id")
    assert act(berau_sub, "delete", on=berau).status_code == 404
    # A viewer may not.
    viewer = client_for(make_user("64.72", Role.VIEWER))
    url = reverse("dissemination:subscriber_action", args=[mailing_list.pk, first.pk, "delete"])
    assert viewer.post(url).status_code == 403
    assert Subscriber.objects.filter(pk__in=[first.pk, berau_sub.pk]).count() == 2


def test_list_pages_query_count_does_not_grow(
    editor: Any,
    mailing_list: MailingList,
    add_subscribers: Any,
    units: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(editor)
    add_subscribers(3)
    for url in (LISTS, detail(mailing_list)):
        client.get(url)
    with CaptureQueriesContext(connection) as small_lists:
        client.get(LISTS)
    with CaptureQueriesContext(connection) as small_detail:
        client.get(detail(mailing_list))
    baseline_lists = len(small_lists.captured_queries)
    baseline_detail = len(small_detail.captured_queries)
    add_subscribers(60, prefix="lagi")
    for i in range(15):
        MailingList.objects.create(unit=units["64.72"], name=f"Daftar {i}")
    with django_assert_max_num_queries(baseline_lists):
        client.get(LISTS)
    with django_assert_max_num_queries(baseline_detail):
        response = client.get(detail(mailing_list))
    assert text(response).count('data-testid="subscriber-row"') == 25
