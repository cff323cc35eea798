"""Every workflow transition of issue 3 item 3, allowed and forbidden.

draft → submitted → returned (with comments) | approved → scheduled → published →
withdrawn (with a public correction notice) → archived; drafts may be deleted. A
forbidden call raises and writes nothing: the row, its transitions, versions, variants,
media, tags and authors are re-read and compared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Status, Transition
from bakohumas.core.models import Role
from tests.content.test_services_helpers import (  # noqa: F401
    db_state,
    fast_passwords,
    fresh,
    unchanged,
)

STATES = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.APPROVED,
    Status.SCHEDULED,
    Status.PUBLISHED,
    Status.WITHDRAWN,
    Status.ARCHIVED,
]


class Actors:
    def __init__(self, make_user: Callable[..., Any], contributor: Any, coordinator: Any):
        self.contributor = contributor
        self.coordinator = coordinator
        self.editor = make_user("64.72", Role.EDITOR)


@pytest.fixture
def actors(make_user: Callable[..., Any], contributor: Any, coordinator: Any) -> Actors:
    return Actors(make_user, contributor, coordinator)


@pytest.fixture
def item_in(make_item: Callable[..., ContentItem], actors: Actors) -> Callable[[str], ContentItem]:
    """An item of Samarinda written by the contributor, brought to ``state``."""

    def make(state: str) -> ContentItem:
        item = make_item(by=actors.contributor)
        if state == Status.DRAFT:
            return item
        item = services.submit(item, by=actors.contributor)
        if state == Status.SUBMITTED:
            return item
        if state == Status.RETURNED:
            return services.return_for_changes(
                item, by=actors.coordinator, comment="Sumber data belum dicantumkan."
            )
        item = services.approve(item, by=actors.coordinator)
        if state == Status.APPROVED:
            return item
        if state == Status.SCHEDULED:
            return services.schedule(
                item, by=actors.editor, publish_at=timezone.now() + timedelta(hours=3)
            )
        item = services.publish_now(item, by=actors.editor)
        if state == Status.PUBLISHED:
            return item
        if state == Status.WITHDRAWN:
            return services.withdraw(item, by=actors.editor, notice="Ralat: tanggal keliru.")
        assert state == Status.ARCHIVED
        return services.archive(item, by=actors.editor)

    return make


# Each action: how to call it (with the user whose role allows it, so only the state
# decides), the states it is allowed from, and the status it leads to from each.
Action = Callable[[ContentItem, Actors], Any]
ACTIONS: dict[str, tuple[Action, dict[str, str | None]]] = {
    "submit": (
        lambda item, a: services.submit(item, by=a.contributor),
        {Status.DRAFT: Status.SUBMITTED, Status.RETURNED: Status.SUBMITTED},
    ),
    "return": (
        lambda item, a: services.return_for_changes(item, by=a.coordinator, comment="Ubah judul"),
        {Status.SUBMITTED: Status.RETURNED},
    ),
    "approve": (
        lambda item, a: services.approve(item, by=a.coordinator),
        {Status.SUBMITTED: Status.APPROVED},
    ),
    "schedule": (
        lambda item, a: services.schedule(
            item, by=a.editor, publish_at=timezone.now() + timedelta(days=1)
        ),
        {Status.APPROVED: Status.SCHEDULED, Status.SCHEDULED: Status.SCHEDULED},
    ),
    "unschedule": (
        lambda item, a: services.unschedule(item, by=a.editor),
        {Status.SCHEDULED: Status.APPROVED},
    ),
    "publish_now": (
        lambda item, a: services.publish_now(item, by=a.editor),
        {Status.APPROVED: Status.PUBLISHED, Status.SCHEDULED: Status.PUBLISHED},
    ),
    "withdraw": (
        lambda item, a: services.withdraw(item, by=a.editor, notice="Ralat: angka salah."),
        {Status.PUBLISHED: Status.WITHDRAWN, Status.ARCHIVED: Status.WITHDRAWN},
    ),
    "archive": (
        lambda item, a: services.archive(item, by=a.editor),
        {
            Status.DRAFT: Status.ARCHIVED,
            Status.RETURNED: Status.ARCHIVED,
            Status.PUBLISHED: Status.ARCHIVED,
            Status.WITHDRAWN: Status.ARCHIVED,
        },
    ),
    "delete_draft": (
        lambda item, a: services.delete_draft(item, by=a.coordinator),
        {Status.DRAFT: None, Status.RETURNED: None},
    ),
    "edit": (
        lambda item, a: services.update_item(
            item, by=a.contributor, fields={"title": "Judul yang diperbaiki"}, void_approval=True
        ),
        {
            Status.DRAFT: Status.DRAFT,
            Status.SUBMITTED: Status.SUBMITTED,
            Status.RETURNED: Status.RETURNED,
            Status.APPROVED: Status.SUBMITTED,  # the approval is void
            Status.SCHEDULED: Status.SUBMITTED,
        },
    ),
}

ALLOWED = [(a, s) for a, (_, allowed) in ACTIONS.items() for s in STATES if s in allowed]
FORBIDDEN = [(a, s) for a, (_, allowed) in ACTIONS.items() for s in STATES if s not in allowed]


def test_the_state_fixture_reaches_every_state(item_in: Callable[[str], ContentItem]) -> None:
    for state in STATES:
        assert fresh(item_in(state)).status == state


@pytest.mark.parametrize(("action", "state"), FORBIDDEN)
def test_forbidden_transition_raises_and_changes_nothing(
    action: str, state: str, item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(state)
    call, _allowed = ACTIONS[action]
    with unchanged(item), pytest.raises(ValidationError):
        call(item, actors)
    assert fresh(item).status == state


@pytest.mark.parametrize(("action", "state"), ALLOWED)
def test_allowed_transition(
    action: str, state: str, item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(state)
    before = Transition.objects.filter(item=item).count()
    call, allowed = ACTIONS[action]
    call(item, actors)
    expected = allowed[state]
    if expected is None:  # deleted
        assert not ContentItem.objects.filter(pk=item.pk).exists()
        assert not Transition.objects.filter(item_id=item.pk).exists()
        return
    item = fresh(item)
    assert item.status == expected
    added = list(Transition.objects.filter(item=item).order_by("id")[before:])
    if action == "edit" and state in {Status.DRAFT, Status.SUBMITTED, Status.RETURNED}:
        assert added == []  # an edit is a version, not a transition
        return
    assert len(added) == 1
    step = added[0]
    assert (step.from_status, step.to_status) == (state, expected)
    assert step.version == item.version and step.content_hash == item.content_hash
    assert step.at is not None and abs(step.at - timezone.now()) < timedelta(minutes=1)


def test_every_step_keeps_who_when_and_the_comment(
    make_item: Callable[..., ContentItem], actors: Actors
) -> None:
    item = make_item(by=actors.contributor)
    services.submit(item, by=actors.contributor, comment="  Mohon diperiksa  ")
    services.return_for_changes(item, by=actors.coordinator, comment="Tambahkan sumber.")
    item = services.update_item(
        item, by=actors.contributor, fields={"body": "<p>Sumber: KPU RI.</p>"}
    )
    services.submit(item, by=actors.contributor)
    services.approve(item, by=actors.coordinator, comment="Sudah sesuai.")
    services.publish_now(item, by=actors.editor)
    services.withdraw(item, by=actors.editor, notice="Ralat: jadwal berubah.")
    services.archive(item, by=actors.editor, comment="Akhir tahapan")
    steps = list(item.transitions.order_by("id"))
    assert [(s.from_status, s.to_status, s.by, s.comment, s.version) for s in steps] == [
        ("draft", "draft", actors.contributor, "Created", 1),
        ("draft", "submitted", actors.contributor, "Mohon diperiksa", 1),
        ("submitted", "returned", actors.coordinator, "Tambahkan sumber.", 1),
        ("returned", "submitted", actors.contributor, "", 2),
        ("submitted", "approved", actors.coordinator, "Sudah sesuai.", 2),
        ("approved", "published", actors.editor, "", 2),
        ("published", "withdrawn", actors.editor, "Ralat: jadwal berubah.", 2),
        ("withdrawn", "archived", actors.editor, "Akhir tahapan", 2),
    ]
    assert all(s.content_hash == fresh(item).content_hash for s in steps[3:])


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_return_needs_a_comment(
    comment: str, item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.SUBMITTED)
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.return_for_changes(item, by=actors.coordinator, comment=comment)
    assert "comment" in exc.value.message_dict


@pytest.mark.parametrize("notice", ["", "  ", "\n"])
def test_withdrawal_needs_a_correction_notice(
    notice: str, item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.PUBLISHED)
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.withdraw(item, by=actors.editor, notice=notice)
    assert "notice" in exc.value.message_dict
    assert ContentItem.objects.public().filter(pk=item.pk).exists()


def test_withdrawal_keeps_the_notice_and_leaves_the_portal(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.PUBLISHED)
    published_at = fresh(item).published_at
    assert ContentItem.objects.public().filter(pk=item.pk).exists()
    services.withdraw(item, by=actors.editor, notice="  Ralat: lokasi TPS keliru.  ")
    item = fresh(item)
    assert item.status == Status.WITHDRAWN
    assert item.correction_notice == "Ralat: lokasi TPS keliru."
    assert item.withdrawn_at is not None and item.published_at == published_at
    assert not item.is_public
    assert not ContentItem.objects.public().filter(pk=item.pk).exists()
    # Archiving later keeps the notice.
    services.archive(item, by=actors.editor)
    assert fresh(item).correction_notice == "Ralat: lokasi TPS keliru."


def test_archived_published_item_stays_public(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.ARCHIVED)
    assert item.published_at is not None
    assert ContentItem.objects.public().filter(pk=item.pk).exists()
    assert fresh(item).is_public


def test_archived_draft_is_not_public(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = services.archive(item_in(Status.DRAFT), by=actors.editor)
    assert item.status == Status.ARCHIVED
    assert not ContentItem.objects.public().filter(pk=item.pk).exists()


def test_withdrawn_then_archived_item_stays_off_the_portal(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = services.archive(item_in(Status.WITHDRAWN), by=actors.editor)
    assert item.status == Status.ARCHIVED
    assert not ContentItem.objects.public().filter(pk=item.pk).exists()
    assert not fresh(item).is_public


def test_a_withdrawn_then_archived_item_cannot_be_withdrawn_again(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = services.archive(item_in(Status.WITHDRAWN), by=actors.editor)
    with unchanged(item), pytest.raises(ValidationError):
        services.withdraw(item, by=actors.editor, notice="Ralat kedua menimpa yang pertama")
    assert fresh(item).correction_notice == "Ralat: tanggal keliru."


def test_unschedule_keeps_the_approval(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.SCHEDULED)
    approved_hash = item.approved_hash
    item = services.unschedule(item, by=actors.editor)
    item = fresh(item)
    assert item.status == Status.APPROVED and item.approved_hash == approved_hash
    step = item.transitions.first()
    assert step is not None and (step.from_status, step.to_status) == ("scheduled", "approved")
    assert step.by == actors.editor
    # nothing is published when its time comes
    assert item.publish_at is not None
    assert services.publish_due(now=item.publish_at + timedelta(minutes=1)) == 0
    assert fresh(item).status == Status.APPROVED


def test_delete_draft_removes_every_row(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.RETURNED)
    pk = item.pk
    services.delete_draft(item, by=actors.coordinator)
    state = db_state(pk)
    assert state["row"] is None
    assert state["transitions"] == state["versions"] == state["authors"] == []


# --- roles and scope (403-like PermissionDenied, nothing written) -------------------------


def test_role_and_scope_refusals(
    item_in: Callable[[str], ContentItem], actors: Actors, make_user: Callable[..., Any]
) -> None:
    viewer = make_user("64.72", Role.VIEWER)
    other_contributor = make_user("64.72", Role.CONTRIBUTOR)
    berau_editor = make_user("64.03", Role.EDITOR)
    berau_coordinator = make_user("64.03", Role.COORDINATOR)

    draft = item_in(Status.DRAFT)
    for call in (
        lambda: services.submit(draft, by=viewer),
        lambda: services.submit(draft, by=other_contributor),  # not an author
        lambda: services.submit(draft, by=berau_editor),
        lambda: services.update_item(draft, by=other_contributor, fields={"title": "X"}),
        lambda: services.update_item(draft, by=berau_editor, fields={"title": "X"}),
        lambda: services.delete_draft(draft, by=actors.contributor),
        lambda: services.delete_draft(draft, by=berau_coordinator),
        lambda: services.archive(draft, by=actors.contributor),
    ):
        with unchanged(draft), pytest.raises(PermissionDenied):
            call()

    approved = item_in(Status.APPROVED)
    for call in (
        lambda: services.schedule(
            approved, by=actors.contributor, publish_at=timezone.now() + timedelta(days=1)
        ),
        lambda: services.schedule(
            approved, by=berau_editor, publish_at=timezone.now() + timedelta(days=1)
        ),
        lambda: services.publish_now(approved, by=actors.contributor),
        lambda: services.publish_now(approved, by=berau_coordinator),
        lambda: services.publish_now(approved, by=viewer),
    ):
        with unchanged(approved), pytest.raises(PermissionDenied):
            call()

    scheduled = item_in(Status.SCHEDULED)
    with unchanged(scheduled), pytest.raises(PermissionDenied):
        services.unschedule(scheduled, by=actors.contributor)

    published = item_in(Status.PUBLISHED)
    for call in (
        lambda: services.withdraw(published, by=actors.contributor, notice="Ralat"),
        lambda: services.withdraw(published, by=berau_editor, notice="Ralat"),
        lambda: services.archive(published, by=berau_coordinator),
    ):
        with unchanged(published), pytest.raises(PermissionDenied):
            call()


def test_editor_may_edit_and_submit_any_item_of_the_unit(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.DRAFT)
    item = services.update_item(item, by=actors.editor, fields={"summary": "Ringkasan editor"})
    services.submit(item, by=actors.editor)
    item = fresh(item)
    assert item.status == Status.SUBMITTED
    assert item.authors.filter(pk=actors.editor.pk).exists()  # who writes is an author


@pytest.mark.parametrize(
    ("action", "call"),
    [
        ("submit", lambda item, a: services.submit(item, by=a.contributor, comment="a\x00b")),
        (
            "archive",
            lambda item, a: services.archive(item, by=a.editor, comment="a\x00b"),
        ),
    ],
)
def test_nul_in_a_workflow_comment_is_refused(
    action: str, call: Action, item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    item = item_in(Status.DRAFT)
    with unchanged(item), pytest.raises(ValidationError) as exc:
        call(item, actors)
    assert "comment" in exc.value.message_dict


def test_nul_in_return_comment_and_withdraw_notice(
    item_in: Callable[[str], ContentItem], actors: Actors
) -> None:
    submitted = item_in(Status.SUBMITTED)
    with unchanged(submitted), pytest.raises(ValidationError) as exc:
        services.return_for_changes(submitted, by=actors.coordinator, comment="ubah\x00")
    assert "comment" in exc.value.message_dict
    published = item_in(Status.PUBLISHED)
    with unchanged(published), pytest.raises(ValidationError) as exc:
        services.withdraw(published, by=actors.editor, notice="ralat\x00")
    assert "notice" in exc.value.message_dict
