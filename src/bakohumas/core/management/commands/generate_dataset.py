"""Generate a synthetic, deterministic data set for benchmarks and load tests.

``bakohumas generate_dataset --scale national`` loads all 553 work units, then 5,000 staff
users with profiles and roles, 50,000 stakeholder organisations and 500,000 contacts (with
phone numbers, e-mail addresses, some consents and some tags), 200,000 published content
items and the inbox: 250,000 threads with 1,000,000 messages (questions, complaints,
feedback, hoax reports and conversations from the portal, email, WhatsApp, Telegram and
staff, with replies, internal notes, assignments, topic tags and hoax cases). Rows are
written with ``bulk_create`` in batches (the inbox's threads, messages and events as plain
rows: ``COPY`` on PostgreSQL, ``executemany`` on SQLite) inside one transaction (all or
nothing), with one password hash shared by every generated user and without per-row
signals; the indexes and search triggers of the big tables are paused during the load and
built once at the end, so the national set takes a few minutes on SQLite and PostgreSQL.

The same ``--seed`` gives the same data. Generated staff users are named ``gen.<unit
code>.<n>`` (``gen.00.1`` is an administrator of KPU RI, ``gen.64.2`` a coordinator of KPU
Provinsi Kalimantan Timur) and share the password ``bakohumas-dataset``. When generated
users already exist the command changes nothing and says so.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from bakohumas.content.models import (
    ClaimRating,
    ContentForm,
    ContentItem,
    ContentTag,
    Status,
    Topic,
)
from bakohumas.content.services import HASHED_FIELDS, hash_snapshot
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
from bakohumas.core.workdays import Calendar
from bakohumas.inbox import search as inbox_search
from bakohumas.inbox.models import Channel as InboxChannel
from bakohumas.inbox.models import (
    Direction,
    HoaxCase,
    HoaxCaseStatus,
    HoaxCategory,
    InboxSettings,
    InboxTag,
    Message,
    MessageStatus,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadStatus,
)
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
    content: int = 0
    threads: int = 0
    messages: int = 0


SCALES: dict[str, Scale] = {
    # The whole country: what a national deployment holds after a few years.
    "national": Scale(
        national_units=True,
        users=5_000,
        organisations=50_000,
        contacts=500_000,
        content=200_000,
        threads=250_000,
        messages=1_000_000,
    ),
    # KPU RI + Kalimantan Timur only; for tests and quick trials.
    "small": Scale(
        national_units=False,
        users=60,
        organisations=300,
        contacts=3_000,
        content=2_000,
        threads=1_000,
        messages=4_000,
    ),
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

# --- published content (the public portal) ---------------------------------------------

# Weight of one unit when spreading content: KPU RI publishes most, then the provinces,
# then the cities (kota), then the regencies; each unit also gets its own activity factor.
CONTENT_LEVEL_WEIGHT: dict[str, float] = {
    Level.NATIONAL: 60.0,
    Level.PROVINCE: 12.0,
    Level.REGENCY_CITY: 1.0,
}
CITY_WEIGHT = 3.0
CONTENT_YEARS = 3
# Forms as a unit's website shows them: mostly news.
FORM_WEIGHTS: dict[str, int] = {
    ContentForm.NEWS: 56,
    ContentForm.PRESS_RELEASE: 10,
    ContentForm.HOAX_CLARIFICATION: 5,
    ContentForm.PHOTO: 8,
    ContentForm.INFOGRAPHIC: 8,
    ContentForm.VIDEO: 5,
    ContentForm.PODCAST: 2,
    ContentForm.MEME: 2,
    ContentForm.SLIDES: 2,
    ContentForm.ADVERTISEMENT: 1,
    ContentForm.FILM: 1,
}
# Forms whose body is a long article (2-4 KB); the others carry a caption-length text.
LONG_FORMS = {ContentForm.NEWS, ContentForm.PRESS_RELEASE, ContentForm.HOAX_CLARIFICATION}
CONTENT_TAGS = [
    "Pemilu 2024",
    "Pilkada 2024",
    "Pemilu 2029",
    "Daftar Pemilih",
    "Pemilih Pemula",
    "Disabilitas",
    "Perempuan dan Politik",
    "Sosialisasi",
    "Pendidikan Pemilih",
    "Kampanye",
    "Masa Tenang",
    "Logistik",
    "TPS",
    "Rekapitulasi",
    "Sirekap",
    "Badan Ad Hoc",
    "Partai Politik",
    "Pencalonan",
    "Debat Publik",
    "Cek Fakta",
    "Hoaks",
    "PPID",
    "Zona Integritas",
    "Rapat Koordinasi",
    "Bakohumas",
    "Relawan Demokrasi",
    "Desa Peduli Pemilu",
    "Netralitas ASN",
]
ELECTIONS = [
    "Pemilu 2024",
    "Pemilihan Serentak 2024",
    "Pemilu 2029",
    "Pemilihan Gubernur dan Wakil Gubernur",
    "Pemilihan Bupati dan Wakil Bupati",
    "Pemilihan Wali Kota dan Wakil Wali Kota",
]
AUDIENCES = [
    "pemilih pemula",
    "pemilih disabilitas",
    "pelajar SMA",
    "mahasiswa",
    "kaum perempuan",
    "tokoh agama",
    "tokoh adat",
    "masyarakat adat",
    "komunitas nelayan",
    "petani sawit",
    "buruh pabrik",
    "warga perbatasan",
    "generasi muda",
    "kelompok marginal",
    "warga binaan lembaga pemasyarakatan",
    "pengemudi ojek daring",
    "pedagang pasar tradisional",
    "santri pondok pesantren",
]
PARTNERS = [
    "Bawaslu",
    "Polres",
    "Kodim",
    "Dinas Komunikasi dan Informatika",
    "Badan Kesatuan Bangsa dan Politik",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Pengadilan Negeri",
    "Universitas Mulawarman",
    "Forum Kerukunan Umat Beragama",
    "Persatuan Wartawan Indonesia",
    "Aliansi Jurnalis Independen",
    "Komisi Informasi",
    "Kantor Pos",
    "Dinas Pendidikan",
    "Kementerian Agama",
    "Pemerintah Daerah",
    "DPRD",
    "Karang Taruna",
    "Mafindo",
]
STAGES = [
    "pemutakhiran data pemilih",
    "pencocokan dan penelitian (coklit)",
    "pendaftaran partai politik",
    "verifikasi faktual partai politik",
    "penetapan daerah pemilihan",
    "pencalonan anggota DPRD",
    "pencalonan kepala daerah",
    "masa kampanye",
    "masa tenang",
    "pemungutan dan penghitungan suara",
    "rekapitulasi hasil penghitungan suara",
    "penetapan calon terpilih",
    "pembentukan badan ad hoc",
    "distribusi logistik",
]
ACTIVITIES = [
    "sosialisasi tahapan pemilu",
    "bimbingan teknis KPPS",
    "rapat koordinasi persiapan pemungutan suara",
    "simulasi pemungutan dan penghitungan suara",
    "rapat pleno terbuka rekapitulasi daftar pemilih",
    "uji publik rancangan daerah pemilihan",
    "pelatihan penggunaan Sirekap",
    "kelas pendidikan pemilih",
    "diskusi publik tentang partisipasi pemilih",
    "gerakan coklit serentak",
    "apel siaga pengawalan logistik",
    "lomba karya jurnalistik kepemiluan",
    "kirab maskot pemilu",
    "konferensi pers",
    "sekolah kader demokrasi",
    "forum warga peduli pemilu",
]
INSTITUTIONAL = [
    "rapat koordinasi bidang hukum",
    "penguatan zona integritas",
    "evaluasi laporan keuangan",
    "pembinaan pegawai",
    "penyusunan rencana kerja anggaran",
    "pengelolaan arsip dinamis",
    "layanan informasi publik PPID",
    "penilaian kinerja SAKIP",
    "pelatihan kehumasan dan media sosial",
    "pengelolaan barang milik negara",
    "rapat kerja Bakohumas",
    "peringatan hari ulang tahun KPU",
    "pemeriksaan Badan Pemeriksa Keuangan",
    "penyusunan produk hukum JDIH",
]
DIVISIONS = [
    "Teknis Penyelenggaraan",
    "Perencanaan, Data dan Informasi",
    "Sosialisasi, Pendidikan Pemilih, Partisipasi Masyarakat dan SDM",
    "Hukum dan Pengawasan",
    "Keuangan, Umum dan Logistik",
]
# Article themes: a title template list and sentence templates. An article takes most
# sentences of its own theme, one or two of a few others and some general ones, so word
# frequencies look like a real newsroom's: "pemilu" is everywhere, "rekapitulasi" mostly
# in recapitulation news, a district name in a handful of items.
THEMES: dict[str, dict[str, Any]] = {
    "data_pemilih": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "KPU {r} Tetapkan {big} Pemilih dalam Daftar Pemilih Tetap",
            "Coklit Data Pemilih di {d} Capai {pct} Persen",
            "Rapat Pleno Rekapitulasi Daftar Pemilih di KPU {r} Berjalan Lancar",
            "KPU {r} Ajak Warga Cek Nama di Daftar Pemilih",
            "Pantarlih {d} Sisir Rumah Warga untuk Pemutakhiran Data",
            "KPU {r} dan Disdukcapil Sinkronkan Data Pemilih Berkelanjutan",
        ],
        "sentences": [
            "Petugas pantarlih mendatangi rumah warga di {d} satu per satu untuk mencocokkan "
            "data kependudukan dengan daftar pemilih sementara.",
            "KPU {r} mencatat jumlah pemilih dalam daftar pemilih tetap mencapai {big} orang "
            "yang tersebar di {tps} TPS.",
            "Warga yang belum terdaftar dapat melapor ke kantor PPS di kelurahan atau desa "
            "masing-masing dengan membawa KTP elektronik.",
            "Pemilih dapat mengecek namanya dalam daftar pemilih melalui laman cekdptonline "
            "atau aplikasi KPU.",
            "Daftar pemilih tambahan disusun untuk pemilih yang pindah memilih karena bekerja "
            "atau menempuh pendidikan di luar daerah.",
            "Data pemilih dimutakhirkan secara berkelanjutan setiap triwulan bersama Dinas "
            "Kependudukan dan Pencatatan Sipil.",
            "Dalam proses coklit ditemukan {n} pemilih yang meninggal dunia dan {n2} pemilih "
            "ganda yang kemudian dicoret.",
            "Pemilih yang berpindah domisili diminta segera mengurus formulir pindah memilih "
            "paling lambat tiga puluh hari sebelum pemungutan suara.",
            "Tanggapan masyarakat atas daftar pemilih sementara diterima selama {days} hari di "
            "setiap kantor PPS.",
            "Rapat pleno terbuka penetapan daftar pemilih tetap dihadiri perwakilan partai "
            "politik, Bawaslu, dan Disdukcapil.",
            "Anggota TNI dan Polri aktif tidak dimasukkan ke dalam daftar pemilih sesuai "
            "ketentuan undang-undang.",
        ],
    },
    "sosialisasi": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "KPU {r} Gelar {Activity} di {d}",
            "KPU {r} Ajak {Audience} Gunakan Hak Pilih di TPS",
            "KPU {r} Sosialisasikan Pemilu kepada {Audience} di {d}",
            "Relawan Demokrasi {r} Sapa {Audience} di {d}",
            "Partisipasi Pemilih di {r} Ditargetkan {pct} Persen",
            "Kelas Pendidikan Pemilih KPU {r} Sasar {Audience}",
        ],
        "sentences": [
            "Kegiatan {activity} tersebut diikuti sekitar {n} peserta dari berbagai kecamatan "
            "di {r}.",
            "Menurut {official}, sosialisasi menjadi bagian penting agar {audience} memahami "
            "hak pilihnya.",
            "KPU {r} mengajak {audience} untuk datang ke TPS dan menggunakan hak pilihnya "
            "secara cerdas dan bertanggung jawab.",
            "Partisipasi pemilih pada pemilu sebelumnya mencapai {pct} persen dan ditargetkan "
            "naik pada pemilihan mendatang.",
            "Relawan demokrasi dilibatkan untuk menjangkau basis pemilih yang selama ini kurang "
            "tersentuh sosialisasi.",
            "Pemilih pemula yang genap berusia 17 tahun pada hari pemungutan suara sudah dapat "
            "menggunakan hak pilihnya.",
            "Sosialisasi juga dilakukan melalui siaran radio, media sosial, dan pertemuan tatap "
            "muka di balai desa.",
            "Tingkat partisipasi pemilih di {d} tercatat paling tinggi dibandingkan kecamatan "
            "lain di {r}.",
            "Peserta diajak mengenali jenis surat suara, tata cara mencoblos, dan waktu "
            "pemungutan suara.",
            "Materi pendidikan pemilih disampaikan dengan permainan, kuis, dan simulasi agar "
            "mudah dipahami.",
            "Pemilih disabilitas berhak mendapatkan pendampingan dan alat bantu tuna netra "
            "disediakan untuk surat suara.",
        ],
    },
    "logistik": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "Distribusi Logistik Pemilu ke {d} Rampung",
            "Pelipatan Surat Suara di Gudang KPU {r} Dikebut",
            "KPU {r} Terima {big} Lembar Surat Suara",
            "Logistik Pemilu untuk Wilayah Terpencil {d} Dikirim Lebih Awal",
            "KPU {r} Gelar Apel Siaga Pengawalan Logistik",
        ],
        "sentences": [
            "Seluruh kotak suara dan surat suara disimpan di gudang logistik dengan pengamanan "
            "dari kepolisian selama 24 jam.",
            "Distribusi logistik pemilu ke wilayah terpencil seperti {d} ditempuh melalui jalur "
            "sungai selama {days} hari.",
            "Penyortiran dan pelipatan surat suara melibatkan {n} pekerja dan diawasi langsung "
            "oleh Bawaslu {r}.",
            "Surat suara yang rusak saat penyortiran dicatat dan diganti melalui permintaan "
            "resmi kepada KPU RI.",
            "Kotak suara berbahan karton kedap air disegel dengan kabel ties bernomor seri.",
            "Logistik pendukung seperti tinta, bilik suara, dan formulir dikemas per TPS.",
            "KPU {r} menerima {big} lembar surat suara yang dikirim dari percetakan.",
            "Pendistribusian logistik ke PPK dilakukan bertahap sesuai jarak tempuh setiap "
            "kecamatan.",
            "Gudang logistik KPU {r} dapat dikunjungi masyarakat yang ingin melihat proses "
            "pengepakan.",
            "Cuaca buruk menjadi tantangan utama pengiriman logistik ke pulau-pulau kecil.",
        ],
    },
    "pemungutan": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "Simulasi Pemungutan Suara di TPS {tps} {d} Libatkan Warga",
            "KPU {r} Pastikan TPS Ramah Disabilitas",
            "Bimbingan Teknis KPPS se-Kecamatan {d} Digelar",
            "KPU {r} Latih Operator Sirekap Jelang Hari Pemungutan Suara",
            "Pemungutan Suara Ulang di TPS {tps} {d} Berjalan Tertib",
        ],
        "sentences": [
            "Anggota KPPS yang bertugas di {tps} TPS telah mengikuti bimbingan teknis tentang "
            "tata cara pemungutan dan penghitungan suara.",
            "Aplikasi Sirekap digunakan untuk memublikasikan foto formulir hasil penghitungan "
            "suara di setiap TPS agar dapat dipantau publik.",
            "Surat suara yang rusak atau keliru coblos dapat ditukar satu kali kepada KPPS.",
            "KPU {r} memastikan seluruh TPS ramah bagi pemilih lanjut usia, ibu hamil, dan "
            "pemilih disabilitas.",
            "Formulir model C Hasil yang telah ditandatangani diserahkan kepada saksi dan "
            "pengawas TPS.",
            "Pemungutan suara ulang dapat dilakukan apabila terjadi keadaan tertentu sesuai "
            "rekomendasi pengawas pemilu.",
            "TPS dibuka pukul 07.00 dan ditutup pukul 13.00 waktu setempat.",
            "Pemilih yang tidak membawa undangan tetap dapat memilih dengan menunjukkan KTP "
            "elektronik.",
            "Penghitungan suara dilakukan secara terbuka dan dapat disaksikan oleh warga di "
            "sekitar TPS.",
            "Simulasi melibatkan warga {d} yang berperan sebagai pemilih, saksi, dan petugas "
            "ketertiban.",
        ],
    },
    "rekapitulasi": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "Rekapitulasi Suara Tingkat Kecamatan {d} Selesai Tepat Waktu",
            "KPU {r} Gelar Rapat Pleno Rekapitulasi Hasil Penghitungan Suara",
            "Saksi Partai Sepakati Hasil Rekapitulasi di KPU {r}",
            "Hasil Rekapitulasi Suara {r} Diserahkan ke KPU Provinsi",
        ],
        "sentences": [
            "Rapat pleno terbuka rekapitulasi hasil penghitungan suara tingkat kecamatan di {d} "
            "berjalan tertib dan disaksikan saksi partai politik.",
            "Hasil rekapitulasi suara dari {n} PPK selanjutnya dibawa ke rapat pleno di tingkat "
            "kabupaten/kota.",
            "Keberatan saksi dicatat dalam formulir kejadian khusus dan ditindaklanjuti saat itu "
            "juga.",
            "Rekapitulasi dilakukan berjenjang dari PPK, KPU kabupaten/kota, KPU provinsi, hingga "
            "KPU RI.",
            "Setiap selisih angka diperiksa dengan membuka kotak suara di hadapan saksi dan "
            "pengawas.",
            "Rapat pleno rekapitulasi berlangsung selama {days} hari dengan pengamanan dari "
            "kepolisian.",
            "Berita acara hasil rekapitulasi ditandatangani oleh seluruh anggota KPU {r} yang "
            "hadir.",
            "Salinan hasil rekapitulasi diberikan kepada saksi peserta pemilu dan Bawaslu {r}.",
            "Data Sirekap menjadi alat bantu, sedangkan hasil resmi ditetapkan melalui "
            "rekapitulasi manual berjenjang.",
        ],
    },
    "pencalonan": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "Debat Publik Calon Kepala Daerah {r} Digelar KPU",
            "Verifikasi Faktual Partai Politik di {r} Rampung",
            "KPU {r} Terima Pendaftaran Bakal Calon Anggota DPRD",
            "Masa Kampanye di {r} Dimulai, KPU Ingatkan Aturan Alat Peraga",
            "KPU {r} Umumkan Daftar Calon Tetap",
        ],
        "sentences": [
            "Verifikasi faktual terhadap keanggotaan partai politik dilakukan dengan mendatangi "
            "anggota secara langsung di {d}.",
            "Debat publik antarpasangan calon disiarkan langsung oleh televisi lokal dan kanal "
            "YouTube KPU {r}.",
            "Selama masa kampanye, peserta pemilu wajib mematuhi aturan pemasangan alat peraga "
            "kampanye yang ditetapkan bersama pemerintah daerah.",
            "Pada masa tenang, tidak boleh ada kegiatan kampanye dalam bentuk apa pun, termasuk "
            "di media sosial.",
            "Berkas pendaftaran bakal calon diperiksa kelengkapan dan keabsahannya oleh tim "
            "verifikasi.",
            "Laporan awal dana kampanye wajib diserahkan peserta pemilu sebelum masa kampanye "
            "dimulai.",
            "Daftar calon sementara diumumkan agar masyarakat dapat memberikan tanggapan.",
            "Pengundian nomor urut pasangan calon berlangsung dalam rapat pleno terbuka.",
            "Kampanye hitam, politik uang, dan ujaran kebencian bernuansa SARA harus ditolak "
            "bersama demi pemilu yang damai.",
            "Tema debat meliputi pelayanan publik, ekonomi daerah, dan pembangunan sumber daya "
            "manusia.",
        ],
    },
    "badan_adhoc": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "KPU {r} Buka Pendaftaran Calon Anggota PPK dan PPS",
            "Sebanyak {n} Anggota PPK se-{r} Dilantik",
            "Seleksi Tertulis Calon PPK di KPU {r} Berbasis Komputer",
            "KPU {r} Evaluasi Kinerja Badan Ad Hoc",
        ],
        "sentences": [
            "Pendaftaran calon anggota PPK dan PPS dibuka selama {days} hari dan dapat diakses "
            "melalui aplikasi SIAKBA.",
            "Seleksi tertulis menguji pengetahuan peserta tentang kepemiluan, wawasan "
            "kebangsaan, dan integritas.",
            "Anggota PPK yang dilantik mengucapkan sumpah dan menandatangani pakta integritas.",
            "Calon anggota badan ad hoc tidak boleh menjadi anggota partai politik dalam lima "
            "tahun terakhir.",
            "KPU {r} menetapkan keterwakilan perempuan paling sedikit tiga puluh persen dalam "
            "komposisi PPK.",
            "Evaluasi kinerja badan ad hoc dilakukan setelah setiap tahapan selesai.",
            "Honorarium dan santunan kecelakaan kerja bagi petugas ad hoc dianggarkan dalam "
            "DIPA KPU {r}.",
            "Bimbingan teknis bagi {n} anggota PPS membahas tata kerja dan kode etik "
            "penyelenggara.",
        ],
    },
    "hoaks": {
        "topic": Topic.ELECTORAL,
        "titles": [
            "KPU {r} Gandeng {Partner} Lawan Hoaks Pemilu",
            "Literasi Digital: KPU {r} Latih Warga {d} Kenali Disinformasi",
            "KPU {r} Bentuk Tim Cek Fakta Pemilu",
        ],
        "sentences": [
            "Masyarakat diimbau tidak mudah percaya pada informasi yang belum jelas sumbernya "
            "dan selalu mengecek kebenarannya di kanal resmi KPU.",
            "Tim cek fakta KPU {r} memantau percakapan di media sosial setiap hari.",
            "Hoaks seputar pemilu paling banyak beredar melalui grup percakapan dan video pendek.",
            "Pelatihan literasi digital mengajarkan cara memeriksa foto, video, dan tautan "
            "mencurigakan.",
            "Konten disinformasi yang ditemukan dilaporkan kepada platform media sosial untuk "
            "diturunkan.",
            "KPU {r} bekerja sama dengan {partner} untuk meluruskan informasi keliru tentang "
            "tahapan pemilu.",
            "Ujaran kebencian dan hoaks dapat memecah belah masyarakat menjelang hari "
            "pemungutan suara.",
        ],
    },
    "keuangan": {
        "topic": Topic.INSTITUTIONAL,
        "titles": [
            "Laporan Keuangan KPU {r} Kembali Raih Opini WTP",
            "KPU {r} Evaluasi Realisasi Anggaran Triwulan",
            "KPU {r} Susun Rencana Kerja dan Anggaran Tahun Depan",
        ],
        "sentences": [
            "Laporan keuangan KPU {r} kembali meraih opini Wajar Tanpa Pengecualian dari Badan "
            "Pemeriksa Keuangan.",
            "Realisasi anggaran hingga triwulan berjalan mencapai {pct} persen dari pagu DIPA.",
            "Evaluasi dilakukan terhadap capaian kinerja triwulan berjalan beserta realisasi "
            "anggarannya.",
            "Pengelolaan barang milik negara dicatat tertib melalui aplikasi persediaan.",
            "Rencana kerja anggaran disusun berdasarkan kebutuhan setiap tahapan dan prioritas "
            "nasional.",
            "Pemeriksaan oleh inspektorat dilakukan untuk memastikan akuntabilitas belanja.",
            "Sisa anggaran hibah pemilihan dikembalikan ke kas daerah sesuai ketentuan.",
        ],
    },
    "ppid": {
        "topic": Topic.INSTITUTIONAL,
        "titles": [
            "KPU {r} Raih Penghargaan Keterbukaan Informasi Publik",
            "PPID KPU {r} Layani {n} Permohonan Informasi",
            "KPU {r} Perbarui Daftar Informasi Publik",
        ],
        "sentences": [
            "Pejabat Pengelola Informasi dan Dokumentasi menerima {n} permohonan informasi "
            "publik sepanjang tahun ini.",
            "Seluruh permohonan informasi dijawab dalam waktu yang ditetapkan peraturan Komisi "
            "Informasi.",
            "Penghargaan tersebut diberikan atas keterbukaan informasi publik dan inovasi "
            "layanan KPU {r}.",
            "Daftar informasi publik memuat informasi berkala, serta-merta, dan tersedia setiap "
            "saat.",
            "Pemohon yang tidak puas dapat mengajukan keberatan kepada atasan PPID.",
            "Jaringan dokumentasi dan informasi hukum memuat seluruh keputusan KPU {r} yang "
            "dapat diakses publik.",
            "Layanan informasi juga dibuka secara daring melalui laman PPID dan surat elektronik.",
        ],
    },
    "kelembagaan": {
        "topic": Topic.INSTITUTIONAL,
        "titles": [
            "KPU {r} Gelar {Inst}",
            "Sekretariat KPU {r} Ikuti {Inst}",
            "KPU {r} Perkuat Zona Integritas di Seluruh Satuan Kerja",
            "Pegawai KPU {r} Ikuti Apel Kesadaran Nasional",
        ],
        "sentences": [
            "Kegiatan {inst} di lingkungan KPU {r} dibuka oleh Sekretaris KPU {r}.",
            "Melalui {inst}, KPU {r} berkomitmen mewujudkan pelayanan publik yang bersih dan "
            "melayani.",
            "Pegawai diingatkan untuk menjaga integritas, profesionalitas, dan netralitas dalam "
            "bekerja.",
            "Rapat koordinasi dihadiri oleh sekretaris dan kepala subbagian dari {n} satuan "
            "kerja se-{r}.",
            "Program kerja tahun depan difokuskan pada penguatan kelembagaan dan peningkatan "
            "kapasitas sumber daya manusia.",
            "Pengelolaan arsip yang tertib menjadi dasar akuntabilitas penyelenggaraan pemilu.",
            "Pembangunan zona integritas menuju Wilayah Bebas dari Korupsi terus dilanjutkan di "
            "seluruh satuan kerja.",
            "Penilaian kinerja pegawai dilakukan setiap semester berdasarkan sasaran kerja yang "
            "disepakati.",
        ],
    },
    "kehumasan": {
        "topic": Topic.INSTITUTIONAL,
        "titles": [
            "Tim Humas KPU {r} Ikuti Pelatihan Jurnalistik",
            "Forum Bakohumas KPU {r} Bahas Strategi Publikasi",
            "KPU {r} Luncurkan Kanal Informasi Pemilu di Media Sosial",
        ],
        "sentences": [
            "Tim humas KPU {r} mengikuti pelatihan penulisan berita, fotografi, dan pengelolaan "
            "media sosial.",
            "Forum Bakohumas menjadi wadah koordinasi humas KPU provinsi dengan KPU "
            "kabupaten/kota.",
            "Konten kreatif seperti infografis, video pendek, dan siniar diproduksi secara rutin.",
            "Setiap informasi yang dipublikasikan harus benar, akurat, dan telah divalidasi "
            "terlebih dahulu.",
            "Kerja sama dengan media massa lokal diperkuat melalui konferensi pers dan kunjungan "
            "redaksi.",
            "Akun media sosial resmi KPU {r} kini diikuti lebih dari {big} warganet.",
            "Evaluasi publikasi dilakukan setiap triwulan berdasarkan jangkauan dan interaksi "
            "konten.",
        ],
    },
}
# General sentences any article may carry.
GENERAL_SENTENCES = [
    "{Partner} {r} menyatakan siap mendukung seluruh tahapan {election} yang diselenggarakan "
    "KPU {r}.",
    "Tahapan {stage} berlangsung sesuai jadwal yang ditetapkan dalam Peraturan KPU.",
    "Dalam kesempatan itu juga dibahas kesiapan {stage} di seluruh wilayah {r}.",
    "KPU {r} bersama {partner} menandatangani nota kesepahaman tentang pendidikan pemilih.",
    "Netralitas aparatur sipil negara, TNI, dan Polri menjadi perhatian bersama selama "
    "tahapan {election}.",
    "Bawaslu {r} melakukan pengawasan melekat terhadap seluruh proses {stage}.",
    "Sengketa proses pemilu diselesaikan melalui mekanisme yang diatur dalam undang-undang.",
    "Kegiatan ditutup dengan sesi tanya jawab yang berlangsung hangat.",
    "Hadir pula perwakilan {partner} serta tokoh masyarakat setempat.",
    "KPU {r} berharap kerja sama yang baik ini terus berlanjut pada tahapan berikutnya.",
    "Informasi lengkap mengenai tahapan {election} dapat dilihat di laman resmi KPU {r}.",
    "Penyelenggara pemilu dituntut bekerja profesional, mandiri, dan berintegritas.",
    "Kegiatan serupa akan digelar di kecamatan lain dalam beberapa pekan ke depan.",
    "Masyarakat juga dapat menyampaikan pertanyaan melalui layanan pengaduan KPU {r}.",
]
QUOTES = [
    '"Kami berharap seluruh lapisan masyarakat di {r} ikut menyukseskan {election}," kata '
    "{official}.",
    '"Informasi resmi hanya bersumber dari KPU, jadi jangan mudah termakan hoaks," ujar '
    "{official}.",
    '"Kesiapan {stage} sudah mencapai {pct} persen dan terus kami pantau," jelas {official}.',
    '"Partisipasi {audience} sangat menentukan kualitas demokrasi kita," tutur {official}.',
    '"Kami membuka pintu seluas-luasnya bagi masyarakat yang ingin menyampaikan masukan," '
    "tegas {official}.",
    '"Semua proses berjalan terbuka dan bisa diawasi bersama," kata {official}.',
    '"Kolaborasi dengan {partner} sangat membantu tugas kami di lapangan," ungkap {official}.',
    '"Pelayanan kepada pemilih harus mengutamakan kemudahan dan keadilan," ucap {official}.',
]
HOAX_CLAIMS = [
    "Surat suara sudah tercoblos sebelum hari pemungutan suara di {d}",
    "Pemilih tanpa KTP elektronik tidak bisa memilih",
    "KPU {r} menunda pemungutan suara karena banjir",
    "Data pemilih {r} bocor dan diperjualbelikan",
    "Anggota KPPS dibayar oleh partai politik tertentu",
    "Kotak suara kardus mudah dibobol dan diganti isinya",
    "Hasil Sirekap adalah hasil resmi pemilu",
    "Pemilih boleh mencoblos dua kali di TPS yang berbeda",
    "KPU {r} meloloskan calon yang tidak memenuhi syarat",
    "Tinta pemilu mengandung zat berbahaya bagi kesehatan",
    "Server KPU berada di luar negeri dan dikendalikan pihak asing",
    "Petugas pantarlih meminta uang kepada warga di {d}",
]
HOAX_SENTENCES = [
    "Beredar di media sosial unggahan yang menyebutkan bahwa {claim}.",
    "Setelah ditelusuri, informasi tersebut tidak benar dan merupakan hoaks.",
    "KPU {r} memastikan seluruh tahapan berjalan sesuai peraturan perundang-undangan.",
    "Masyarakat diminta tidak menyebarkan ulang unggahan tersebut karena dapat menyesatkan publik.",
    "Klarifikasi ini disusun berdasarkan data resmi dan keterangan petugas di lapangan.",
    "Unggahan serupa juga telah dinyatakan sebagai disinformasi oleh pemeriksa fakta independen.",
    "Apabila menemukan informasi mencurigakan, masyarakat dapat melaporkannya melalui kanal "
    "pengaduan KPU {r}.",
]
PRESS_CLOSINGS = [
    "Demikian siaran pers ini disampaikan untuk dapat dipublikasikan.",
    "Informasi lebih lanjut dapat diperoleh melalui narahubung yang tercantum di bawah ini.",
    "Siaran pers ini juga tersedia di laman resmi dan akun media sosial KPU {r}.",
]
FORM_TITLES: dict[str, list[str]] = {
    ContentForm.PRESS_RELEASE: [
        "Siaran Pers: Penetapan Daftar Pemilih Tetap {election} di {r}",
        "Siaran Pers: Hasil Rekapitulasi Penghitungan Suara Tingkat {r}",
        "Siaran Pers: KPU {r} Umumkan Jadwal {Stage}",
        "Siaran Pers: Klarifikasi KPU {r} atas Pemberitaan {Stage}",
        "Siaran Pers: Pembukaan Pendaftaran Badan Ad Hoc {election} di {r}",
    ],
    ContentForm.HOAX_CLARIFICATION: ["[HOAKS] {claim}", "Klarifikasi: {claim}"],
    ContentForm.PHOTO: [
        "Foto: Suasana {Activity} di {d}",
        "Foto: Petugas KPPS Bersiap di TPS {tps} {d}",
        "Galeri: {Activity} KPU {r}",
    ],
    ContentForm.INFOGRAPHIC: [
        "Infografis: Tahapan {election}",
        "Infografis: Cara Cek Daftar Pemilih Secara Daring",
        "Infografis: Jumlah TPS dan Pemilih di {r}",
        "Infografis: Hak Pemilih Disabilitas di TPS",
        "Infografis: Jadwal {Stage} di {r}",
    ],
    ContentForm.VIDEO: [
        "Video: {Activity} di {d}",
        "Video: Tata Cara Mencoblos di TPS",
        "Video: Pesan Ketua KPU {r} Jelang {election}",
    ],
    ContentForm.PODCAST: [
        "Podcast Suara Demokrasi Episode {n}: {Stage}",
        "Podcast: Ngobrol Bareng KPU {r} tentang {Audience}",
    ],
    ContentForm.MEME: ["Meme: Jangan Golput, Ayo ke TPS", "Meme: Cek Dulu Sebelum Sebar"],
    ContentForm.SLIDES: [
        "Bahan Paparan: {Activity}",
        "Bahan Paparan: Evaluasi {Stage} di {r}",
    ],
    ContentForm.ADVERTISEMENT: [
        "Iklan Layanan Masyarakat: Ayo Datang ke TPS",
        "Iklan Layanan Masyarakat: Tolak Politik Uang di {r}",
    ],
    ContentForm.FILM: [
        "Film Pendek: Suara dari {d}",
        "Film Dokumenter: Mengawal Logistik Pemilu ke {d}",
    ],
}
CLAIM_RATING_WEIGHTS = {
    ClaimRating.FALSE: 70,
    ClaimRating.MISLEADING: 18,
    ClaimRating.MISSING_CONTEXT: 8,
    ClaimRating.PARTLY_TRUE: 3,
    ClaimRating.TRUE: 1,
}
NATIONAL_ISSUE_URL = "https://www.kpu.go.id/berita/baca/{}"
CLAIM_SITES = ["facebook.com", "x.com", "tiktok.com", "instagram.com", "whatsapp.com"]

# --- the inbox (issue 5) ----------------------------------------------------------------

# Weight of one unit when spreading inbox threads: the provinces answer the most (their
# own public and what the kab/kota escalate), then KPU RI, the cities (kota) and the
# regencies; each unit also gets its own activity factor.
INBOX_LEVEL_WEIGHT: dict[str, float] = {
    Level.NATIONAL: 60.0,
    Level.PROVINCE: 40.0,
    Level.REGENCY_CITY: 2.0,
}
INBOX_CITY_WEIGHT = 2.0
INBOX_YEARS = 2
# Channels and, per channel, the kinds of thread that arrive on it.
INBOX_CHANNEL_WEIGHTS: dict[str, int] = {
    InboxChannel.WHATSAPP: 40,
    InboxChannel.PORTAL: 25,
    InboxChannel.EMAIL: 20,
    InboxChannel.TELEGRAM: 10,
    InboxChannel.STAFF: 5,
}
INBOX_KIND_WEIGHTS: dict[str, dict[str, int]] = {
    InboxChannel.WHATSAPP: {
        ThreadKind.MESSAGE: 70,
        ThreadKind.QUESTION: 10,
        ThreadKind.HOAX_REPORT: 14,
        ThreadKind.COMPLAINT: 6,
    },
    InboxChannel.TELEGRAM: {
        ThreadKind.MESSAGE: 70,
        ThreadKind.QUESTION: 8,
        ThreadKind.HOAX_REPORT: 17,
        ThreadKind.COMPLAINT: 5,
    },
    InboxChannel.PORTAL: {
        ThreadKind.QUESTION: 48,
        ThreadKind.FEEDBACK: 14,
        ThreadKind.COMPLAINT: 20,
        ThreadKind.HOAX_REPORT: 18,
    },
    InboxChannel.EMAIL: {
        ThreadKind.MESSAGE: 55,
        ThreadKind.QUESTION: 25,
        ThreadKind.COMPLAINT: 12,
        ThreadKind.FEEDBACK: 8,
    },
    InboxChannel.STAFF: {
        ThreadKind.QUESTION: 50,
        ThreadKind.COMPLAINT: 30,
        ThreadKind.FEEDBACK: 10,
        ThreadKind.MESSAGE: 10,
    },
}
# Messages per thread by channel (before the total is matched exactly): conversations on
# WhatsApp and Telegram run longer than a form's question and its answer.
INBOX_LENGTHS: dict[str, tuple[list[int], list[int]]] = {
    InboxChannel.WHATSAPP: (
        [1, 2, 3, 4, 5, 6, 8, 10, 14, 20],
        [8, 14, 16, 15, 12, 10, 10, 7, 5, 3],
    ),
    InboxChannel.TELEGRAM: ([1, 2, 3, 4, 5, 6, 8, 10, 14], [10, 16, 18, 15, 12, 10, 9, 6, 4]),
    InboxChannel.PORTAL: ([1, 2, 3, 4, 5], [14, 40, 24, 14, 8]),
    InboxChannel.EMAIL: ([1, 2, 3, 4, 5, 6, 8], [10, 30, 22, 16, 10, 7, 5]),
    InboxChannel.STAFF: ([1, 2, 3, 4], [20, 45, 25, 10]),
}
INBOX_PRIORITY_WEIGHTS = {1: 10, 2: 68, 3: 17, 4: 5}
INBOX_TAG_NAMES = [
    "DPT",
    "pindah memilih",
    "TPS",
    "badan ad hoc",
    "logistik",
    "rekapitulasi",
    "pencalonan",
    "kampanye",
    "hoaks",
    "PPID",
    "layanan",
    "kerja sama",
    "disabilitas",
    "apresiasi",
]
SEEN_ON = [
    "Grup WhatsApp keluarga",
    "Grup WhatsApp RT",
    "Facebook",
    "TikTok",
    "Instagram",
    "X (Twitter)",
    "YouTube",
    "Situs berita daring",
    "Pesan berantai",
]
TELEGRAM_IDS = (10**8, 7 * 10**9)
MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()

# Text of the inbox. Placeholders filled once per variant (pools, as for the content):
# {tps} {n} {tanggal} {jam} {nik} {party} {stage} {election} {claim} {url} {site}
# {partner} {audience} {activity}; per thread: {r} (region), {satker} (the unit's name),
# {d} (a district), {nama} (the sender's first name); per reply: {petugas}, {nomor}.
# Each topic: subjects (portal and email), opening messages, the sender's follow-ups,
# staff replies and the topic's tag.
INBOX_TOPICS: dict[str, dict[str, Any]] = {
    "dpt": {
        "tag": "DPT",
        "weight": 16,
        "subjects": [
            "Nama tidak terdaftar di DPT",
            "Cek data pemilih",
            "Data pemilih keluarga belum masuk",
            "Pertanyaan daftar pemilih tetap",
            "Anggota keluarga yang sudah meninggal masih terdaftar",
            "Status pemilih pemula",
            "Data pemilih ganda",
        ],
        "openings": [
            "Saya sudah cek di cekdptonline tapi nama saya tidak muncul. Padahal di pemilu "
            "sebelumnya saya memilih di TPS {tps} {d}. Bagaimana caranya supaya bisa terdaftar?",
            "Mau tanya, anak saya baru berumur 17 tahun bulan {tanggal}. Apakah sudah bisa "
            "masuk daftar pemilih dan bagaimana caranya?",
            "Orang tua saya sudah meninggal dua tahun lalu tapi namanya masih ada di daftar "
            "pemilih di {d}. Mohon dicoret supaya tidak disalahgunakan.",
            "Di rumah kami tidak pernah didatangi petugas pantarlih waktu coklit. Apakah data "
            "keluarga kami tetap masuk DPT?",
            "NIK saya {nik} terdaftar di dua TPS yang berbeda, di {d} dan di kecamatan lain. "
            "Mohon diperbaiki.",
            "Saya pemilih pemula, kemarin cek di aplikasi statusnya belum terdaftar. Apa yang "
            "harus saya siapkan?",
            "Nama di DPT salah ketik, tertulis berbeda dengan KTP elektronik saya. Apakah tetap "
            "bisa memilih?",
            "Apakah warga yang belum punya KTP elektronik tapi sudah perekaman bisa masuk "
            "daftar pemilih?",
            "Saya pensiunan TNI sejak tahun lalu. Apakah sekarang saya sudah bisa didaftarkan "
            "sebagai pemilih?",
            "Tolong dicek, di rumah kami ada {n} orang tapi yang terdaftar hanya dua. Alamat "
            "kami di {d} RT {tps}.",
            "Kapan daftar pemilih sementara diumumkan di kelurahan {d}? Saya mau memastikan "
            "data keluarga sudah benar.",
            "Saya tinggal di asrama mahasiswa di {r}, KTP dari luar daerah. Bagaimana cara "
            "terdaftar sebagai pemilih di sini?",
            "Apakah penghuni lapas dan rutan juga didata sebagai pemilih? Keluarga saya "
            "sedang menjalani masa tahanan di {r}.",
            "Saya penyandang disabilitas netra. Apakah data disabilitas saya sudah tercatat "
            "di DPT supaya TPS bisa menyiapkan alat bantu?",
            "Petugas coklit datang tapi tidak menempel stiker di rumah kami. Apakah kami "
            "sudah terdata?",
            "Cek DPT online selalu error ketika saya masukkan NIK. Ada cara lain untuk cek?",
        ],
        "followups": [
            "Sudah saya cek lagi, sekarang nama saya muncul di TPS {tps}. Terima kasih.",
            "Kalau sampai hari H nama tetap tidak ada, apakah bisa memilih pakai KTP saja?",
            "Berkas apa saja yang harus dibawa ke kantor PPS?",
            "Kantor PPS di {d} buka sampai jam berapa ya?",
            "Ini foto KTP dan KK saya, mohon dibantu pengecekannya.",
            "Baik, saya akan datang ke kantor kelurahan besok pagi.",
            "Untuk anggota keluarga lain apakah prosesnya sama?",
        ],
        "replies": [
            "Terima kasih telah menghubungi {satker}. Silakan cek kembali melalui "
            "cekdptonline.kpu.go.id dengan NIK sesuai KTP elektronik. Bila belum terdaftar, "
            "datangi kantor PPS di kelurahan {d} dengan membawa KTP elektronik dan KK.",
            "Pemilih yang berusia 17 tahun pada hari pemungutan suara dapat didaftarkan. "
            "Silakan lapor ke PPS setempat dengan membawa KTP elektronik atau bukti perekaman.",
            "Laporan Bapak/Ibu {nama} sudah kami teruskan ke PPS {d} untuk dicoret dari daftar "
            "pemilih. Mohon siapkan salinan akta kematian bila diminta petugas.",
            "Data Bapak/Ibu sudah kami cek: terdaftar di TPS {tps} {d}. Surat pemberitahuan "
            "memilih akan dibagikan oleh KPPS menjelang hari pemungutan suara.",
            "Pemilih yang tidak terdaftar di DPT tetap dapat memilih dengan menunjukkan KTP "
            "elektronik di TPS sesuai alamat, pada satu jam terakhir sebelum TPS ditutup.",
            "Data ganda yang Bapak/Ibu laporkan sedang kami verifikasi bersama Disdukcapil. "
            "Hasilnya akan kami sampaikan paling lambat {n} hari kerja.",
            "Kesalahan penulisan nama tidak menghilangkan hak pilih selama NIK sesuai. Perbaikan "
            "dapat diajukan ke PPS {d} pada masa tanggapan masyarakat.",
            "Mohon maaf atas kendala aplikasinya. Bapak/Ibu juga dapat mengecek langsung di "
            "kantor PPS atau melalui layanan informasi {satker} pada jam kerja.",
        ],
    },
    "pindah": {
        "tag": "pindah memilih",
        "weight": 8,
        "subjects": [
            "Pindah memilih",
            "Cara mengurus formulir pindah memilih",
            "Memilih di luar domisili",
            "Batas waktu pindah memilih",
        ],
        "openings": [
            "Saya kerja di {r} tapi KTP dari luar provinsi. Bagaimana cara mengurus pindah "
            "memilih supaya bisa mencoblos di sini?",
            "Kapan batas akhir pengurusan formulir pindah memilih? Saya akan dinas luar kota "
            "saat hari pemungutan suara.",
            "Mahasiswa rantau seperti saya apakah bisa pindah memilih secara daring atau harus "
            "datang langsung?",
            "Istri saya akan melahirkan di rumah sakit di {r} saat hari pencoblosan. Apakah "
            "bisa pindah memilih ke TPS terdekat?",
            "Saya sudah urus pindah memilih di kelurahan asal, apakah nama saya otomatis masuk "
            "DPTb di {d}?",
            "Kalau pindah memilih antarprovinsi, surat suara apa saja yang saya dapat?",
            "Saya pekerja tambang di {d}, jauh dari TPS asal. Apakah ada TPS khusus untuk "
            "pekerja di lokasi tambang?",
            "Formulir model A pindah memilih saya hilang. Apakah bisa dicetak ulang?",
            "Apakah pindah memilih bisa diurus oleh keluarga dengan surat kuasa?",
            "Pasien rawat inap di rumah sakit memilih di mana? Ibu saya dirawat sejak minggu lalu.",
        ],
        "followups": [
            "Kalau begitu saya urus di PPS tempat saya tinggal sekarang ya?",
            "Apakah perlu surat keterangan dari kantor?",
            "Terima kasih informasinya, sangat membantu.",
            "Berarti untuk DPRD kabupaten saya tidak dapat surat suara ya?",
            "Baik, formulirnya sudah saya dapat.",
        ],
        "replies": [
            "Pindah memilih dapat diurus di PPS asal atau PPS tujuan dengan membawa KTP "
            "elektronik dan bukti pendukung alasan pindah, paling lambat 30 hari sebelum hari "
            "pemungutan suara.",
            "Pemilih yang pindah antarprovinsi hanya mendapat surat suara Presiden dan Wakil "
            "Presiden. Jenis surat suara lain mengikuti daerah pemilihan tujuan.",
            "Bagi pasien rawat inap, tahanan dan keadaan tertentu lainnya, pindah memilih dapat "
            "diurus paling lambat 7 hari sebelum hari pemungutan suara.",
            "Formulir model A yang hilang dapat diminta kembali di PPS yang menerbitkannya "
            "dengan menunjukkan KTP elektronik.",
            "Nama Bapak/Ibu akan tercantum di DPTb TPS tujuan setelah data diterima PPS {d}. "
            "Silakan cek berkala di cekdptonline.",
        ],
    },
    "tps": {
        "tag": "TPS",
        "weight": 10,
        "subjects": [
            "Lokasi TPS",
            "Surat pemberitahuan memilih belum diterima",
            "Jam buka TPS",
            "TPS ramah disabilitas",
            "TPS dipindah",
        ],
        "openings": [
            "Min, TPS {tps} di {d} pindah ke mana ya? Tempat yang lama sekarang dipakai acara "
            "warga.",
            "Sampai hari ini saya belum menerima surat pemberitahuan memilih. Apakah tetap "
            "bisa mencoblos?",
            "TPS buka jam berapa dan tutup jam berapa? Saya kerja sif pagi.",
            "Ibu saya pakai kursi roda. Apakah TPS {tps} di {d} bisa diakses dan ada petugas "
            "yang membantu?",
            "Lokasi TPS kami di lantai dua gedung serbaguna, sulit untuk lansia. Mohon "
            "dipertimbangkan pindah ke lantai dasar.",
            "Apakah boleh membawa anak kecil masuk ke bilik suara?",
            "Apakah pemilih boleh memotret surat suara di dalam bilik?",
            "Saya mau jadi saksi di TPS {tps}, apa syaratnya dan siapa yang menunjuk?",
            "Di TPS kami kemarin ada pemilih yang mencoblos dua kali. Ke mana saya harus melapor?",
            "Banjir di {d} sejak semalam, TPS {tps} tergenang. Apakah pemungutan suara ditunda?",
            "Kenapa TPS di perumahan kami digabung dengan kampung sebelah? Jaraknya jauh.",
            "Pemilih tuna netra apakah bisa didampingi keluarga sendiri di bilik suara?",
        ],
        "followups": [
            "Baik, sudah ketemu lokasinya. Terima kasih.",
            "Kalau undangan hilang apakah cukup bawa KTP?",
            "Terima kasih, nanti saya sampaikan ke keluarga.",
            "Apakah ada nomor petugas KPPS yang bisa dihubungi?",
            "Sampai sekarang air belum surut di {d}.",
        ],
        "replies": [
            "TPS {tps} {d} dipindahkan ke balai warga di RT yang sama. Informasi lokasi juga "
            "dapat dilihat di aplikasi cek DPT online.",
            "Pemilih yang belum menerima surat pemberitahuan tetap dapat memilih dengan "
            "menunjukkan KTP elektronik di TPS tempat terdaftar.",
            "TPS dibuka pukul 07.00 dan ditutup pukul 13.00 waktu setempat. Pemilih yang "
            "sudah antre sebelum pukul 13.00 tetap dilayani.",
            "Pemilih disabilitas dapat didampingi oleh orang yang dipercaya. Pendamping wajib "
            "merahasiakan pilihan dan menandatangani surat pernyataan.",
            "Laporan dugaan pelanggaran di TPS dapat disampaikan kepada pengawas TPS atau "
            "Bawaslu {r}. Laporan Bapak/Ibu juga kami teruskan ke PPK {d}.",
            "Untuk TPS yang terdampak bencana, KPU {r} berkoordinasi dengan PPK dan PPS untuk "
            "memindahkan lokasi. Informasi terbaru akan kami umumkan melalui kanal resmi.",
            "Masukan Bapak/Ibu sudah kami teruskan ke PPS {d} agar penataan TPS memperhatikan "
            "akses lansia dan disabilitas.",
        ],
    },
    "adhoc": {
        "tag": "badan ad hoc",
        "weight": 10,
        "subjects": [
            "Pendaftaran anggota KPPS",
            "Syarat calon PPK dan PPS",
            "Honor petugas ad hoc",
            "Pengumuman hasil seleksi",
            "Rekrutmen Pantarlih",
        ],
        "openings": [
            "Kapan pendaftaran anggota KPPS untuk {election} dibuka? Saya warga {d}.",
            "Apakah syarat usia calon anggota PPS maksimal 55 tahun? Saya berusia {n} tahun.",
            "Saya sudah pernah jadi KPPS dua periode, apakah masih boleh mendaftar lagi?",
            "Pengumuman hasil seleksi tertulis PPK di {r} bisa dilihat di mana?",
            "Honor anggota KPPS kapan dibayarkan? Sampai sekarang belum diterima oleh petugas "
            "di TPS {tps} {d}.",
            "Saya lulusan SMA, apakah bisa mendaftar sebagai anggota PPK?",
            "Surat keterangan sehat untuk pendaftaran KPPS harus dari puskesmas atau boleh "
            "dari klinik swasta?",
            "Aplikasi SIAKBA tidak bisa dibuka sejak pagi, padahal hari ini batas akhir "
            "pendaftaran.",
            "Anggota PPS di {d} ada yang merupakan pengurus partai {party}. Mohon ditindaklanjuti.",
            "Apakah ada santunan bagi petugas KPPS yang sakit saat bertugas?",
            "Bagaimana cara mendaftar jadi Pantarlih? Saya ingin membantu pemutakhiran data "
            "di kampung saya.",
            "Apakah PNS boleh menjadi anggota KPPS?",
        ],
        "followups": [
            "Berkasnya diserahkan ke PPS atau langsung ke KPU?",
            "Terima kasih, saya akan segera mendaftar.",
            "Nama saya {nama}, nomor pendaftaran {n}. Mohon dicek.",
            "Apakah ada bimbingan teknis sebelum bertugas?",
            "Sudah bisa dibuka sekarang, terima kasih.",
            "Ini buktinya, foto kartu anggota partai yang beredar di grup warga.",
        ],
        "replies": [
            "Pendaftaran anggota KPPS dibuka sesuai jadwal tahapan dan diumumkan oleh PPS "
            "masing-masing desa/kelurahan. Pantau pengumuman di kantor PPS {d} dan laman "
            "resmi {satker}.",
            "Syarat usia calon anggota badan ad hoc paling rendah 17 tahun. Persyaratan lengkap "
            "dapat dilihat pada pengumuman rekrutmen di laman {satker}.",
            "Anggota KPPS dapat menjabat paling banyak dua kali masa jabatan. Silakan cek "
            "kembali riwayat tugas Bapak/Ibu.",
            "Pengumuman hasil seleksi diumumkan di laman resmi dan papan pengumuman {satker}.",
            "Honorarium KPPS dibayarkan melalui PPS setelah pertanggungjawaban diterima. Kami "
            "sudah meminta PPK {d} memeriksa keterlambatan di TPS {tps}.",
            "Terima kasih atas laporannya. Dugaan keanggotaan partai politik pada anggota PPS "
            "sedang kami klarifikasi. Identitas pelapor kami rahasiakan.",
            "Kendala SIAKBA sudah kami laporkan ke tim teknis. Batas pendaftaran diperpanjang "
            "satu hari; pengumuman resmi menyusul.",
        ],
    },
    "logistik": {
        "tag": "logistik",
        "weight": 5,
        "subjects": [
            "Surat suara rusak",
            "Distribusi logistik terlambat",
            "Kotak suara",
            "Tinta pemilu",
        ],
        "openings": [
            "Di gudang logistik {d} terlihat kotak suara tersusun di luar dan kena hujan. "
            "Mohon segera dicek.",
            "Sampai sore ini logistik untuk TPS {tps} di {d} belum datang, padahal besok hari "
            "pemungutan suara.",
            "Ada surat suara yang sobek saat pelipatan di gudang. Bagaimana prosedur "
            "penggantiannya?",
            "Tinta pemilu di TPS kami hampir habis. Apakah PPS menyimpan cadangan?",
            "Bilik suara di TPS {tps} hanya tiga, sementara pemilihnya lebih dari {n} orang.",
            "Apakah masyarakat boleh melihat proses pelipatan surat suara di gudang KPU {r}?",
            "Kotak suara dari TPS kami dibawa ke kantor kecamatan tanpa dikawal polisi. Apakah "
            "itu sesuai prosedur?",
            "Segel kotak suara TPS {tps} terlihat sudah terbuka waktu tiba di PPK {d}.",
        ],
        "followups": [
            "Sudah datang sekarang, terima kasih atas bantuannya.",
            "Ini fotonya, diambil tadi pagi.",
            "Siapa yang bertanggung jawab kalau surat suara kurang?",
            "Baik, saya tunggu kabar selanjutnya.",
        ],
        "replies": [
            "Terima kasih atas informasinya. Tim logistik {satker} sudah menuju gudang {d} "
            "untuk memastikan seluruh logistik aman dan kering.",
            "Logistik TPS {tps} sedang dalam perjalanan dari PPK {d} dan dijadwalkan tiba "
            "malam ini dengan pengawalan kepolisian.",
            "Surat suara yang rusak dicatat dalam berita acara dan diganti melalui permintaan "
            "resmi. Surat suara rusak dimusnahkan dengan disaksikan Bawaslu.",
            "Setiap TPS mendapat cadangan surat suara 2 persen dari jumlah pemilih DPT. "
            "Kekurangan tinta dapat diminta ke PPS setempat.",
            "Masyarakat dapat melihat proses sortir dan pelipatan surat suara dengan mendaftar "
            "terlebih dahulu ke sekretariat {satker}.",
            "Laporan segel terbuka sudah kami catat dan akan dibuka di hadapan saksi dan "
            "pengawas dalam rapat pleno PPK {d}.",
        ],
    },
    "hasil": {
        "tag": "rekapitulasi",
        "weight": 7,
        "subjects": [
            "Perbedaan angka Sirekap",
            "Salinan formulir C Hasil",
            "Hasil rekapitulasi kecamatan",
            "Jadwal rapat pleno",
        ],
        "openings": [
            "Angka di Sirekap untuk TPS {tps} {d} berbeda dengan formulir C Hasil yang "
            "ditempel. Mana yang benar?",
            "Kapan rapat pleno rekapitulasi tingkat kabupaten/kota di {r}? Apakah terbuka "
            "untuk umum?",
            "Bagaimana cara mendapatkan salinan formulir C Hasil TPS {tps}? Saya perwakilan "
            "pemantau pemilu.",
            "Suara partai {party} di TPS kami tertulis nol padahal saksi mencatat {n} suara.",
            "Apakah hasil di Sirekap adalah hasil resmi? Banyak yang bingung di grup warga.",
            "Rekapitulasi di PPK {d} berjalan sampai tengah malam, apakah ada batas waktunya?",
            "Kapan hasil resmi perolehan kursi DPRD {r} ditetapkan?",
            "Saya ingin mengajukan keberatan atas hasil penghitungan di TPS {tps}. Prosedurnya "
            "bagaimana?",
        ],
        "followups": [
            "Terima kasih penjelasannya, sudah jelas sekarang.",
            "Apakah saya bisa hadir sebagai pengamat?",
            "Ini foto formulir yang ditempel di TPS.",
            "Berarti yang dipakai tetap hasil rekapitulasi manual ya?",
        ],
        "replies": [
            "Sirekap adalah alat bantu publikasi. Hasil resmi ditetapkan melalui rekapitulasi "
            "manual berjenjang. Perbedaan data TPS {tps} sudah kami teruskan untuk dikoreksi.",
            "Rapat pleno rekapitulasi {satker} bersifat terbuka dan dapat disaksikan masyarakat "
            "dengan tetap menjaga ketertiban. Jadwal diumumkan di laman resmi.",
            "Salinan formulir C Hasil diberikan kepada saksi dan pengawas. Pemantau terakreditasi "
            "dapat mengajukan permohonan melalui PPID {satker}.",
            "Keberatan atas hasil penghitungan disampaikan oleh saksi atau pengawas pada rapat "
            "rekapitulasi tingkat PPK dan dicatat dalam formulir kejadian khusus.",
            "Penetapan perolehan kursi dilakukan setelah rekapitulasi selesai dan tidak ada "
            "permohonan perselisihan hasil, sesuai jadwal tahapan.",
        ],
    },
    "kampanye": {
        "tag": "kampanye",
        "weight": 7,
        "subjects": [
            "Alat peraga kampanye",
            "Dugaan politik uang",
            "Kampanye di tempat ibadah",
            "Jadwal kampanye",
            "Syarat pencalonan",
        ],
        "openings": [
            "Baliho calon dari partai {party} dipasang di pohon dan tiang listrik di jalan "
            "utama {d}. Apakah itu boleh?",
            "Ada pembagian sembako atas nama calon di {d} kemarin sore. Ke mana melapornya?",
            "Apakah kampanye boleh dilakukan di sekolah dan tempat ibadah?",
            "Kapan masa tenang dimulai? Di media sosial masih banyak iklan calon.",
            "Bagaimana syarat menjadi calon anggota DPRD {r} dari jalur partai {party}?",
            "Apakah ASN boleh ikut foto bersama calon lalu diunggah di media sosial?",
            "Jadwal debat calon kepala daerah {r} kapan dan disiarkan di mana?",
            "Alat peraga kampanye menutupi rambu lalu lintas di simpang {d}. Mohon ditertibkan.",
            "Bolehkah calon independen kampanye lewat pengeras suara masjid?",
            "Saya menemukan nama saya dicatut sebagai pendukung calon perseorangan. Bagaimana "
            "cara melapor?",
        ],
        "followups": [
            "Sudah saya laporkan juga ke Bawaslu.",
            "Ini fotonya, masih terpasang sampai sekarang.",
            "Terima kasih atas tanggapannya.",
            "Kalau tidak ditertibkan, siapa yang berwenang?",
        ],
        "replies": [
            "Pemasangan alat peraga kampanye diatur bersama pemerintah daerah; pohon dan "
            "fasilitas umum tidak termasuk lokasi yang diizinkan. Laporan Bapak/Ibu kami "
            "teruskan ke Bawaslu {r} dan Satpol PP.",
            "Dugaan politik uang merupakan kewenangan Bawaslu. Silakan melapor ke Bawaslu {r} "
            "atau Panwaslu Kecamatan {d} dengan bukti yang ada.",
            "Kampanye dilarang di tempat ibadah, tempat pendidikan dan fasilitas pemerintah.",
            "Masa tenang berlangsung tiga hari sebelum hari pemungutan suara. Iklan kampanye "
            "pada masa tenang dapat dilaporkan ke Bawaslu.",
            "Persyaratan pencalonan anggota DPRD diatur dalam Peraturan KPU dan diajukan "
            "melalui partai politik. Informasi lengkap tersedia di laman {satker}.",
            "Pencatutan identitas dukungan calon perseorangan dapat dilaporkan ke {satker} "
            "dengan membawa KTP elektronik; nama Bapak/Ibu akan dikeluarkan dari daftar "
            "dukungan.",
        ],
    },
    "hoaks": {
        "tag": "hoaks",
        "weight": 0,  # hoax reports take this topic by kind
        "subjects": [
            "Laporan hoaks: {claim}",
            "Mohon klarifikasi berita yang beredar",
            "Benarkah {claim}?",
            "Video yang beredar di {site}",
        ],
        "openings": [
            "Beredar pesan berantai yang menyebut {claim}. Apakah benar? Tautannya {url}",
            "Min, di grup WhatsApp warga {d} ramai video yang katanya {claim}. Tolong "
            "diklarifikasi.",
            "Saya melihat unggahan di {site} bahwa {claim}. Sudah dibagikan ribuan kali.",
            "Apakah benar {claim}? Tetangga saya jadi takut datang ke TPS.",
            "Ada akun yang mengatasnamakan {satker} dan meminta data KTP warga. Apakah itu "
            "akun resmi?",
            "Tangkapan layar berita yang beredar menyebut {claim}. Sumbernya tidak jelas.",
            "Tolong cek fakta: {claim}. Ini dikirim oleh keluarga saya di {d}.",
            "Ada situs yang mirip laman KPU meminta warga mengisi formulir berhadiah. "
            "Alamatnya {url}",
        ],
        "followups": [
            "Ini tangkapan layarnya.",
            "Sudah saya sebarkan klarifikasinya ke grup keluarga, terima kasih.",
            "Akunnya masih aktif sampai sekarang.",
            "Sekarang muncul lagi versi videonya di {site}.",
            "Baik, saya tunggu klarifikasi resminya.",
        ],
        "replies": [
            "Terima kasih atas laporannya. Informasi bahwa {claim} tidak benar. Klarifikasi "
            "resmi sudah kami terbitkan di laman dan media sosial {satker}.",
            "Laporan Bapak/Ibu sedang kami periksa bersama tim cek fakta. Mohon tidak "
            "menyebarkan unggahan tersebut sampai ada klarifikasi resmi.",
            "Akun tersebut bukan akun resmi {satker}. Kami tidak pernah meminta data KTP melalui "
            "pesan pribadi. Akun sudah kami laporkan ke platform.",
            "Informasi resmi hanya disampaikan melalui laman dan akun media sosial {satker} "
            "yang bercentang biru.",
            "Situs tersebut adalah situs palsu. Jangan mengisi data pribadi apa pun; tautan "
            "sudah kami laporkan untuk diblokir.",
        ],
    },
    "ppid": {
        "tag": "PPID",
        "weight": 6,
        "subjects": [
            "Permintaan salinan keputusan",
            "Data jumlah pemilih per kecamatan",
            "Informasi anggaran",
            "Dokumen untuk penelitian",
        ],
        "openings": [
            "Saya mahasiswa yang sedang meneliti partisipasi pemilih di {r}. Apakah bisa "
            "meminta data partisipasi per kecamatan?",
            "Mohon informasi bagaimana cara meminta salinan keputusan {satker} tentang "
            "penetapan daftar calon tetap.",
            "Saya wartawan, ingin meminta data jumlah TPS dan pemilih di {d}.",
            "Berapa anggaran hibah pilkada {r} dan bagaimana realisasinya?",
            "Apakah daftar informasi publik {satker} bisa diunduh?",
            "Saya ingin meminta salinan berita acara rekapitulasi tingkat kecamatan {d}.",
            "LSM kami membutuhkan data pemilih disabilitas per kecamatan untuk program "
            "pendampingan. Bagaimana prosedurnya?",
        ],
        "followups": [
            "Baik, saya akan isi formulir permohonan di portal PPID.",
            "Apakah ada biaya untuk salinan dokumennya?",
            "Data dalam bentuk Excel apakah bisa?",
            "Terima kasih, dokumennya sudah saya terima.",
        ],
        "replies": [
            "Permohonan informasi dapat diajukan melalui formulir PPID di portal {satker} "
            "dengan melampirkan identitas. Jawaban diberikan paling lambat 10 hari kerja.",
            "Data yang Bapak/Ibu minta termasuk informasi yang tersedia setiap saat dan dapat "
            "diunduh di laman PPID {satker}.",
            "Salinan dokumen diberikan tanpa biaya dalam bentuk elektronik. Salinan cetak "
            "dikenai biaya penggandaan sesuai ketentuan.",
            "Untuk data pemilih, yang dapat diberikan adalah rekapitulasi per kecamatan; data "
            "pribadi pemilih termasuk informasi yang dikecualikan.",
        ],
    },
    "layanan": {
        "tag": "layanan",
        "weight": 8,
        "subjects": [
            "Keluhan pelayanan",
            "Laman tidak bisa diakses",
            "Telepon kantor tidak diangkat",
            "Sikap petugas",
        ],
        "openings": [
            "Saya sudah tiga kali menelepon kantor {satker} pada jam kerja tapi tidak pernah "
            "diangkat.",
            "Laman {satker} tidak bisa dibuka sejak kemarin. Apakah sedang ada perbaikan?",
            "Petugas di kantor PPS {d} kurang ramah saat saya menanyakan data pemilih.",
            "Pesan saya lewat formulir portal minggu lalu belum dibalas sampai sekarang.",
            "Antrean layanan di kantor {satker} sangat lama dan tidak ada kursi tunggu.",
            "Email ke alamat resmi KPU {r} selalu kembali, katanya kotak surat penuh.",
            "Aplikasi cek DPT meminta kode OTP tapi SMS-nya tidak pernah masuk.",
        ],
        "followups": [
            "Sudah bisa diakses sekarang.",
            "Terima kasih sudah ditindaklanjuti.",
            "Sampai sekarang belum ada perubahan.",
            "Saya harap ke depan pelayanannya lebih baik.",
        ],
        "replies": [
            "Mohon maaf atas ketidaknyamanannya. Keluhan Bapak/Ibu sudah kami sampaikan kepada "
            "pimpinan untuk perbaikan layanan {satker}.",
            "Laman sedang dalam pemeliharaan dan sudah dapat diakses kembali. Terima kasih atas "
            "kesabarannya.",
            "Terima kasih atas masukannya. Kami sudah menegur dan membina petugas PPS {d} agar "
            "melayani masyarakat dengan baik.",
            "Mohon maaf atas keterlambatan balasan. Pertanyaan Bapak/Ibu sudah kami jawab dan "
            "kami perbaiki alur layanan agar tidak terulang.",
        ],
    },
    "kerja_sama": {
        "tag": "kerja sama",
        "weight": 6,
        "subjects": [
            "Undangan narasumber",
            "Permohonan sosialisasi",
            "Permohonan wawancara",
            "Kunjungan studi",
            "Magang mahasiswa",
        ],
        "openings": [
            "Kami dari {partner} ingin mengundang {satker} sebagai narasumber {activity} pada "
            "{tanggal}. Apakah bisa?",
            "Sekolah kami ingin mengadakan sosialisasi pemilu untuk {audience}. Bagaimana "
            "mengajukan permohonannya?",
            "Saya jurnalis radio lokal, ingin wawancara ketua {satker} tentang persiapan {stage}.",
            "Mahasiswa kami ingin melakukan kunjungan studi ke {satker} pada {tanggal}.",
            "Apakah {satker} menerima mahasiswa magang dari jurusan ilmu komunikasi?",
            "Komunitas kami ingin berkolaborasi membuat konten edukasi pemilu untuk {audience}.",
            "Karang taruna {d} ingin mengadakan lomba video pendek tentang pemilu. Apakah "
            "KPU bisa menjadi mitra?",
        ],
        "followups": [
            "Surat resminya sudah kami kirim lewat email.",
            "Siapa kontak yang bisa kami hubungi untuk koordinasi?",
            "Terima kasih, kami tunggu konfirmasinya.",
            "Acaranya mulai pukul {jam} di aula {d}.",
        ],
        "replies": [
            "Terima kasih atas undangannya. Silakan kirim surat resmi ke alamat email {satker}; "
            "kami akan mengonfirmasi narasumber paling lambat tiga hari kerja.",
            "Permohonan sosialisasi dapat diajukan dengan surat kepada Ketua {satker}. Tim "
            "sosialisasi kami akan menghubungi Bapak/Ibu untuk mengatur jadwal.",
            "Permohonan wawancara sudah kami teruskan. Narahubung humas kami, {petugas}, akan "
            "menghubungi Bapak/Ibu.",
            "{satker} menerima mahasiswa magang sesuai kuota. Silakan kirim surat pengantar dari "
            "kampus beserta CV.",
        ],
    },
    "apresiasi": {
        "tag": "apresiasi",
        "weight": 4,
        "subjects": ["Terima kasih", "Masukan untuk KPU", "Saran perbaikan"],
        "openings": [
            "Terima kasih kepada petugas KPPS TPS {tps} {d} yang sangat sabar membantu ibu "
            "saya yang lansia.",
            "Saran saya, sosialisasi untuk {audience} diperbanyak lewat media sosial.",
            "Pelayanan di kantor {satker} cepat dan ramah. Pertahankan!",
            "Mohon di pemilu berikutnya informasi lokasi TPS diumumkan lebih awal.",
            "Konten video edukasi pemilu di akun {satker} bagus dan mudah dipahami.",
            "Usul agar TPS di {d} menyediakan tempat teduh untuk antrean lansia.",
        ],
        "followups": ["Sama-sama, semoga sukses terus.", "Terima kasih sudah membalas."],
        "replies": [
            "Terima kasih atas apresiasi dan masukannya. Kami teruskan kepada jajaran {satker} "
            "sebagai penyemangat dan bahan perbaikan.",
            "Masukan Bapak/Ibu kami catat untuk perencanaan tahapan berikutnya.",
        ],
    },
}
INBOX_OPENERS: dict[str, list[str]] = {
    InboxChannel.WHATSAPP: [
        "Selamat pagi min.",
        "Selamat siang min,",
        "Assalamualaikum admin.",
        "Halo kak,",
        "Permisi min, mau tanya.",
        "Malam min.",
        "Salam sejahtera.",
        "Om Swastiastu.",
        "",
        "",
        "",
    ],
    InboxChannel.TELEGRAM: ["Halo admin.", "Permisi,", "Pagi min.", "", ""],
    InboxChannel.EMAIL: [
        "Yth. {satker},\n\nDengan hormat,",
        "Kepada Yth. Admin {satker},",
        "Selamat siang Bapak/Ibu,",
        "Dengan hormat,",
    ],
    InboxChannel.PORTAL: ["Selamat siang.", "Yth. Admin,", "", "", ""],
    InboxChannel.STAFF: [
        "Penelepon menyampaikan:",
        "Warga datang ke kantor dan menyampaikan:",
        "Dicatat dari layanan tatap muka:",
    ],
}
INBOX_CLOSERS: dict[str, list[str]] = {
    InboxChannel.WHATSAPP: ["Terima kasih.", "Makasih min 🙏", "Mohon infonya.", "", "", ""],
    InboxChannel.TELEGRAM: ["Terima kasih.", "Thanks min.", ""],
    InboxChannel.EMAIL: [
        "Atas perhatian Bapak/Ibu kami ucapkan terima kasih.\n\nHormat saya,\n{nama}",
        "Terima kasih.\n\nSalam,\n{nama}",
        "Demikian, atas bantuannya saya ucapkan terima kasih.\n{nama}",
    ],
    InboxChannel.PORTAL: ["Terima kasih.", "Mohon tanggapannya.", ""],
    InboxChannel.STAFF: ["Minta ditindaklanjuti.", "Sudah dijelaskan sebagian di tempat.", ""],
}
INBOX_ACKS = [
    "Terima kasih min.",
    "Baik, terima kasih infonya.",
    "Ok siap.",
    "Oke kak, makasih 🙏",
    "Siap, sudah jelas.",
    "Terima kasih atas jawabannya.",
    "Baik.",
    "👍",
    "Mantap, terima kasih.",
    "Alhamdulillah sudah beres.",
]
INBOX_REPLY_OPENERS = [
    "Selamat pagi Bapak/Ibu {nama}.",
    "Terima kasih telah menghubungi {satker}.",
    "Halo Kak {nama},",
    "Yth. Bapak/Ibu {nama},",
    "Selamat siang.",
    "",
]
INBOX_REPLY_CLOSERS = [
    "Salam, {petugas} - {satker}",
    "Terima kasih. (Admin {satker})",
    "Bila masih ada pertanyaan silakan hubungi kami kembali. Nomor layanan: {nomor}.",
    "Hormat kami, Layanan Informasi {satker}",
    "",
]
INBOX_REPLY_SHORT = [
    "Baik, terima kasih. Laporan Bapak/Ibu sedang kami proses.",
    "Mohon kirimkan foto KTP elektronik atau nomor NIK untuk kami bantu cek.",
    "Sama-sama, semoga informasinya bermanfaat.",
    "Mohon ditunggu, kami konfirmasi dulu ke PPS {d}.",
    "Laporan sudah kami terima dengan nomor {nomor}.",
    "Baik, kami tunggu kabar selanjutnya dari Bapak/Ibu.",
    "Informasi tambahannya sudah kami terima, terima kasih.",
]
INBOX_NOTES = [
    "Sudah dikonfirmasi ke PPS {d} lewat telepon, menunggu jawaban.",
    "Diteruskan ke Divisi Perencanaan, Data dan Informasi untuk cek data pemilih.",
    "Perlu koordinasi dengan Bawaslu {r}.",
    "Nomor ini sudah beberapa kali menghubungi dengan pertanyaan serupa.",
    "Mohon dibalas pakai jawaban baku soal pindah memilih.",
    "Eskalasi ke koordinator: menyangkut dugaan pelanggaran kode etik.",
    "Sudah dicek di Sidalih: terdaftar di TPS {tps}.",
    "Pelapor meminta identitasnya dirahasiakan.",
    "Bukti foto sudah diunduh dan disimpan di folder bersama.",
    "Klarifikasi hoaks sedang disusun tim humas, target terbit hari ini.",
    "Tunggu jawaban Disdukcapil soal NIK ganda.",
    "Sudah ditelepon balik, warga puas dengan penjelasan.",
    "Tanyakan ke bagian keuangan soal jadwal honor KPPS.",
    "Akun penipu sudah dilaporkan ke platform, nomor laporan {n}.",
    "Catatan: pelapor wartawan, prioritaskan.",
    "Diserahkan ke PPK {d} untuk tindak lanjut di lapangan.",
    "Cek ulang lokasi TPS {tps} sebelum membalas.",
    "Balasan sudah disetujui kasubbag.",
]
HOAX_LINK_SITES = ["facebook.com", "tiktok.com", "instagram.com", "x.com", "youtube.com"]
MESSAGE_ERRORS = [
    "Message failed to send because more than 24 hours have passed since the customer last "
    "replied (131047)",
    "Recipient phone number not in allowed list (131030)",
    "SMTP 550 5.1.1 mailbox unavailable",
    "Forbidden: bot was blocked by the user",
]


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


SMALL_WORDS = {"dan", "di", "ke", "dari", "untuk", "tentang", "bagi", "yang", "dengan", "atas"}


def title_case(text: str) -> str:
    """``sosialisasi tahapan pemilu`` → ``Sosialisasi Tahapan Pemilu`` (acronyms and
    connectives kept)."""
    words = text.split()
    out = []
    for index, word in enumerate(words):
        if word.isupper() or (index and word in SMALL_WORDS):
            out.append(word)
        else:
            out.append(word[0].upper() + word[1:])
    return " ".join(out)


def first_sentences(text: str, limit: int) -> str:
    """Whole sentences from the start of ``text``, at most ``limit`` characters (at least
    one sentence, cut at a word when even that is longer)."""
    out = ""
    for sentence in text.replace(". ", ".\n").splitlines():
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    if not out:
        out = text[:limit].rsplit(" ", 1)[0] + " …"
    return out


def youtube_id(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(rng.choice(alphabet) for _ in range(11))


def content_hash(item: ContentItem, tags: Sequence[ContentTag]) -> str:
    """The hash the content services compute for an item without media or variants, so a
    generated item is "approved at version 1" exactly as the workflow would leave it."""
    fields = {}
    for name in HASHED_FIELDS:
        value = (
            getattr(item, f"{name}_id") if name in {"election", "stage"} else getattr(item, name)
        )
        fields[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return hash_snapshot(
        {"fields": fields, "tags": sorted(t.name for t in tags), "media": [], "variants": []}
    )


@contextmanager
def without_auto_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let ``bulk_create`` keep the given ``created_at``/``updated_at`` (``auto_now`` and
    ``auto_now_add`` would overwrite them with the current time)."""
    saved = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            saved.append((field, field.auto_now, field.auto_now_add))
            field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


