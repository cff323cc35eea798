"""Helpers of the core tests."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def bulk_staff(unit: object, n: int, role: str = "viewer", prefix: str = "bulk") -> list[object]:
    """``n`` staff members of ``unit`` without password hashing (fast, for volume tests)."""
    from django.contrib.auth import get_user_model

    from bakohumas.core.models import StaffProfile

    user_model = get_user_model()
    code = unit.code.replace(".", "")  # type: ignore[attr-defined]
    start = user_model.objects.count()
    users = user_model.objects.bulk_create(
        [
            user_model(
                username=f"{prefix}.{code}.{start + i}",
                email=f"{prefix}.{code}.{start + i}@kpu.example.id",
                first_name=f"Person{i}",
                password="!",  # unusable
            )
            for i in range(n)
        ]
    )
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=user, unit=unit, role=role) for user in users]  # type: ignore[misc]
    )
    return users  # type: ignore[return-value]
