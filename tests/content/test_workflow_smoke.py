"""The done-flow of issue 3 at the service level."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Status


def test_submit_approve_schedule_publish_and_edit_voids(
    make_item: Any, contributor: Any, coordinator: Any
) -> None:
    when = timezone.now() + timedelta(hours=2)
    item = make_item(publish_at=when)
    assert item.status == Status.DRAFT and item.version == 1
    services.submit(item, by=contributor)
    with pytest.raises(PermissionDenied):
        services.approve(item, by=contributor)
    item = services.approve(item, by=coordinator, comment="OK")
    assert item.status == Status.SCHEDULED
    assert item.approved_hash == item.content_hash
    assert services.publish_due(now=when - timedelta(minutes=1)) == 0
    # an edit must say it voids the approval; then it does
    with pytest.raises(ValidationError, match="approved"):
        services.update_item(item, by=contributor, fields={"summary": "Ringkasan baru"})
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED and item.version == 1 and item.summary == "Ringkasan"
    item = services.update_item(
        item, by=contributor, fields={"summary": "Ringkasan baru"}, void_approval=True
    )
    assert item.status == Status.SUBMITTED and item.approved_hash == "" and item.version == 2
    item = services.approve(item, by=coordinator)
    assert services.publish_due(now=when + timedelta(seconds=1)) == 1
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and item.published_at
    assert list(item.transitions.values_list("to_status", flat=True))[:2] == [
        "published",
        "scheduled",
    ]
    assert ContentItem.objects.public().filter(pk=item.pk).exists()


def test_body_is_sanitised(make_item: Any) -> None:
    item = make_item(
        body='<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:x">l</a></p>'
    )
    assert "script" not in item.body and "onclick" not in item.body
    assert "javascript" not in item.body
    assert item.body_text == "Hil"


def test_coordinator_cannot_approve_own_item(make_item: Any, coordinator: Any) -> None:
    item = make_item(by=coordinator)
    services.submit(item, by=coordinator)
    with pytest.raises(ValidationError, match="four-eyes"):
        services.approve(item, by=coordinator)
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED and not item.approved_hash
