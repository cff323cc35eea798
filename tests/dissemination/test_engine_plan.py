"""engine.plan(): only approved, unchanged content, the right account and audience, the
platform's limits and the planner's rights; on any refusal nothing is written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bakohumas.content import services as content_services
from bakohumas.content.models import ContentItem, Status
from bakohumas.core.models import Role
from bakohumas.dissemination import crypto, engine
from bakohumas.dissemination.models import (
    AccountStatus,
    ChannelAccount,
    Delivery,
    MailingList,
    Notification,
    Publication,
    PublicationStatus,
)
from bakohumas.stakeholders.models import CommunicationGroup

pytestmark = pytest.mark.django_db


@contextmanager
def nothing_written() -> Iterator[None]:
    """The block must raise and leave publications, deliveries and notifications as
    they were."""

    def state() -> tuple[int, int, int]:
        return (
            Publication.objects.count(),
            Delivery.objects.count(),
            Notification.objects.count(),
        )

    before = state()
    yield
    assert state() == before


def account(unit: Any, kind: str = "telegram", **fields: Any) -> ChannelAccount:
    defaults: dict[str, Any] = {
        "name": f"{kind} account",
        "config": {"destination": "@kpusamarinda", "api_base": "http://127.0.0.1:9"},
        "secret_ciphertext": crypto.encrypt({"bot_token": "123:abc", "access_token": "tok"}),
    }
    defaults.update(fields)
    return ChannelAccount.objects.create(unit=unit, kind=kind, **defaults)


def refused(item: ContentItem, data: engine.PlanInput, by: Any) -> list[str]:
    with nothing_written(), pytest.raises(ValidationError) as exc:
        engine.plan(item, data, by=by)
    return exc.value.messages


# --- the item's state ------------------------------------------------------------------------


def test_approved_item_is_planned_with_its_approval_hash(approved: Any, editor: Any) -> None:
    publication = engine.plan(approved, engine.PlanInput(kind="website"), by=editor)
    assert publication.status == PublicationStatus.PLANNED
    assert publication.approved_hash == approved.approved_hash != ""
    assert publication.created_by == editor
    assert publication.unit_id == approved.unit_id


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "withdrawn"])
def test_items_not_approved_are_refused(
    state: str, units: Any, contributor: Any, coordinator: Any, editor: Any
) -> None:
    item = content_services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={"form": "news", "title": "Berita", "body": "<p>Isi</p>"},
    )
    if state != "draft":
        content_services.submit(item, by=contributor)
    if state == "returned":
        content_services.return_for_changes(item, by=coordinator, comment="Perbaiki judul.")
    if state == "withdrawn":
        content_services.approve(item, by=coordinator)
        content_services.publish_now(item, by=editor)
        content_services.withdraw(item, by=editor, notice="Ralat: tanggal salah.")
    item.refresh_from_db()
    assert item.status == state
    messages = refused(item, engine.PlanInput(kind="website"), editor)
    assert any("Only approved content" in m for m in messages), messages


def test_published_item_can_still_be_disseminated(approved: Any, editor: Any) -> None:
    content_services.publish_now(approved, by=editor)
    approved.refresh_from_db()
    assert approved.status == Status.PUBLISHED
    assert engine.plan(approved, engine.PlanInput(kind="website"), by=editor).pk


def test_item_edited_after_approval_is_refused_even_from_a_stale_copy(
    approved: Any, contributor: Any, editor: Any
) -> None:
    stale = ContentItem.objects.get(pk=approved.pk)  # the caller's copy: still approved
    content_services.update_item(
        approved, by=contributor, fields={"title": "Judul baru"}, void_approval=True
    )
    assert stale.status == Status.APPROVED
    messages = refused(stale, engine.PlanInput(kind="website"), editor)
    assert any("Only approved content" in m for m in messages), messages


def test_item_whose_media_changed_under_its_approval_is_refused(approved: Any, editor: Any) -> None:
    # The stored content hash still matches, but the recomputed one does not (a variant
    # row changed behind the services' back, as a media caption can).
    approved.variants.create(channel="facebook", text="Teks yang tidak divalidasi")
    messages = refused(approved, engine.PlanInput(kind="website"), editor)
    assert any("changed after approval" in m for m in messages), messages


# --- accounts ----------------------------------------------------------------------------------


def test_account_of_another_unit_is_refused(approved: Any, units: Any, editor: Any) -> None:
    other = account(units["64.03"])
    messages = refused(approved, engine.PlanInput(kind="telegram", account_id=other.pk), editor)
    assert any("another unit" in m for m in messages), messages


def test_account_of_another_kind_is_refused(approved: Any, units: Any, editor: Any) -> None:
    facebook = account(units["64.72"], kind="facebook")
    messages = refused(approved, engine.PlanInput(kind="telegram", account_id=facebook.pk), editor)
    assert any("not a Telegram account" in m for m in messages), messages


def test_account_in_reconnect_is_refused(approved: Any, units: Any, editor: Any) -> None:
    revoked = account(units["64.72"], status=AccountStatus.RECONNECT)
    messages = refused(approved, engine.PlanInput(kind="telegram", account_id=revoked.pk), editor)
    assert any("Reconnect the account" in m for m in messages), messages


def test_missing_or_unknown_account_is_refused(approved: Any, editor: Any) -> None:
    messages = refused(approved, engine.PlanInput(kind="telegram"), editor)
    assert any("Choose the account" in m for m in messages), messages
    with nothing_written(), pytest.raises(ValidationError) as exc:
        engine.plan(approved, engine.PlanInput(kind="telegram", account_id=999_999), by=editor)
    assert exc.value.message_dict == {"account_id": ["Not found."]}


def test_unknown_channel_is_refused(approved: Any, editor: Any) -> None:
    with nothing_written(), pytest.raises(ValidationError) as exc:
        engine.plan(approved, engine.PlanInput(kind="carrier-pigeon"), by=editor)
    assert "kind" in exc.value.message_dict


# --- audiences -----------------------------------------------------------------------------------


def test_campaign_without_audience_is_refused(approved: Any, editor: Any) -> None:
    messages = refused(approved, engine.PlanInput(kind="email"), editor)
    assert any("Choose who receives it" in m for m in messages), messages


def test_mailing_list_of_another_unit_is_refused(approved: Any, units: Any, editor: Any) -> None:
    berau = MailingList.objects.create(unit=units["64.03"], name="Buletin Berau")
    messages = refused(approved, engine.PlanInput(kind="email", mailing_list_id=berau.pk), editor)
    assert any("another unit" in m for m in messages), messages


def test_group_of_another_unit_is_refused(approved: Any, units: Any, editor: Any) -> None:
    group = CommunicationGroup.objects.create(
        unit=units["64.03"], name="Mitra Berau", platform="email_list", audience="stakeholder"
    )
    with nothing_written(), pytest.raises(ValidationError) as exc:
        engine.plan(approved, engine.PlanInput(kind="email", group_id=group.pk), by=editor)
    assert exc.value.message_dict == {"group_id": ["That group belongs to another unit."]}


def test_mailing_list_is_for_email_only(approved: Any, mailing_list: Any, editor: Any) -> None:
    messages = refused(
        approved,
        engine.PlanInput(kind="whatsapp", mailing_list_id=mailing_list.pk, template_name="berita"),
        editor,
    )
    assert any("only receive an email campaign" in m for m in messages), messages


@pytest.mark.parametrize(
    "segment",
    [
        "categories=police",
        ["police"],
        {"categories": "police"},
        {"categories": [1, 2]},
        {"categories": ["nope"]},
        {"organisations": ["x"]},
        {"categories": [], "tags": []},
        {"tags": ["x" * 65]},
        {"tags": ["a\x00b"]},
    ],
)
def test_bad_segment_is_refused(approved: Any, editor: Any, segment: Any) -> None:
    with nothing_written(), pytest.raises(ValidationError) as exc:
        engine.plan(approved, engine.PlanInput(kind="email", segment=segment), by=editor)
    assert list(exc.value.message_dict) == ["segment"]


def test_segment_is_stored_clean(approved: Any, editor: Any) -> None:
    publication = engine.plan(
        approved,
        engine.PlanInput(
            kind="email", segment={"categories": ["press", "police", "press"], "tags": []}
        ),
        by=editor,
    )
    assert publication.segment == {"categories": ["police", "press"]}


def test_whatsapp_campaign_needs_a_template(approved: Any, units: Any, editor: Any) -> None:
    wa = account(units["64.72"], kind="whatsapp", config={"phone_number_id": "1"})
    messages = refused(
        approved,
        engine.PlanInput(kind="whatsapp", account_id=wa.pk, segment={"categories": ["press"]}),
        editor,
    )
    assert any("message template" in m for m in messages), messages


# --- manual channels ---------------------------------------------------------------------------


def test_manual_without_responsible_defaults_to_the_planner(approved: Any, editor: Any) -> None:
    publication = engine.plan(
        approved, engine.PlanInput(kind="whatsapp_group", target="Grup Mitra KPU"), by=editor
    )
    assert publication.responsible == editor
    assert publication.target == "Grup Mitra KPU"


def test_manual_responsible_must_be_staff_of_the_unit(
    approved: Any, make_user: Callable[..., Any], editor: Any
) -> None:
    outsider = make_user("64.03", Role.EDITOR)
    with nothing_written(), pytest.raises(ValidationError) as exc:
        engine.plan(
            approved,
            engine.PlanInput(kind="print", responsible_id=outsider.pk),
            by=editor,
        )
    assert list(exc.value.message_dict) == ["responsible_id"]


def test_target_too_long_is_refused(approved: Any, editor: Any) -> None:
    with nothing_written(), pytest.raises(ValidationError) as exc:
        engine.plan(approved, engine.PlanInput(kind="print", target="x" * 301), by=editor)
    assert list(exc.value.message_dict) == ["target"]


# --- platform limits ---------------------------------------------------------------------------


def test_x_variant_over_280_weighted_characters_is_refused(
    make_approved: Callable[..., ContentItem], units: Any, editor: Any
) -> None:
    # 280 characters pass the review (the variant has no link of its own) ...
    item = make_approved(variants=[{"channel": "x", "text": "a" * 280}])
    x = account(units["64.72"], kind="x", config={"destination": "me"})
    # ... but what goes out carries the portal link (23 weighted characters more).
    messages = refused(item, engine.PlanInput(kind="x", account_id=x.pk), editor)
    assert any("allows 280 characters; this text counts 305" in m for m in messages), messages
    assert any("includes the link" in m for m in messages), messages


def test_x_variant_within_the_limit_passes_the_variant_check(
    make_approved: Callable[..., ContentItem], editor: Any
) -> None:
    item = make_approved(variants=[{"channel": "x", "text": "a" * 255}])
    publication = Publication(item=item, unit=item.unit, kind="x")
    assert not [p for p in engine.problems_of(publication) if "characters" in p]


# --- who may plan ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_viewer_and_contributor_cannot_plan(
    approved: Any, make_user: Callable[..., Any], role: str
) -> None:
    user = make_user("64.72", role)
    with nothing_written(), pytest.raises(PermissionDenied):
        engine.plan(approved, engine.PlanInput(kind="website"), by=user)


def test_editor_of_another_unit_cannot_plan(approved: Any, make_user: Callable[..., Any]) -> None:
    berau = make_user("64.03", Role.EDITOR)
    with nothing_written(), pytest.raises(PermissionDenied):
        engine.plan(approved, engine.PlanInput(kind="website"), by=berau)


def test_provincial_editor_may_plan_for_a_city_item(
    approved: Any, make_user: Callable[..., Any]
) -> None:
    province = make_user("64", Role.EDITOR)
    assert engine.plan(approved, engine.PlanInput(kind="website"), by=province).pk
