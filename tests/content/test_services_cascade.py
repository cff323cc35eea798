"""Cascading content (issue 3 item 6): a province or KPU RI item shared down as a
template that each kab/kota localises and validates itself, keeping the source link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bakohumas.content import services
from bakohumas.content.models import ContentItem, Status
from bakohumas.core.models import Role
from bakohumas.media.models import MediaAsset
from tests.content.test_services_helpers import (  # noqa: F401
    fast_passwords,
    fresh,
    make_asset,
    other_province,
    unchanged,
)


class Tier:
    """A writer and a coordinator of one unit."""

    def __init__(self, make_user: Callable[..., Any], code: str) -> None:
        self.code = code
        self.writer = make_user(code, Role.CONTRIBUTOR)
        self.coordinator = make_user(code, Role.COORDINATOR)


@pytest.fixture
def tiers(make_user: Callable[..., Any], units: dict[str, Any]) -> dict[str, Tier]:
    other_province(units)
    return {code: Tier(make_user, code) for code in ("00", "64", "64.72", "64.03", "63")}


def approved_item(tier: Tier, units: dict[str, Any], title: str, **extra: Any) -> ContentItem:
    item = services.create_item(
        unit=units[tier.code],
        by=tier.writer,
        fields={"form": "news", "title": title, "body": "<p>Materi sosialisasi.</p>"},
        **extra,
    )
    services.submit(item, by=tier.writer)
    return services.approve(item, by=tier.coordinator)


@pytest.fixture
def province_template(tiers: dict[str, Tier], units: dict[str, Any]) -> ContentItem:
    asset = make_asset(units["64"], alt_text="Poster ajakan memilih")
    item = approved_item(
        tiers["64"],
        units,
        "Ayo cek DPT online",
        variants=[
            {"channel": "instagram", "text": "Cek DPT kamu", "hashtags": "#CekDPT #KPU"},
            {"channel": "x", "text": "Cek DPT", "link": "https://cekdptonline.kpu.go.id"},
        ],
        media=[asset.pk],
        tags=["DPT", "Sosialisasi"],
    )
    return services.share_down(item, by=tiers["64"].coordinator)


def test_share_down_only_from_province_or_national(
    tiers: dict[str, Tier], units: dict[str, Any]
) -> None:
    city_item = approved_item(tiers["64.72"], units, "Berita kota")
    with unchanged(city_item), pytest.raises(ValidationError, match="province or national"):
        services.share_down(city_item, by=tiers["64.72"].coordinator)
    national = approved_item(tiers["00"], units, "Berita nasional")
    assert services.share_down(national, by=tiers["00"].coordinator).is_template
    province = approved_item(tiers["64"], units, "Berita provinsi")
    assert services.share_down(province, by=tiers["64"].coordinator).is_template


def test_share_down_only_once_approved(tiers: dict[str, Tier], units: dict[str, Any]) -> None:
    tier = tiers["64"]
    draft = services.create_item(
        unit=units["64"], by=tier.writer, fields={"form": "news", "title": "Draf", "body": "x"}
    )
    with unchanged(draft), pytest.raises(ValidationError, match="approved"):
        services.share_down(draft, by=tier.coordinator)
    submitted = services.submit(draft, by=tier.writer)
    with unchanged(submitted), pytest.raises(ValidationError, match="approved"):
        services.share_down(submitted, by=tier.coordinator)
    item = services.approve(submitted, by=tier.coordinator)
    assert fresh(services.share_down(item, by=tier.coordinator)).is_template
    # and it can be taken back
    assert not fresh(services.share_down(item, by=tier.coordinator, shared=False)).is_template


def test_share_down_needs_the_role_and_the_scope(
    tiers: dict[str, Tier], units: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    item = approved_item(tiers["64"], units, "Bahan provinsi")
    for user in (
        tiers["64"].writer,
        make_user("64", Role.EDITOR),
        tiers["63"].coordinator,  # another province
        tiers["64.72"].coordinator,  # a unit below
    ):
        with unchanged(item), pytest.raises(PermissionDenied):
            services.share_down(item, by=user)


def test_templates_offered_to_a_kabkota(
    tiers: dict[str, Tier], units: dict[str, Any], province_template: ContentItem
) -> None:
    national = services.share_down(
        approved_item(tiers["00"], units, "Nasional"), by=tiers["00"].coordinator
    )
    kalsel = services.share_down(
        approved_item(tiers["63"], units, "Kalsel"), by=tiers["63"].coordinator
    )
    approved_item(tiers["64"], units, "Tidak dibagikan")  # approved, not shared
    offered = {i.pk for i in services.templates_for(units["64.72"])}
    assert offered == {province_template.pk, national.pk}
    assert kalsel.pk not in offered
    assert {i.pk for i in services.templates_for(units["63.71"])} == {kalsel.pk, national.pk}
    assert {i.pk for i in services.templates_for(units["64"])} == {national.pk}
    assert list(services.templates_for(units["00"])) == []


def test_a_template_whose_approval_lapsed_or_was_withdrawn_is_not_offered(
    tiers: dict[str, Tier], units: dict[str, Any], province_template: ContentItem
) -> None:
    tier = tiers["64"]
    services.update_item(
        province_template, by=tier.writer, fields={"title": "Diubah"}, void_approval=True
    )
    assert fresh(province_template).status == Status.SUBMITTED
    assert not services.templates_for(units["64.72"]).filter(pk=province_template.pk).exists()
    with pytest.raises(ValidationError):
        services.localise(province_template, unit=units["64.72"], by=tiers["64.72"].writer)

    item = services.approve(province_template, by=tier.coordinator)
    assert services.templates_for(units["64.72"]).filter(pk=item.pk).exists()
    services.publish_now(item, by=tier.coordinator)
    services.withdraw(item, by=tier.coordinator, notice="Ralat: tautan salah.")
    assert not services.templates_for(units["64.72"]).filter(pk=item.pk).exists()


def test_localise_copies_the_template_into_a_new_draft(
    tiers: dict[str, Tier], units: dict[str, Any], province_template: ContentItem
) -> None:
    writer = tiers["64.72"].writer
    copy = fresh(services.localise(province_template, unit=units["64.72"], by=writer))
    assert copy.pk != province_template.pk
    assert copy.unit == units["64.72"] and copy.source == province_template
    assert copy.status == Status.DRAFT and copy.version == 1
    assert copy.created_by == writer and list(copy.authors.all()) == [writer]
    assert copy.approved_hash == "" and not copy.is_template
    assert (copy.title, copy.body, copy.form) == (
        province_template.title,
        province_template.body,
        province_template.form,
    )
    assert copy.slug  # its own slug, unique in its unit
    assert [(v.channel, v.text, v.hashtags, v.link) for v in copy.variants.all()] == [
        (v.channel, v.text, v.hashtags, v.link) for v in province_template.variants.all()
    ]
    assert list(copy.media_links.values_list("asset_id", flat=True)) == list(
        province_template.media_links.values_list("asset_id", flat=True)
    )
    assert sorted(copy.tags.values_list("name", flat=True)) == ["DPT", "Sosialisasi"]
    assert list(province_template.localisations.all()) == [copy]
    assert copy.transitions.get().to_status == Status.DRAFT
    # the template itself is untouched
    assert fresh(province_template).status == Status.APPROVED


def test_localise_once_per_unit(
    tiers: dict[str, Tier], units: dict[str, Any], province_template: ContentItem
) -> None:
    services.localise(province_template, unit=units["64.72"], by=tiers["64.72"].writer)
    count = ContentItem.objects.count()
    with pytest.raises(ValidationError, match="already has its own version"):
        services.localise(province_template, unit=units["64.72"], by=tiers["64.72"].coordinator)
    assert ContentItem.objects.count() == count
    # another kab/kota has its own
    berau = services.localise(province_template, unit=units["64.03"], by=tiers["64.03"].writer)
    assert berau.unit == units["64.03"] and berau.source == province_template


def test_localise_refuses_what_is_not_offered(
    tiers: dict[str, Tier], units: dict[str, Any], province_template: ContentItem
) -> None:
    count = ContentItem.objects.count()
    not_shared = approved_item(tiers["64"], units, "Belum dibagikan")
    kalsel = services.share_down(
        approved_item(tiers["63"], units, "Kalsel"), by=tiers["63"].coordinator
    )
    count = ContentItem.objects.count()
    for template in (not_shared, kalsel):
        with pytest.raises(ValidationError, match="not shared"):
            services.localise(template, unit=units["64.72"], by=tiers["64.72"].writer)
    # a unit cannot localise for a unit outside the user's scope
    with pytest.raises(PermissionDenied):
        services.localise(province_template, unit=units["64.03"], by=tiers["64.72"].writer)
    assert ContentItem.objects.count() == count


def test_the_localised_draft_is_validated_by_its_own_unit(
    tiers: dict[str, Tier], units: dict[str, Any], province_template: ContentItem
) -> None:
    city = tiers["64.72"]
    copy = services.localise(province_template, unit=units["64.72"], by=city.writer)
    # The province's approval does not travel with the copy.
    with pytest.raises(ValidationError):
        services.publish_now(copy, by=city.coordinator)
    copy = services.update_item(
        copy, by=city.writer, fields={"body": "<p>Materi sosialisasi untuk Samarinda.</p>"}
    )
    services.submit(copy, by=city.writer)
    with pytest.raises(PermissionDenied):
        services.approve(copy, by=city.writer)
    with pytest.raises(PermissionDenied):  # a neighbour's coordinator is out of scope
        services.approve(copy, by=tiers["64.03"].coordinator)
    copy = services.approve(copy, by=city.coordinator)
    copy = fresh(services.publish_now(copy, by=city.coordinator))
    assert copy.status == Status.PUBLISHED and copy.source == province_template


def test_localised_media_of_the_province_stays_usable(
    tiers: dict[str, Tier], units: dict[str, Any], province_template: ContentItem
) -> None:
    copy = services.localise(province_template, unit=units["64.72"], by=tiers["64.72"].writer)
    asset = MediaAsset.objects.get(pk=copy.media_links.get().asset_id)
    assert asset.unit == units["64"]
    # the kab/kota may also pick its own file, but not a neighbour's
    own = make_asset(units["64.72"])
    services.update_item(copy, by=tiers["64.72"].writer, media=[asset.pk, own.pk])
    berau_file = make_asset(units["64.03"])
    with unchanged(copy), pytest.raises(ValidationError) as exc:
        services.update_item(copy, by=tiers["64.72"].writer, media=[berau_file.pk])
    assert "media" in exc.value.message_dict