@contextmanager
def indexes_paused(table: str, write: Any) -> Iterator[None]:
    """Fill ``table`` without maintaining its secondary and full-text indexes row by row,
    then build each once (much faster for a bulk load; the result is the same).

    PostgreSQL: the indexes that do not back a constraint (B-tree and the search GIN
    index) are dropped and re-created from their own definitions. SQLite: the indexes
    with an SQL definition are dropped and re-created, and the ``AFTER INSERT`` triggers
    that feed external-content FTS5 tables are dropped, the FTS tables rebuilt from the
    table and the triggers re-created from their own SQL. Nothing else is assumed about
    the schema, so changed migrations keep working. Must run inside a transaction: on an
    error the caller's rollback restores everything (DDL is transactional on both).
    """
    vendor = connection.vendor
    indexes: list[tuple[str, str]] = []
    triggers: list[tuple[str, str]] = []
    fts_tables: list[str] = []
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        elif vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE %s "
                "AND sql LIKE %s",
                ["%USING fts5%", f"%content='{table}'%"],
            )
            fts_tables = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                "AND sql LIKE %s",
                [table, "%AFTER INSERT%"],
            )
            # Only triggers that feed one of those tables are paused.
            triggers = [(n, s) for n, s in cursor.fetchall() if any(f in s for f in fts_tables)]
            for name, _sql in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        if vendor == "postgresql" and indexes:
            # The bulk load left deferred foreign-key checks pending; PostgreSQL does not
            # build an index over a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif vendor == "sqlite":
            for _name, sql in indexes:
                cursor.execute(sql)
            for fts in fts_tables:
                # A table name read from sqlite_master, not user input.
                cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')  # noqa: S608
            for _name, sql in triggers:
                cursor.execute(sql)
    write(
        f"  {len(indexes)} indexes"
        + (f" and {len(fts_tables)} full-text table(s)" if fts_tables else "")
        + f" of {table} built in {time.monotonic() - started:.1f}s"
    )


