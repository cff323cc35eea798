"""Validation into preview rows: formats, headers, per-row errors, duplicates, policies.

Nothing may touch the stakeholder tables before the import is confirmed.
"""

from __future__ import annotations

import pytest

from bakohumas.core.models import Role
from bakohumas.imports.models import ImportRow, ImportStatus, RowAction
from bakohumas.imports.services import validate_job
from bakohumas.stakeholders.models import Category, Contact, Organisation
from tests.imports.conftest import CONTACT_HEADER, ORG_HEADER, csv_bytes, last_job, xlsx_bytes


def rows_by_line(job) -> dict[int, ImportRow]:
    return {row.line_number: row for row in job.rows.all()}


def contact(
    name: str,
    org: str = "",
    phone: str = "",
    wa: str = "",
    email: str = "",
    tags: str = "",
    consent_email: str = "",
    consent_wa: str = "",
) -> list[str]:
    return [name, org, "", phone, wa, email, tags, consent_email, consent_wa]


@pytest.fixture
def editor(login):
    return login("64.72", Role.EDITOR)


def test_valid_contacts_preview_and_nothing_written(editor, upload, samarinda_org) -> None:
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact(
                "Budi Santoso",
                "bawaslu kota samarinda",
                "0812-3456-7890",
                "",
                "Budi@Example.ID",
                "media; narasumber",
                "ya",
            ),
            contact("Sari", "", "", "+62 813 1111 2222"),
        ]
    )
    upload(editor, content)
    job = last_job()
    assert job.status == ImportStatus.PREVIEW
    assert (job.total_rows, job.valid_rows, job.error_rows) == (2, 2, 0)
    assert (job.planned_create, job.planned_update, job.planned_skip) == (2, 0, 0)
    assert job.processed_rows == 2
    rows = rows_by_line(job)
    assert rows[2].action == RowAction.CREATE
    assert rows[2].data["phone"] == "+6281234567890"
    assert rows[2].data["email"] == "Budi@example.id"
    assert rows[2].data["organisation_id"] == samarinda_org.pk
    assert rows[2].data["organisation"] == "Bawaslu Kota Samarinda"
    assert rows[2].data["tags"] == ["media", "narasumber"]
    assert rows[2].data["consent_email"] is True
    assert rows[3].data["whatsapp"] == "+6281311112222"
    assert not Contact.objects.exists()
    assert Organisation.objects.count() == 1


def test_wrong_headers_fail_at_once_without_rows(editor, upload) -> None:
    upload(editor, csv_bytes([["Nama Lengkap Orang", "HP"], ["Budi", "0812"]]), kind="contacts")
    job = last_job()
    assert job.status == ImportStatus.FAILED
    assert "Missing required columns: nama" in job.message
    assert "jabatan (position)" in job.message  # the accepted ones are listed
    assert not job.rows.exists()
    assert job.finished_at is not None
    body = editor.get(f"/app/imports/{job.pk}/").content.decode()
    assert "Missing required columns" in body


def test_missing_required_org_header(editor, upload) -> None:
    upload(editor, csv_bytes([["nama", "kota"], ["A", "Samarinda"]]), kind="organisations")
    job = last_job()
    assert job.status == ImportStatus.FAILED
    assert "Missing required columns: kategori." in job.message


def test_header_only_file_fails(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["", ""]]), kind="organisations")
    job = last_job()
    assert job.status == ImportStatus.FAILED
    assert "no data rows" in job.message


def test_unknown_columns_are_reported_not_fatal(editor, upload) -> None:
    upload(
        editor,
        csv_bytes([["No", "nama", "kategori", "Hobi"], ["1", "A", "press", "x"]]),
        kind="organisations",
    )
    job = last_job()
    assert job.status == ImportStatus.PREVIEW
    assert job.ignored_columns == ["No", "Hobi"]
    body = editor.get(f"/app/imports/{job.pk}/").content.decode()
    assert "These columns were not recognised and are ignored: No, Hobi." in body
    assert job.columns == ["name", "category"]


