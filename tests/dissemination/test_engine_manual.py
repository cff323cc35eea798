"""A platform without a connected account can be posted on by hand: the publication is a
manual package that counts once its evidence is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.dissemination import engine
from bakohumas.dissemination.models import Publication, PublicationStatus


@pytest.mark.django_db
def test_facebook_by_hand_needs_no_account_and_ends_with_its_evidence(
    approved: Any, editor: Any
) -> None:
    publication = engine.plan(approved, engine.PlanInput(kind="facebook", manual=True), by=editor)
    assert publication.is_manual and publication.account_id is None
    assert publication.responsible_id == editor.pk
    assert engine.dispatch(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.AWAITING_EVIDENCE
    assert not publication.deliveries.exists()
    engine.record_evidence(
        publication, by=editor, url="https://www.facebook.com/kpusamarinda/posts/1", audience=120
    )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DONE
    assert publication.external_url == "https://www.facebook.com/kpusamarinda/posts/1"
    assert publication.metric.reach == 120


@pytest.mark.django_db
def test_facebook_without_account_and_not_by_hand_is_refused(approved: Any, editor: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        engine.plan(approved, engine.PlanInput(kind="facebook"), by=editor)
    assert "Choose the account to publish with." in caught.value.messages
    assert not Publication.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["email", "whatsapp", "webhook", "website"])
def test_only_social_platforms_can_be_posted_by_hand(approved: Any, editor: Any, kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        engine.plan(approved, engine.PlanInput(kind=kind, manual=True), by=editor)
    assert caught.value.message_dict["manual"] == [
        "Only a social media platform can be posted on by hand."
    ]
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_the_plan_page_offers_and_accepts_posting_by_hand(
    approved: Any, client: Any, editor: Any
) -> None:
    client.force_login(editor)
    page = client.get(f"/app/dissemination/item/{approved.pk}/?kind=x&manual=1")
    assert page.status_code == 200
    assert 'name="manual"' in page.content.decode()
    refused = client.post(f"/app/dissemination/item/{approved.pk}/", {"kind": "x"})
    assert refused.status_code == 400
    assert "not connected" in refused.content.decode()
    assert not Publication.objects.exists()
    done = client.post(
        f"/app/dissemination/item/{approved.pk}/",
        {"kind": "x", "manual": "on", "responsible": editor.pk},
    )
    assert done.status_code == 302
    publication = Publication.objects.get()
    assert publication.kind == "x" and publication.manual


@pytest.mark.django_db
def test_moving_an_account_to_another_api_address_needs_its_credentials_again(
    units: Any, make_user: Any, client: Any
) -> None:
    from bakohumas.core.models import Role
    from bakohumas.dissemination import crypto
    from bakohumas.dissemination.models import ChannelAccount

    coordinator = make_user("64.72", Role.COORDINATOR)
    account = ChannelAccount.objects.create(
        unit=units["64.72"],
        kind="telegram",
        name="Kanal KPU Samarinda",
        config={"api_base": "https://api.telegram.org", "destination": "@kpusamarinda"},
        secret_ciphertext=crypto.encrypt({"bot_token": "123:SECRET-TOKEN"}),
    )
    client.force_login(coordinator)
    form = {
        "unit": units["64.72"].pk,
        "kind": "telegram",
        "name": "Kanal KPU Samarinda",
        "config_api_base": "https://attacker.example",
        "config_destination": "@kpusamarinda",
    }
    refused = client.post(f"/app/dissemination/accounts/{account.pk}/", form)
    assert refused.status_code in (200, 400)
    assert "needs the credentials again" in refused.content.decode()
    account.refresh_from_db()
    assert account.config["api_base"] == "https://api.telegram.org"
    assert crypto.decrypt(account.secret_ciphertext) == {"bot_token": "123:SECRET-TOKEN"}