# Columns written by ``insert_rows`` for the inbox tables (a test checks they are every
# column of the models).
THREAD_COLUMNS = (
    "id",
    "unit_id",
    "kind",
    "channel",
    "status",
    "priority",
    "subject",
    "handle",
    "name",
    "phone",
    "account_id",
    "contact_id",
    "assignee_id",
    "hoax_case_id",
    "clarification_id",
    "claim_url",
    "seen_on",
    "snippet",
    "message_count",
    "unread",
    "created_at",
    "last_message_at",
    "last_inbound_at",
    "first_response_at",
    "resolved_at",
    "first_response_due",
    "due_at",
    "reminded_at",
    "transferred_from_id",
    "public_id",
    "pii_purged_at",
)
MESSAGE_COLUMNS = (
    "thread_id",
    "direction",
    "body",
    "author_id",
    "sender_name",
    "status",
    "error",
    "dedupe_key",
    "provider_id",
    "is_template",
    "created_at",
    "sent_at",
)
EVENT_COLUMNS = ("thread_id", "actor_id", "action", "detail", "created_at")


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows without model instances: ``COPY … FROM STDIN`` on PostgreSQL,
    ``executemany`` elsewhere. For the largest tables (a million inbox messages), where
    building model instances and ``bulk_create``'s SQL would cost most of the time. Values
    are Python values: aware datetimes and UUIDs are stored as Django stores them."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value

        def value(v: Any) -> Any:
            if isinstance(v, datetime):
                return adapt(v)
            if isinstance(v, uuid.UUID):
                return v.hex
            return v

        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608 - constants
            [tuple(value(v) for v in row) for row in rows],
        )


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
        self.content_seen: set[tuple[int, str]] = set()

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

    # --- published content ------------------------------------------------------------
    def content_weights(self) -> list[float]:
        """Publishing activity of each unit: level, city bonus and a per-unit factor."""
        rng = self.rng
        weights = []
        for unit in self.units:
            weight = CONTENT_LEVEL_WEIGHT.get(unit.level, 1.0)
            if unit.level == Level.REGENCY_CITY and unit.region_name.startswith("Kota "):
                weight *= CITY_WEIGHT
            weights.append(weight * rng.uniform(0.4, 1.8))
        return weights

    def sentence_pools(self) -> dict[str, list[list[str]]]:
        """For each sentence template (per theme, general, quotes), variants with its slots
        filled except the place (``{r}`` region and ``{d}`` district, filled per item), so
        bodies are cheap to assemble yet varied."""
        rng = self.rng

        def official() -> str:
            first, last = self.person()
            if rng.random() < 0.5:
                return f"Ketua KPU {{r}} {first} {last}"
            return f"Anggota KPU {{r}} Divisi {rng.choice(DIVISIONS)} {first} {last}"

        def fill(template: str) -> str:
            partner = rng.choice(PARTNERS)
            return template.format(
                r="{r}",
                d="{d}",
                Partner=partner,
                partner=partner,
                activity=rng.choice(ACTIVITIES),
                inst=rng.choice(INSTITUTIONAL),
                official=official(),
                audience=rng.choice(AUDIENCES),
                stage=rng.choice(STAGES),
                election=rng.choice(ELECTIONS),
                n=rng.randrange(12, 900),
                n2=rng.randrange(3, 400),
                big=f"{rng.randrange(20_000, 2_500_000):,}".replace(",", "."),
                tps=rng.randrange(40, 9_000),
                pct=rng.randrange(55, 96),
                days=rng.randrange(2, 15),
            )

        def variants(templates: list[str], n: int) -> list[list[str]]:
            return [[fill(t) for _ in range(n if "{" in t else 1)] for t in templates]

        pools = {name: variants(theme["sentences"], 60) for name, theme in THEMES.items()}
        pools["general"] = variants(GENERAL_SENTENCES, 60)
        pools["quote"] = variants(QUOTES, 150)
        return pools

    def content_title(self, form: str, theme: str, claim: str) -> str:
        rng = self.rng
        templates = THEMES[theme]["titles"] if form == ContentForm.NEWS else FORM_TITLES[form]
        institutional = THEMES[theme]["topic"] == Topic.INSTITUTIONAL
        activity = rng.choice(INSTITUTIONAL if institutional else ACTIVITIES)
        return str(
            rng.choice(templates).format(
                r="{r}",
                d="{d}",
                Activity=title_case(activity),
                Audience=title_case(rng.choice(AUDIENCES)),
                Partner=rng.choice(PARTNERS),
                Stage=title_case(rng.choice(STAGES)),
                Inst=title_case(rng.choice(INSTITUTIONAL)),
                election=rng.choice(ELECTIONS),
                claim=claim,
                big=f"{rng.randrange(20_000, 2_500_000):,}".replace(",", "."),
                pct=rng.randrange(55, 96),
                tps=rng.randrange(1, 60),
                n=rng.randrange(1, 120),
            )
        )

    def content_paragraphs(
        self, form: str, theme: str, pools: dict[str, list[list[str]]], claim: str
    ) -> list[str]:
        """The body's paragraphs (plain text with ``{r}``/``{d}`` slots): most sentences of
        the item's theme, one or two of three other themes, then general ones; no sentence
        template twice in one body."""
        rng = self.rng

        def shuffled(name: str, count: int | None = None) -> list[str]:
            templates = pools[name]
            picked = rng.sample(range(len(templates)), min(count or len(templates), len(templates)))
            return [rng.choice(templates[i]) for i in picked]

        others = rng.sample([t for t in THEMES if t != theme], 3)
        sentences = shuffled(theme)
        for other in others:
            sentences += shuffled(other, rng.choice((1, 1, 2)))
        sentences += shuffled("general")
        stream = iter(sentences)
        if form not in LONG_FORMS:
            # A caption-length text for visual and audio forms.
            return [" ".join(sentences[: rng.randrange(2, 5)])]
        target = rng.randrange(1_900, 3_800)
        paragraphs: list[str] = []
        if form == ContentForm.HOAX_CLARIFICATION:
            if not claim.split()[0].isupper():  # "Surat suara …" but "KPU …" stays
                claim = claim[0].lower() + claim[1:]
            hoax = [s.replace("{claim}", claim) for s in HOAX_SENTENCES]
            paragraphs.append(" ".join(hoax[:2]))
            paragraphs.append(" ".join(rng.sample(hoax[2:], 2)))
        size = sum(len(p) for p in paragraphs)
        quoted = False
        while size < target:
            part = [s for s in (next(stream, None) for _ in range(rng.randrange(2, 5))) if s]
            if not part:
                break
            if not quoted and paragraphs and rng.random() < 0.6:
                part.append(rng.choice(rng.choice(pools["quote"])))
                quoted = True
            paragraph = " ".join(part)
            paragraphs.append(paragraph)
            size += len(paragraph) + 7
        if form == ContentForm.PRESS_RELEASE:
            paragraphs.append(" ".join(PRESS_CLOSINGS))
        return paragraphs

    def content(self) -> tuple[int, int]:
        """Create the published content items; returns (items, tag links)."""
        started = time.monotonic()
        rng = self.rng
        total = self.scale.content
        if not total:
            return 0, 0
        unit_weights = self.content_weights()
        pools = self.sentence_pools()
        ContentTag.objects.bulk_create(
            [ContentTag(name=n, slug=slugify(n)) for n in CONTENT_TAGS], ignore_conflicts=True
        )
        tags = list(ContentTag.objects.filter(name__in=CONTENT_TAGS).order_by("name"))
        # Staff of each unit: the authors; coordinators approve (never their own item).
        staff: dict[int, list[int]] = {}
        coordinators: dict[int, list[int]] = {}
        for unit_id, user_id, role in StaffProfile.objects.filter(
            user__username__startswith=USERNAME_PREFIX
        ).values_list("unit_id", "user_id", "role"):
            staff.setdefault(unit_id, []).append(user_id)
            if role == Role.COORDINATOR:
                coordinators.setdefault(unit_id, []).append(user_id)
        everybody = sorted(u for users in staff.values() for u in users)
        forms = list(FORM_WEIGHTS)
        themes = list(THEMES)
        # Election news outnumbers institutional news about three to one.
        theme_weights = [3 if THEMES[t]["topic"] == Topic.ELECTORAL else 2 for t in themes]
        electoral = [t for t in themes if THEMES[t]["topic"] == Topic.ELECTORAL and t != "hoaks"]
        form_weights = list(FORM_WEIGHTS.values())
        span = CONTENT_YEARS * 365 * 86400
        # Publication times, oldest first: ids grow with time as on a live site (the newest
        # items have the highest ids and sit at the end of the table).
        ages = sorted((rng.randrange(60, span) for _ in range(total)), reverse=True)
        self.content_seen = set(ContentItem.objects.values_list("unit_id", "slug"))
        release_numbers: dict[tuple[int, int], int] = {}
        item_tags = ContentItem.tags.through
        item_authors = ContentItem.authors.through
        n_tags = done = 0
        with without_auto_timestamps(ContentItem):
            while done < total:
                size = min(self.batch_size, total - done)
                items: list[ContentItem] = []
                chosen_tags: list[list[ContentTag]] = []
                for unit in rng.choices(self.units, unit_weights, k=size):
                    form = rng.choices(forms, form_weights)[0]
                    if form == ContentForm.HOAX_CLARIFICATION:
                        theme = "hoaks"
                    elif form == ContentForm.PRESS_RELEASE:
                        theme = rng.choice(electoral)
                    else:
                        theme = rng.choices(themes, theme_weights)[0]
                    topic = THEMES[theme]["topic"]
                    region = "RI" if unit.level == Level.NATIONAL else short_region(unit)
                    district = self.district()
                    claim = rng.choice(HOAX_CLAIMS)
                    title = self.content_title(form, theme, claim)
                    title = title.replace("{r}", region).replace("{d}", district)[:200]
                    claim = claim.replace("{r}", region).replace("{d}", district)
                    paragraphs = [
                        p.replace("{r}", region).replace("{d}", district)
                        for p in self.content_paragraphs(form, theme, pools, claim)
                    ]
                    if form in LONG_FORMS:
                        dateline = "JAKARTA" if unit.level == Level.NATIONAL else region.upper()
                        paragraphs[0] = f"{dateline} - {paragraphs[0]}"
                    body = "".join(f"<p>{p}</p>" for p in paragraphs)
                    body_text = "\n".join(paragraphs)
                    summary = first_sentences(paragraphs[0], 280)
                    published = self.now - timedelta(seconds=ages[done + len(items)])
                    authors = staff.get(unit.pk) or everybody
                    approvers = [
                        u
                        for unit_id in (unit.pk, unit.province_id, unit.parent_id)
                        if unit_id
                        for u in coordinators.get(unit_id, [])
                    ]
                    author = rng.choice([u for u in authors if u not in approvers] or authors)
                    approver = next((u for u in approvers if u != author), None)
                    item = ContentItem(
                        unit_id=unit.pk,
                        form=form,
                        topic=topic,
                        title=title,
                        slug=self.content_slug(unit.pk, title),
                        summary=summary,
                        body=body,
                        body_text=body_text,
                        created_by_id=author,
                        status=Status.PUBLISHED,
                        version=1,
                        approved_by_id=approver,
                        approved_at=published - timedelta(minutes=rng.randrange(5, 600)),
                        publish_at=published if rng.random() < 0.4 else None,
                        published_at=published,
                        created_at=published - timedelta(minutes=rng.randrange(30, 4_000)),
                        updated_at=published,
                        national_issue_url=NATIONAL_ISSUE_URL.format(rng.randrange(1000, 99999))
                        if unit.level != Level.NATIONAL and rng.random() < 0.15
                        else "",
                    )
                    if form == ContentForm.PRESS_RELEASE:
                        year = published.year
                        key = (unit.pk, year)
                        release_numbers[key] = release_numbers.get(key, 0) + 1
                        first, last = self.person()
                        item.release_number = (
                            f"{release_numbers[key]:03d}/HM.02-SP/{unit.code}/{year}"
                        )
                        item.contact_name = f"{first} {last}"
                        item.contact_phone = self.phone()
                        item.contact_email = f"humas.{slug(unit.code) or 'ri'}@kpu.example.id"
                    elif form == ContentForm.HOAX_CLARIFICATION:
                        item.claim_text = claim
                        item.claim_source_url = (
                            f"https://www.{rng.choice(CLAIM_SITES)}/"
                            f"posts/{rng.randrange(10**9, 10**10)}"
                        )
                        item.claim_author = rng.choice(
                            ["Akun media sosial anonim", "Grup WhatsApp warga", "Situs tidak resmi"]
                        )
                        item.claim_date = (published - timedelta(days=rng.randrange(1, 6))).date()
                        item.claim_rating = rng.choices(
                            list(CLAIM_RATING_WEIGHTS), list(CLAIM_RATING_WEIGHTS.values())
                        )[0]
                    elif form in {ContentForm.VIDEO, ContentForm.FILM}:
                        item.embed_url = f"https://www.youtube.com/watch?v={youtube_id(rng)}"
                    picked = (
                        rng.sample(tags, rng.choice((1, 1, 2, 3)))
                        if tags and rng.random() < 0.6
                        else []
                    )
                    item.content_hash = item.approved_hash = content_hash(item, picked)
                    items.append(item)
                    chosen_tags.append(picked)
                created = ContentItem.objects.bulk_create(items)
                links: list[Any] = []
                authorships: list[Any] = []
                for item, picked in zip(created, chosen_tags, strict=True):
                    links.extend(
                        item_tags(contentitem_id=item.pk, contenttag_id=t.pk) for t in picked
                    )
                    authorships.append(
                        item_authors(contentitem_id=item.pk, user_id=item.created_by_id)
                    )
                item_tags.objects.bulk_create(links)
                item_authors.objects.bulk_create(authorships)
                n_tags += len(links)
                done += size
                if done == total or done % (self.batch_size * 4) == 0:
                    self.progress("content items", done, total, started)
        return total, n_tags

    def content_slug(self, unit_id: int, title: str) -> str:
        base = (slugify(title, allow_unicode=True) or "konten")[:200].strip("-")
        candidate, n = base, 2
        while (unit_id, candidate) in self.content_seen:
            candidate = f"{base}-{n}"
            n += 1
        self.content_seen.add((unit_id, candidate))
        return candidate

    # --- the inbox --------------------------------------------------------------------
    def inbox_weights(self) -> list[float]:
        """Inbox activity of each unit: level, city bonus and a per-unit factor."""
        rng = self.rng
        weights = []
        for unit in self.units:
            weight = INBOX_LEVEL_WEIGHT.get(unit.level, 1.0)
            if unit.level == Level.REGENCY_CITY and unit.region_name.startswith("Kota "):
                weight *= INBOX_CITY_WEIGHT
            weights.append(weight * rng.uniform(0.5, 1.6))
        return weights

    def inbox_pools(self) -> dict[str, Any]:
        """Every inbox text template with its variant slots filled (as ``sentence_pools``
        does for the content); the per-thread slots ({r} {d} {satker} {nama} {petugas}
        {nomor}) stay for ``str.replace``."""
        rng = self.rng
        keep = {k: "{" + k + "}" for k in ("r", "d", "satker", "nama", "petugas", "nomor")}

        def claim() -> str:
            text = rng.choice(HOAX_CLAIMS)
            return text if text.split()[0].isupper() else text[0].lower() + text[1:]

        def fill(template: str) -> str:
            site = rng.choice(HOAX_LINK_SITES)
            day = self.now - timedelta(days=rng.randrange(-40, 700))
            return template.format(
                **keep,
                tps=rng.randrange(1, 120),
                n=rng.randrange(2, 60),
                tanggal=f"{day.day} {MONTHS_ID[day.month - 1]}",
                jam=f"{rng.randrange(8, 16):02d}.{rng.choice(('00', '30'))}",
                nik=f"{rng.randrange(1_100, 9_500)}xxxxxxxx{rng.randrange(1_000, 10_000)}",
                party=rng.choice(PARTIES),
                stage=rng.choice(STAGES),
                election=rng.choice(ELECTIONS),
                claim=claim(),
                url=f"https://www.{site}/{rng.choice(('p', 'v', 'reel', 'status'))}/"
                f"{rng.randrange(10**8, 10**10)}",
                site=site.split(".")[0].capitalize(),
                partner=rng.choice(PARTNERS),
                audience=rng.choice(AUDIENCES),
                activity=rng.choice(ACTIVITIES),
            )

        def variants(templates: list[str], n: int = 12) -> list[list[str]]:
            return [[fill(t) for _ in range(n if "{" in t else 1)] for t in templates]

        pools: dict[str, Any] = {
            "topics": {
                name: {
                    part: variants(topic[part])
                    for part in ("subjects", "openings", "followups", "replies")
                }
                for name, topic in INBOX_TOPICS.items()
            },
            "openers": {ch: variants(texts, 1) for ch, texts in INBOX_OPENERS.items()},
            "closers": {ch: variants(texts, 1) for ch, texts in INBOX_CLOSERS.items()},
            "acks": variants(INBOX_ACKS, 1),
            "reply_openers": variants(INBOX_REPLY_OPENERS, 1),
            "reply_closers": variants(INBOX_REPLY_CLOSERS, 1),
            "reply_short": variants(INBOX_REPLY_SHORT, 4),
            "notes": variants(INBOX_NOTES, 6),
        }
        return pools

    def inbox_lengths(self, channels: list[str], statuses: list[str], total: int) -> list[int]:
        """Messages per thread: by channel, at most three (all from the sender) on a new
        thread, adjusted so that they add up to exactly ``total``."""
        rng = self.rng
        lengths = []
        for channel, status in zip(channels, statuses, strict=True):
            values, weights = INBOX_LENGTHS[channel]
            n = rng.choices(values, weights)[0]
            if status == ThreadStatus.NEW:
                n = min(n, rng.choice((1, 1, 1, 2, 3)))
            elif status == ThreadStatus.WAITING:
                n = max(n, 2)  # waiting for the sender after a reply
            lengths.append(n)
        # Match the total: add to or take from threads that can take it.
        growable = [i for i, s in enumerate(statuses) if s != ThreadStatus.NEW]
        if not growable:
            growable = list(range(len(lengths)))
        diff = total - sum(lengths)
        guard = 0
        while diff and guard < 50 * len(lengths) + 1000:
            guard += 1
            i = rng.choice(growable)
            if diff > 0:
                lengths[i] += 1
                diff -= 1
            elif lengths[i] > (2 if statuses[i] == ThreadStatus.WAITING else 1):
                lengths[i] -= 1
                diff += 1
        return lengths

    def inbox_status(self, age_days: float) -> str:
        """Status by age: recent threads are new or in progress, old ones mostly resolved."""
        rng = self.rng
        statuses = [
            ThreadStatus.NEW,
            ThreadStatus.OPEN,
            ThreadStatus.WAITING,
            ThreadStatus.RESOLVED,
        ]
        weights: list[float]
        if age_days < 3:
            weights = [40, 25, 25, 10]
        elif age_days < 14:
            weights = [8, 17, 25, 50]
        elif age_days < 60:
            weights = [2, 6, 10, 82]
        else:
            weights = [0.3, 1.2, 2.5, 96]
        return rng.choices(statuses, weights)[0]

    def inbox(self) -> dict[str, int]:
        """Create the inbox: threads of every kind, channel and status over the last two
        years, their messages (from the public, replies, internal notes), topic tags,
        hoax cases and assignments. Returns counts."""
        started = time.monotonic()
        rng = self.rng
        total_threads, total_messages = self.scale.threads, self.scale.messages
        counts = {"threads": 0, "messages": 0, "tags": 0, "hoax_cases": 0, "contacts": 0}
        if not total_threads:
            return counts
        total_messages = max(total_messages, total_threads)
        unit_weights = self.inbox_weights()
        pools = self.inbox_pools()
        by_pk = {u.pk: u for u in self.units}
        children: dict[int, list[int]] = {}
        for unit in self.units:
            if unit.parent_id in by_pk:
                children.setdefault(unit.parent_id, []).append(unit.pk)

        # Staff: who replies (editors and up) and who writes notes (contributors and up).
        user_model = get_user_model()
        names = dict(
            user_model.objects.filter(username__startswith=USERNAME_PREFIX).values_list(
                "id", "first_name"
            )
        )
        full_names = {
            pk: f"{first} {last}"
            for pk, first, last in user_model.objects.filter(
                username__startswith=USERNAME_PREFIX
            ).values_list("id", "first_name", "last_name")
        }
        repliers: dict[int, list[int]] = {}
        noters: dict[int, list[int]] = {}
        for unit_id, user_id, role in (
            StaffProfile.objects.filter(user__username__startswith=USERNAME_PREFIX)
            .order_by("user_id")
            .values_list("unit_id", "user_id", "role")
        ):
            if role in (Role.ADMINISTRATOR, Role.COORDINATOR, Role.EDITOR):
                repliers.setdefault(unit_id, []).append(user_id)
            if role != Role.VIEWER:
                noters.setdefault(unit_id, []).append(user_id)
        everybody: list[int | None] = [*sorted(names)] or [None]

        # Known stakeholder contacts who write in (one in eight, kept per unit).
        contacts: dict[int, list[tuple[int, str, str, str]]] = {}
        for pk, unit_id, name, email, whatsapp in (
            Contact.objects.filter(is_active=True)
            .order_by("id")
            .values_list("id", "unit_id", "name", "email", "whatsapp")
            .iterator(chunk_size=20_000)
        ):
            if rng.random() < 0.125:
                contacts.setdefault(unit_id, []).append((pk, name, email, whatsapp))

        # Topic tags of each unit and a few hoax cases per unit.
        InboxTag.objects.bulk_create(
            [InboxTag(unit_id=u.pk, name=n) for u in self.units for n in INBOX_TAG_NAMES],
            batch_size=self.batch_size,
            ignore_conflicts=True,
        )
        tag_ids = {
            (unit_id, name): pk
            for pk, unit_id, name in InboxTag.objects.filter(name__in=INBOX_TAG_NAMES).values_list(
                "id", "unit_id", "name"
            )
        }
        counts["tags"] = len(tag_ids)
        cases = []
        for unit in self.units:
            region = "RI" if unit.level == Level.NATIONAL else short_region(unit)
            for claim in rng.sample(HOAX_CLAIMS, rng.randrange(1, 5)):
                text = claim.replace("{r}", region).replace("{d}", self.district())
                cases.append(
                    HoaxCase(
                        unit_id=unit.pk,
                        title=text[:255],
                        claim=f"Beredar di media sosial: {text}.",
                        category=rng.choice(HoaxCategory.values),
                        status=rng.choices(HoaxCaseStatus.values, [2, 3, 1, 6])[0],
                        created_by_id=rng.choice(repliers.get(unit.pk) or everybody),
                    )
                )
        with without_auto_timestamps(HoaxCase):
            for case in cases:
                case.created_at = case.updated_at = self.now - timedelta(
                    days=rng.randrange(1, INBOX_YEARS * 365)
                )
            HoaxCase.objects.bulk_create(cases, batch_size=self.batch_size)
        hoax_cases: dict[int, list[int]] = {}
        for pk, unit_id in HoaxCase.objects.values_list("id", "unit_id"):
            hoax_cases.setdefault(unit_id, []).append(pk)
        counts["hoax_cases"] = len(cases)

        calendars: dict[int, Calendar] = {}
        config = InboxSettings()
        span = INBOX_YEARS * 365 * 86400
        # Received times, oldest first: ids grow with time as on a live system.
        ages = sorted((rng.randrange(0, span) for _ in range(total_threads)), reverse=True)
        channels_all = rng.choices(
            list(INBOX_CHANNEL_WEIGHTS), list(INBOX_CHANNEL_WEIGHTS.values()), k=total_threads
        )
        statuses_all = [self.inbox_status(age / 86400) for age in ages]
        # Every status at any scale: a missing one goes to one of the newest threads.
        for status in ThreadStatus.values:
            if status not in statuses_all and total_threads >= len(ThreadStatus.values):
                newest = range(max(0, total_threads - 10), total_threads)
                spare = [i for i in newest if statuses_all.count(statuses_all[i]) > 1]
                if spare:
                    statuses_all[rng.choice(spare)] = status
        lengths_all = self.inbox_lengths(channels_all, statuses_all, total_messages)
        units_all = rng.choices(self.units, unit_weights, k=total_threads)
        topics = [t for t, spec in INBOX_TOPICS.items() if spec["weight"]]
        topic_weights = [INBOX_TOPICS[t]["weight"] for t in topics]
        tag_through = Thread.tags.through
        done = 0
        next_id = (Thread.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
        while done < total_threads:
            size = min(self.batch_size, total_threads - done)
            thread_rows: list[tuple[Any, ...]] = []
            message_rows: list[tuple[Any, ...]] = []
            link_rows: list[tuple[int, int]] = []
            event_rows: list[tuple[Any, ...]] = []
            for i in range(done, done + size):
                # Ids given here (rows are copied, not created one by one); provider ids
                # and keys derive from them, so a second data set in the same database
                # does not collide with the first.
                thread_id = next_id
                next_id += 1
                unit = units_all[i]
                channel = channels_all[i]
                status = statuses_all[i]
                n_messages = lengths_all[i]
                kinds = INBOX_KIND_WEIGHTS[channel]
                kind = rng.choices(list(kinds), list(kinds.values()))[0]
                if kind == ThreadKind.HOAX_REPORT:
                    topic = "hoaks"
                elif kind == ThreadKind.FEEDBACK:
                    topic = rng.choice(("apresiasi", "apresiasi", "layanan"))
                elif kind == ThreadKind.COMPLAINT and rng.random() < 0.4:
                    topic = "layanan"
                else:
                    topic = rng.choices(topics, topic_weights)[0]
                region = "RI" if unit.level == Level.NATIONAL else short_region(unit)
                district = self.district()
                first, last = self.person()
                name = f"{first} {last}"
                contact_id = None
                phone = ""
                known = contacts.get(unit.pk)
                if known and rng.random() < 0.1:
                    contact_id, name, email, whatsapp = rng.choice(known)
                    first = name.split()[0]
                    counts["contacts"] += 1
                else:
                    email = (
                        f"{slug(first)}.{slug(last)}{rng.randrange(1, 1000)}@"
                        f"{rng.choice(FREE_MAIL)}"
                    )
                    whatsapp = self.phone()
                if channel == InboxChannel.WHATSAPP:
                    whatsapp = whatsapp or self.phone()
                    handle, phone = whatsapp, whatsapp  # "+62…", as the webhook stores it
                elif channel == InboxChannel.TELEGRAM:
                    handle = str(rng.randrange(*TELEGRAM_IDS))
                    if rng.random() < 0.3:
                        name = first  # many Telegram users show a first name only
                elif channel == InboxChannel.STAFF:
                    handle = email if rng.random() < 0.5 else ""
                    phone = whatsapp or self.phone()
                else:
                    handle = (
                        email or f"{slug(first)}{rng.randrange(1, 999)}@{rng.choice(FREE_MAIL)}"
                    )
                    if channel == InboxChannel.PORTAL and rng.random() < 0.5:
                        phone = whatsapp or self.phone()

                slots = {"{r}": region, "{d}": district, "{satker}": unit.name, "{nama}": first}

                def place(text: str, slots: dict[str, str] = slots) -> str:
                    for slot, value in slots.items():
                        text = text.replace(slot, value)
                    return text

                spec = pools["topics"][topic]
                opening = place(rng.choice(rng.choice(spec["openings"])))
                opener = place(rng.choice(rng.choice(pools["openers"][channel])))
                closer = place(rng.choice(rng.choice(pools["closers"][channel])))
                if channel == InboxChannel.EMAIL:
                    first_body = "\n\n".join(p for p in (opener, opening, closer) if p)
                else:
                    first_body = " ".join(p for p in (opener, opening, closer) if p)
                if channel in (InboxChannel.PORTAL, InboxChannel.EMAIL, InboxChannel.STAFF):
                    subject = place(rng.choice(rng.choice(spec["subjects"])))[:255]
                else:
                    subject = " ".join(first_body.split())[:160]

                age = ages[i]
                received = self.now - timedelta(seconds=age)
                assignee = None
                unit_repliers = repliers.get(unit.pk) or everybody
                if status != ThreadStatus.NEW and rng.random() < 0.6:
                    assignee = rng.choice(unit_repliers)
                elif status == ThreadStatus.NEW and rng.random() < 0.1:
                    assignee = rng.choice(unit_repliers)
                # The conversation: the sender's opening, then replies, follow-ups, notes.
                directions = [Direction.INBOUND]
                for _ in range(n_messages - 1):
                    if status == ThreadStatus.NEW:
                        directions.append(Direction.INBOUND)
                    elif rng.random() < 0.12:
                        directions.append(Direction.NOTE)
                    else:
                        last_public = next(d for d in reversed(directions) if d != Direction.NOTE)
                        directions.append(
                            Direction.OUTBOUND
                            if last_public == Direction.INBOUND
                            else Direction.INBOUND
                        )
                if status == ThreadStatus.WAITING and directions[-1] != Direction.OUTBOUND:
                    directions[-1] = Direction.OUTBOUND
                gaps = []
                for d in directions[1:]:
                    if d == Direction.OUTBOUND:
                        minutes = rng.choice((4, 10, 25, 45, 90, 180, 300, 600, 1_200, 2_900))
                    elif d == Direction.NOTE:
                        minutes = rng.choice((2, 5, 15, 40, 120))
                    else:
                        minutes = rng.choice((1, 2, 5, 12, 30, 90, 240, 720))
                    gaps.append(minutes * 60 * rng.uniform(0.6, 1.4))
                room = max(age - 60, 0)
                # A recent thread's conversation fits between its start and now.
                factor = 1.0
                if gaps and sum(gaps) > room:
                    factor = room / sum(gaps) * rng.uniform(0.3, 1.0)
                moments = [received]
                for gap in gaps:
                    moments.append(moments[-1] + timedelta(seconds=gap * factor))
                # (direction, body, author, sender name, status, error, dedupe key,
                # provider id, template?, created, sent)
                messages: list[tuple[Any, ...]] = []
                replied = False
                followups: list[list[str]] = []
                for index, (direction, moment) in enumerate(zip(directions, moments, strict=True)):
                    author = None
                    sender = name
                    status_m = MessageStatus.RECEIVED
                    sent_at = None
                    error = ""
                    is_template = False
                    provider_id = ""
                    key = None
                    if direction == Direction.INBOUND:
                        if index == 0:
                            body = first_body
                        elif (
                            status == ThreadStatus.RESOLVED and index == len(directions) - 1
                        ) or rng.random() < 0.35:
                            body = place(rng.choice(rng.choice(pools["acks"])))
                        else:
                            # The sender's follow-ups, each at most once per thread.
                            if not followups:
                                followups = rng.sample(spec["followups"], len(spec["followups"]))
                            body = place(rng.choice(followups.pop()))
                        ref = f"{thread_id:09d}{index:03d}"
                        if channel == InboxChannel.WHATSAPP:
                            provider_id = f"wamid.GEN{ref}"
                            key = f"whatsapp:{unit.code}:{provider_id}"
                        elif channel == InboxChannel.TELEGRAM:
                            key = f"telegram:{unit.code}:update:{ref}"
                        elif channel == InboxChannel.EMAIL:
                            provider_id = f"<gen{ref}@{email.split('@')[-1] or 'mail.id'}>"
                            key = f"email:{unit.code}:{provider_id}"
                        elif channel == InboxChannel.PORTAL and index == 0:
                            key = f"portal:gen{ref}"
                    else:
                        author = assignee or rng.choice(
                            (repliers if direction == Direction.OUTBOUND else noters).get(unit.pk)
                            or everybody
                        )
                        sender = full_names.get(author, "") if author else ""
                        staff_name = names.get(author, "") if author else ""
                        number = f"{unit.code}/{received:%y%m}/{i % 100_000:05d}"
                        if direction == Direction.NOTE:
                            body = place(rng.choice(rng.choice(pools["notes"])))
                        else:
                            if not replied:
                                core = rng.choice(rng.choice(spec["replies"]))
                                greeting = rng.choice(rng.choice(pools["reply_openers"]))
                                if greeting.split(" ", 1)[0] == core.split(" ", 1)[0]:
                                    greeting = ""  # not "Terima kasih …" twice
                                parts = [
                                    greeting,
                                    core,
                                    rng.choice(rng.choice(pools["reply_closers"])),
                                ]
                                body = " ".join(p for p in parts if p)
                            elif rng.random() < 0.5:
                                body = rng.choice(rng.choice(pools["reply_short"]))
                            else:
                                body = rng.choice(rng.choice(spec["replies"]))
                            body = place(body)
                            replied = True
                            sent_at = moment + timedelta(seconds=rng.randrange(1, 90))
                            roll = rng.random()
                            if roll < 0.02:
                                status_m = MessageStatus.FAILED
                                error = rng.choice(MESSAGE_ERRORS)
                                sent_at = None
                            elif channel == InboxChannel.WHATSAPP:
                                status_m = (
                                    MessageStatus.READ
                                    if roll < 0.6
                                    else MessageStatus.DELIVERED
                                    if roll < 0.85
                                    else MessageStatus.SENT
                                )
                                provider_id = f"wamid.OUT{thread_id:09d}{index:03d}"
                                is_template = rng.random() < 0.08
                            else:
                                status_m = MessageStatus.SENT
                        body = body.replace("{petugas}", staff_name or "Admin").replace(
                            "{nomor}", number
                        )
                    messages.append(
                        (
                            direction,
                            body,
                            author,
                            sender[:200],
                            status_m,
                            error,
                            key,
                            provider_id,
                            is_template,
                            moment,
                            sent_at,
                        )
                    )
                inbound = [m for m in messages if m[0] == Direction.INBOUND]
                outbound = [m for m in messages if m[0] == Direction.OUTBOUND]
                last_at = messages[-1][9]
                calendar = calendars.get(unit.pk)
                if calendar is None:
                    calendar = calendars[unit.pk] = Calendar(
                        unit.pk, zone=unit.time_zone, overrides={}
                    )
                unread = status == ThreadStatus.NEW or (
                    status == ThreadStatus.OPEN
                    and messages[-1][0] == Direction.INBOUND
                    and rng.random() < 0.6
                )
                transferred_from = None
                if rng.random() < 0.02:
                    if unit.parent_id in by_pk:
                        transferred_from = unit.parent_id  # sent down to this unit
                    elif children.get(unit.pk):
                        transferred_from = rng.choice(children[unit.pk])  # escalated
                resolved_at = None
                if status == ThreadStatus.RESOLVED:
                    resolved_at = min(last_at + timedelta(minutes=rng.randrange(1, 600)), self.now)
                row = {
                    "id": thread_id,
                    "unit_id": unit.pk,
                    "kind": kind,
                    "channel": channel,
                    "status": status,
                    "priority": rng.choices(
                        list(INBOX_PRIORITY_WEIGHTS), list(INBOX_PRIORITY_WEIGHTS.values())
                    )[0]
                    if kind != ThreadKind.HOAX_REPORT
                    else rng.choice((2, 3, 3, 4)),
                    "subject": subject,
                    "handle": handle[:320],
                    "name": name[:200],
                    "phone": phone,
                    "account_id": None,
                    "contact_id": contact_id,
                    "assignee_id": assignee,
                    "hoax_case_id": rng.choice(hoax_cases[unit.pk])
                    if kind == ThreadKind.HOAX_REPORT
                    and hoax_cases.get(unit.pk)
                    and rng.random() < 0.5
                    else None,
                    "clarification_id": None,
                    "claim_url": f"https://www.{rng.choice(HOAX_LINK_SITES)}/p/"
                    f"{rng.randrange(10**8, 10**10)}"
                    if kind == ThreadKind.HOAX_REPORT and rng.random() < 0.7
                    else "",
                    "seen_on": rng.choice(SEEN_ON) if kind == ThreadKind.HOAX_REPORT else "",
                    "snippet": " ".join(inbound[-1][1].split())[:160],
                    "message_count": len(messages),
                    "unread": unread,
                    "created_at": received,
                    "last_message_at": last_at,
                    "last_inbound_at": inbound[-1][9],
                    "first_response_at": outbound[0][9] if outbound else None,
                    "resolved_at": resolved_at,
                    "first_response_due": calendar.add_working_hours(
                        received, config.first_response_hours
                    ),
                    "due_at": calendar.add_working_hours(received, config.resolution_hours),
                    "reminded_at": None,
                    "transferred_from_id": transferred_from,
                    "public_id": uuid.UUID(int=rng.getrandbits(128) ^ thread_id, version=4),
                    "pii_purged_at": None,
                }
                thread_rows.append(tuple(row[c] for c in THREAD_COLUMNS))
                message_rows.extend((thread_id, *m) for m in messages)
                picked = []
                if rng.random() < 0.35:
                    picked.append(INBOX_TOPICS[topic]["tag"])
                    if rng.random() < 0.2:
                        picked.append(rng.choice(INBOX_TAG_NAMES))
                for tag_name in dict.fromkeys(picked):
                    tag_id = tag_ids.get((unit.pk, tag_name))
                    if tag_id:
                        link_rows.append((thread_id, tag_id))
                event_rows.append(
                    (thread_id, None, "received", json.dumps({"channel": channel}), received)
                )
            insert_rows(Thread._meta.db_table, THREAD_COLUMNS, thread_rows)
            insert_rows(Message._meta.db_table, MESSAGE_COLUMNS, message_rows)
            insert_rows(tag_through._meta.db_table, ("thread_id", "inboxtag_id"), link_rows)
            insert_rows(ThreadEvent._meta.db_table, EVENT_COLUMNS, event_rows)
            counts["threads"] += len(thread_rows)
            counts["messages"] += len(message_rows)
            done += size
            if done == total_threads or done % (self.batch_size * 5) == 0:
                self.progress("inbox threads", done, total_threads, started)
        # The id sequences continue after the ids given here (PostgreSQL).
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Thread]):
                cursor.execute(sql)
        self.write(
            f"  inbox: {counts['threads']:,} threads, {counts['messages']:,} messages in "
            f"{time.monotonic() - started:.1f}s"
        )
        return counts


