"""Demo data of the inbox and the PPID (``seed_demo``; idempotent).

KPU Kota Samarinda gets its inbox settings, topic tags and canned replies; a WhatsApp
Cloud API account "WhatsApp Humas (demo)" whose webhook secret is ``DEMO_APP_SECRET`` (so
``bakohumas simulate_whatsapp`` can sign a payload for the running server); a few threads
from the portal, WhatsApp, Telegram and email, one of them from a known stakeholder
contact (it lands in the organisation's engagement log); a hoax report linked to a hoax
case and to the published clarification; and three information requests: one being
processed, one incomplete, one answered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bakohumas.content.models import ContentItem
from bakohumas.core.models import WorkUnit
from bakohumas.dissemination import crypto
from bakohumas.dissemination.models import ChannelAccount, ChannelKind
from bakohumas.inbox import services
from bakohumas.inbox.models import (
    CannedReply,
    Channel,
    HoaxCase,
    HoaxCaseStatus,
    InboxSettings,
    InboxTag,
    Thread,
    ThreadKind,
)
from bakohumas.ppid import services as ppid_services
from bakohumas.ppid.models import Decision, InformationRequest, RuleSet

DEMO_APP_SECRET = "demo-whatsapp-app-secret"
DEMO_VERIFY_TOKEN = "demo-verify-token"
DEMO_PHONE_NUMBER_ID = "106540352242922"
TAGS = ["DPT", "Logistik", "Pencalonan", "Hoaks", "Rekrutmen badan ad hoc"]
CANNED = [
    (
        "Terima kasih atas pertanyaan",
        "Yth. {nama},\n\nTerima kasih telah menghubungi {satker}. Pertanyaan Anda sedang kami "
        "tindak lanjuti dan akan kami jawab secepatnya.\n\nSalam,\n{petugas}",
    ),
    (
        "Cara cek DPT",
        "Yth. {nama},\n\nAnda dapat memeriksa status Anda dalam daftar pemilih melalui "
        "cekdptonline.kpu.go.id dengan memasukkan NIK. Bila data belum sesuai, silakan datang "
        "ke kantor PPS setempat.\n\nSalam,\n{petugas}\n{satker}",
    ),
    (
        "Laporan hoaks diterima",
        "Yth. {nama},\n\nTerima kasih atas laporan Anda ({nomor}). Tim kami sedang memeriksa "
        "informasi tersebut; klarifikasi resmi akan kami umumkan di portal {satker}.\n\n"
        "Salam,\n{petugas}",
    ),
]


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _whatsapp_account(unit: WorkUnit, by: Any) -> ChannelAccount:
    account = ChannelAccount.objects.filter(
        unit=unit, kind=ChannelKind.WHATSAPP, name="WhatsApp Humas (demo)"
    ).first()
    if account is None:
        secret = {
            "access_token": "demo-access-token-not-valid",
            "app_secret": DEMO_APP_SECRET,
            "verify_token": DEMO_VERIFY_TOKEN,
        }
        account = ChannelAccount.objects.create(
            unit=unit,
            kind=ChannelKind.WHATSAPP,
            name="WhatsApp Humas (demo)",
            config={
                "phone_number_id": DEMO_PHONE_NUMBER_ID,
                "display_number": "+62 811-5500-6472",
                # Nothing listens here: replies outside the demo fail with a clear reason.
                "api_base": "http://127.0.0.1:9",
                "reply_template": "balasan_humas",
                "reply_template_language": "id",
            },
            secret_ciphertext=crypto.encrypt(secret),
            secret_hint=crypto.hint(secret),
            created_by=by,
        )
    return account


@transaction.atomic
def seed_demo_inbox() -> str:
    samarinda = WorkUnit.objects.get(code="64.72")
    editor = _user("editor.samarinda")
    coordinator = _user("koordinator.samarinda")
    InboxSettings.objects.get_or_create(
        unit=samarinda,
        defaults={
            "reply_from_name": "Humas KPU Kota Samarinda",
            "reply_to_address": "humas@samarinda.kpu.example.id",
        },
    )
    for name in TAGS:
        InboxTag.objects.get_or_create(unit=samarinda, name=name)
    for title, body in CANNED:
        CannedReply.objects.get_or_create(unit=samarinda, title=title, defaults={"body": body})
    account = _whatsapp_account(samarinda, coordinator)
    if Thread.objects.filter(unit=samarinda).exists():
        return "already seeded"
    now = timezone.now()
    # A question from the portal, answered and resolved.
    asked = services.ingest(
        services.Inbound(
            unit=samarinda,
            channel=Channel.PORTAL,
            kind=ThreadKind.QUESTION,
            handle="rahmat.hidayat@example.id",
            name="Rahmat Hidayat",
            subject="Pindah domisili, di mana saya memilih?",
            body="Selamat siang. Saya baru pindah dari Balikpapan ke Samarinda Ulu bulan lalu. "
            "Apakah saya masih bisa memilih di Samarinda? Terima kasih.",
            dedupe_key="demo:portal:1",
            received_at=now - timedelta(days=3, hours=2),
        )
    )
    # A WhatsApp message from a number, a Telegram message, an email.
    wa = services.ingest(
        services.Inbound(
            unit=samarinda,
            channel=Channel.WHATSAPP,
            handle="+6281250001234",
            name="Sri Wahyuni",
            account=account,
            body="Assalamualaikum, kapan jadwal coklit di Kelurahan Sidodadi? 🙏",
            dedupe_key="demo:wa:1",
            received_at=now - timedelta(hours=5),
        )
    )
    services.ingest(
        services.Inbound(
            unit=samarinda,
            channel=Channel.EMAIL,
            kind=ThreadKind.COMPLAINT,
            handle="lsm.pemilu@example.id",
            name="Forum Pemantau Pemilu Kaltim",
            subject="Keluhan: papan pengumuman DPS belum dipasang",
            body="Di beberapa kelurahan di Kecamatan Sungai Kunjang, papan pengumuman DPS belum "
            "dipasang padahal masa tanggapan masyarakat sudah berjalan.",
            dedupe_key="demo:email:1",
            received_at=now - timedelta(days=1, hours=1),
        )
    )
    # A hoax report, linked to a case answered by the published clarification.
    report = services.ingest(
        services.Inbound(
            unit=samarinda,
            channel=Channel.PORTAL,
            kind=ThreadKind.HOAX_REPORT,
            handle="warga.peduli@example.id",
            name="Warga Peduli",
            subject="Pesan berantai: pemungutan suara diundur",
            body="Beredar pesan berantai di grup WhatsApp RT bahwa pemungutan suara diundur ke "
            "bulan depan. Mohon klarifikasi.",
            claim_url="https://example.id/pesan-berantai",
            seen_on="WhatsApp",
            dedupe_key="demo:hoax:1",
            received_at=now - timedelta(days=2),
        )
    )
    clarification = ContentItem.objects.filter(unit=samarinda, form="hoax_clarification").first()
    case, _created = HoaxCase.objects.get_or_create(
        unit=samarinda,
        title="Pemungutan suara diundur ke bulan depan",
        defaults={
            "claim": "Pemungutan suara diundur ke bulan depan.",
            "category": "fabricated",
            "status": HoaxCaseStatus.CLARIFIED if clarification else HoaxCaseStatus.OPEN,
            "clarification": clarification,
            "created_by": editor,
        },
    )
    if report is not None:
        services.link_hoax(report.thread, editor, case=case, clarification=clarification)
        services.set_tags(report.thread, editor, ["Hoaks"])
    if asked is not None:
        services.assign(asked.thread, coordinator, editor)
        services.set_tags(asked.thread, editor, ["DPT"])
        services.reply(
            asked.thread,
            editor,
            "Yth. Rahmat Hidayat,\n\nAnda dapat mengurus pindah memilih (formulir model A) di "
            "PPS Samarinda Ulu paling lambat 30 hari sebelum hari pemungutan suara.\n\n"
            "Salam,\nHumas KPU Kota Samarinda",
        )
    if wa is not None:
        services.set_tags(wa.thread, editor, ["DPT"])
    # Information requests: being processed, incomplete, answered.
    if not InformationRequest.objects.filter(unit=samarinda).exists():
        base = {
            "requester_kind": "person",
            "identity_type": "nik",
            "address": "Jl. Juanda No. 12, Samarinda",
            "occupation": "Mahasiswa",
            "receive_method": "softcopy",
            "copy_method": "email",
        }
        first, _code = ppid_services.submit(
            samarinda,
            {
                **base,
                "name": "Dimas Saputra",
                "identity_number": "6472031507990003",
                "email": "dimas.saputra@example.id",
                "information": "Rekapitulasi jumlah pemilih per kecamatan di Kota Samarinda "
                "pada DPT Pemilu 2024.",
                "purpose": "Bahan skripsi tentang partisipasi pemilih.",
                "rule_set": RuleSet.PERKI,
            },
            received_at=now - timedelta(days=1),
        )
        ppid_services.assign(first, coordinator, editor)
        second, _code = ppid_services.submit(
            samarinda,
            {
                **base,
                "name": "Lembaga Kajian Demokrasi Borneo",
                "requester_kind": "organisation",
                "identity_type": "organisation",
                "identity_number": "AHU-0012345.AH.01.07",
                "email": "sekretariat.lkdb@example.id",
                "information": "Anggaran sosialisasi pemilu tahun 2025.",
                "purpose": "Kajian transparansi anggaran.",
                "rule_set": RuleSet.UU14,
            },
            received_at=now - timedelta(days=4),
        )
        ppid_services.mark_incomplete(
            second, editor, "Mohon lampirkan akta pendirian lembaga atau surat kuasa."
        )
        third, _code = ppid_services.submit(
            samarinda,
            {
                **base,
                "name": "Andi Wijaya",
                "identity_number": "6472012008850002",
                "email": "andi.wijaya@example.id",
                "information": "Daftar lokasi TPS di Kecamatan Samarinda Seberang.",
                "purpose": "Informasi untuk warga.",
                "rule_set": RuleSet.PERKI,
            },
            received_at=now - timedelta(days=6),
        )
        ppid_services.decide(
            third,
            coordinator,
            decision=Decision.GRANTED,
            answer="Daftar lokasi TPS kami kirimkan melalui surel dalam format PDF.",
        )
    return "4 threads, 3 information requests, WhatsApp demo account"
