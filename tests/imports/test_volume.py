"""10,000 rows validate well under a minute (bulk inserts, batched progress)."""

from __future__ import annotations

import time

from bakohumas.core.models import Role
from bakohumas.imports.models import ImportStatus, RowAction
from bakohumas.stakeholders.models import Contact
from tests.imports.conftest import CONTACT_HEADER, csv_bytes, last_job

ROWS = 10_000


def test_ten_thousand_rows(login, upload, units, samarinda_org) -> None:
    Contact.objects.bulk_create(
        Contact(unit=units["64.72"], name=f"Lama {i}", email=f"orang{i}@example.id")
        for i in range(0, ROWS, 200)
    )
    rows = [CONTACT_HEADER]
    for i in range(ROWS):
        email = f"orang{i}@example.id" if i % 97 else "salah@"
        org = "Bawaslu Kota Samarinda" if i % 3 == 0 else ""
        rows.append([f"Orang {i}", org, "Staf", f"0812{i:08d}", "", email, "massal", "ya", ""])
    content = csv_bytes(rows, delimiter=";")
    client = login("64.72", Role.EDITOR)
    started = time.monotonic()
    upload(client, content, name="besar.csv")
    elapsed = time.monotonic() - started
    job = last_job()
    assert job.status == ImportStatus.PREVIEW, job.message
    bad = len(range(0, ROWS, 97))
    existing = len([i for i in range(0, ROWS, 200) if i % 97])
    assert job.total_rows == job.processed_rows == ROWS
    assert job.error_rows == bad
    assert job.valid_rows == ROWS - bad
    assert job.planned_update == existing
    assert job.planned_create == ROWS - bad - existing
    assert job.rows.count() == ROWS
    assert job.rows.filter(action=RowAction.ERROR).count() == bad
    assert elapsed < 30, f"validation of {ROWS} rows took {elapsed:.1f}s"
    assert Contact.objects.count() == len(range(0, ROWS, 200))  # nothing written yet
