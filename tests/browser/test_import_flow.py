"""The spreadsheet import as staff use it: upload a contacts CSV with some bad rows,
watch the background worker check it, read why each bad row is refused (by line
number), confirm the valid rows, watch them being written, and find them in the list.

The real task backend (django-tasks-db) is used; the test runs ``db_worker --batch``
itself where a deployment has the worker process running.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bakohumas.imports.models import ImportJob
from bakohumas.stakeholders.models import Contact

pytestmark = pytest.mark.browser

# Line 1 is the header; data rows are lines 2-7.
CSV_ROWS = [
    "nama,jabatan,telepon,email,kanal_utama",
    "Rahmat Hidayat Uji,Wartawan,0812-7777-0001,rahmat.uji@example.id,whatsapp",
    "Sinta Lestari Uji,Dosen,0813 7777 0002,sinta.uji@example.id,email",
    ",Ketua,0812-7777-0003,tanpa.nama@example.id,",  # line 4: no name
    "Joko Salah Telepon,Anggota,12345,joko.uji@example.id,",  # line 5: bad phone
    "Dewi Salah Surel,Anggota,0812-7777-0005,bukan-surel,",  # line 6: bad email
    "Agus Pratama Uji,Anggota,+62 812 7777 0006,agus.uji@example.id,",
]
BAD_LINES = {4: "", 5: "12345", 6: "bukan-surel"}
GOOD_NAMES = ["Rahmat Hidayat Uji", "Sinta Lestari Uji", "Agus Pratama Uji"]


def run_worker() -> None:
    """What the deployment's worker process does: run every queued task once."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def row_for_line(page: Any, line: int) -> Any:
    table = page.locator("[data-testid=import-rows]")
    return table.locator("tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(rf"^\s*{line}\s*$"))
    )


def test_upload_review_errors_confirm_and_find_contact(
    page: Any, login_as: Callable[[str], Any], live_server: Any
) -> None:
    base = live_server.url
    login_as("koordinator.samarinda")
    before = Contact.objects.count()

    page.goto(f"{base}/app/imports/new/")
    page.select_option("#id_kind", "contacts")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "kontak-uji.csv",
                "mimeType": "text/csv",
                "buffer": ("\n".join(CSV_ROWS) + "\n").encode("utf-8"),
            }
        ],
    )
    page.locator("form[data-import-upload] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/app/imports/\d+/$"))
    job = ImportJob.objects.get()
    assert job.original_name == "kontak-uji.csv"
    assert job.unit.code == "64.72"

    # Waiting for the worker: the progress panel is shown and polls.
    expect(page.locator("[data-testid=import-progress]")).to_be_visible()
    assert Contact.objects.count() == before

    run_worker()
    # The panel notices the end of the check and reloads the page with the preview.
    rows = page.locator("[data-testid=import-rows]")
    expect(rows).to_be_visible()
    expect(page.locator("[data-testid=count-valid]")).to_have_text("3")
    expect(page.locator("[data-testid=count-errors]")).to_have_text("3")
    assert Contact.objects.count() == before  # nothing written before confirming

    for line, value in BAD_LINES.items():
        row = row_for_line(page, line)
        expect(row).to_have_count(1)
        expect(row).to_have_class(re.compile(r"table-danger"))
        reasons = row.locator("ul.text-danger li")
        expect(reasons.first).to_be_visible()
        if value:
            expect(reasons.first).to_contain_text(value)
    for line in (2, 3, 7):
        expect(row_for_line(page, line)).not_to_have_class(re.compile(r"table-danger"))

    confirm = page.locator("[data-testid=confirm-import]")
    expect(confirm).to_contain_text("3")
    confirm.click()
    page.wait_for_url(re.compile(rf".*/app/imports/{job.pk}/$"))
    run_worker()
    expect(page.locator("[data-testid=count-created]")).to_have_text("3")
    assert Contact.objects.count() == before + 3
    assert not Contact.objects.filter(name__in=["Joko Salah Telepon", "Dewi Salah Surel"]).exists()

    # The imported contact is in the list, with its number in E.164.
    page.goto(f"{base}/app/stakeholders/contacts/?q=Rahmat+Hidayat+Uji")
    link = page.get_by_role("link", name="Rahmat Hidayat Uji", exact=True)
    expect(link).to_be_visible()
    expect(page.locator("main table tbody tr", has=link)).to_contain_text("+6281277770001")
