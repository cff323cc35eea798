"""Channel variants: each platform's limits and the length it would count.

Figures (checked 2026): X 280 weighted characters (twitter-text v3: the text NFC-normalised,
every link counted as 23 (t.co), code points outside the Latin/General-Punctuation ranges
(CJK …) weighing 2, and every emoji, whatever its code points, 2);
Instagram captions 2,200 characters with at most 30 hashtags; Facebook posts 63,206;
TikTok captions 4,000; YouTube descriptions 5,000 (titles 100); WhatsApp Cloud API text
messages 4,096. Website, email and press have no length limit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bakohumas.content.models import Channel


@dataclass(frozen=True)
class ChannelRule:
    max_chars: int | None = None
    max_hashtags: int | None = None
    weighted: bool = False  # X's weighted count with links as 23
    max_title: int | None = None
    label: str = ""


RULES: dict[str, ChannelRule] = {
    Channel.WEBSITE: ChannelRule(),
    Channel.FACEBOOK: ChannelRule(max_chars=63206),
    Channel.INSTAGRAM: ChannelRule(max_chars=2200, max_hashtags=30),
    Channel.X: ChannelRule(max_chars=280, weighted=True),
    Channel.TIKTOK: ChannelRule(max_chars=4000),
    Channel.YOUTUBE: ChannelRule(max_chars=5000, max_title=100),
    Channel.WHATSAPP: ChannelRule(max_chars=4096),
    Channel.EMAIL: ChannelRule(),
    Channel.PRESS: ChannelRule(),
}

X_URL_LENGTH = 23
_URL = re.compile(r"https?://[^\s<>\"']+", re.I)
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)", re.U)
# twitter-text v3: code points in these ranges weigh 1, every other weighs 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# Emoji sequences weigh 2 as a whole (twitter-text's emoji parsing): a flag is two regional
# indicators; skin tones, the emoji variation selector, keycaps and tag characters extend
# the emoji before them; a zero-width joiner glues the next emoji on.
_REGIONAL = (0x1F1E6, 0x1F1FF)
_ZWJ = 0x200D
_TEXT_VS = 0xFE0E


def _is_emoji_extender(cp: int) -> bool:
    return cp in (0xFE0F, 0x20E3) or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F


def normalise_hashtags(value: str) -> str:
    """``"pemilu, #KPU  ayoMemilih"`` → ``"#pemilu #KPU #ayoMemilih"`` (duplicates dropped)."""
    seen: list[str] = []
    for raw in re.split(r"[\s,;]+", value or ""):
        tag = raw.strip().lstrip("#")
        if tag and f"#{tag}" not in seen:
            seen.append(f"#{tag}")
    return " ".join(seen)


def compose(text: str, hashtags: str = "", link: str = "") -> str:
    """The post as the platform receives it: text, then hashtags, then the link."""
    parts = [p for p in (text.strip(), normalise_hashtags(hashtags), link.strip()) if p]
    return "\n\n".join(parts)


def _cp_weight(cp: int) -> int:
    return 1 if any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES) else 2


def _weigh(text: str) -> int:
    cps = [ord(c) for c in text]
    total, i, n = 0, 0, len(cps)
    while i < n:
        cp = cps[i]
        if _REGIONAL[0] <= cp <= _REGIONAL[1]:  # a flag: two regional indicators
            pair = i + 1 < n and _REGIONAL[0] <= cps[i + 1] <= _REGIONAL[1]
            total += 2
            i += 2 if pair else 1
            continue
        j, emoji = i + 1, False
        while j < n:
            nxt = cps[j]
            if _is_emoji_extender(nxt):
                emoji, j = True, j + 1
            elif nxt == _TEXT_VS:
                j += 1
            elif nxt == _ZWJ and j + 1 < n and (emoji or _cp_weight(cp) == 2):
                emoji, j = True, j + 2
            else:
                break
        total += 2 if emoji else _cp_weight(cp)
        i = j
    return total


def weighted_length(text: str) -> int:
    """X's count: links as 23, light characters 1, others (CJK) 2, each emoji 2."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for match in _URL.finditer(text):
        total += _weigh(text[pos : match.start()]) + X_URL_LENGTH
        pos = match.end()
    return total + _weigh(text[pos:])


def hashtag_count(text: str) -> int:
    return len(_HASHTAG.findall(text))


@dataclass
class VariantCheck:
    channel: str
    length: int
    limit: int | None
    hashtags: int
    max_hashtags: int | None
    composed: str
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else self.limit - self.length


def check_variant(
    channel: str, text: str, hashtags: str = "", link: str = "", title: str = ""
) -> VariantCheck:
    """Measure a variant against its channel's rules; ``errors`` says what is over."""
    rule = RULES.get(channel, ChannelRule())
    composed = compose(text, hashtags, link)
    length = weighted_length(composed) if rule.weighted else len(composed)
    tags = hashtag_count(composed)
    result = VariantCheck(channel, length, rule.max_chars, tags, rule.max_hashtags, composed)
    label = Channel(channel).label if channel in Channel.values else channel
    if rule.max_chars is not None and length > rule.max_chars:
        result.errors.append(
            _("%(channel)s allows %(limit)s characters; this text counts %(count)s.")
            % {"channel": label, "limit": rule.max_chars, "count": length}
        )
    if rule.max_hashtags is not None and tags > rule.max_hashtags:
        result.errors.append(
            _("%(channel)s allows at most %(limit)s hashtags; this text has %(count)s.")
            % {"channel": label, "limit": rule.max_hashtags, "count": tags}
        )
    if rule.max_title is not None and len(title) > rule.max_title:
        result.errors.append(
            _("%(channel)s titles are at most %(limit)s characters; the title has %(count)s.")
            % {"channel": label, "limit": rule.max_title, "count": len(title)}
        )
    return result


CHANNEL_HELP = {
    Channel.X: gettext_lazy("280 characters; each link counts as 23, emoji as 2."),
    Channel.INSTAGRAM: gettext_lazy("2,200 characters and at most 30 hashtags."),
    Channel.FACEBOOK: gettext_lazy("63,206 characters."),
    Channel.TIKTOK: gettext_lazy("4,000 characters."),
    Channel.YOUTUBE: gettext_lazy("5,000 characters of description; titles up to 100."),
    Channel.WHATSAPP: gettext_lazy("4,096 characters per message."),
}