def existing_dataset() -> int:
    """How many generated staff users exist (0 when no data set was generated)."""
    return get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).count()


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set: --scale national (553 units, 5,000 staff, 50,000 "
        "organisations, 500,000 contacts, 200,000 published content items, 250,000 inbox "
        "threads with 1,000,000 messages) or --scale small. Deterministic for a --seed; "
        "does nothing when a generated data set is already present."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--users", type=int, help="Override the number of staff users.")
        parser.add_argument("--organisations", type=int, help="Override the organisations.")
        parser.add_argument("--contacts", type=int, help="Override the number of contacts.")
        parser.add_argument(
            "--content", type=int, help="Override the number of published content items."
        )
        parser.add_argument("--threads", type=int, help="Override the number of inbox threads.")
        parser.add_argument(
            "--messages", type=int, help="Override the number of inbox messages (all threads)."
        )
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
            content=base.content if options["content"] is None else options["content"],
            threads=base.threads if options["threads"] is None else options["threads"],
            messages=base.messages if options["messages"] is None else options["messages"],
        )
        if options["threads"] is not None and options["messages"] is None and base.threads:
            # Keep the scale's messages per thread.
            scale = replace(scale, messages=scale.threads * base.messages // base.threads)
        if (
            min(
                scale.users,
                scale.organisations,
                scale.contacts,
                scale.content,
                scale.threads,
                scale.messages,
            )
            < 0
        ):
            raise CommandError("Counts must not be negative.")
        if scale.threads and scale.messages < scale.threads:
            raise CommandError("Every thread has a message: --messages must be >= --threads.")
        if scale.content and not scale.users:
            raise CommandError("Content needs staff users (its authors): --users must be > 0.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        present = existing_dataset()
        if present:
            self.stdout.write(
                self.style.WARNING(
                    f"A generated data set is already present ({present:,} generated staff "
                    f"users, {Organisation.objects.count():,} organisations, "
                    f"{Contact.objects.count():,} contacts, "
                    f"{ContentItem.objects.count():,} content items, "
                    f"{Thread.objects.count():,} inbox threads). Nothing to do. Use a fresh "
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
            f"{scale.contacts:,} contacts, {scale.content:,} published content items, "
            f"{scale.threads:,} inbox threads with {scale.messages:,} messages."
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
            with indexes_paused(ContentItem._meta.db_table, write):
                n_content, n_content_tags = gen.content()
            # The inbox: its indexes and search triggers paused for the load; the search
            # documents are built once at the end (inbox/search.py).
            with (
                indexes_paused(Thread._meta.db_table, write),
                indexes_paused(Message._meta.db_table, write),
            ):
                with inbox_search.triggers_paused():
                    inbox = gen.inbox()
                    searched = time.monotonic()
                write(f"  inbox search documents built in {time.monotonic() - searched:.1f}s")
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
                f"{scale.contacts:,} contacts, {n_consents:,} consents, {n_links:,} contact tags, "
                f"{n_content:,} published content items ({n_content_tags:,} item tags), "
                f"{inbox['threads']:,} inbox threads with {inbox['messages']:,} messages "
                f"({inbox['hoax_cases']:,} hoax cases, {inbox['contacts']:,} threads of known "
                "contacts)."
            )
        )