def test_english_headers_mixed_case_and_spacing(editor, upload) -> None:
    content = csv_bytes(
        [
            [" Name ", "CATEGORY", "City", "Phone", "E-mail", "Tags"],
            [
                "Radio Suara Kaltim",
                "Public or private broadcaster",
                "Samarinda",
                "(0541) 123456",
                "redaksi@radio.example.id",
                "radio",
            ],
        ]
    )
    upload(editor, content, kind="organisations")
    job = last_job()
    assert job.status == ImportStatus.PREVIEW, job.message
    row = job.rows.get()
    assert row.action == RowAction.CREATE, row.errors
    assert row.data["category"] == Category.BROADCASTER
    assert row.data["phone"] == "+62541123456"


def test_empty_rows_skipped_silently_line_numbers_kept(editor, upload) -> None:
    content = csv_bytes([ORG_HEADER, ["A", "press"], ["", "", ""], [], [" ", " "], ["B", "nope"]])
    upload(editor, content, kind="organisations")
    job = last_job()
    assert (job.total_rows, job.valid_rows, job.error_rows) == (2, 1, 1)
    assert sorted(rows_by_line(job)) == [2, 6]
    assert rows_by_line(job)[6].errors == [
        "Category: Unknown category “nope”. Use one of: police, bawaslu, dprd, government, "
        "party, ngo, ormas, university, broadcaster, press, platform, community."
    ]


def test_latin1_csv(editor, upload) -> None:
    content = csv_bytes(
        [ORG_HEADER, ["Café Démocratie Ñusantara", "komunitas", "Tenggarong"]], encoding="latin-1"
    )
    upload(editor, content, kind="organisations")
    row = last_job().rows.get()
    assert row.data["name"] == "Café Démocratie Ñusantara"
    assert row.data["category"] == Category.COMMUNITY


def test_cp1252_csv_with_smart_quotes(editor, upload) -> None:
    content = csv_bytes(
        [
            ["nama", "kategori", "catatan"],
            ["Forum “Pemilih Cerdas”", "ormas", "Mitra \u2013 aktif"],
        ],
        encoding="cp1252",
        delimiter=";",
    )
    upload(editor, content, kind="organisations")
    row = last_job().rows.get()
    assert row.data["name"] == "Forum “Pemilih Cerdas”"
    assert row.data["notes"] == "Mitra \u2013 aktif"


def test_utf8_bom_csv(editor, upload) -> None:
    content = csv_bytes([ORG_HEADER, ["Lembaga Pers Kaltim", "pers"]], bom=True)
    upload(editor, content, kind="organisations")
    job = last_job()
    assert job.columns[0] == "name"  # the BOM did not stick to the first header
    assert job.rows.get().data == {"name": "Lembaga Pers Kaltim", "category": "press"}


def test_semicolon_csv(editor, upload) -> None:
    content = csv_bytes(
        [
            ORG_HEADER,
            [
                "Partai A, Cabang Samarinda",
                "Partai Politik",
                "Samarinda",
                "0541-741000",
                "",
                "partai; mitra",
            ],
        ],
        delimiter=";",
    )
    upload(editor, content, kind="organisations")
    row = last_job().rows.get()
    assert row.action == RowAction.CREATE, row.errors
    assert row.data["name"] == "Partai A, Cabang Samarinda"
    assert row.data["category"] == Category.POLITICAL_PARTY
    assert row.data["tags"] == ["partai", "mitra"]


def test_xlsx_with_numeric_phones(editor, upload, samarinda_org) -> None:
    content = xlsx_bytes(
        [
            CONTACT_HEADER,
            [
                "Budi",
                "Bawaslu Kota Samarinda",
                "Ketua",
                81234567890,
                None,
                "budi@example.id",
                None,
                "Ya",
                None,
            ],
            [None] * 9,
            ["Ani", None, None, None, 6281311112222, None, None, None, "x"],
        ]
    )
    upload(editor, content, name="kontak.xlsx")
    job = last_job()
    assert job.status == ImportStatus.PREVIEW, job.message
    rows = rows_by_line(job)
    assert sorted(rows) == [2, 4]
    assert rows[2].data["phone"] == "+6281234567890"
    assert rows[4].data["whatsapp"] == "+6281311112222"
    assert rows[4].data["consent_whatsapp"] is True
    assert job.error_rows == 0, [r.errors for r in rows.values()]


