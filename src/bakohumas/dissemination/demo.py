"""Demo data of dissemination (``seed_demo``; idempotent).

KPU Kota Samarinda's published news item "Ayo cek data pemilih Anda" gets a plan: the
portal, an email campaign to the public newsletter (sent by the worker into the
development mailbox), an email to the stakeholder group (contacts without email consent
are skipped with the reason), a WhatsApp group share with its evidence recorded, and a
radio talk show awaiting evidence from editor.samarinda. No platform account is
connected in the demo: the plan screen offers the manual package for those channels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bakohumas.content.models import ContentItem
from bakohumas.core.models import WorkUnit
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import (
    ChannelKind,
    MailingList,
    Publication,
    Subscriber,
    SubscriberStatus,
)

NEWSLETTER = "Buletin Pemilu KPU Kota Samarinda"
SUBSCRIBERS = [
    ("Andi Pratama", "andi.pratama@example.id"),
    ("Siti Rahmawati", "siti.rahmawati@example.id"),
    ("Budi Santoso", "budi.santoso@example.id"),
    ("Dewi Lestari", "dewi.lestari@example.id"),
    ("Rina Marlina", "rina.marlina@example.id"),
    ("Fajar Nugroho", "fajar.nugroho@example.id"),
    ("Yusuf Hidayat", "yusuf.hidayat@example.id"),
    ("Nur Aisyah", "nur.aisyah@example.id"),
]


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@transaction.atomic
def seed_demo_dissemination() -> str:
    samarinda = WorkUnit.objects.get(code="64.72")
    editor = _user("editor.samarinda")
    newsletter, _created = MailingList.objects.get_or_create(
        unit=samarinda,
        name=NEWSLETTER,
        defaults={
            "description": "Kabar tahapan pemilu, jadwal, dan klarifikasi hoaks dari KPU Kota "
            "Samarinda, langsung ke surel Anda.",
            "from_name": "KPU Kota Samarinda",
            "reply_to": "humas@samarinda.kpu.example.id",
        },
    )
    now = timezone.now()
    for name, email in SUBSCRIBERS:
        Subscriber.objects.get_or_create(
            mailing_list=newsletter,
            email=email,
            defaults={
                "name": name,
                "status": SubscriberStatus.CONFIRMED,
                "confirmed_at": now - timedelta(days=20),
                "consent_source": "portal double opt-in (demo)",
            },
        )
    Subscriber.objects.get_or_create(
        mailing_list=newsletter,
        email="belum.konfirmasi@example.id",
        defaults={"name": "Belum Konfirmasi", "status": SubscriberStatus.PENDING},
    )
    Subscriber.objects.get_or_create(
        mailing_list=newsletter,
        email="sudah.berhenti@example.id",
        defaults={
            "name": "Sudah Berhenti",
            "status": SubscriberStatus.UNSUBSCRIBED,
            "unsubscribed_at": now - timedelta(days=3),
        },
    )
    item = ContentItem.objects.filter(unit=samarinda, slug="ayo-cek-data-pemilih").first()
    if item is None or Publication.objects.filter(item=item).exists():
        return f"{newsletter.subscribers.count()} subscribers; plan already there"
    from bakohumas.stakeholders.models import CommunicationGroup

    group = CommunicationGroup.objects.filter(unit=samarinda).order_by("pk").first()
    plans = [
        engine.PlanInput(kind=ChannelKind.WEBSITE),
        engine.PlanInput(kind=ChannelKind.EMAIL, mailing_list_id=newsletter.pk),
        engine.PlanInput(
            kind=ChannelKind.WHATSAPP_GROUP,
            target="Grup WhatsApp PPK se-Kota Samarinda",
            responsible_id=editor.pk,
        ),
        engine.PlanInput(
            kind=ChannelKind.RADIO,
            target="Talkshow RRI Samarinda Pro 1",
            responsible_id=editor.pk,
        ),
    ]
    if group is not None:
        plans.insert(2, engine.PlanInput(kind=ChannelKind.EMAIL, group_id=group.pk))
    made = [engine.plan(item, p, by=editor) for p in plans]
    for publication in made:
        engine.dispatch(publication.pk)
    whatsapp_group = next(p for p in made if p.kind == ChannelKind.WHATSAPP_GROUP)
    engine.record_evidence(
        whatsapp_group,
        by=editor,
        url="https://chat.whatsapp.com/DemoPPKSamarinda",
        broadcast_at=now - timedelta(minutes=5),
        audience=58,
        note="Dibagikan ke grup PPK; 58 anggota.",
    )
    return (
        f"{newsletter.subscribers.count()} subscribers, {len(made)} publications planned "
        "(email goes out through the worker into the development mailbox)"
    )
