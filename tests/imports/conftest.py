"""Helpers of the import tests: files in every format, an upload shortcut, immediate tasks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bakohumas.core.models import WorkUnit
from bakohumas.imports.models import ImportJob
from bakohumas.stakeholders.models import Category, Organisation

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

CONTACT_HEADER = [
    "nama",
    "organisasi",
    "jabatan",
    "telepon",
    "whatsapp",
    "email",
    "tag",
    "persetujuan_email",
    "persetujuan_whatsapp",
]
ORG_HEADER = ["nama", "kategori", "kota", "telepon", "email", "tag"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE
    # Messages are asserted in English (the Indonesian catalogue is written separately).
    settings.LANGUAGE_CODE = "en"


def csv_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def samarinda_org(units: dict[str, WorkUnit]) -> Organisation:
    return Organisation.objects.create(
        unit=units["64.72"], name="Bawaslu Kota Samarinda", category=Category.BAWASLU
    )


UploadFn = Callable[..., Any]


@pytest.fixture
def upload(units: dict[str, WorkUnit]) -> UploadFn:
    """``upload(client, content, name=..., kind=..., unit=..., policy=...)`` → response."""

    def do(
        client: Client,
        content: bytes,
        *,
        name: str = "kontak.csv",
        kind: str = "contacts",
        unit: str | int = "64.72",
        policy: str = "update",
        follow: bool = False,
    ) -> Any:
        unit_id = units[unit].pk if isinstance(unit, str) else unit
        return client.post(
            "/app/imports/new/",
            {
                "kind": kind,
                "unit": unit_id,
                "duplicate_policy": policy,
                "file": SimpleUploadedFile(name, content),
            },
            follow=follow,
        )

    return do


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-id").first()  # type: ignore[return-value]