def test_invalid_phones_emails_and_long_values(editor, upload) -> None:
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact("Budi", phone="12"),
            contact("Sari", wa="0812-ABC"),
            contact("Dewi", email="dewi@@example"),
            contact("x" * 201),
            contact("", email="noname@example.id"),
            contact("Eko", email="eko@example.id", consent_wa="ya"),
            contact("Fajar", email="fajar@example.id", consent_email="mungkin"),
        ]
    )
    upload(editor, content)
    job = last_job()
    assert (job.total_rows, job.error_rows, job.valid_rows) == (7, 7, 0)
    rows = rows_by_line(job)
    assert rows[2].errors == ["Phone: “12” is not a valid phone number."]
    assert rows[3].errors[0].startswith("WhatsApp: “0812-ABC” is not")
    assert rows[4].errors == ["Email: “dewi@@example” is not a valid email address."]
    assert rows[5].errors == ["Name: Too long (at most 200 characters)."]
    assert rows[6].errors == ["Name is required."]
    assert rows[7].errors == [
        "WhatsApp consent: This consent needs a value in the column WhatsApp."
    ]
    assert rows[8].errors == ["Email consent: “mungkin” is not yes or no. Write “ya” or “tidak”."]
    assert all(r.action == RowAction.ERROR for r in rows.values())
    # Bad rows keep the values as typed, for the errors export.
    assert rows[2].data["_raw"]["phone"] == "12"


def test_all_errors_of_a_row_are_reported_at_once(editor, upload) -> None:
    upload(editor, csv_bytes([CONTACT_HEADER, contact("Budi", "Tidak Ada", "12")]))
    row = last_job().rows.get()
    assert len(row.errors) == 2
    assert row.errors[0].startswith("Phone:")
    assert row.errors[1].startswith("Organisation “Tidak Ada” was not found")


def test_unknown_organisation_is_a_row_error(editor, upload, units) -> None:
    Organisation.objects.create(
        unit=units["64.03"], name="Bawaslu Berau", category=Category.BAWASLU
    )
    upload(editor, csv_bytes([CONTACT_HEADER, contact("Budi", "Bawaslu Berau", "0812345678")]))
    row = last_job().rows.get()
    assert row.action == RowAction.ERROR
    assert row.errors == [
        "Organisation “Bawaslu Berau” was not found in KPU Kota Samarinda. "
        "Import or create the organisation first."
    ]


def test_province_import_finds_organisation_of_kabkota(login, upload, units) -> None:
    org = Organisation.objects.create(
        unit=units["64.72"], name="Bawaslu Kota Samarinda", category=Category.BAWASLU
    )
    client = login("64", Role.EDITOR)
    upload(
        client,
        csv_bytes([CONTACT_HEADER, contact("Budi", "Bawaslu Kota Samarinda", "0812345678")]),
        unit="64",
    )
    row = last_job().rows.get()
    assert row.action == RowAction.CREATE, row.errors
    assert row.data["organisation_id"] == org.pk
    assert "KPU Kota Samarinda" in row.notes[0]


def test_duplicates_inside_the_file(editor, upload) -> None:
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact("Budi", phone="0812-3456-7890", email="budi@example.id"),
            contact("Budi 2", wa="+6281234567890"),
            contact("Budi 3", email="BUDI@example.id"),
            contact("Ani", phone="081311112222", wa="081311112222"),  # same number twice: fine
        ]
    )
    upload(editor, content)
    rows = rows_by_line(last_job())
    assert rows[2].action == RowAction.CREATE
    assert rows[3].errors == ["The number +6281234567890 is already on line 2."]
    assert rows[4].errors == ["The email budi@example.id is already on line 2."]
    assert rows[5].action == RowAction.CREATE, rows[5].errors


def test_duplicate_organisation_names_inside_the_file(editor, upload) -> None:
    upload(
        editor,
        csv_bytes([ORG_HEADER, ["Radio A", "radio"], ["RADIO A", "tv"]]),
        kind="organisations",
    )
    rows = rows_by_line(last_job())
    assert rows[3].errors == ["The same organisation name is already on line 2."]


@pytest.fixture
def existing_contact(units) -> Contact:
    return Contact.objects.create(
        unit=units["64.72"], name="Budi Lama", phone="+6281234567890", email="budi@example.id"
    )


