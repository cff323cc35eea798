"""Double opt-in subscription from the portal: the form, its abuse limits, the confirmation
email (a real SMTP server on loopback) and the confirmation page."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bakohumas.dissemination import engine, public_views, subscriptions
from bakohumas.dissemination.models import (
    MailingList,
    Subscriber,
    SubscriberStatus,
    Suppression,
)

ADDRESS = "siti.rahma@Example.ID"
STORED = "siti.rahma@example.id"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    caches["default"].clear()


def url(unit: Any) -> str:
    return reverse("dissemination_public:subscribe", args=[unit.code])


def form(target: MailingList, email: str = ADDRESS, **extra: Any) -> dict[str, Any]:
    data = {
        "mailing_list": str(target.pk),
        "email": email,
        "name": "Siti Rahma",
        "website": "",
        "ts": public_views.form_stamp(target.unit, at=time.time() - 10),
    }
    data.update(extra)
    return data


def confirm_link(message: Any) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/d/langganan/konfirmasi/\S+/", text)
    assert match, text
    return urlsplit(match.group(0)).path


@pytest.fixture
def lists(units: dict[str, Any], mailing_list: MailingList) -> dict[str, MailingList]:
    return {
        "public": mailing_list,
        "internal": MailingList.objects.create(
            unit=units["64.72"], name="Internal staf", is_public=False
        ),
        "berau": MailingList.objects.create(unit=units["64.03"], name="Buletin KPU Berau"),
    }


@pytest.mark.django_db
def test_form_lists_only_the_units_public_lists_without_session(
    client: Client, units: dict[str, Any], lists: dict[str, MailingList]
) -> None:
    response = client.get(url(units["64.72"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Buletin KPU Samarinda" in page
    assert "Internal staf" not in page and "Buletin KPU Berau" not in page
    assert 'name="csrfmiddlewaretoken"' in page and 'name="ts"' in page
    assert 'name="website"' in page  # the honeypot
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed
    assert client.get(url(units["64.03"])).content.decode().count('type="radio"') == 1
    assert client.get("/d/langganan/99.99/").status_code == 404


@pytest.mark.django_db
def test_form_queries_stay_few_with_many_lists(
    client: Client,
    units: dict[str, Any],
    mailing_list: MailingList,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(20):
        MailingList.objects.create(unit=units["64.72"], name=f"Daftar {n:02d}")
    with django_assert_max_num_queries(3):
        response = client.get(url(units["64.72"]))
    assert response.content.decode().count('type="radio"') == 21


@pytest.mark.django_db
def test_unit_home_links_to_the_subscribe_page(client: Client, units: dict[str, Any]) -> None:
    page = client.get(reverse("portal:unit_home", args=["64.72"])).content.decode()
    assert f'href="{url(units["64.72"])}"' in page


@pytest.mark.django_db
def test_unit_without_public_lists_says_so(client: Client, units: dict[str, Any]) -> None:
    response = client.get(url(units["64.03"]))
    assert response.status_code == 200
    assert "no mailing list open to subscription" in response.content.decode()


@pytest.mark.django_db
def test_double_opt_in_end_to_end(
    client: Client,
    lists: dict[str, MailingList],
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
    approved: Any,
    editor: Any,
) -> None:
    mailing_list = lists["public"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(mailing_list.unit), form(mailing_list))
    assert response.status_code == 200
    assert "Check your mailbox" in response.content.decode()
    assert not response.wsgi_request.session.accessed
    subscriber = Subscriber.objects.get(mailing_list=mailing_list)
    assert (subscriber.email, subscriber.status) == (STORED, SubscriberStatus.PENDING)
    assert smtp.recipients() == [STORED]
    message = smtp.parsed()[0]
    assert "Confirm your subscription" in message["Subject"]
    assert message["List-Unsubscribe"].strip().startswith("<http")
    assert message.get_body(preferencelist=("html",)) is not None
    link = confirm_link(message)

    # Following the link (as a mail scanner does) changes nothing.
    page = client.get(link)
    assert page.status_code == 200 and "Yes, subscribe me" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    # Nor is a pending address sent a campaign.
    assert [r.address for r in engine.recipients(_email_plan(approved, editor, mailing_list))] == []

    done = client.post(link, REMOTE_ADDR="198.51.100.7")
    assert done.status_code == 200 and "Subscription confirmed" in done.content.decode()
    assert not done.wsgi_request.session.accessed
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert subscriber.name == "Siti Rahma"
    assert subscriber.consent_source.startswith("portal double opt-in 127.0.0.1 ")
    assert "confirmed 198.51.100.7" in subscriber.consent_source
    confirmed_at = subscriber.confirmed_at
    # A second click is harmless.
    again = client.post(link)
    assert again.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at == confirmed_at
    # The campaign now reaches the address, naming the consent.
    recipients = list(engine.recipients(_email_plan(approved, editor, mailing_list)))
    assert [(r.address, r.skip_reason) for r in recipients] == [(STORED, "")]
    assert recipients[0].consent_ref.startswith(f"subscription:{subscriber.pk} confirmed")


def _email_plan(item: Any, editor: Any, mailing_list: MailingList) -> Any:
    return engine.plan(
        item, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )


@pytest.mark.django_db
def test_answer_is_the_same_whatever_the_address(
    client: Client,
    lists: dict[str, MailingList],
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing_list = lists["public"]
    Subscriber.objects.create(
        mailing_list=mailing_list,
        email="ada@example.id",
        status=SubscriberStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url(mailing_list.unit), form(mailing_list, "ada@example.id"))
        new = client.post(url(mailing_list.unit), form(mailing_list, "baru@example.id"))
    assert known.status_code == new.status_code == 200
    assert known.content == new.content
    # The owner of the known address is told it is already subscribed; nothing changed.
    subjects = {m["To"]: m["Subject"] for m in smtp.parsed()}
    assert "already" not in subjects["baru@example.id"].lower()
    assert "You are subscribed" in subjects["ada@example.id"]
    assert Subscriber.objects.get(email="ada@example.id").status == SubscriberStatus.CONFIRMED


@pytest.mark.django_db
def test_one_confirmation_email_per_address_in_five_minutes(
    client: Client,
    lists: dict[str, MailingList],
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing_list = lists["public"]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.post(url(mailing_list.unit), form(mailing_list)).status_code == 200
    assert smtp.recipients() == [STORED]
    assert Subscriber.objects.count() == 1


@pytest.mark.django_db
def test_robots_are_refused(
    client: Client,
    lists: dict[str, MailingList],
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing_list = lists["public"]
    unit = mailing_list.unit
    with django_capture_on_commit_callbacks(execute=True):
        # The honeypot: told the same as a person, nothing done.
        trapped = client.post(url(unit), form(mailing_list, website="http://spam.example"))
        assert trapped.status_code == 200 and "Check your mailbox" in trapped.content.decode()
        # Sent less than 2 s after the form was shown.
        quick = client.post(url(unit), form(mailing_list, ts=public_views.form_stamp(unit)))
        assert quick.status_code == 400
        assert "very quick" in quick.content.decode()
        assert 'value="siti.rahma@Example.ID"' in quick.content.decode()  # kept for resending
        # A missing, forged or day-old time stamp.
        for stamp in (
            "",
            "forged",
            signing.dumps([unit.pk, time.time() - 10], salt="other"),
            public_views.form_stamp(unit, at=time.time() - 2 * 86400),
        ):
            stale = client.post(url(unit), form(mailing_list, ts=stamp))
            assert stale.status_code == 400 and "expired" in stale.content.decode()
        # A stamp of another unit's form.
        other = client.post(
            url(unit), form(mailing_list, ts=public_views.form_stamp(lists["berau"].unit, 1.0))
        )
        assert other.status_code == 400
    assert Subscriber.objects.count() == 0
    assert smtp.messages == []


@pytest.mark.django_db
def test_rate_limit_per_ip(client: Client, lists: dict[str, MailingList], smtp: Any) -> None:
    mailing_list = lists["public"]
    for i in range(public_views.RATE_LIMIT):
        response = client.post(url(mailing_list.unit), form(mailing_list, f"w{i}@example.id"))
        assert response.status_code == 200
    blocked = client.post(url(mailing_list.unit), form(mailing_list, "lagi@example.id"))
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == str(public_views.RATE_WINDOW)
    assert "Too many requests" in blocked.content.decode()
    assert not Subscriber.objects.filter(email="lagi@example.id").exists()
    # Another address is not blocked.
    other = client.post(
        url(mailing_list.unit), form(mailing_list, "lain@example.id"), REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 200


@pytest.mark.django_db
def test_bad_input_is_answered_and_changes_nothing(
    client: Client, lists: dict[str, MailingList], smtp: Any
) -> None:
    mailing_list = lists["public"]
    cases = [
        ({"email": "bukan-alamat"}, "Enter a valid email address."),
        ({"email": ""}, "Enter your email address."),
        ({"mailing_list": str(lists["berau"].pk)}, "Choose one of the lists shown."),
        ({"mailing_list": str(lists["internal"].pk)}, "Choose one of the lists shown."),
        ({"mailing_list": "x"}, "Choose one of the lists shown."),
        ({"mailing_list": ""}, "Choose a list."),
        ({"name": "n" * 201}, "at most 200 characters"),
    ]
    for change, message in cases:
        response = client.post(url(mailing_list.unit), form(mailing_list, **change))
        assert response.status_code == 400, change
        assert message in response.content.decode(), change
    assert Subscriber.objects.count() == 0
    assert smtp.messages == []


@pytest.mark.django_db
def test_form_needs_the_csrf_token(
    lists: dict[str, MailingList], smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mailing_list = lists["public"]
    client = Client(enforce_csrf_checks=True)
    refused = client.post(url(mailing_list.unit), form(mailing_list))
    assert refused.status_code == 403
    page = client.get(url(mailing_list.unit)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            url(mailing_list.unit), form(mailing_list, csrfmiddlewaretoken=token.group(1))
        )
    assert accepted.status_code == 200
    assert Subscriber.objects.filter(email=STORED).exists()


@pytest.mark.django_db
def test_unsubscribed_address_comes_back_only_by_a_fresh_confirmation(
    client: Client,
    lists: dict[str, MailingList],
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing_list = lists["public"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(mailing_list.unit), form(mailing_list))
    old_link = confirm_link(smtp.parsed()[0])
    subscriber = Subscriber.objects.get()
    client.post(old_link)
    subscriptions.unsubscribe(subscriber)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED

    # A link sent before the unsubscribe no longer subscribes.
    stale = client.post(old_link)
    assert stale.status_code == 410
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED

    # Asking again (anyone can) leaves the address unsubscribed until its owner confirms.
    caches["default"].clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(mailing_list.unit), form(mailing_list))
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    fresh = confirm_link(smtp.parsed()[-1])
    assert client.post(fresh).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.unsubscribed_at is None


@pytest.mark.django_db
def test_confirming_lifts_a_suppression(
    client: Client,
    lists: dict[str, MailingList],
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing_list = lists["public"]
    Suppression.objects.create(address=STORED, reason=Suppression.Reason.HARD_BOUNCE)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(mailing_list.unit), form(mailing_list))
    client.post(confirm_link(smtp.parsed()[0]))
    assert not Suppression.objects.filter(address=STORED).exists()


@pytest.mark.django_db
def test_bad_and_expired_confirmation_links(
    client: Client, lists: dict[str, MailingList], monkeypatch: Any
) -> None:
    mailing_list = lists["public"]
    subscriber = subscriptions.request(mailing_list, "tua@example.id")
    token = subscriptions.confirmation_token(subscriber)
    link = reverse("dissemination_public:confirm", args=[token])
    for bad in (token[:-2] + "xx", "abc", signing.dumps({"s": subscriber.pk}, salt="x")):
        response = client.post(reverse("dissemination_public:confirm", args=[bad]))
        assert response.status_code == 404
        assert "not valid" in response.content.decode()
    # A token for an address that is no longer on the list.
    other = subscriptions.request(mailing_list, "hapus@example.id")
    gone = reverse("dissemination_public:confirm", args=[subscriptions.confirmation_token(other)])
    other.delete()
    assert client.get(gone).status_code == 404
    # A link sent eight days ago.
    past = time.time() - 8 * 86400
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: past)
        old_token = subscriptions.confirmation_token(subscriber)
    expired = client.post(reverse("dissemination_public:confirm", args=[old_token]))
    assert expired.status_code == 410
    page = expired.content.decode()
    assert "expired" in page and url(mailing_list.unit) in page
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert client.put(link).status_code == 405


@pytest.mark.django_db
def test_staff_request_records_its_source(
    lists: dict[str, MailingList], smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mailing_list = lists["public"]
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = subscriptions.request(
            mailing_list, " Budi@Example.id ", "Budi", source="staff: form kertas"
        )
    assert subscriber.email == "Budi@example.id"
    assert subscriber.status == SubscriberStatus.PENDING
    token = re.search(r"/d/langganan/konfirmasi/([^/\s]+)/", smtp.messages[0][2].decode())
    assert token
    confirmation = subscriptions.read_confirmation_token(token.group(1))
    assert confirmation is not None
    subscriber, changed = subscriptions.confirm(confirmation)
    assert changed and subscriber.consent_source.startswith("staff: form kertas double opt-in")
    with pytest.raises(ValidationError):
        subscriptions.request(mailing_list, "not an address")
