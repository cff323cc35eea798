"""The whole flow through the real database task backend and ``db_worker --batch``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from bakohumas.core.models import Role
from bakohumas.imports.models import ImportStatus
from bakohumas.stakeholders.models import Category, Contact, Organisation
from tests.imports.conftest import CONTACT_HEADER, csv_bytes, last_job


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")


@pytest.mark.django_db(transaction=True)
def test_upload_validate_confirm_import_through_db_worker(
    settings: Any, login, upload, units
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    org = Organisation.objects.create(
        unit=units["64.72"], name="Bawaslu Kota Samarinda", category=Category.BAWASLU
    )
    client = login("64.72", Role.EDITOR)
    content = csv_bytes(
        [
            CONTACT_HEADER,
            [
                "Budi",
                "Bawaslu Kota Samarinda",
                "Ketua",
                "0812-3456-7890",
                "",
                "budi@example.id",
                "media",
                "ya",
                "",
            ],
            ["Rusak", "", "", "12", "", "", "", "", ""],
        ]
    )
    upload(client, content)
    job = last_job()
    # Enqueued, not run: the page shows the progress bar polling.
    assert job.status == ImportStatus.UPLOADED
    assert DBTaskResult.objects.count() == 1
    body = client.get(f"/app/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in body and "Waiting for the background worker" in body

    run_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW, job.message
    assert (job.total_rows, job.valid_rows, job.error_rows) == (2, 1, 1)
    assert not Contact.objects.exists()

    client.post(f"/app/imports/{job.pk}/confirm/")
    client.post(f"/app/imports/{job.pk}/confirm/")  # a double click enqueues nothing more
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING
    assert DBTaskResult.objects.count() == 2
    progress = client.get(f"/app/imports/{job.pk}/progress/").json()
    assert progress["running"] is True and progress["status"] == "importing"

    run_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.created_rows == 1
    budi = Contact.objects.get()
    assert budi.organisation == org and budi.consents.get().method == "import"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert client.get(f"/app/imports/{job.pk}/progress/").json()["running"] is False
