"""Four eyes (code of ethics d): who may validate an item, and who never may.

The approver holds the coordinator's permission, belongs to the item's unit or a unit
above it, and never wrote the item: not its creator, not a listed author, not someone who
saved one of its versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Status
from bakohumas.core.models import Role
from tests.content.test_services_helpers import (  # noqa: F401
    fast_passwords,
    fresh,
    other_province,
    to_submitted,
    unchanged,
)


@pytest.fixture
def submitted(make_item: Callable[..., ContentItem], contributor: Any) -> ContentItem:
    return to_submitted(make_item, contributor)


@pytest.mark.parametrize(
    ("code", "role"),
    [
        ("64.72", Role.COORDINATOR),  # the item's own unit
        ("64", Role.COORDINATOR),  # its province (an ancestor)
        ("00", Role.COORDINATOR),  # KPU RI
        ("64.72", Role.ADMINISTRATOR),
    ],
)
def test_coordinators_of_the_unit_and_above_can_approve(
    code: str, role: str, submitted: ContentItem, make_user: Callable[..., Any]
) -> None:
    approver = make_user(code, role)
    assert services.approval_refusal(approver, submitted) is None
    item = services.approve(submitted, by=approver, comment="Valid.")
    item = fresh(item)
    assert item.status == Status.APPROVED
    assert item.approved_by == approver and item.approved_at is not None
    assert item.approved_hash == item.content_hash == item.versions.first().content_hash  # type: ignore[union-attr]
    step = item.transitions.first()
    assert step is not None
    assert (step.to_status, step.by, step.comment) == ("approved", approver, "Valid.")


@pytest.mark.parametrize(
    ("code", "role"),
    [
        ("64.72", Role.COORDINATOR),
        ("64", Role.COORDINATOR),
        ("00", Role.COORDINATOR),
    ],
)
def test_coordinators_of_the_unit_and_above_can_return(
    code: str, role: str, submitted: ContentItem, make_user: Callable[..., Any]
) -> None:
    item = services.return_for_changes(submitted, by=make_user(code, role), comment="Ubah.")
    assert fresh(item).status == Status.RETURNED


@pytest.mark.parametrize("code", ["64.03", "64.71"])
def test_coordinator_of_another_kabkota_cannot_validate(
    code: str, submitted: ContentItem, make_user: Callable[..., Any]
) -> None:
    outsider = make_user(code, Role.COORDINATOR)
    with unchanged(submitted), pytest.raises(PermissionDenied):
        services.approve(submitted, by=outsider)
    with unchanged(submitted), pytest.raises(PermissionDenied):
        services.return_for_changes(submitted, by=outsider, comment="Tidak")
    assert services.approval_refusal(outsider, submitted) is not None
    assert not services.awaiting_validation(outsider).filter(pk=submitted.pk).exists()


def test_coordinator_of_another_province_cannot_validate(
    submitted: ContentItem, units: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    other_province(units)
    for code in ("63", "63.71"):
        outsider = make_user(code, Role.COORDINATOR)
        with unchanged(submitted), pytest.raises(PermissionDenied):
            services.approve(submitted, by=outsider)


def test_a_kabkota_coordinator_cannot_validate_the_provinces_item(
    make_item: Callable[..., ContentItem], make_user: Callable[..., Any]
) -> None:
    writer = make_user("64", Role.CONTRIBUTOR)
    item = to_submitted(make_item, writer, code="64")
    below = make_user("64.72", Role.COORDINATOR)
    with unchanged(item), pytest.raises(PermissionDenied):
        services.approve(item, by=below)


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.EDITOR, Role.VIEWER])
def test_roles_without_the_validation_permission_cannot_validate(
    role: str, submitted: ContentItem, make_user: Callable[..., Any]
) -> None:
    user = make_user("64.72", role)
    with unchanged(submitted), pytest.raises(PermissionDenied):
        services.approve(submitted, by=user)
    with unchanged(submitted), pytest.raises(PermissionDenied):
        services.return_for_changes(submitted, by=user, comment="Tidak")
    assert not services.awaiting_validation(user).exists()


def test_the_writer_cannot_approve_her_own_item(submitted: ContentItem, contributor: Any) -> None:
    with unchanged(submitted), pytest.raises(PermissionDenied):
        services.approve(submitted, by=contributor)


def test_creator_coordinator_cannot_approve(
    make_item: Callable[..., ContentItem], coordinator: Any
) -> None:
    item = to_submitted(make_item, coordinator)
    with unchanged(item), pytest.raises(ValidationError, match="four-eyes"):
        services.approve(item, by=coordinator)
    with unchanged(item), pytest.raises(ValidationError, match="four-eyes"):
        services.return_for_changes(item, by=coordinator, comment="Saya sendiri")
    assert not services.awaiting_validation(coordinator).filter(pk=item.pk).exists()


def test_listed_author_cannot_approve(
    units: dict[str, Any], contributor: Any, make_user: Callable[..., Any]
) -> None:
    co_author = make_user("64.72", Role.COORDINATOR)
    item = services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={"form": "news", "title": "Bersama", "body": "<p>Isi</p>"},
        authors=[co_author.pk],
    )
    assert item.created_by == contributor
    services.submit(item, by=contributor)
    with unchanged(item), pytest.raises(ValidationError, match="four-eyes"):
        services.approve(item, by=co_author)
    assert not services.awaiting_validation(co_author).filter(pk=item.pk).exists()
    # Authors come from the writer's scope only.
    with pytest.raises(ValidationError) as exc:
        services.create_item(
            unit=units["64.72"],
            by=contributor,
            fields={"form": "news", "title": "Lintas", "body": "<p>Isi</p>"},
            authors=[make_user("64.03", Role.COORDINATOR).pk],
        )
    assert "authors" in exc.value.message_dict
    assert not ContentItem.objects.filter(title="Lintas").exists()


def test_coordinator_who_edited_a_version_cannot_approve(
    submitted: ContentItem, coordinator: Any, make_user: Callable[..., Any]
) -> None:
    item = services.update_item(submitted, by=coordinator, fields={"summary": "Dirapikan"})
    # Even when taken off the author list, having written a version counts.
    item.authors.remove(coordinator)
    assert not item.authors.filter(pk=coordinator.pk).exists()
    assert item.versions.filter(created_by=coordinator).exists()
    with unchanged(item), pytest.raises(ValidationError, match="four-eyes"):
        services.approve(item, by=coordinator)
    assert not services.awaiting_validation(coordinator).filter(pk=item.pk).exists()
    # A second coordinator who never touched it can.
    other = make_user("64.72", Role.COORDINATOR)
    assert services.awaiting_validation(other).filter(pk=item.pk).exists()
    assert fresh(services.approve(item, by=other)).status == Status.APPROVED


def test_approve_with_a_stale_version_is_refused(
    submitted: ContentItem, contributor: Any, coordinator: Any
) -> None:
    reviewed = submitted.version
    item = services.update_item(submitted, by=contributor, fields={"title": "Judul baru"})
    assert item.version == reviewed + 1
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.approve(item, by=coordinator, expected_version=reviewed)
    assert exc.value.code == "stale"
    item = services.approve(item, by=coordinator, expected_version=item.version)
    assert fresh(item).status == Status.APPROVED


def test_an_incomplete_item_cannot_be_submitted(
    make_item: Callable[..., ContentItem], contributor: Any
) -> None:
    item = make_item(body="<p> </p>")  # a news text needs a body
    with unchanged(item), pytest.raises(ValidationError, match="body is empty"):
        services.submit(item, by=contributor)


def test_awaiting_validation_lists_what_the_coordinator_may_validate(
    make_item: Callable[..., ContentItem],
    contributor: Any,
    coordinator: Any,
    make_user: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    theirs = [to_submitted(make_item, contributor, title=f"Berita {n}") for n in range(3)]
    own = to_submitted(make_item, coordinator, title="Milik koordinator")
    draft = make_item(title="Masih draf")
    berau = to_submitted(make_item, make_user("64.03", Role.CONTRIBUTOR), code="64.03")
    with django_assert_max_num_queries(3):
        listed = list(services.awaiting_validation(coordinator))
    assert {i.pk for i in listed} == {i.pk for i in theirs}
    assert own.pk not in {i.pk for i in listed} and draft.pk not in {i.pk for i in listed}
    province = make_user("64", Role.COORDINATOR)
    assert {i.pk for i in services.awaiting_validation(province)} == {
        *(i.pk for i in theirs),
        own.pk,
        berau.pk,
    }
