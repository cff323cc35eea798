"""Demo content of Kalimantan Timur (``bakohumas seed_demo``). Idempotent.

Every item goes through the real services (create → submit → approve → publish) with
the demo users, so its workflow history is genuine.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from bakohumas.content import services
from bakohumas.content.models import (
    ContentItem,
    Election,
    ElectionKind,
    ElectionStage,
    ProductionTarget,
)
from bakohumas.core.models import WorkUnit

BODY = (
    "<p>KPU {place} mengajak seluruh warga untuk memeriksa data pemilih melalui laman "
    "cekdptonline.kpu.go.id atau datang langsung ke kantor KPU.</p>"
    "<h2>Yang perlu disiapkan</h2><ul><li>KTP elektronik</li><li>Kartu keluarga</li></ul>"
    "<p>Informasi lebih lanjut dapat diperoleh melalui layanan PPID KPU {place}.</p>"
)


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _demo_image(text: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 1500), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 1140, 1440), outline=(255, 255, 255), width=12)
    for i, line in enumerate(text.split("\n")):
        draw.text((120, 200 + i * 120), line, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("infografis.png", buffer.getvalue(), content_type="image/png")


def _asset(unit: WorkUnit, by: Any, title: str, alt: str, colour: tuple[int, int, int]) -> Any:
    from bakohumas.media.models import MediaAsset
    from bakohumas.media.services import ingest_upload

    existing = MediaAsset.objects.filter(unit=unit, title=title).first()
    if existing is not None:
        return existing
    return ingest_upload(
        unit,
        _demo_image(title, colour),
        by,
        title=title,
        alt_text=alt,
        caption=title,
        credit=f"Humas {unit.name}",
    )


def seed_election() -> Election:
    election, _ = Election.objects.get_or_create(
        name="Pemilu 2029",
        defaults={"kind": ElectionKind.PEMILU, "voting_day": date(2029, 2, 14)},
    )
    today = timezone.localdate()
    stages = [
        ("Perencanaan program dan anggaran", date(2026, 6, 1), date(2027, 6, 30), False),
        (
            "Sosialisasi tahapan (demo)",
            today - timedelta(days=7),
            today + timedelta(days=30),
            False,
        ),
        (
            "Masa tenang simulasi (demo)",
            today + timedelta(days=10),
            today + timedelta(days=12),
            True,
        ),
        ("Masa tenang", date(2029, 2, 11), date(2029, 2, 13), True),
        ("Pemungutan dan penghitungan suara", date(2029, 2, 14), date(2029, 2, 15), False),
    ]
    for name, start, end, quiet in stages:
        ElectionStage.objects.get_or_create(
            election=election,
            name=name,
            defaults={"starts_on": start, "ends_on": end, "restricts_publishing": quiet},
        )
    return election


def _make(unit: WorkUnit, by: Any, slug: str, **fields: Any) -> ContentItem | None:
    if ContentItem.objects.filter(unit=unit, slug=slug).exists():
        return None
    variants = fields.pop("variants", None)
    media = fields.pop("media", None)
    tags = fields.pop("tags", None)
    return services.create_item(
        unit=unit,
        by=by,
        fields={"slug": slug, **fields},
        variants=variants,
        media=media,
        tags=tags,
    )


def _publish(item: ContentItem | None, author: Any, validator: Any, editor: Any) -> None:
    if item is None:
        return
    services.submit(item, by=author)
    services.approve(item, by=validator, comment="Sudah diperiksa, sesuai data.")
    item.refresh_from_db()
    if item.status == "approved":
        services.publish_now(item, by=editor)


@transaction.atomic
def seed_demo_content() -> str:
    units = {u.code: u for u in WorkUnit.objects.filter(code__in=["64", "64.72", "64.03"])}
    kaltim, samarinda = units["64"], units["64.72"]
    koor_kaltim = _user("koordinator.kaltim")
    admin = _user("admin.kaltim")
    koor_smd = _user("koordinator.samarinda")
    editor_smd = _user("editor.samarinda")
    kontributor = _user("kontributor.samarinda")
    election = seed_election()
    before = ContentItem.objects.count()

    image_smd = _asset(
        samarinda,
        editor_smd,
        "Infografis cek DPT Samarinda",
        "Infografis biru: langkah memeriksa data pemilih di cekdptonline.kpu.go.id",
        (13, 71, 161),
    )
    image_kaltim = _asset(
        kaltim,
        admin,
        "Infografis tahapan Pemilu 2029",
        "Infografis merah: garis waktu tahapan Pemilu 2029 dari perencanaan hingga pemungutan",
        (176, 32, 38),
    )
    place_smd, place_kaltim = "Kota Samarinda", "Provinsi Kalimantan Timur"
    x_text = "Sudah cek namamu di DPT? Cek di cekdptonline.kpu.go.id"
    news = _make(
        samarinda,
        editor_smd,
        "ayo-cek-data-pemilih",
        form="news",
        title="Ayo cek data pemilih Anda",
        summary="Warga Samarinda diajak memeriksa data pemilih secara daring.",
        body=BODY.format(place=place_smd),
        election=election.pk,
        tags=["DPT", "pemilih"],
        variants=[
            {
                "channel": "x",
                "text": x_text,
                "hashtags": "PemiluDamai KPUSamarinda",
                "link": "https://cekdptonline.kpu.go.id",
            },
            {"channel": "whatsapp", "text": x_text},
        ],
    )
    _publish(news, editor_smd, koor_smd, editor_smd)
    press = _make(
        samarinda,
        editor_smd,
        "siaran-pers-rapat-koordinasi-bakohumas",
        form="press_release",
        title="Rapat koordinasi Bakohumas KPU Kota Samarinda",
        summary="KPU Kota Samarinda menggelar rapat koordinasi kehumasan dengan pemangku "
        "kepentingan.",
        body=BODY.format(place=place_smd),
        release_number="01/HM/XI/2026",
        contact_name="Sari Editor Samarinda",
        contact_phone="+62541000000",
        contact_email="humas@samarinda.kpu.example.id",
    )
    _publish(press, editor_smd, koor_smd, editor_smd)
    hoax = _make(
        samarinda,
        editor_smd,
        "klarifikasi-hoaks-pemungutan-suara-diundur",
        form="hoax_clarification",
        title="[HOAKS] Pemungutan suara diundur ke bulan depan",
        summary="Beredar pesan berantai yang menyebut pemungutan suara diundur. Informasi "
        "ini tidak benar.",
        body="<p>KPU tidak pernah mengeluarkan keputusan pengunduran. "
        "Jadwal resmi tetap sesuai PKPU tentang tahapan.</p>",
        claim_text="Pemungutan suara diundur ke bulan depan",
        claim_rating="salah",
        claim_author="Pesan berantai WhatsApp",
        claim_date=timezone.localdate(),
    )
    _publish(hoax, editor_smd, koor_smd, editor_smd)
    provincial = _make(
        kaltim,
        admin,
        "tahapan-pemilu-2029",
        form="infographic",
        title="Tahapan Pemilu 2029 di Kalimantan Timur",
        summary="Garis waktu tahapan Pemilu 2029.",
        body=BODY.format(place=place_kaltim),
        media=[image_kaltim.pk],
        election=election.pk,
        variants=[
            {
                "channel": "instagram",
                "text": "Simak tahapan Pemilu 2029!",
                "hashtags": "Pemilu2029 KPUKaltim",
            }
        ],
    )
    _publish(provincial, admin, koor_kaltim, admin)
    if provincial is not None:
        services.share_down(provincial, by=koor_kaltim)
    # Awaiting validation by koordinator.samarinda (written by kontributor.samarinda).
    waiting = _make(
        samarinda,
        kontributor,
        "pemilih-pemula-dan-media-sosial",
        form="news",
        title="Pemilih pemula dan media sosial",
        summary="Tips menyaring informasi pemilu di media sosial.",
        body=BODY.format(place=place_smd),
        publish_at=timezone.make_aware(
            datetime.combine(timezone.localdate() + timedelta(days=2), time(9, 0)),
            samarinda.zone,
        ),
    )
    if waiting is not None:
        services.submit(waiting, by=kontributor)
    _make(
        samarinda,
        kontributor,
        "infografis-cek-dpt",
        form="infographic",
        title="Infografis: cara cek DPT",
        summary="Langkah cek DPT.",
        body="<p>Empat langkah memeriksa data pemilih.</p>",
        media=[image_smd.pk],
        variants=[
            {"channel": "instagram", "text": "Cara cek DPT dalam 4 langkah", "hashtags": "CekDPT"}
        ],
    )
    for unit, count in ((samarinda, 3), (kaltim, 5)):
        ProductionTarget.objects.get_or_create(
            unit=unit, form="", period=ProductionTarget.Period.WEEK, defaults={"count": count}
        )
    return f"{ContentItem.objects.count() - before} items created"
