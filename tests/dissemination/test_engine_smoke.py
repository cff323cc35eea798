"""The engine end to end on SQLite/PostgreSQL with a real SMTP server on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.dissemination import engine
from bakohumas.dissemination.models import Delivery, DeliveryStatus, PublicationStatus


@pytest.mark.django_db(transaction=True)
def test_email_campaign_reaches_each_confirmed_subscriber_once(
    approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any, smtp: Any
) -> None:
    add_subscribers(5)
    add_subscribers(2, status="pending", prefix="belum")
    publication = engine.plan(
        approved, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )
    assert engine.dispatch(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SENDING
    assert publication.total == 5
    engine.drain("test")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DONE
    assert sorted(smtp.recipients()) == sorted(f"warga{i}@example.id" for i in range(5))
    message = smtp.parsed()[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<")
    keys = {str(d.key) for d in Delivery.objects.filter(publication=publication)}
    assert {m["X-Bakohumas-Delivery"] for m in smtp.parsed()} == keys
    assert all(
        d.consent_ref.startswith("subscription:")
        for d in Delivery.objects.filter(status=DeliveryStatus.SENT)
    )


@pytest.mark.django_db
def test_draft_cannot_be_planned(make_user: Any, units: Any, editor: Any) -> None:
    from bakohumas.content import services as content_services

    item = content_services.create_item(
        unit=units["64.72"], by=editor, fields={"form": "news", "title": "Draf"}
    )
    with pytest.raises(ValidationError):
        engine.plan(item, engine.PlanInput(kind="website"), by=editor)
