"""Bad input to the content services: a clear field error and nothing written, never a
crash; script payloads stored inert; emoji and right-to-left text kept exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.content import services
from bakohumas.content.models import (
    ChannelVariant,
    ContentItem,
    ContentTag,
    ContentVersion,
    Election,
    ElectionKind,
    ElectionStage,
    Transition,
)
from bakohumas.core.models import Role
from tests.content.test_services_helpers import (  # noqa: F401
    db_state,
    fast_passwords,
    fresh,
    make_asset,
    other_province,
    unchanged,
)

SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(1)>"
SHORT_SCRIPT = "<script>alert(1)</script>"  # for the 32-character phone field
BASE = {"form": "news", "title": "Judul", "body": "<p>Isi</p>"}

# Every plain-text field a writer sets (the body is rich text, sanitised).
PLAIN_TEXT_FIELDS = [
    "title",
    "summary",
    "release_number",
    "contact_name",
    "contact_phone",
    "claim_text",
    "claim_author",
    "schedule_reason",
]
NUL_FIELDS = [*PLAIN_TEXT_FIELDS, "body", "slug", "national_issue_url", "contact_email"]


def count_rows() -> tuple[int, ...]:
    return (
        ContentItem.objects.count(),
        ContentVersion.objects.count(),
        Transition.objects.count(),
        ChannelVariant.objects.count(),
        ContentTag.objects.count(),
    )


@pytest.fixture
def create(units: dict[str, Any], contributor: Any) -> Callable[..., ContentItem]:
    def do(fields: dict[str, Any] | None = None, code: str = "64.72", **extra: Any) -> ContentItem:
        return services.create_item(
            unit=units[code], by=contributor, fields={**BASE, **(fields or {})}, **extra
        )

    return do


def refused(call: Callable[[], Any], key: str) -> ValidationError:
    """Run ``call``, expect a ValidationError naming ``key``, and that no row was written."""
    before = count_rows()
    with pytest.raises(ValidationError) as exc:
        call()
    assert key in exc.value.message_dict, exc.value.message_dict
    assert count_rows() == before
    return exc.value


# --- script payloads ------------------------------------------------------------------------


def test_script_payloads_are_stored_as_text_and_the_body_is_sanitised(
    create: Callable[..., ContentItem],
) -> None:
    fields = {name: f"Teks {SCRIPT}" for name in PLAIN_TEXT_FIELDS}
    fields["contact_phone"] = SHORT_SCRIPT
    fields["body"] = f'<p>Isi</p>{SCRIPT}<a href="javascript:alert(1)">tautan</a>'
    item = fresh(
        create(
            fields,
            variants=[{"channel": "facebook", "text": SCRIPT, "hashtags": "#kpu"}],
            tags=["<b>tag</b>"],
        )
    )
    for name in PLAIN_TEXT_FIELDS:  # kept exactly: templates escape them
        assert getattr(item, name) == fields[name], name
    assert "<script" not in item.body and "onerror" not in item.body
    assert "javascript:" not in item.body and "alert" not in item.body
    assert item.body.startswith("<p>Isi</p>")
    assert "<script" not in item.body_text and "alert(" not in item.body_text
    assert item.variants.get().text == SCRIPT
    assert item.tags.get().name == "<b>tag</b>"
    assert item.slug and "<" not in item.slug and ">" not in item.slug


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>x</script>", "vbscript:msgbox(1)"]
)
def test_dangerous_urls_are_refused(url: str, create: Callable[..., ContentItem]) -> None:
    refused(lambda: create({"national_issue_url": url}), "national_issue_url")
    refused(lambda: create({"embed_url": url}), "embed_url")
    refused(lambda: create({"claim_source_url": url}), "claim_source_url")
    refused(lambda: create(variants=[{"channel": "x", "link": url}]), "variants")


# --- NUL characters ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NUL_FIELDS)
def test_nul_in_a_field_on_create_is_a_field_error(
    name: str, create: Callable[..., ContentItem]
) -> None:
    refused(lambda: create({name: "ada\x00nul"}), name)


@pytest.mark.parametrize("name", NUL_FIELDS)
def test_nul_in_a_field_on_update_is_a_field_error(
    name: str, create: Callable[..., ContentItem], contributor: Any
) -> None:
    item = create()
    with unchanged(item):
        refused(lambda: services.update_item(item, by=contributor, fields={name: "x\x00"}), name)


def test_nul_in_tags_and_variants(create: Callable[..., ContentItem], contributor: Any) -> None:
    refused(lambda: create(tags=["pemilu\x00"]), "tags")
    for variant in (
        {"channel": "x", "text": "a\x00"},
        {"channel": "x", "hashtags": "#a\x00"},
        {"channel": "x", "link": "https://kpu.go.id/\x00"},
    ):
        refused(lambda v=variant: create(variants=[v]), "variants")  # type: ignore[misc]
    item = create()
    with unchanged(item):
        refused(lambda: services.update_item(item, by=contributor, tags=["\x00"]), "tags")


# --- emoji and right-to-left text ----------------------------------------------------------


def test_emoji_and_rtl_text_round_trip(create: Callable[..., ContentItem]) -> None:
    title = "Ayo memilih 🗳️🇮🇩 — الانتخابات العامة ٢٠٢٩ ‏(RTL)‏"
    summary = "שלום 👩🏽‍💻 选举 日本語 \u202eterbalik\u202c"
    body = '<p dir="rtl">مرحبا بكم في موقع الانتخابات 🎉</p>'
    item = create(
        {"title": title, "summary": summary, "body": body},
        variants=[{"channel": "instagram", "text": "Pemilu damai 🕊️ سلام", "hashtags": "#ayo🗳"}],
        tags=["Pemilu 🇮🇩", "انتخابات"],
    )
    item = fresh(item)
    assert item.title == title and item.summary == summary
    assert "مرحبا بكم في موقع الانتخابات 🎉" in item.body
    assert item.body_text == "مرحبا بكم في موقع الانتخابات 🎉"
    assert item.variants.get().text == "Pemilu damai 🕊️ سلام"
    assert sorted(item.tags.values_list("name", flat=True)) == sorted(["Pemilu 🇮🇩", "انتخابات"])
    assert item.versions.get().snapshot["fields"]["title"] == title


def test_unicode_slugs(create: Callable[..., ContentItem]) -> None:
    item = create({"title": "Pemilihan Gubernur — 選挙 ñandú"})
    assert item.slug == "pemilihan-gubernur-選挙-ñandú"
    arabic = create({"title": "الانتخابات العامة"})
    assert arabic.slug == "الانتخابات-العامة"
    explicit = create({"title": "Lain", "slug": "Jadwal Kampanye 選挙"})
    assert explicit.slug == "jadwal-kampanye-選挙"
    emoji_only = create({"title": "🗳️🗳️"})
    assert emoji_only.slug  # never empty
    refused(lambda: create({"title": "X", "slug": "🗳️"}), "slug")


# --- slugs ------------------------------------------------------------------------------------


def test_automatic_slugs_are_unique_per_unit(
    create: Callable[..., ContentItem], make_user: Callable[..., Any], units: dict[str, Any]
) -> None:
    slugs = [create({"title": "Rapat Pleno Terbuka"}).slug for _ in range(3)]
    assert slugs == ["rapat-pleno-terbuka", "rapat-pleno-terbuka-2", "rapat-pleno-terbuka-3"]
    # another unit may use the same slug
    berau = services.create_item(
        unit=units["64.03"],
        by=make_user("64.03", Role.CONTRIBUTOR),
        fields={**BASE, "title": "Rapat Pleno Terbuka"},
    )
    assert berau.slug == "rapat-pleno-terbuka"


def test_duplicate_slug_is_a_field_error(
    create: Callable[..., ContentItem], contributor: Any
) -> None:
    create({"slug": "jadwal-kampanye"})
    refused(lambda: create({"title": "Lain", "slug": "Jadwal Kampanye"}), "slug")
    other = create({"title": "Berita lain"})
    with unchanged(other):
        refused(
            lambda: services.update_item(other, by=contributor, fields={"slug": "jadwal-kampanye"}),
            "slug",
        )


def test_slug_must_have_letters(create: Callable[..., ContentItem]) -> None:
    refused(lambda: create({"slug": "---"}), "slug")
    refused(lambda: create({"slug": "a" * 300}), "slug")


# --- fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["status", "approved_hash", "unit", "is_template", "nope"])
def test_unknown_or_workflow_field_is_refused(
    name: str, create: Callable[..., ContentItem], contributor: Any
) -> None:
    refused(lambda: create({name: "approved"}), name)
    item = create()
    with unchanged(item):
        refused(lambda: services.update_item(item, by=contributor, fields={name: "x"}), name)


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"title": 42}, "title"),
        ({"title": ["a"]}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"form": ""}, "form"),
        ({"form": "poster"}, "form"),
        ({"topic": "politik"}, "topic"),
        ({"summary": 12}, "summary"),
        ({"contact_email": "bukan email"}, "contact_email"),
        ({"national_issue_url": "kpu go id"}, "national_issue_url"),
        ({"claim_date": "31-31-2029"}, "claim_date"),
        ({"claim_rating": "bohong"}, "claim_rating"),
        ({"publish_at": "besok pagi"}, "publish_at"),
        ({"election": 999999}, "election"),
        ({"election": "abc"}, "election"),
        ({"stage": 999999}, "stage"),
    ],
)
def test_invalid_values_are_field_errors(
    fields: dict[str, Any], key: str, create: Callable[..., ContentItem]
) -> None:
    refused(lambda: create(fields), key)


def test_election_of_another_province_and_stage_of_another_election(
    create: Callable[..., ContentItem], units: dict[str, Any]
) -> None:
    other_province(units)
    kalsel = Election.objects.create(
        name="Pilgub Kalsel", kind=ElectionKind.PEMILIHAN, unit=units["63"]
    )
    refused(lambda: create({"election": kalsel.pk}), "election")
    berau = Election.objects.create(
        name="Pilbup Berau", kind=ElectionKind.PEMILIHAN, unit=units["64.03"]
    )
    refused(lambda: create({"election": berau.pk}), "election")
    national = Election.objects.create(name="Pemilu 2029", kind=ElectionKind.PEMILU)
    kaltim = Election.objects.create(
        name="Pilgub Kaltim", kind=ElectionKind.PEMILIHAN, unit=units["64"]
    )
    stage = ElectionStage.objects.create(
        election=kaltim, name="Kampanye", starts_on="2029-10-01", ends_on="2029-11-20"
    )
    refused(lambda: create({"election": national.pk, "stage": stage.pk}), "stage")
    item = create({"stage": stage.pk})  # the election follows from the stage
    assert item.election == kaltim and item.stage == stage
    assert create({"election": national.pk}).election == national


# --- channel variants -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        [{"channel": "myspace", "text": "Halo"}],
        [{"channel": "", "text": "Halo"}],
        [{"channel": "x", "text": "Satu"}, {"channel": "x", "text": "Dua"}],
        [{"channel": "x", "link": "bukan tautan"}],
        [{"channel": "x", "link": "javascript:alert(1)"}],
        [{"channel": "x", "text": "Halo", "colour": "red"}],  # unknown key
        [{"text": "Tanpa kanal"}],
        [{"channel": "x", "text": 280}],  # not text
        [{"channel": "x", "text": None, "hashtags": ["#a"]}],
        ["x"],
    ],
)
def test_bad_variants_are_refused(
    variants: list[Any], create: Callable[..., ContentItem], contributor: Any
) -> None:
    refused(lambda: create(variants=variants), "variants")
    item = create({"title": "Ada"}, variants=[{"channel": "facebook", "text": "Tetap"}])
    with unchanged(item):
        refused(lambda: services.update_item(item, by=contributor, variants=variants), "variants")


def test_an_empty_variant_is_no_variant(create: Callable[..., ContentItem]) -> None:
    item = create(variants=[{"channel": "x", "text": "  "}, {"channel": "facebook", "text": "FB"}])
    assert list(item.variants.values_list("channel", flat=True)) == ["facebook"]


def test_hashtags_are_normalised(create: Callable[..., ContentItem]) -> None:
    item = create(
        variants=[{"channel": "instagram", "hashtags": "pemilu, #KPU  pemilu;ayoMemilih"}]
    )
    assert item.variants.get().hashtags == "#pemilu #KPU #ayoMemilih"


# --- tags, media, authors -----------------------------------------------------------------------


def test_tags_limit_and_cleaning(create: Callable[..., ContentItem]) -> None:
    item = create(tags=[f"tag{n}" for n in range(20)])
    assert item.tags.count() == 20
    refused(lambda: create(tags=[f"tag{n}" for n in range(21)]), "tags")
    item = create(tags=["#Pemilu", "pemilu", "  ", "PEMILU", "KPU"])
    assert sorted(item.tags.values_list("name", flat=True)) == ["KPU", "Pemilu"]
    long = create(tags=["x" * 100])
    assert long.tags.get().name == "x" * 64


def test_tags_that_slugify_alike_do_not_clash(create: Callable[..., ContentItem]) -> None:
    create(tags=["Pemilu 2029"])
    item = create(tags=["pemilu-2029", "🗳️", "🎉"])
    assert item.tags.count() == 3
    assert ContentTag.objects.count() == 4
    assert len(set(ContentTag.objects.values_list("slug", flat=True))) == 4


@pytest.mark.parametrize("media", [["abc"], [None], [999999]])
def test_bad_media_is_refused(media: list[Any], create: Callable[..., ContentItem]) -> None:
    refused(lambda: create(media=media), "media")


def test_media_of_a_neighbour_is_refused(
    create: Callable[..., ContentItem], units: dict[str, Any]
) -> None:
    refused(lambda: create(media=[make_asset(units["64.03"]).pk]), "media")
    own, province = make_asset(units["64.72"]), make_asset(units["64"])
    item = create(media=[own.pk, province.pk, own.pk])
    assert list(item.media_links.values_list("asset_id", "position")) == [
        (own.pk, 0),
        (province.pk, 1),
    ]


@pytest.mark.parametrize("authors", [["abc"], [999999]])
def test_bad_authors_are_refused(authors: list[Any], create: Callable[..., ContentItem]) -> None:
    refused(lambda: create(authors=authors), "authors")


def test_a_failed_update_leaves_everything_as_it_was(
    create: Callable[..., ContentItem], contributor: Any
) -> None:
    """Fields, tags and media are valid; the variants are not: nothing is saved."""
    item = create(tags=["lama"], variants=[{"channel": "facebook", "text": "Lama"}])
    before = db_state(item)
    with pytest.raises(ValidationError):
        services.update_item(
            item,
            by=contributor,
            fields={"title": "Judul baru"},
            tags=["baru"],
            variants=[{"channel": "nope", "text": "x"}],
        )
    assert db_state(item) == before
