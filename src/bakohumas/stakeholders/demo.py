"""Demo stakeholders of Kalimantan Timur (``bakohumas seed_demo``). Idempotent.

About fifty organisations across the twelve categories of juknis BAB II D and all tiers
(national platforms owned by KPU RI "00", provincial bodies by KPU Provinsi "64", local
ones by their kab/kota), about two hundred contacts with plausible names, +62 numbers and
emails (on ``example.id`` domains, so nothing reaches a real mailbox), varied consent,
some engagement entries, a few deliberate duplicates for the merge screen, and the two
communication groups of BAB II B.2.

Everything is planned from a seeded random generator first and then only the rows that
do not exist yet are created (organisations by unit and name, contacts by unit and name,
groups by unit and name), so running it again creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bakohumas.core.models import WorkUnit
from bakohumas.stakeholders.models import (
    Audience,
    Category,
    Channel,
    CommunicationGroup,
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    Engagement,
    EngagementKind,
    GroupMembership,
    MemberRole,
    Organisation,
    Platform,
    Tag,
)
from bakohumas.stakeholders.validation import normalise_phone

SEED = 6472
CONTACT_TARGET = 200

INTERNAL_GROUP = "Grup WhatsApp Internal Bakohumas KPU se-Kalimantan Timur"
STAKEHOLDER_GROUP = "Grup WhatsApp Bakohumas KPU Provinsi Kalimantan Timur dan Pemangku Kepentingan"

C = Category


@dataclass
class OrgSpec:
    unit: str
    name: str
    category: str
    city: str
    slug: str
    tags: list[str] = field(default_factory=list)
    social: dict[str, str] = field(default_factory=dict)


# unit code, name, category, city, email/web slug, tags, social accounts
ORGANISATIONS: list[OrgSpec] = [
    # National (KPU RI)
    OrgSpec(
        "00",
        "Meta Platforms (Facebook, Instagram, WhatsApp)",
        C.SOCIAL_PLATFORM,
        "Jakarta",
        "meta",
        ["platform digital"],
    ),
    OrgSpec(
        "00",
        "TikTok Indonesia",
        C.SOCIAL_PLATFORM,
        "Jakarta",
        "tiktok",
        ["platform digital"],
        {"tiktok": "tiktok_id"},
    ),
    OrgSpec(
        "00",
        "Google Indonesia (YouTube)",
        C.SOCIAL_PLATFORM,
        "Jakarta",
        "google",
        ["platform digital"],
        {"youtube": "YouTubeIndonesia"},
    ),
    OrgSpec(
        "00",
        "Perkumpulan untuk Pemilu dan Demokrasi (Perludem)",
        C.NGO,
        "Jakarta",
        "perludem",
        ["pemantau"],
        {"x_account": "perludem", "instagram": "perludem"},
    ),
    # Province (KPU Provinsi Kalimantan Timur)
    OrgSpec(
        "64",
        "Kepolisian Daerah Kalimantan Timur (Polda Kaltim)",
        C.POLICE,
        "Balikpapan",
        "poldakaltim",
        ["forkopimda", "keamanan"],
        {"instagram": "humaspoldakaltim"},
    ),
    OrgSpec(
        "64",
        "Bawaslu Provinsi Kalimantan Timur",
        C.BAWASLU,
        "Samarinda",
        "bawaslukaltim",
        ["penyelenggara", "mitra strategis"],
        {"instagram": "bawaslukaltim", "facebook": "bawaslu.kaltim"},
    ),
    OrgSpec(
        "64",
        "Sekretariat DPRD Provinsi Kalimantan Timur",
        C.DPRD_SECRETARIAT,
        "Samarinda",
        "dprdkaltim",
        ["forkopimda"],
    ),
    OrgSpec(
        "64",
        "Pemerintah Provinsi Kalimantan Timur",
        C.LOCAL_GOVERNMENT,
        "Samarinda",
        "kaltimprov",
        ["forkopimda", "mitra strategis"],
        {"instagram": "pemprovkaltim"},
    ),
    OrgSpec(
        "64",
        "Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur",
        C.LOCAL_GOVERNMENT,
        "Samarinda",
        "diskominfokaltim",
        ["forkopimda", "media"],
        {"instagram": "diskominfokaltim"},
    ),
    OrgSpec(
        "64",
        "Badan Kesatuan Bangsa dan Politik Provinsi Kalimantan Timur",
        C.LOCAL_GOVERNMENT,
        "Samarinda",
        "kesbangpolkaltim",
        ["forkopimda"],
    ),
    OrgSpec(
        "64",
        "DPD Partai Golkar Kalimantan Timur",
        C.POLITICAL_PARTY,
        "Samarinda",
        "golkarkaltim",
        ["partai politik"],
    ),
    OrgSpec(
        "64",
        "DPD PDI Perjuangan Kalimantan Timur",
        C.POLITICAL_PARTY,
        "Samarinda",
        "pdipkaltim",
        ["partai politik"],
    ),
    OrgSpec(
        "64",
        "DPD Partai Gerindra Kalimantan Timur",
        C.POLITICAL_PARTY,
        "Samarinda",
        "gerindrakaltim",
        ["partai politik"],
    ),
    OrgSpec(
        "64",
        "DPW Partai NasDem Kalimantan Timur",
        C.POLITICAL_PARTY,
        "Samarinda",
        "nasdemkaltim",
        ["partai politik"],
    ),
    OrgSpec(
        "64",
        "DPW Partai Kebangkitan Bangsa Kalimantan Timur",
        C.POLITICAL_PARTY,
        "Samarinda",
        "pkbkaltim",
        ["partai politik"],
    ),
    OrgSpec(
        "64",
        "DPW Partai Keadilan Sejahtera Kalimantan Timur",
        C.POLITICAL_PARTY,
        "Samarinda",
        "pkskaltim",
        ["partai politik"],
    ),
    OrgSpec(
        "64",
        "DPD Partai Demokrat Kalimantan Timur",
        C.POLITICAL_PARTY,
        "Samarinda",
        "demokratkaltim",
        ["partai politik"],
    ),
    OrgSpec(
        "64",
        "Komite Independen Pemantau Pemilu (KIPP) Kalimantan Timur",
        C.NGO,
        "Samarinda",
        "kippkaltim",
        ["pemantau"],
    ),
    OrgSpec(
        "64",
        "Jaringan Pendidikan Pemilih untuk Rakyat (JPPR) Kalimantan Timur",
        C.NGO,
        "Samarinda",
        "jpprkaltim",
        ["pemantau", "pendidikan pemilih"],
    ),
    OrgSpec(
        "64",
        "Pengurus Wilayah Nahdlatul Ulama Kalimantan Timur",
        C.ORMAS,
        "Samarinda",
        "pwnukaltim",
        ["tokoh agama"],
    ),
    OrgSpec(
        "64",
        "Pimpinan Wilayah Muhammadiyah Kalimantan Timur",
        C.ORMAS,
        "Samarinda",
        "pwmkaltim",
        ["tokoh agama"],
    ),
    OrgSpec(
        "64",
        "Komite Nasional Pemuda Indonesia (KNPI) Kalimantan Timur",
        C.ORMAS,
        "Samarinda",
        "knpikaltim",
        ["pemilih pemula"],
    ),
    OrgSpec(
        "64",
        "Universitas Mulawarman",
        C.UNIVERSITY,
        "Samarinda",
        "unmul",
        ["kampus", "pemilih pemula"],
        {"instagram": "unmul_official"},
    ),
    OrgSpec(
        "64",
        "Universitas Muhammadiyah Kalimantan Timur",
        C.UNIVERSITY,
        "Samarinda",
        "umkt",
        ["kampus", "pemilih pemula"],
    ),
    OrgSpec(
        "64",
        "UIN Sultan Aji Muhammad Idris Samarinda",
        C.UNIVERSITY,
        "Samarinda",
        "uinsi",
        ["kampus"],
    ),
    OrgSpec("64", "Institut Teknologi Kalimantan", C.UNIVERSITY, "Balikpapan", "itk", ["kampus"]),
    OrgSpec(
        "64",
        "TVRI Kalimantan Timur",
        C.BROADCASTER,
        "Samarinda",
        "tvrikaltim",
        ["media", "lembaga penyiaran"],
        {"youtube": "TVRIKaltim"},
    ),
    OrgSpec(
        "64",
        "RRI Samarinda",
        C.BROADCASTER,
        "Samarinda",
        "rrisamarinda",
        ["media", "lembaga penyiaran"],
    ),
    OrgSpec(
        "64",
        "Kaltim Post",
        C.PRESS,
        "Balikpapan",
        "kaltimpost",
        ["media"],
        {"instagram": "kaltimpost", "facebook": "kaltimpost"},
    ),
    OrgSpec(
        "64",
        "Tribun Kaltim",
        C.PRESS,
        "Balikpapan",
        "tribunkaltim",
        ["media"],
        {"instagram": "tribunkaltim", "x_account": "tribunkaltim"},
    ),
    OrgSpec(
        "64", "LKBN Antara Biro Kalimantan Timur", C.PRESS, "Samarinda", "antarakaltim", ["media"]
    ),
    OrgSpec(
        "64",
        "Persatuan Wartawan Indonesia (PWI) Kalimantan Timur",
        C.PRESS,
        "Samarinda",
        "pwikaltim",
        ["media", "organisasi profesi"],
    ),
    OrgSpec(
        "64",
        "Komunitas Blogger Kalimantan Timur",
        C.COMMUNITY,
        "Samarinda",
        "bloggerkaltim",
        ["influencer"],
    ),
    # KPU Kota Samarinda
    OrgSpec(
        "64.72",
        "Kepolisian Resor Kota Samarinda",
        C.POLICE,
        "Samarinda",
        "polrestasamarinda",
        ["forkopimda", "keamanan"],
    ),
    OrgSpec(
        "64.72",
        "Bawaslu Kota Samarinda",
        C.BAWASLU,
        "Samarinda",
        "bawaslusamarinda",
        ["penyelenggara"],
    ),
    OrgSpec(
        "64.72",
        "Sekretariat DPRD Kota Samarinda",
        C.DPRD_SECRETARIAT,
        "Samarinda",
        "dprdsamarinda",
        ["forkopimda"],
    ),
    OrgSpec(
        "64.72",
        "Pemerintah Kota Samarinda",
        C.LOCAL_GOVERNMENT,
        "Samarinda",
        "samarindakota",
        ["forkopimda"],
        {"instagram": "pemkotsamarinda"},
    ),
    OrgSpec(
        "64.72",
        "DPC PDI Perjuangan Kota Samarinda",
        C.POLITICAL_PARTY,
        "Samarinda",
        "pdipsamarinda",
        ["partai politik"],
    ),
    OrgSpec("64.72", "Samarinda Pos", C.PRESS, "Samarinda", "sapos", ["media"]),
    OrgSpec(
        "64.72",
        "Universitas 17 Agustus 1945 Samarinda",
        C.UNIVERSITY,
        "Samarinda",
        "untag-smd",
        ["kampus"],
    ),
    OrgSpec(
        "64.72",
        "Komunitas Kreator Konten Samarinda",
        C.COMMUNITY,
        "Samarinda",
        "kreatorsamarinda",
        ["influencer", "pemilih pemula"],
        {"tiktok": "kreatorsamarinda", "instagram": "kreatorsamarinda"},
    ),
    # KPU Kabupaten Berau
    OrgSpec(
        "64.03",
        "Kepolisian Resor Berau",
        C.POLICE,
        "Tanjung Redeb",
        "polresberau",
        ["forkopimda", "keamanan"],
    ),
    OrgSpec(
        "64.03",
        "Bawaslu Kabupaten Berau",
        C.BAWASLU,
        "Tanjung Redeb",
        "bawasluberau",
        ["penyelenggara"],
    ),
    OrgSpec(
        "64.03",
        "Sekretariat DPRD Kabupaten Berau",
        C.DPRD_SECRETARIAT,
        "Tanjung Redeb",
        "dprdberau",
        ["forkopimda"],
    ),
    OrgSpec(
        "64.03",
        "Pemerintah Kabupaten Berau",
        C.LOCAL_GOVERNMENT,
        "Tanjung Redeb",
        "beraukab",
        ["forkopimda"],
    ),
    OrgSpec("64.03", "Berau Post", C.PRESS, "Tanjung Redeb", "beraupost", ["media"]),
    OrgSpec(
        "64.03",
        "Radio Swara Sanggam Berau",
        C.BROADCASTER,
        "Tanjung Redeb",
        "swarasanggam",
        ["media", "lembaga penyiaran"],
    ),
    OrgSpec(
        "64.03",
        "DPC Partai Gerindra Kabupaten Berau",
        C.POLITICAL_PARTY,
        "Tanjung Redeb",
        "gerindraberau",
        ["partai politik"],
    ),
    OrgSpec(
        "64.03",
        "Forum Pemuda Peduli Pemilu Berau",
        C.COMMUNITY,
        "Tanjung Redeb",
        "fp3berau",
        ["pemilih pemula"],
    ),
    # Other kab/kota
    OrgSpec(
        "64.71",
        "Kepolisian Resor Kota Balikpapan",
        C.POLICE,
        "Balikpapan",
        "polrestabalikpapan",
        ["forkopimda", "keamanan"],
    ),
    OrgSpec(
        "64.71", "Bawaslu Kota Balikpapan", C.BAWASLU, "Balikpapan", "bawaslubpp", ["penyelenggara"]
    ),
    OrgSpec("64.71", "Balikpapan Pos", C.PRESS, "Balikpapan", "balpos", ["media"]),
    OrgSpec(
        "64.71",
        "RRI Balikpapan",
        C.BROADCASTER,
        "Balikpapan",
        "rribalikpapan",
        ["media", "lembaga penyiaran"],
    ),
    OrgSpec(
        "64.02",
        "Bawaslu Kabupaten Kutai Kartanegara",
        C.BAWASLU,
        "Tenggarong",
        "bawaslukukar",
        ["penyelenggara"],
    ),
    OrgSpec(
        "64.08",
        "Pemerintah Kabupaten Kutai Timur",
        C.LOCAL_GOVERNMENT,
        "Sangatta",
        "kutaitimurkab",
        ["forkopimda"],
    ),
    OrgSpec(
        "64.74", "Bawaslu Kota Bontang", C.BAWASLU, "Bontang", "bawaslubontang", ["penyelenggara"]
    ),
    OrgSpec(
        "64.01",
        "Pemerintah Kabupaten Paser",
        C.LOCAL_GOVERNMENT,
        "Tana Paser",
        "paserkab",
        ["forkopimda"],
    ),
    OrgSpec(
        "64.09",
        "Sekretariat DPRD Kabupaten Penajam Paser Utara",
        C.DPRD_SECRETARIAT,
        "Penajam",
        "dprdppu",
        ["forkopimda"],
    ),
    OrgSpec(
        "64.07",
        "Bawaslu Kabupaten Kutai Barat",
        C.BAWASLU,
        "Sendawar",
        "bawaslukubar",
        ["penyelenggara"],
    ),
    OrgSpec(
        "64.11",
        "Pemerintah Kabupaten Mahakam Ulu",
        C.LOCAL_GOVERNMENT,
        "Ujoh Bilang",
        "mahulukab",
        ["forkopimda"],
    ),
]

FIRST_NAMES = [
    "Ahmad",
    "Budi",
    "Dewi",
    "Siti",
    "Rina",
    "Andi",
    "Yusuf",
    "Nur",
    "Agus",
    "Sri",
    "Hendra",
    "Rizky",
    "Fitri",
    "Muhammad",
    "Indah",
    "Dian",
    "Eko",
    "Wahyu",
    "Ratna",
    "Bambang",
    "Hasanah",
    "Irwan",
    "Lestari",
    "Fajar",
    "Novi",
    "Arif",
    "Mega",
    "Rahmat",
    "Yuliana",
    "Taufik",
    "Puspita",
    "Dedi",
    "Herlina",
    "Syahrul",
    "Aulia",
    "Gusti",
    "Aji",
    "Dayang",
    "Rudi",
    "Wulan",
]
LAST_NAMES = [
    "Santoso",
    "Wijaya",
    "Rahman",
    "Hidayat",
    "Lestari",
    "Saputra",
    "Nugroho",
    "Pratama",
    "Siregar",
    "Kusuma",
    "Hakim",
    "Syahputra",
    "Handayani",
    "Setiawan",
    "Anwar",
    "Fauzi",
    "Ramadhan",
    "Susanti",
    "Gunawan",
    "Firmansyah",
    "Maulana",
    "Rusdi",
    "Noor",
    "Effendi",
    "Aminah",
    "Mahendra",
    "Sulistyo",
    "Yusran",
    "Bahtiar",
    "Darmawan",
]
POSITIONS: dict[str, list[str]] = {
    C.POLICE: [
        "Kepala Bidang Humas",
        "Kepala Subbidang Penerangan Masyarakat",
        "Kepala Seksi Humas",
        "Perwira Penghubung Pemilu",
    ],
    C.BAWASLU: ["Ketua", "Anggota Divisi Humas", "Kepala Sekretariat", "Staf Humas"],
    C.DPRD_SECRETARIAT: ["Sekretaris DPRD", "Kepala Bagian Humas dan Protokol", "Pranata Humas"],
    C.LOCAL_GOVERNMENT: [
        "Kepala Dinas",
        "Kepala Bidang Informasi Publik",
        "Pranata Humas",
        "Kepala Bagian Protokol dan Komunikasi Pimpinan",
    ],
    C.POLITICAL_PARTY: ["Ketua", "Sekretaris", "Bendahara", "Penghubung (LO) Pemilu"],
    C.NGO: ["Koordinator", "Direktur Eksekutif", "Peneliti", "Relawan Pemantau"],
    C.ORMAS: ["Ketua", "Sekretaris", "Ketua Bidang Pemuda"],
    C.UNIVERSITY: ["Rektor", "Kepala Humas", "Dosen Ilmu Politik", "Ketua BEM"],
    C.BROADCASTER: ["Kepala Stasiun", "Produser Berita", "Penyiar", "Reporter"],
    C.PRESS: ["Pemimpin Redaksi", "Redaktur Politik", "Wartawan", "Fotografer"],
    C.SOCIAL_PLATFORM: [
        "Public Policy Manager",
        "Government Partnerships",
        "Trust and Safety Lead",
    ],
    C.COMMUNITY: ["Ketua Komunitas", "Kreator Konten", "Koordinator Relawan"],
}
INDEPENDENT_POSITIONS = [
    "Tokoh Masyarakat",
    "Tokoh Adat",
    "Influencer",
    "Akademisi",
    "Pegiat Literasi Digital",
    "Tokoh Pemuda",
]
MOBILE_PREFIXES = [
    "811",
    "812",
    "813",
    "821",
    "822",
    "852",
    "853",
    "855",
    "856",
    "857",
    "858",
    "877",
    "878",
    "895",
    "896",
    "897",
]
CONSENT_CHANNELS = [Channel.WHATSAPP, Channel.EMAIL, Channel.SMS]
ENGAGEMENT_SUBJECTS = [
    (EngagementKind.MEETING, "Rapat koordinasi sosialisasi tahapan Pemilihan"),
    (EngagementKind.VISIT, "Kunjungan kerja dan audiensi"),
    (EngagementKind.EVENT, "Diskusi publik: partisipasi pemilih pemula"),
    (EngagementKind.CALL, "Konfirmasi narasumber talkshow"),
    (EngagementKind.EMAIL, "Pengiriman siaran pers rekapitulasi"),
    (EngagementKind.MESSAGE, "Klarifikasi informasi hoaks di media sosial"),
    (EngagementKind.MEETING, "Penandatanganan nota kesepahaman kerja sama"),
    (EngagementKind.NOTE, "Catatan tindak lanjut permintaan data"),
]


@dataclass
class ContactSpec:
    unit: str
    name: str
    org: str | None
    position: str
    phone: str
    whatsapp: str
    email: str
    preferred: str
    consents: dict[str, tuple[str, int]]  # channel → (status, days ago)
    tags: list[str] = field(default_factory=list)


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        candidate = "+62" + rng.choice(MOBILE_PREFIXES) + str(rng.randint(1000000, 99999999))
        try:
            number = normalise_phone(candidate)
        except ValidationError:  # an invalid length for the prefix: draw again
            number = ""
        if number and number not in used:
            used.add(number)
            return number


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _plan_contacts(rng: random.Random) -> list[ContactSpec]:
    used_numbers: set[str] = set()
    used_names: set[tuple[str, str]] = set()
    plans: list[ContactSpec] = []

    def person(unit: str) -> str:
        while True:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if (unit, name) not in used_names:
                used_names.add((unit, name))
                return name

    def consents() -> dict[str, tuple[str, int]]:
        result: dict[str, tuple[str, int]] = {}
        for channel in CONSENT_CHANNELS:
            roll = rng.random()
            if roll < 0.5:
                result[channel] = (ConsentStatus.GRANTED, rng.randint(5, 400))
            elif roll < 0.65:
                result[channel] = (ConsentStatus.WITHDRAWN, rng.randint(1, 60))
        return result

    def build(unit: str, org: OrgSpec | None, position: str, domain: str) -> ContactSpec:
        name = person(unit)
        mobile = _mobile(rng, used_numbers)
        same = rng.random() < 0.7  # most people use their mobile for WhatsApp
        local = ".".join(_slug(part) for part in name.split())
        return ContactSpec(
            unit=unit,
            name=name,
            org=org.name if org else None,
            position=position,
            phone=mobile if not same or rng.random() < 0.5 else "",
            whatsapp=mobile if same else _mobile(rng, used_numbers),
            email=f"{local}@{domain}",
            preferred=rng.choice(
                [Channel.WHATSAPP, Channel.WHATSAPP, Channel.EMAIL, Channel.PHONE, ""]
            ),
            consents=consents(),
            tags=rng.sample(
                ["narasumber", "mitra strategis", "pemilu 2024", "pilkada 2024"],
                k=rng.randint(0, 2),
            ),
        )

    for org in ORGANISATIONS:
        for _i in range(rng.randint(2, 4)):
            position = rng.choice(POSITIONS[org.category])
            plans.append(build(org.unit, org, position, f"{org.slug}.example.id"))
    kabkota = ["64.72", "64.72", "64.03", "64.03", "64.71", "64", "64", "64.02", "64.74"]
    while len(plans) < CONTACT_TARGET - 6:
        unit = rng.choice(kabkota)
        plans.append(build(unit, None, rng.choice(INDEPENDENT_POSITIONS), "mail.example.id"))
    # Deliberate duplicates (typed twice under a slightly different name) for the merge
    # screen: in Samarinda, Berau and the province.
    for unit in ("64.72", "64.03", "64"):
        originals = [p for p in plans if p.unit == unit and p.whatsapp][:2]
        for original in originals:
            first, _sep, last = original.name.partition(" ")
            alias = f"{first} {last[:1]}."
            if (unit, alias) in used_names:
                continue
            used_names.add((unit, alias))
            plans.append(
                ContactSpec(
                    unit=unit,
                    name=alias,
                    org=None,
                    position=original.position,
                    phone=original.whatsapp,
                    whatsapp="",
                    email=original.email.upper(),
                    preferred="",
                    consents={},
                    tags=[],
                )
            )
    return plans


def _tags(names: list[str], cache: dict[str, Tag]) -> list[Tag]:
    result = []
    for name in names:
        if name not in cache:
            cache[name], _created = Tag.objects.get_or_create(name=name)
        result.append(cache[name])
    return result


@transaction.atomic
def seed_demo_stakeholders() -> str:
    """Create the demo organisations, contacts, consents, engagements and groups that do
    not exist yet. Returns a one-line summary."""
    rng = random.Random(SEED)  # demo data, not security
    units = {
        u.code: u
        for u in WorkUnit.objects.filter(
            code__in={spec.unit for spec in ORGANISATIONS}
            | {"64.72", "64.03", "64.71", "64.02", "64.74"}
        )
    }
    missing = sorted({spec.unit for spec in ORGANISATIONS} - set(units))
    if missing:
        return f"skipped: work units missing ({', '.join(missing)}); run load_work_units"
    now = timezone.now()
    tag_cache: dict[str, Tag] = {}
    counts = {
        "organisations": 0,
        "contacts": 0,
        "consents": 0,
        "engagements": 0,
        "groups": 0,
        "members": 0,
    }

    orgs: dict[str, Organisation] = {}
    streets = [
        "Gajah Mada",
        "Basuki Rahmat",
        "M.T. Haryono",
        "Jenderal Sudirman",
        "Juanda",
        "Pahlawan",
    ]
    for spec in ORGANISATIONS:
        unit = units[spec.unit]
        # Draw first, whether or not the row exists, so reruns follow the same sequence.
        phone = normalise_phone(f"+62541{rng.randint(700000, 799999)}")
        address = f"Jl. {rng.choice(streets)} No. {rng.randint(1, 200)}, {spec.city}"
        org = Organisation.objects.filter(unit=unit, name=spec.name).first()
        if org is None:
            org = Organisation.objects.create(
                unit=unit,
                name=spec.name,
                category=spec.category,
                city=spec.city,
                email=f"humas@{spec.slug}.example.id",
                website=f"https://www.{spec.slug}.example.id",
                phone=phone,
                address=address,
                **spec.social,
            )
            org.tags.set(_tags(spec.tags, tag_cache))
            counts["organisations"] += 1
        orgs[spec.name] = org

    plans = _plan_contacts(rng)
    contacts: list[Contact] = []
    for plan in plans:
        unit = units[plan.unit]
        contact = Contact.objects.filter(unit=unit, name=plan.name).first()
        if contact is None:
            contact = Contact.objects.create(
                unit=unit,
                name=plan.name,
                organisation=orgs.get(plan.org or ""),
                position=plan.position,
                phone=plan.phone,
                whatsapp=plan.whatsapp,
                email=plan.email,
                preferred_channel=plan.preferred,
            )
            if plan.tags:
                contact.tags.set(_tags(plan.tags, tag_cache))
            for channel, (status, days) in plan.consents.items():
                moment = now - timedelta(days=days)
                ContactConsent.objects.create(
                    contact=contact,
                    channel=channel,
                    status=status,
                    method=(
                        ConsentMethod.WHATSAPP_OPT_IN
                        if channel == Channel.WHATSAPP
                        else ConsentMethod.WRITTEN
                    )
                    if status == ConsentStatus.GRANTED
                    else ConsentMethod.UNSUBSCRIBE,
                    evidence="Formulir kesediaan dihubungi (demo)"
                    if status == ConsentStatus.GRANTED
                    else "Permintaan berhenti (demo)",
                    given_at=moment
                    if status == ConsentStatus.GRANTED
                    else moment - timedelta(days=90),
                    withdrawn_at=moment if status == ConsentStatus.WITHDRAWN else None,
                )
                counts["consents"] += 1
            counts["contacts"] += 1
        contacts.append(contact)

    # A few engagement entries per organisation of Samarinda, Berau and the province.
    for spec in ORGANISATIONS:
        if spec.unit not in {"64", "64.72", "64.03"}:
            continue
        org = orgs[spec.name]
        for index in range(rng.randint(1, 3)):
            kind, subject = rng.choice(ENGAGEMENT_SUBJECTS)
            days = rng.randint(1, 300)
            if Engagement.objects.filter(organisation=org, subject=subject).exists():
                continue
            Engagement.objects.create(
                organisation=org,
                kind=kind,
                subject=subject,
                occurred_at=now - timedelta(days=days, hours=index),
                notes="Dicatat sebagai data demo.",
                contact=org.contacts.order_by("id").first(),
            )
            counts["engagements"] += 1

    # The two communication groups of juknis BAB II B.2.
    province = units["64"]
    internal, created = CommunicationGroup.objects.get_or_create(
        unit=province,
        name=INTERNAL_GROUP,
        defaults={
            "platform": Platform.WHATSAPP,
            "audience": Audience.INTERNAL,
            "purpose": "Koordinasi diseminasi informasi antar satuan kerja KPU se-Kalimantan "
            "Timur (juknis BAB II B.2 huruf a).",
            "rules": "Gunakan bahasa yang sopan; bagikan informasi yang sudah divalidasi; "
            "tidak menyebarkan hoaks, ujaran kebencian, atau politik SARA.",
            "invite_link": "https://chat.whatsapp.com/DemoInternalKaltim",
        },
    )
    counts["groups"] += int(created)
    staff = (
        get_user_model()
        .objects.filter(is_active=True, profile__unit__code__startswith="64")
        .order_by("username")
    )
    for user in staff:
        role = (
            MemberRole.ADMIN
            if user.username in {"admin.kaltim", "koordinator.kaltim"}
            else MemberRole.MEMBER
        )
        _membership, made = GroupMembership.objects.get_or_create(
            group=internal, user=user, defaults={"role": role}
        )
        counts["members"] += int(made)

    stakeholder, created = CommunicationGroup.objects.get_or_create(
        unit=province,
        name=STAKEHOLDER_GROUP,
        defaults={
            "platform": Platform.WHATSAPP,
            "audience": Audience.STAKEHOLDER,
            "purpose": "Penyampaian informasi kepemiluan kepada pemangku kepentingan, "
            "dikelola oleh KPU Provinsi (juknis BAB II B.2 huruf b).",
            "rules": "Grup informasi resmi; anggota dapat bertanya kepada admin; dilarang "
            "kampanye dan promosi.",
            "invite_link": "https://chat.whatsapp.com/DemoStakeholderKaltim",
        },
    )
    counts["groups"] += int(created)
    members = [
        c
        for c in contacts
        if c.whatsapp
        and c.organisation_id is not None
        and c.consents.filter(channel=Channel.WHATSAPP, status=ConsentStatus.GRANTED).exists()
    ][:60]
    for contact in members:
        _membership, made = GroupMembership.objects.get_or_create(
            group=stakeholder, contact=contact, defaults={"role": MemberRole.MEMBER}
        )
        counts["members"] += int(made)

    for code, name in (
        ("64.72", "Grup Telegram Media KPU Kota Samarinda"),
        ("64.03", "Grup WhatsApp Mitra KPU Kabupaten Berau"),
    ):
        group, created = CommunicationGroup.objects.get_or_create(
            unit=units[code],
            name=name,
            defaults={
                "platform": Platform.TELEGRAM if "Telegram" in name else Platform.WHATSAPP,
                "audience": Audience.STAKEHOLDER,
                "purpose": "Berbagi siaran pers dan jadwal kegiatan dengan mitra lokal.",
            },
        )
        counts["groups"] += int(created)
        for contact in [c for c in contacts if c.unit_id == units[code].pk and c.whatsapp][:15]:
            _membership, made = GroupMembership.objects.get_or_create(
                group=group, contact=contact, defaults={"role": MemberRole.MEMBER}
            )
            counts["members"] += int(made)

    totals = (
        f"{Organisation.objects.count()} organisations, {Contact.objects.count()} contacts, "
        f"{CommunicationGroup.objects.count()} groups in total"
    )
    created_text = ", ".join(f"{n} {k}" for k, n in counts.items())
    return f"created {created_text}; {totals}."
