"""Generate a synthetic, deterministic data set for benchmarks and load tests.

``bakohumas generate_dataset --scale national`` loads all 553 work units, then 5,000 staff
users with profiles and roles, 50,000 stakeholder organisations and 500,000 contacts (with
phone numbers, e-mail addresses, some consents and some tags). Rows are written with
``bulk_create`` in batches inside one transaction (all or nothing), with one password hash
shared by every generated user and without per-row signals, so the national set takes a
few minutes on SQLite and PostgreSQL.

The same ``--seed`` gives the same data. Generated staff users are named ``gen.<unit
code>.<n>`` (``gen.00.1`` is an administrator of KPU RI, ``gen.64.2`` a coordinator of KPU
Provinsi Kalimantan Timur) and share the password ``bakohumas-dataset``. When generated
users already exist the command changes nothing and says so.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from bakohumas.core.data import KALTIM_CODE, NATIONAL_CODE, load_work_units
from bakohumas.core.models import (
    Level,
    PranataHumasLevel,
    Role,
    StaffCategory,
    StaffProfile,
    TeamPosition,
    WorkUnit,
)
from bakohumas.core.roles import sync_roles
from bakohumas.stakeholders.models import (
    Category,
    Channel,
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    Organisation,
    Tag,
)

USERNAME_PREFIX = "gen."
DATASET_PASSWORD = "bakohumas-dataset"
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class Scale:
    """How much to generate."""

    national_units: bool
    users: int
    organisations: int
    contacts: int


SCALES: dict[str, Scale] = {
    # The whole country: what a national deployment holds after a few years.
    "national": Scale(national_units=True, users=5_000, organisations=50_000, contacts=500_000),
    # KPU RI + Kalimantan Timur only; for tests and quick trials.
    "small": Scale(national_units=False, users=60, organisations=300, contacts=3_000),
}

# Weight of one unit when spreading rows over the tree: a province holds more than a
# regency/city, KPU RI more than a province.
LEVEL_WEIGHT: dict[str, int] = {Level.NATIONAL: 20, Level.PROVINCE: 5, Level.REGENCY_CITY: 1}

FIRST_NAMES = (
    "Agus Ahmad Andi Anisa Arif Ayu Bambang Bayu Budi Cahya Dedi Dewi Dian Dimas Eka Eko "
    "Endang Fajar Fitri Gita Hadi Hana Hendra Heru Ika Indah Indra Irfan Irwan Joko Kartika "
    "Kurnia Lestari Lina Made Maria Mega Muhammad Nanda Nining Nur Nyoman Putri Putu Rahmat "
    "Ratna Reza Rina Rizky Rudi Sari Siti Slamet Sri Suharto Taufik Teguh Tika Tri Umar "
    "Wahyu Wawan Wayan Widya Yanti Yogi Yudi Yuli Yusuf Zainal Zulfikar"
).split()
MIDDLE_NAMES = "Adi Dwi Nur Puspita Rahma Surya Tri Wira Ayu Eka".split()
LAST_NAMES = (
    "Daulay Gunawan Hakim Halim Harahap Hasibuan Hidayat Irawan Kusuma Kurniawan Lubis "
    "Manurung Mappanyukki Nasution Nugroho Pane Pohan Pratama Purba Putra Rahman Rangkuti "
    "Ritonga Saputra Setiawan Siagian Simanjuntak Sinaga Siregar Sitompul Susanto Sutrisno "
    "Tambunan Tanjung Utomo Wibowo Wijaya Yulianto Pangaribuan Effendi Ginting Tarigan "
    "Latuconsina Pattimura Rumbiak Wonda Daeng Paweroi Sembiring Santoso Hutapea"
).split()
DISTRICT_PREFIX = "Sungai Tanjung Muara Batu Loa Teluk Bukit Padang Kampung Long Tanah Air".split()
DISTRICT_SUFFIX = (
    "Kunjang Redeb Baru Indah Raya Hilir Hulu Merah Putih Jaya Makmur Sejahtera Bahagia "
    "Lestari Harapan Kencana Permai Damai Pinang Kelapa Bambu"
).split()
PARTIES = [
    "PDI Perjuangan",
    "Partai Golkar",
    "Partai Gerindra",
    "Partai NasDem",
    "PKB",
    "PKS",
    "PAN",
    "Partai Demokrat",
    "PPP",
    "Partai Perindo",
    "PSI",
    "Partai Hanura",
]
WORDS = (
    "Suara Warta Mitra Bhakti Nusantara Borneo Mahakam Cakrawala Pelita Gema Swara Citra".split()
)
ORG_TEMPLATES: dict[str, list[str]] = {
    Category.POLICE: ["Polres {r}", "Polsek {d}", "Satuan Binmas Polres {r}"],
    Category.BAWASLU: ["Bawaslu {r}", "Panwaslu Kecamatan {d}", "Sentra Gakkumdu {r}"],
    Category.DPRD_SECRETARIAT: ["Sekretariat DPRD {r}", "Bagian Humas Sekretariat DPRD {r}"],
    Category.LOCAL_GOVERNMENT: [
        "Dinas Komunikasi dan Informatika {r}",
        "Badan Kesatuan Bangsa dan Politik {r}",
        "Kantor Kecamatan {d}",
        "Kelurahan {d}",
        "Dinas Pendidikan {r}",
        "Bagian Protokol dan Komunikasi Pimpinan {r}",
    ],
    Category.POLITICAL_PARTY: ["DPC {p} {r}", "DPD {p} {r}", "PAC {p} Kecamatan {d}"],
    Category.NGO: [
        "JPPR {r}",
        "KIPP {r}",
        "Simpul Perludem {r}",
        "Lembaga Pemantau Pemilu {w} {r}",
        "Yayasan {w} Demokrasi",
    ],
    Category.ORMAS: [
        "PC Nahdlatul Ulama {r}",
        "PD Muhammadiyah {r}",
        "KNPI {r}",
        "Karang Taruna {d}",
        "GP Ansor {r}",
        "Pemuda Pancasila {r}",
        "PKK {d}",
    ],
    Category.UNIVERSITY: [
        "Universitas {w} {r}",
        "Fakultas Ilmu Sosial dan Politik Universitas {w}",
        "Sekolah Tinggi Ilmu Ekonomi {w}",
        "Politeknik {w} {r}",
        "BEM Universitas {w}",
    ],
    Category.BROADCASTER: ["RRI {r}", "Radio {w} FM {r}", "{w} TV {r}", "TVRI Stasiun {r}"],
    Category.PRESS: [
        "Harian {w} {r}",
        "Tribun {r}",
        "{w}news.id",
        "Tabloid {w}",
        "PWI {r}",
        "AJI {r}",
    ],
    Category.SOCIAL_PLATFORM: ["Info {r}", "Akun Instagram {w} {r}", "Grup Facebook Warga {d}"],
    Category.COMMUNITY: [
        "Komunitas Blogger {r}",
        "Komunitas Fotografi {w}",
        "Relawan Demokrasi {d}",
        "Forum Pemuda {d}",
        "Komunitas Disabilitas {r}",
        "Komunitas Pemilih Pemula {r}",
    ],
}
CATEGORY_WEIGHTS = {
    Category.POLICE: 6,
    Category.BAWASLU: 5,
    Category.DPRD_SECRETARIAT: 3,
    Category.LOCAL_GOVERNMENT: 14,
    Category.POLITICAL_PARTY: 12,
    Category.NGO: 8,
    Category.ORMAS: 12,
    Category.UNIVERSITY: 8,
    Category.BROADCASTER: 7,
    Category.PRESS: 12,
    Category.SOCIAL_PLATFORM: 4,
    Category.COMMUNITY: 9,
}
POSITIONS = [
    "Ketua",
    "Wakil Ketua",
    "Sekretaris",
    "Bendahara",
    "Kepala Bagian Humas",
    "Kepala Bidang",
    "Kasubbag Umum",
    "Staf Humas",
    "Koordinator Divisi",
    "Anggota",
    "Wartawan",
    "Redaktur",
    "Pemimpin Redaksi",
    "Dosen",
    "Penyiar",
    "Admin Media Sosial",
    "",
]
JOB_TITLES = [
    "Kepala Bagian Teknis dan Hubungan Masyarakat",
    "Kepala Subbagian Partisipasi dan Humas",
    "Pranata Hubungan Masyarakat",
    "Pengelola Media Sosial",
    "Staf Humas",
    "Operator Website",
]
MOBILE_PREFIXES = "811 812 813 821 822 823 852 853 857 858 877 878 895 896 897 898".split()
FREE_MAIL = ["gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com"]
TAG_NAMES = [
    "media-partner",
    "narasumber",
    "pemilih-pemula",
    "perempuan",
    "disabilitas",
    "tokoh-agama",
    "tokoh-adat",
    "pemantau",
    "kampus",
    "influencer",
    "wartawan",
    "forum-bakohumas",
    "sosialisasi-2024",
    "pilkada-2024",
    "pemilu-2024",
    "desa-peduli-pemilu",
    "relawan-demokrasi",
    "humas-pemda",
    "undangan-rapat",
    "grup-whatsapp",
]
CONSENT_METHODS = [
    ConsentMethod.WRITTEN,
    ConsentMethod.VERBAL,
    ConsentMethod.WEB_FORM,
    ConsentMethod.WHATSAPP_OPT_IN,
    ConsentMethod.EVENT,
    ConsentMethod.IMPORT,
]
PREFERRED = [c for c in Channel.values if c not in {Channel.LETTER}] + ["", ""]
EPOCH = datetime(2021, 8, 1, tzinfo=UTC)


def chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def short_region(unit: WorkUnit) -> str:
    """``Kota Samarinda`` → ``Samarinda``, ``Kabupaten Berau`` → ``Berau``, provinces as is."""
    name = unit.region_name
    for prefix in ("Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


class Generator:
    """Writes one data set; all randomness comes from ``rng`` so a seed reproduces it."""

    def __init__(self, scale: Scale, seed: int, write: Any, batch_size: int = BATCH_SIZE):
        self.scale = scale
        self.rng = random.Random(seed)
        self.write = write
        self.batch_size = batch_size
        self.units: list[WorkUnit] = []
        self.unit_weights: list[int] = []
        self.password = make_password(DATASET_PASSWORD)
        self.now = timezone.now()

    # --- helpers ----------------------------------------------------------------------
    def phone(self) -> str:
        rng = self.rng
        return f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7, 10**8)}"

    def person(self) -> tuple[str, str]:
        rng = self.rng
        first = rng.choice(FIRST_NAMES)
        if rng.random() < 0.25:
            first = f"{first} {rng.choice(MIDDLE_NAMES)}"
        return first, rng.choice(LAST_NAMES)

    def district(self) -> str:
        return f"{self.rng.choice(DISTRICT_PREFIX)} {self.rng.choice(DISTRICT_SUFFIX)}"

    def moment(self) -> datetime:
        return EPOCH + timedelta(seconds=self.rng.randrange(0, 4 * 365 * 86400))

    def organisation_name(
        self, category: str, region: str, unit_id: int, seen: set[tuple[int, str]]
    ) -> str:
        """A realistic organisation name not yet used in the unit."""
        rng = self.rng
        name = ""
        for attempt in range(6):
            name = rng.choice(ORG_TEMPLATES[category]).format(
                r=region, d=self.district(), p=rng.choice(PARTIES), w=rng.choice(WORDS)
            )
            if attempt >= 3:
                name = f"{name} {self.district()}"
            if (unit_id, name.lower()) not in seen:
                break
        base, n = name, 2
        while (unit_id, name.lower()) in seen:
            name = f"{base} {n}"
            n += 1
        seen.add((unit_id, name.lower()))
        return name

    def progress(self, label: str, done: int, total: int, started: float) -> None:
        elapsed = time.monotonic() - started
        rate = done / elapsed if elapsed > 0 else 0.0
        self.write(f"  {label}: {done:,}/{total:,} ({rate:,.0f}/s, {elapsed:.1f}s)")

    # --- phases -----------------------------------------------------------------------
    def load_units(self) -> None:
        started = time.monotonic()
        counts = load_work_units(national=self.scale.national_units)
        if self.scale.national_units:
            self.units = list(WorkUnit.objects.order_by("code"))
        else:
            self.units = list(
                WorkUnit.objects.filter(code=NATIONAL_CODE)
                | WorkUnit.objects.filter(code=KALTIM_CODE)
                | WorkUnit.objects.filter(province__code=KALTIM_CODE)
            )
            self.units.sort(key=lambda u: u.code)
        self.unit_weights = [LEVEL_WEIGHT.get(u.level, 1) for u in self.units]
        self.write(
            f"Work units: {len(self.units)} ({counts['created']} created) "
            f"in {time.monotonic() - started:.1f}s"
        )

    def users(self) -> None:
        started = time.monotonic()
        rng = self.rng
        total = self.scale.users
        # Every unit gets at least an administrator and a coordinator when there are enough
        # users; the rest are spread by weight.
        per_unit = dict.fromkeys(range(len(self.units)), 0)
        base = 2 if total >= 2 * len(self.units) else 0
        for i in per_unit:
            per_unit[i] = base
        for i in rng.choices(
            range(len(self.units)), self.unit_weights, k=total - base * len(per_unit)
        ):
            per_unit[i] += 1
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        user_model = get_user_model()
        plan: list[tuple[Any, WorkUnit, str]] = []
        for index, unit in enumerate(self.units):
            for n in range(1, per_unit[index] + 1):
                if n == 1:
                    role = Role.ADMINISTRATOR
                elif n == 2:
                    role = Role.COORDINATOR
                else:
                    role = rng.choices(
                        [Role.COORDINATOR, Role.EDITOR, Role.CONTRIBUTOR, Role.VIEWER],
                        [1, 4, 3, 2],
                    )[0]
                first, last = self.person()
                username = f"{USERNAME_PREFIX}{unit.code}.{n}"
                user = user_model(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{slug(first)}.{slug(last)}.{slug(unit.code)}{n}@kpu.example.id",
                    password=self.password,
                    is_active=True,
                    is_staff=role == Role.ADMINISTRATOR,
                    date_joined=self.moment(),
                )
                plan.append((user, unit, role))
        done = 0
        through = user_model.groups.through
        for batch in chunks(plan, self.batch_size):
            created = user_model.objects.bulk_create([u for u, _unit, _role in batch])
            profiles = []
            memberships = []
            for user, (_u, unit, role) in zip(created, batch, strict=True):
                category = (
                    StaffCategory.ADMINISTRATIVE_OFFICIAL
                    if role == Role.ADMINISTRATOR
                    else rng.choice(
                        [
                            StaffCategory.PRANATA_HUMAS,
                            StaffCategory.PRANATA_HUMAS,
                            StaffCategory.EXECUTING_OFFICIAL,
                            StaffCategory.PPNPN,
                        ]
                    )
                )
                profiles.append(
                    StaffProfile(
                        user_id=user.pk,
                        unit=unit,
                        role=role,
                        category=category,
                        pranata_level=rng.choice(PranataHumasLevel.values)
                        if category == StaffCategory.PRANATA_HUMAS
                        else "",
                        team_position=TeamPosition.KETUA
                        if role == Role.COORDINATOR and rng.random() < 0.5
                        else rng.choice([TeamPosition.ANGGOTA, TeamPosition.ANGGOTA, ""]),
                        job_title=rng.choice(JOB_TITLES),
                        phone=self.phone(),
                        whatsapp=self.phone() if rng.random() < 0.3 else "",
                    )
                )
                if role in groups:
                    memberships.append(through(user_id=user.pk, group_id=groups[role].pk))
            StaffProfile.objects.bulk_create(profiles)
            through.objects.bulk_create(memberships)
            done += len(batch)
            self.progress("staff users", done, total, started)

    def tags(self) -> list[int]:
        Tag.objects.bulk_create([Tag(name=n) for n in TAG_NAMES], ignore_conflicts=True)
        return list(
            Tag.objects.filter(name__in=TAG_NAMES).order_by("name").values_list("id", flat=True)
        )

    def organisations(self, tag_ids: list[int]) -> list[tuple[int, int, str]]:
        """Create the organisations; returns (id, unit id, e-mail domain) of each."""
        started = time.monotonic()
        rng = self.rng
        total = self.scale.organisations
        categories = list(CATEGORY_WEIGHTS)
        weights = list(CATEGORY_WEIGHTS.values())
        result: list[tuple[int, int, str]] = []
        through = Organisation.tags.through
        # Names are unique per unit (case-insensitive), as the model requires.
        seen: set[tuple[int, str]] = set(
            (unit_id, name.lower())
            for unit_id, name in Organisation.objects.values_list("unit_id", "name")
        )
        done = 0
        while done < total:
            size = min(self.batch_size, total - done)
            orgs = []
            domains = []
            for unit in rng.choices(self.units, self.unit_weights, k=size):
                category = rng.choices(categories, weights)[0]
                region = short_region(unit)
                name = self.organisation_name(category, region, unit.pk, seen)
                domain = f"{slug(name)[:24]}.or.id"
                has_web = rng.random() < 0.4
                orgs.append(
                    Organisation(
                        unit_id=unit.pk,
                        name=name,
                        category=category,
                        address=f"Jl. {rng.choice(WORDS)} {rng.choice(DISTRICT_SUFFIX)} No. "
                        f"{rng.randrange(1, 250)}, {region}",
                        city=region,
                        phone=self.phone() if rng.random() < 0.7 else "",
                        email=f"info@{domain}" if rng.random() < 0.6 else "",
                        website=f"https://{domain}/" if has_web else "",
                        instagram=f"@{slug(name)[:28]}" if rng.random() < 0.3 else "",
                        is_active=rng.random() > 0.02,
                    )
                )
                domains.append(domain)
            created = Organisation.objects.bulk_create(orgs)
            links = []
            for org, domain in zip(created, domains, strict=True):
                result.append((org.pk, org.unit_id, domain))
                if tag_ids and rng.random() < 0.15:
                    for tag_id in rng.sample(tag_ids, rng.choice((1, 1, 2))):
                        links.append(through(organisation_id=org.pk, tag_id=tag_id))
            through.objects.bulk_create(links)
            done += size
            self.progress("organisations", done, total, started)
        return result

    def contacts(self, orgs: list[tuple[int, int, str]], tag_ids: list[int]) -> tuple[int, int]:
        """Create the contacts with their consents and tags; returns (consents, tag links)."""
        started = time.monotonic()
        rng = self.rng
        total = self.scale.contacts
        through = Contact.tags.through
        n_consents = n_links = 0
        done = 0
        while done < total:
            size = min(self.batch_size, total - done)
            contacts = []
            for _ in range(size):
                if orgs and rng.random() < 0.9:
                    org_id, unit_id, domain = rng.choice(orgs)
                else:
                    org_id, unit_id, domain = (
                        None,
                        rng.choices(self.units, self.unit_weights)[0].pk,
                        "",
                    )
                first, last = self.person()
                phone = self.phone() if rng.random() < 0.85 else ""
                if rng.random() < 0.7:
                    mail_domain = domain if domain and rng.random() < 0.4 else rng.choice(FREE_MAIL)
                    email = f"{slug(first)}.{slug(last)}{rng.randrange(1, 1000)}@{mail_domain}"
                else:
                    email = ""
                contacts.append(
                    Contact(
                        unit_id=unit_id,
                        organisation_id=org_id,
                        name=f"{first} {last}",
                        position=rng.choice(POSITIONS) if org_id else "",
                        phone=phone,
                        whatsapp=(phone if rng.random() < 0.8 else self.phone())
                        if phone and rng.random() < 0.6
                        else "",
                        email=email,
                        preferred_channel=rng.choice(PREFERRED),
                        is_active=rng.random() > 0.01,
                    )
                )
            created = Contact.objects.bulk_create(contacts)
            consents = []
            links = []
            for contact in created:
                if rng.random() < 0.25:
                    channels = [
                        c
                        for c, present in (
                            (Channel.WHATSAPP, contact.whatsapp),
                            (Channel.EMAIL, contact.email),
                            (Channel.SMS, contact.phone),
                        )
                        if present
                    ]
                    for channel in rng.sample(channels, min(len(channels), rng.choice((1, 1, 2)))):
                        given = self.moment()
                        withdrawn = rng.random() < 0.1
                        consents.append(
                            ContactConsent(
                                contact_id=contact.pk,
                                channel=channel,
                                status=ConsentStatus.WITHDRAWN
                                if withdrawn
                                else ConsentStatus.GRANTED,
                                method=rng.choice(CONSENT_METHODS),
                                given_at=given,
                                withdrawn_at=given + timedelta(days=rng.randrange(1, 300))
                                if withdrawn
                                else None,
                            )
                        )
                if tag_ids and rng.random() < 0.08:
                    for tag_id in rng.sample(tag_ids, rng.choice((1, 1, 2))):
                        links.append(through(contact_id=contact.pk, tag_id=tag_id))
            ContactConsent.objects.bulk_create(consents)
            through.objects.bulk_create(links)
            n_consents += len(consents)
            n_links += len(links)
            done += size
            if done == total or done % (self.batch_size * 10) == 0:
                self.progress("contacts", done, total, started)
        return n_consents, n_links


def existing_dataset() -> int:
    """How many generated staff users exist (0 when no data set was generated)."""
    return get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).count()


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set: --scale national (553 units, 5,000 staff, 50,000 "
        "organisations, 500,000 contacts) or --scale small. Deterministic for a --seed; "
        "does nothing when a generated data set is already present."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--users", type=int, help="Override the number of staff users.")
        parser.add_argument("--organisations", type=int, help="Override the organisations.")
        parser.add_argument("--contacts", type=int, help="Override the number of contacts.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        base = SCALES[options["scale"]]
        scale = Scale(
            national_units=base.national_units,
            users=base.users if options["users"] is None else options["users"],
            organisations=base.organisations
            if options["organisations"] is None
            else options["organisations"],
            contacts=base.contacts if options["contacts"] is None else options["contacts"],
        )
        if min(scale.users, scale.organisations, scale.contacts) < 0:
            raise CommandError("Counts must not be negative.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        present = existing_dataset()
        if present:
            self.stdout.write(
                self.style.WARNING(
                    f"A generated data set is already present ({present:,} generated staff "
                    f"users, {Organisation.objects.count():,} organisations, "
                    f"{Contact.objects.count():,} contacts). Nothing to do. Use a fresh "
                    "database to generate another one."
                )
            )
            return

        def write(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        started = time.monotonic()
        write(
            f"Generating the '{options['scale']}' data set (seed {options['seed']}): "
            f"{scale.users:,} staff users, {scale.organisations:,} organisations, "
            f"{scale.contacts:,} contacts."
        )
        gen = Generator(scale, options["seed"], write, batch_size=options["batch_size"])
        if connection.vendor == "sqlite":
            # A page cache big enough for the indexes being filled (this connection only).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB
        with transaction.atomic():
            sync_roles()
            gen.load_units()
            gen.users()
            tag_ids = gen.tags()
            orgs = gen.organisations(tag_ids)
            n_consents, n_links = gen.contacts(orgs, tag_ids)
            write("  committing …")
        if connection.vendor == "sqlite":
            # Planner statistics, which the worker refreshes on a live system (ANALYZE).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            write("  ANALYZE done")
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: visibility map and planner statistics.
            # (VACUUM cannot run inside a transaction, e.g. in a test: ANALYZE only there.)
            analysed = time.monotonic()
            statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(statement)
            write(f"  {statement} in {time.monotonic() - analysed:.1f}s")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {elapsed:.1f}s: {len(gen.units)} work units, {scale.users:,} staff "
                f"users (password '{DATASET_PASSWORD}'), {len(orgs):,} organisations, "
                f"{scale.contacts:,} contacts, {n_consents:,} consents, {n_links:,} contact tags."
            )
        )
