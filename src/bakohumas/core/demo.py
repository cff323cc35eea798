"""Demo data (``bakohumas seed_demo``): users of Kalimantan Timur. Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from bakohumas.core.data import KALTIM_CODE, load_work_units
from bakohumas.core.models import Role, StaffCategory, StaffProfile, TeamPosition, WorkUnit
from bakohumas.core.services import set_role

DEMO_PASSWORD = "bakohumas-demo"

# username, unit code, role, full name
DEMO_USERS: list[tuple[str, str, str, str]] = [
    ("admin.kaltim", KALTIM_CODE, Role.ADMINISTRATOR, "Admin KPU Kaltim"),
    ("koordinator.kaltim", KALTIM_CODE, Role.COORDINATOR, "Rina Koordinator Kaltim"),
    ("koordinator.samarinda", "64.72", Role.COORDINATOR, "Budi Koordinator Samarinda"),
    ("editor.samarinda", "64.72", Role.EDITOR, "Sari Editor Samarinda"),
    ("kontributor.samarinda", "64.72", Role.CONTRIBUTOR, "Dewi Kontributor Samarinda"),
    ("koordinator.berau", "64.03", Role.COORDINATOR, "Andi Koordinator Berau"),
    ("pemantau.kaltim", KALTIM_CODE, Role.VIEWER, "Yusuf Pemantau Kaltim"),
]


@transaction.atomic
def seed_demo_users() -> int:
    """Create the demo users that do not exist yet; returns how many were created."""
    load_work_units()
    user_model = get_user_model()
    created = 0
    units = {u.code: u for u in WorkUnit.objects.all()}
    for username, code, role, full_name in DEMO_USERS:
        if user_model.objects.filter(username=username).exists():
            continue
        first, _, last = full_name.partition(" ")
        user = user_model.objects.create_user(
            username=username,
            email=f"{username}@kpu.example.id",
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
        )
        StaffProfile.objects.create(
            user=user,
            unit=units[code],
            role=role,
            category=StaffCategory.PRANATA_HUMAS
            if role != Role.ADMINISTRATOR
            else StaffCategory.ADMINISTRATIVE_OFFICIAL,
            team_position=TeamPosition.KETUA if role == Role.COORDINATOR else TeamPosition.ANGGOTA,
        )
        set_role(user, role)
        created += 1
    return created
