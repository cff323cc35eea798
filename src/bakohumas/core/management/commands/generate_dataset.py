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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
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


SCALES: dict[str, Scale] = {
    # The whole country: what a national deployment holds after a few years.
    "national": Scale(
        national_units=True,
        users=5_000,
        organisations=50_000,
        contacts=500_000,
        content=200_000,
    ),
    # KPU RI + Kalimantan Timur only; for tests and quick trials.
    "small": Scale(
        national_units=False, users=60, organisations=300, contacts=3_000, content=2_000
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


def existing_dataset() -> int:
    """How many generated staff users exist (0 when no data set was generated)."""
    return get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).count()


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set: --scale national (553 units, 5,000 staff, 50,000 "
        "organisations, 500,000 contacts, 200,000 published content items) or --scale "
        "small. Deterministic for a --seed; "
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
        )
        if min(scale.users, scale.organisations, scale.contacts, scale.content) < 0:
            raise CommandError("Counts must not be negative.")
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
                    f"{ContentItem.objects.count():,} content items). Nothing to do. Use a fresh "
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
            f"{scale.contacts:,} contacts, {scale.content:,} published content items."
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
                f"{n_content:,} published content items ({n_content_tags:,} item tags)."
            )
        )