def test_existing_contact_planned_as_update(editor, upload, existing_contact) -> None:
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact("Budi Baru", wa="0812-3456-7890"),
            contact("Budi Lagi", email="BUDI@EXAMPLE.ID"),
        ]
    )
    upload(editor, content, policy="update")
    job = last_job()
    rows = rows_by_line(job)
    assert rows[2].action == RowAction.UPDATE
    assert rows[2].existing_id == existing_contact.pk
    assert rows[2].notes == [
        f"Updates the existing contact “Budi Lama” (#{existing_contact.pk}, same number)."
    ]
    # A second line matching the same record is an error naming the first.
    assert rows[3].action == RowAction.ERROR
    assert rows[3].errors == [
        f"Line 2 already matches the existing record “Budi Lama” (#{existing_contact.pk})."
    ]
    assert (job.planned_update, job.error_rows) == (1, 1)


def test_existing_contact_planned_as_skip(editor, upload, existing_contact) -> None:
    upload(
        editor, csv_bytes([CONTACT_HEADER, contact("Budi", email="budi@example.id")]), policy="skip"
    )
    job = last_job()
    row = job.rows.get()
    assert row.action == RowAction.SKIP
    assert row.existing_id == existing_contact.pk
    assert "already exists" in row.notes[0]
    assert (job.valid_rows, job.planned_skip, job.rows_to_write) == (1, 1, 0)


def test_existing_contact_of_another_unit_is_not_matched(editor, upload, units) -> None:
    Contact.objects.create(unit=units["64.03"], name="Berau", phone="+6281234567890")
    upload(editor, csv_bytes([CONTACT_HEADER, contact("Budi", phone="081234567890")]))
    assert last_job().rows.get().action == RowAction.CREATE


def test_matching_two_existing_contacts_is_an_error(editor, upload, units) -> None:
    a = Contact.objects.create(unit=units["64.72"], name="A", phone="+6281234567890")
    b = Contact.objects.create(unit=units["64.72"], name="B", email="b@example.id")
    upload(
        editor,
        csv_bytes([CONTACT_HEADER, contact("AB", phone="081234567890", email="b@example.id")]),
    )
    row = last_job().rows.get()
    assert row.action == RowAction.ERROR
    assert f"#{a.pk}" in row.errors[0] and f"#{b.pk}" in row.errors[0]


def test_existing_organisation_by_name(editor, upload, samarinda_org, units) -> None:
    Organisation.objects.create(unit=units["64.03"], name="Radio A", category=Category.BROADCASTER)
    upload(
        editor,
        csv_bytes([ORG_HEADER, ["BAWASLU kota samarinda", "bawaslu"], ["Radio A", "radio"]]),
        kind="organisations",
    )
    rows = rows_by_line(last_job())
    assert rows[2].action == RowAction.UPDATE
    assert rows[2].existing_id == samarinda_org.pk
    assert rows[3].action == RowAction.CREATE  # another unit's organisation is not matched


def test_validation_is_rerunnable(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"], ["B", "press"]]), kind="organisations")
    job = last_job()
    # A finished validation is not run again.
    assert validate_job(job.pk) == ImportStatus.PREVIEW
    assert job.rows.count() == 2
    # A worker that died mid-way leaves "validating": running again starts from scratch.
    type(job).objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    assert validate_job(job.pk) == ImportStatus.PREVIEW
    assert job.rows.count() == 2


def test_unreadable_xlsx_fails_job(editor, upload) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    upload(editor, buffer.getvalue(), name="rusak.xlsx")
    job = last_job()
    assert job.status == ImportStatus.FAILED
    assert job.message == "The Excel workbook cannot be read."


def test_cancel_during_validation_stops_and_leaves_no_rows(editor, upload, monkeypatch) -> None:
    from bakohumas.imports import services
    from bakohumas.imports.models import ImportJob
    from bakohumas.imports.validation import RowValidator

    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    original = RowValidator.plan_batch
    calls = {"n": 0}

    def cancel_on_second_batch(self, rows):
        calls["n"] += 1
        if calls["n"] == 2:  # the user clicks "Cancel" while the worker is busy
            ImportJob.objects.update(status=ImportStatus.CANCELLED)
        return original(self, rows)

    monkeypatch.setattr(RowValidator, "plan_batch", cancel_on_second_batch)
    upload(
        editor,
        csv_bytes([ORG_HEADER, *[[f"O{i}", "press"] for i in range(5)]]),
        kind="organisations",
    )
    job = last_job()
    assert job.status == ImportStatus.CANCELLED
    assert calls["n"] == 2
    assert not job.rows.exists()
