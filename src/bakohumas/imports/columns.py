"""The columns an import understands, their header aliases and the value vocabularies.

Headers are matched after :func:`normalise_header` (case, spacing and punctuation
insensitive), so ``No. HP``, ``no_hp`` and ``NO HP`` are the same column. The first alias
of each column is the Indonesian header written in the downloadable templates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bakohumas.imports.models import ImportKind
from bakohumas.stakeholders.models import Category, Channel


@dataclass(frozen=True)
class Column:
    """One importable field: its key, label, header aliases and limits."""

    key: str
    label: Promise | str
    aliases: tuple[str, ...]
    required: bool = False
    max_length: int = 255
    example: str = ""
    help: Promise | str = ""
    kind: str = "text"  # text, phone, email, url, category, channel, consent, tags
    channel: str = ""  # for consent columns: the channel the consent is for
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def header(self) -> str:
        """The header written in templates and error exports (Indonesian)."""
        return self.aliases[0]


def normalise_header(value: object) -> str:
    """``" No. HP "`` → ``"no_hp"``: lower case, accents stripped, runs of other
    characters turned into one underscore."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def normalise_word(value: object) -> str:
    """Case- and spacing-insensitive form of a vocabulary value (category, channel …)."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    return re.sub(r"\s+", " ", text).strip()


_TAGS_HELP = _("Several tags separated by commas.")
_YES_NO_HELP = _("“ya” when the contact agreed to be contacted through this channel.")

PHONE_ALIASES = (
    "telepon",
    "telp",
    "no_telepon",
    "nomor_telepon",
    "no_telp",
    "no_hp",
    "nomor_hp",
    "hp",
    "handphone",
    "phone",
    "mobile",
)


def _phone_column(example: str) -> Column:
    return Column("phone", _("Phone"), PHONE_ALIASES, max_length=20, example=example, kind="phone")


def _email_column(example: str) -> Column:
    return Column(
        "email",
        _("Email"),
        ("email", "e_mail", "surel", "alamat_email", "email_address"),
        max_length=254,
        example=example,
        kind="email",
    )


def _notes_column() -> Column:
    return Column("notes", _("Notes"), ("catatan", "keterangan", "notes", "note"), max_length=5000)


def _tags_column(example: str) -> Column:
    return Column(
        "tags",
        _("Tags"),
        ("tag", "tags", "label", "labels"),
        max_length=1000,
        example=example,
        kind="tags",
        help=_TAGS_HELP,
    )


ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        _("Name"),
        (
            "nama",
            "name",
            "nama_organisasi",
            "organisation_name",
            "organization_name",
            "nama_lembaga",
            "nama_instansi",
            "organisasi",
            "organisation",
            "organization",
            "instansi",
            "lembaga",
        ),
        required=True,
        max_length=255,
        example="Bawaslu Kota Samarinda",
    ),
    Column(
        "category",
        _("Category"),
        ("kategori", "category", "jenis", "kategori_pemangku", "stakeholder_category"),
        required=True,
        max_length=120,
        example="bawaslu",
        kind="category",
        help=_("The category code or its name; see the list of categories."),
    ),
    Column(
        "address", _("Address"), ("alamat", "address"), max_length=2000, example="Jl. Contoh No. 1"
    ),
    Column(
        "city",
        _("City/regency"),
        ("kota", "kabupaten_kota", "kota_kabupaten", "kab_kota", "city", "regency"),
        max_length=120,
        example="Samarinda",
    ),
    _phone_column("0541 123456"),
    _email_column("humas@bawaslu.example.id"),
    Column(
        "website",
        _("Website"),
        ("situs_web", "situs", "website", "web", "url", "laman"),
        max_length=200,
        example="https://samarinda.bawaslu.example.id",
        kind="url",
    ),
    Column("facebook", "Facebook", ("facebook", "fb"), max_length=200),
    Column("instagram", "Instagram", ("instagram", "ig"), max_length=200),
    Column(
        "x_account", _("X (Twitter)"), ("x", "twitter", "x_twitter", "x_account"), max_length=200
    ),
    Column("youtube", "YouTube", ("youtube", "yt"), max_length=200),
    Column("tiktok", "TikTok", ("tiktok",), max_length=200),
    _notes_column(),
    _tags_column("pengawas, mitra"),
)

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        _("Name"),
        ("nama", "nama_lengkap", "name", "full_name", "nama_kontak", "contact_name"),
        required=True,
        max_length=200,
        example="Budi Santoso",
    ),
    Column(
        "organisation",
        _("Organisation"),
        ("organisasi", "organisation", "organization", "instansi", "lembaga", "nama_organisasi"),
        max_length=255,
        example="Bawaslu Kota Samarinda",
        help=_("The name of an organisation that already exists in the work unit."),
    ),
    Column(
        "position",
        _("Position"),
        ("jabatan", "position", "title", "job_title"),
        max_length=200,
        example="Ketua",
    ),
    _phone_column("0812-3456-7890"),
    Column(
        "whatsapp",
        _("WhatsApp"),
        ("whatsapp", "wa", "no_wa", "nomor_wa", "no_whatsapp", "nomor_whatsapp"),
        max_length=20,
        example="0812-3456-7890",
        kind="phone",
    ),
    _email_column("budi@example.id"),
    Column(
        "preferred_channel",
        _("Preferred channel"),
        ("kanal_utama", "kanal", "saluran_utama", "preferred_channel", "channel"),
        max_length=40,
        example="whatsapp",
        kind="channel",
        help=_("The channel code or its name; see the list of channels."),
    ),
    _notes_column(),
    _tags_column("media, narasumber"),
    Column(
        "consent_email",
        _("Email consent"),
        ("persetujuan_email", "consent_email", "setuju_email"),
        max_length=20,
        example="ya",
        kind="consent",
        channel=Channel.EMAIL,
        help=_YES_NO_HELP,
    ),
    Column(
        "consent_whatsapp",
        _("WhatsApp consent"),
        (
            "persetujuan_whatsapp",
            "persetujuan_wa",
            "consent_whatsapp",
            "consent_wa",
            "setuju_whatsapp",
            "setuju_wa",
        ),
        max_length=20,
        example="ya",
        kind="consent",
        channel=Channel.WHATSAPP,
        help=_YES_NO_HELP,
    ),
    Column(
        "consent_sms",
        _("SMS consent"),
        ("persetujuan_sms", "consent_sms"),
        max_length=20,
        kind="consent",
        channel=Channel.SMS,
        help=_YES_NO_HELP,
    ),
    Column(
        "consent_phone",
        _("Phone call consent"),
        ("persetujuan_telepon", "consent_phone", "consent_call"),
        max_length=20,
        kind="consent",
        channel=Channel.PHONE,
        help=_YES_NO_HELP,
    ),
    Column(
        "consent_telegram",
        _("Telegram consent"),
        ("persetujuan_telegram", "consent_telegram"),
        max_length=20,
        kind="consent",
        channel=Channel.TELEGRAM,
        help=_YES_NO_HELP,
    ),
    Column(
        "consent_letter",
        _("Letter consent"),
        ("persetujuan_surat", "consent_letter"),
        max_length=20,
        kind="consent",
        channel=Channel.LETTER,
        help=_YES_NO_HELP,
    ),
)

# The address a consent needs: consent for a channel without its address is an error.
CONSENT_NEEDS = {
    Channel.EMAIL: "email",
    Channel.WHATSAPP: "whatsapp",
    Channel.SMS: "phone",
    Channel.PHONE: "phone",
    Channel.TELEGRAM: "",
    Channel.LETTER: "",
}

# Columns written in the downloadable templates, in order.
TEMPLATE_COLUMNS = {
    ImportKind.ORGANISATIONS: (
        "name",
        "category",
        "address",
        "city",
        "phone",
        "email",
        "website",
        "instagram",
        "notes",
        "tags",
    ),
    ImportKind.CONTACTS: (
        "name",
        "organisation",
        "position",
        "phone",
        "whatsapp",
        "email",
        "preferred_channel",
        "notes",
        "tags",
        "consent_email",
        "consent_whatsapp",
    ),
}


def columns_for(kind: str) -> tuple[Column, ...]:
    return CONTACT_COLUMNS if kind == ImportKind.CONTACTS else ORGANISATION_COLUMNS


def column_map(kind: str) -> dict[str, Column]:
    return {c.key: c for c in columns_for(kind)}


@lru_cache(maxsize=4)
def _alias_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in columns_for(kind):
        for alias in column.aliases:
            index.setdefault(normalise_header(alias), column.key)
    return index


def key_for_header(kind: str, header: object) -> str | None:
    """The field key a header names, or ``None`` for an unknown header."""
    return _alias_index(kind).get(normalise_header(header))


# --- Vocabularies ---------------------------------------------------------------------
# Common Indonesian words for the categories, beside their codes and labels.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    Category.POLICE: ("polisi", "kepolisian", "polda", "polres", "polresta", "polri"),
    Category.BAWASLU: ("bawaslu", "panwaslu", "pengawas pemilu"),
    Category.DPRD_SECRETARIAT: ("dprd", "sekretariat dprd", "setwan"),
    Category.LOCAL_GOVERNMENT: (
        "pemda",
        "pemerintah daerah",
        "pemkot",
        "pemkab",
        "pemprov",
        "forkopimda",
        "opd",
        "dinas",
        "pemerintah",
    ),
    Category.POLITICAL_PARTY: ("partai", "partai politik", "parpol"),
    Category.NGO: ("lsm", "pemantau", "pemantau pemilu", "pegiat pemilu"),
    Category.ORMAS: ("ormas", "organisasi kemasyarakatan", "organisasi masyarakat"),
    Category.UNIVERSITY: ("universitas", "perguruan tinggi", "kampus", "akademisi"),
    Category.BROADCASTER: ("lembaga penyiaran", "penyiaran", "televisi", "tv", "radio"),
    Category.PRESS: (
        "pers",
        "media",
        "media massa",
        "media cetak",
        "media online",
        "media daring",
        "surat kabar",
        "koran",
        "wartawan",
        "jurnalis",
    ),
    Category.SOCIAL_PLATFORM: ("platform", "media sosial", "platform media sosial", "medsos"),
    Category.COMMUNITY: ("komunitas", "kelompok masyarakat", "blogger", "influencer"),
}

CHANNEL_WORDS: dict[str, tuple[str, ...]] = {
    Channel.EMAIL: ("e-mail", "surel", "surat elektronik", "mail"),
    Channel.WHATSAPP: ("wa", "whatsapp"),
    Channel.SMS: ("sms", "pesan singkat"),
    Channel.PHONE: ("telepon", "telpon", "telp", "panggilan", "phone", "call", "hp"),
    Channel.TELEGRAM: ("tg",),
    Channel.LETTER: ("surat", "pos", "mail letter"),
}

YES_WORDS = frozenset(
    {
        "ya",
        "y",
        "yes",
        "1",
        "true",
        "benar",
        "setuju",
        "iya",
        "x",
        "v",
        "✓",
        "✔",
        "granted",
        "diberikan",
        "ada",
    }
)
NO_WORDS = frozenset(
    {"tidak", "tdk", "t", "no", "n", "0", "false", "salah", "-", "tidak setuju", "belum", "none"}
)


def _vocabulary(
    choices: type[Category] | type[Channel], words: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in choices.choices:
        index[normalise_word(value)] = value
        for language in ("id", "en"):
            with translation.override(language):
                text = normalise_word(str(label))
            index.setdefault(text, value)
            # "Mass media (press)" also answers to "press" and "mass media".
            match = re.match(r"^(.*?)\s*\((.*)\)$", text)
            if match:
                index.setdefault(match.group(1).strip(), value)
                index.setdefault(match.group(2).strip(), value)
        for word in words.get(value, ()):
            index.setdefault(normalise_word(word), value)
    return index


def category_index() -> dict[str, str]:
    """Normalised code, label (Indonesian and English) or common word → category code."""
    return _vocabulary(Category, CATEGORY_WORDS)


def channel_index() -> dict[str, str]:
    """Normalised code, label or common word → channel code."""
    return _vocabulary(Channel, CHANNEL_WORDS)
