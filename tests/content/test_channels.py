"""Channel variants against each platform's limits (issue 3 item 4).

X counts like twitter-text v3: text NFC-normalised, every URL 23, code points in the
Latin/general-punctuation ranges 1, every other code point 2, and every emoji, however
many code points it is made of (flags, skin tones, ZWJ sequences, keycaps), 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bakohumas.content import services
from bakohumas.content.channels import (
    RULES,
    check_variant,
    compose,
    hashtag_count,
    normalise_hashtags,
    weighted_length,
)
from bakohumas.content.models import Channel, ContentItem, Status
from tests.content.test_services_helpers import fast_passwords, unchanged  # noqa: F401


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("Ayo memilih", 11),
        ("a" * 280, 280),
        ("Pemilu, 14/2/2029: ayo ke TPS!", 30),
        ("é à ü ñ ç", 9),  # Latin with accents: 1 each
        ("e\u0301", 1),  # decomposed é is NFC-normalised to one character
        ("\u201ckutip\u201d \u2013 \u2018x\u2019", 13),  # general punctuation: light
        ("…", 2),  # U+2026 is outside them
        ("選挙", 4),  # CJK: 2 each
        ("日本語のテキスト", 16),
        ("😀", 2),
        ("😀😀😀", 6),
        ("❤️", 2),  # heart + variation selector 16
        ("👍🏽", 2),  # skin tone modifier
        ("🇮🇩", 2),  # a flag is two regional indicators: one emoji
        ("🇮🇩🇮🇩", 4),
        ("👨‍👩‍👧‍👦", 2),  # family: a ZWJ sequence of seven code points
        ("👩🏽‍💻", 2),
        ("🏳️‍🌈", 2),
        ("1️⃣", 2),  # keycap
        ("Ayo 🗳️ memilih 🇮🇩", 17),
        ("https://kpu.go.id", 23),
        ("https://kpu.go.id/" + "a" * 200, 23),  # every link is 23, however long
        ("http://x.id", 23),
        ("Cek https://cekdptonline.kpu.go.id sekarang", 4 + 23 + 9),
        ("a https://kpu.go.id b http://jdih.kpu.go.id/c", 2 + 23 + 3 + 23),
        ("مرحبا", 5),  # Arabic is in the light range
        ("مَرْحَبًا", 9),  # with harakat: each combining mark counts 1
        ("שלום", 4),
    ],
)
def test_x_weighted_length(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def x_check(text: str, hashtags: str = "", link: str = "") -> Any:
    return check_variant(Channel.X, text, hashtags, link)


def test_x_exactly_280_is_allowed_281_is_over() -> None:
    ok = x_check("a" * 280)
    assert ok.ok and ok.length == 280 and ok.remaining == 0 and ok.limit == 280
    over = x_check("a" * 281)
    assert not over.ok and over.remaining == -1
    assert over.errors == ["X (Twitter) allows 280 characters; this text counts 281."]


def test_x_counts_text_hashtags_and_link_as_composed() -> None:
    # text + blank line + hashtags + blank line + link
    text = "a" * 240
    check = x_check(text, hashtags="#kpu", link="https://kpu.go.id/berita/sangat-panjang")
    assert check.composed == f"{text}\n\n#kpu\n\nhttps://kpu.go.id/berita/sangat-panjang"
    assert check.length == 240 + 2 + 4 + 2 + 23 == 271 and check.ok
    assert x_check("a" * 253, link="https://kpu.go.id").length == 278
    assert x_check("a" * 255, link="https://kpu.go.id").length == 280
    assert not x_check("a" * 256, link="https://kpu.go.id").ok


def test_x_emoji_and_cjk_weigh_two() -> None:
    assert x_check("😀" * 140).ok
    assert not x_check("😀" * 141).ok
    assert x_check("🇮🇩" * 140).ok  # 140 flags are 280
    assert x_check("選" * 140).ok and not x_check("選" * 141).ok
    assert x_check("a" * 278 + "👍🏽").length == 280


@pytest.mark.parametrize(
    ("channel", "limit"),
    [
        (Channel.INSTAGRAM, 2200),
        (Channel.FACEBOOK, 63206),
        (Channel.TIKTOK, 4000),
        (Channel.YOUTUBE, 5000),
        (Channel.WHATSAPP, 4096),
    ],
)
def test_plain_character_limits(channel: str, limit: int) -> None:
    assert check_variant(channel, "a" * limit).ok
    over = check_variant(channel, "a" * (limit + 1))
    assert not over.ok and over.length == limit + 1
    assert f"allows {limit} characters" in over.errors[0]
    # Only X weighs: a link is its own length elsewhere, emoji one code point each.
    assert check_variant(channel, "https://kpu.go.id").length == len("https://kpu.go.id")


@pytest.mark.parametrize("channel", [Channel.WEBSITE, Channel.EMAIL, Channel.PRESS])
def test_channels_without_a_limit(channel: str) -> None:
    check = check_variant(channel, "a" * 100_000, " ".join(f"#t{n}" for n in range(100)))
    assert check.ok and check.limit is None and check.remaining is None


def test_instagram_hashtags_at_most_30() -> None:
    thirty = " ".join(f"pemilu{n}" for n in range(30))
    assert check_variant(Channel.INSTAGRAM, "Ayo memilih", thirty).ok
    over = check_variant(Channel.INSTAGRAM, "Ayo memilih #ekstra", thirty)
    assert over.hashtags == 31 and not over.ok
    assert over.errors == ["Instagram allows at most 30 hashtags; this text has 31."]
    # hashtags typed in the text count as well
    in_text = " ".join(f"#t{n}" for n in range(31))
    assert check_variant(Channel.INSTAGRAM, in_text).hashtags == 31


def test_instagram_2200_characters() -> None:
    assert check_variant(Channel.INSTAGRAM, "a" * 2200).ok
    assert not check_variant(Channel.INSTAGRAM, "a" * 2195, "#kpu").ok  # 2195 + 2 + 4


def test_youtube_title_at_most_100() -> None:
    assert check_variant(Channel.YOUTUBE, "Deskripsi", title="J" * 100).ok
    over = check_variant(Channel.YOUTUBE, "Deskripsi", title="J" * 101)
    assert over.errors == ["YouTube titles are at most 100 characters; the title has 101."]
    # the title rule is YouTube's only
    assert check_variant(Channel.FACEBOOK, "x", title="J" * 150).ok


def test_hashtag_helpers() -> None:
    assert normalise_hashtags("pemilu, #KPU  pemilu;ayoMemilih") == "#pemilu #KPU #ayoMemilih"
    assert normalise_hashtags("") == ""
    assert hashtag_count("Ayo #pemilu dan #KPU, bukan a#b atau ##x") == 2
    assert hashtag_count("#pemilu2029 #ayo_memilih #選挙") == 3
    assert compose(" teks ", "a b", " https://kpu.go.id ") == "teks\n\n#a #b\n\nhttps://kpu.go.id"
    assert compose("", "", "") == ""


def test_every_channel_has_a_rule() -> None:
    assert set(RULES) == set(Channel.values)


# --- the limits are enforced when the item goes to validation --------------------------------


@pytest.mark.parametrize(
    ("fields", "variant", "message"),
    [
        ({}, {"channel": "x", "text": "a" * 281}, "X (Twitter) allows 280"),
        ({}, {"channel": "x", "text": "🇮🇩" * 141}, "X (Twitter) allows 280"),
        ({}, {"channel": "instagram", "text": "a" * 2201}, "Instagram allows 2200"),
        (
            {},
            {
                "channel": "instagram",
                "text": "Ayo",
                "hashtags": " ".join(f"t{n}" for n in range(31)),
            },
            "at most 30 hashtags",
        ),
        ({"title": "J" * 101}, {"channel": "youtube", "text": "Video"}, "YouTube titles"),
        ({}, {"channel": "whatsapp", "text": "a" * 4097}, "WhatsApp allows 4096"),
    ],
)
def test_submit_refuses_a_variant_over_its_limit(
    fields: dict[str, Any],
    variant: dict[str, str],
    message: str,
    make_item: Callable[..., ContentItem],
    contributor: Any,
    coordinator: Any,
) -> None:
    # A draft may be over the limit while it is being written...
    item = services.create_item(
        unit=make_item().unit,
        by=contributor,
        fields={"form": "news", "title": "Berita", "body": "<p>Isi</p>", **fields},
        variants=[variant],
    )
    # ... but it cannot go to validation.
    with unchanged(item), pytest.raises(ValidationError) as exc:
        services.submit(item, by=contributor)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert item.status == Status.DRAFT


def test_submit_accepts_variants_exactly_at_their_limits(
    make_item: Callable[..., ContentItem], contributor: Any
) -> None:
    item = services.create_item(
        unit=make_item().unit,
        by=contributor,
        fields={"form": "news", "title": "J" * 100, "body": "<p>Isi</p>"},
        variants=[
            {"channel": "x", "text": "a" * 255, "link": "https://kpu.go.id/a/very/long/path"},
            {
                "channel": "instagram",
                "text": "a" * 100,
                "hashtags": " ".join(f"t{n}" for n in range(30)),
            },
            {"channel": "youtube", "text": "b" * 5000},
        ],
    )
    assert services.submit(item, by=contributor).status == Status.SUBMITTED
