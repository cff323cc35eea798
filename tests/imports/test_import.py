"""Confirm and import: the valid rows are written through the stakeholder services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from bakohumas.core.models import Role
from bakohumas.imports.models import ImportJob, ImportRow, ImportStatus, RowAction, RowOutcome
from bakohumas.imports.services import import_job
from bakohumas.stakeholders.models import (
    Category,
    ConsentMethod,
    ConsentStatus,
    Contact,
    ContactConsent,
    Organisation,
    Tag,
)
from tests.imports.conftest import CONTACT_HEADER, ORG_HEADER, csv_bytes, last_job


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
    return [name, org, "Humas", phone, wa, email, tags, consent_email, consent_wa]


@pytest.fixture
def editor_user(make_user):
    return make_user("64.72", Role.EDITOR)


@pytest.fixture
def editor(editor_user):
    from django.test import Client

    client = Client()
    client.force_login(editor_user)
    return client


def confirm(client, job) -> None:
    response = client.post(f"/app/imports/{job.pk}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()


def test_full_contact_import(editor, editor_user, upload, samarinda_org) -> None:
    Tag.objects.create(name="Media")
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact(
                "Budi",
                "Bawaslu Kota Samarinda",
                "0812-3456-7890",
                "",
                "budi@example.id",
                "media, narasumber",
                "ya",
                "",
            ),
            contact("Sari", "", "", "0813-1111-2222", "", "", "", "ya"),
            contact("Rusak", "", "12"),
        ]
    )
    upload(editor, content)
    job = last_job()
    assert job.rows_to_write == 2
    assert not Contact.objects.exists()
    confirm(editor, job)
    assert job.status == ImportStatus.DONE
    assert (job.created_rows, job.updated_rows, job.failed_rows, job.skipped_rows) == (2, 0, 0, 0)
    assert job.confirmed_by == editor_user
    assert job.finished_at is not None
    budi = Contact.objects.get(name="Budi")
    assert budi.organisation == samarinda_org
    assert budi.unit == samarinda_org.unit
    assert budi.phone == "+6281234567890"
    assert budi.position == "Humas"
    # Existing tags are matched case-insensitively, missing ones created.
    assert sorted(t.name for t in budi.tags.all()) == ["Media", "narasumber"]
    consent = ContactConsent.objects.get(contact=budi)
    assert (consent.channel, consent.status, consent.method) == (
        "email",
        ConsentStatus.GRANTED,
        ConsentMethod.IMPORT,
    )
    assert consent.recorded_by == editor_user
    assert f"Import #{job.pk}" in consent.evidence
    sari = Contact.objects.get(name="Sari")
    assert sari.unit.code == "64.72" and sari.organisation is None
    assert sari.consents.get().channel == "whatsapp"
    # Each row says what was written.
    rows = {r.line_number: r for r in job.rows.all()}
    assert (rows[2].outcome, rows[2].result_id) == (RowOutcome.CREATED, budi.pk)
    assert (rows[3].outcome, rows[3].result_id) == (RowOutcome.CREATED, sari.pk)
    assert (rows[4].outcome, rows[4].result_id) == (RowOutcome.PENDING, None)
    assert not Contact.objects.filter(name="Rusak").exists()
    # The audit trail names the importing user.
    entry = LogEntry.objects.get_for_object(budi).get(action=LogEntry.Action.CREATE)
    assert entry.actor == editor_user
    consent_entry = LogEntry.objects.get_for_object(consent).first()
    assert consent_entry is not None and consent_entry.actor == editor_user
    # The page shows the outcome with links to the records.
    body = editor.get(f"/app/imports/{job.pk}/").content.decode()
    assert f"/app/stakeholders/contacts/{budi.pk}/" in body


def test_organisation_import_create_and_update(editor, upload, samarinda_org) -> None:
    samarinda_org.city = "Samarinda"
    samarinda_org.save()
    samarinda_org.tags.add(Tag.objects.create(name="pengawas"))
    content = csv_bytes(
        [
            ORG_HEADER,
            [
                "bawaslu kota samarinda",
                "bawaslu",
                "",
                "0541-123456",
                "humas@bawaslu.example.id",
                "mitra",
            ],
            ["Radio Suara Mahakam", "radio", "Samarinda", "", "", ""],
        ]
    )
    upload(editor, content, kind="organisations")
    job = last_job()
    assert (job.planned_create, job.planned_update) == (1, 1)
    confirm(editor, job)
    assert job.status == ImportStatus.DONE
    assert (job.created_rows, job.updated_rows) == (1, 1)
    samarinda_org.refresh_from_db()
    assert samarinda_org.name == "Bawaslu Kota Samarinda"  # its own spelling is kept
    assert samarinda_org.phone == "+62541123456"
    assert samarinda_org.email == "humas@bawaslu.example.id"
    assert samarinda_org.city == "Samarinda"  # an empty cell changes nothing
    assert sorted(t.name for t in samarinda_org.tags.all()) == ["mitra", "pengawas"]
    radio = Organisation.objects.get(name="Radio Suara Mahakam")
    assert radio.category == Category.BROADCASTER
    assert radio.unit.code == "64.72"


def test_update_existing_contact_keeps_other_values(editor, upload, units) -> None:
    existing = Contact.objects.create(
        unit=units["64.72"],
        name="Budi Lama",
        phone="+6281234567890",
        position="Ketua",
        notes="catatan lama",
    )
    upload(
        editor,
        csv_bytes(
            [
                CONTACT_HEADER,
                contact(
                    "Budi Baru", phone="0812 3456 7890", email="budi@example.id", consent_email="ya"
                ),
            ]
        ),
    )
    job = last_job()
    confirm(editor, job)
    existing.refresh_from_db()
    assert (job.created_rows, job.updated_rows) == (0, 1)
    assert existing.name == "Budi Baru"
    assert existing.email == "budi@example.id"
    assert existing.position == "Humas"
    assert existing.notes == "catatan lama"
    assert existing.consents.get().method == ConsentMethod.IMPORT
    assert Contact.objects.count() == 1


def test_existing_granted_consent_is_kept(editor, upload, units) -> None:
    existing = Contact.objects.create(unit=units["64.72"], name="Budi", email="budi@example.id")
    given = timezone.now() - timedelta(days=100)
    ContactConsent.objects.create(
        contact=existing, channel="email", status="granted", method="written", given_at=given
    )
    upload(
        editor,
        csv_bytes([CONTACT_HEADER, contact("Budi", email="budi@example.id", consent_email="ya")]),
    )
    confirm(editor, last_job())
    consent = existing.consents.get()
    assert (consent.method, consent.given_at) == ("written", given)


def test_skip_policy_writes_nothing_for_matches(editor, upload, units) -> None:
    existing = Contact.objects.create(unit=units["64.72"], name="Budi", email="budi@example.id")
    upload(
        editor,
        csv_bytes(
            [
                CONTACT_HEADER,
                contact("Budi X", email="budi@example.id"),
                contact("Baru", email="baru@example.id"),
            ]
        ),
        policy="skip",
    )
    job = last_job()
    confirm(editor, job)
    existing.refresh_from_db()
    assert existing.name == "Budi"
    assert (job.created_rows, job.updated_rows, job.skipped_rows) == (1, 0, 1)
    assert job.rows.get(line_number=2).outcome == RowOutcome.SKIPPED


def test_confirm_twice_imports_once(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"], ["B", "press"]]), kind="organisations")
    job = last_job()
    editor.post(f"/app/imports/{job.pk}/confirm/")
    response = editor.post(f"/app/imports/{job.pk}/confirm/", follow=True)
    assert "already been imported" in response.content.decode()
    job.refresh_from_db()
    assert job.created_rows == 2
    assert Organisation.objects.count() == 2
    # Running the task again writes nothing either.
    assert import_job(job.pk) == ImportStatus.DONE
    assert Organisation.objects.count() == 2


def test_confirm_while_importing_is_refused(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    job = last_job()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, confirmed_at=timezone.now()
    )
    response = editor.post(f"/app/imports/{job.pk}/confirm/", follow=True)
    assert "already being imported" in response.content.decode()
    assert not Organisation.objects.exists()


def test_confirm_needs_rows_to_write(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "nope"]]), kind="organisations")
    job = last_job()
    body = editor.get(f"/app/imports/{job.pk}/").content.decode()
    assert "There is no row to write" in body
    confirm(editor, job)
    assert job.status == ImportStatus.PREVIEW


def test_viewer_cannot_confirm_or_cancel(login, editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    job = last_job()
    viewer = login("64.72", Role.VIEWER)
    assert viewer.post(f"/app/imports/{job.pk}/confirm/").status_code == 403
    assert viewer.post(f"/app/imports/{job.pk}/cancel/").status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW
    assert "confirm-import" not in viewer.get(f"/app/imports/{job.pk}/").content.decode()


def test_confirm_is_post_only(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    job = last_job()
    assert editor.get(f"/app/imports/{job.pk}/confirm/").status_code == 405
    assert not Organisation.objects.exists()


def test_cancel(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    job = last_job()
    response = editor.post(f"/app/imports/{job.pk}/cancel/", follow=True)
    assert "The import was cancelled" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    assert not job.rows.exists()
    confirm(editor, job)
    assert job.status == ImportStatus.CANCELLED
    assert not Organisation.objects.exists()
    # A second cancel is refused politely.
    response = editor.post(f"/app/imports/{job.pk}/cancel/", follow=True)
    assert "can no longer be cancelled" in response.content.decode()


def test_done_job_cannot_be_cancelled(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    job = last_job()
    confirm(editor, job)
    editor.post(f"/app/imports/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_row_refused_at_write_time_fails_alone(editor, upload, units) -> None:
    upload(
        editor,
        csv_bytes(
            [CONTACT_HEADER, contact("A", phone="081234567890"), contact("B", phone="081311112222")]
        ),
    )
    job = last_job()
    # Between preview and confirm someone creates a contact with B's number.
    Contact.objects.create(unit=units["64.72"], name="Baru", phone="+6281311112222")
    confirm(editor, job)
    assert job.status == ImportStatus.DONE
    assert (job.created_rows, job.failed_rows) == (1, 1)
    failed = job.rows.get(line_number=3)
    assert failed.outcome == RowOutcome.FAILED
    assert "Already used by the contact “Baru”" in failed.errors[-1]
    assert failed.has_errors
    assert Contact.objects.filter(name="A").exists()
    assert not Contact.objects.filter(name="B").exists()
    # It is listed with the errors and in the errors export.
    body = editor.get(f"/app/imports/{job.pk}/?show=errors").content.decode()
    assert "Already used by the contact" in body
    csv_text = b"".join(editor.get(f"/app/imports/{job.pk}/errors.csv").streaming_content)
    assert b"Already used by the contact" in csv_text


def test_updated_record_gone_fails_row(editor, upload, units) -> None:
    existing = Contact.objects.create(unit=units["64.72"], name="Budi", email="b@example.id")
    upload(editor, csv_bytes([CONTACT_HEADER, contact("Budi", email="b@example.id")]))
    job = last_job()
    existing.delete()
    confirm(editor, job)
    row = job.rows.get()
    assert row.outcome == RowOutcome.FAILED
    assert "no longer exists" in row.errors[0]


def test_interrupted_import_resumes_without_writing_twice(
    editor, editor_user, upload, monkeypatch
) -> None:
    from bakohumas.imports import services

    monkeypatch.setattr(services, "IMPORT_BATCH_SIZE", 2)
    upload(
        editor,
        csv_bytes([ORG_HEADER, *[[f"Org {i}", "press"] for i in range(5)]]),
        kind="organisations",
    )
    job = last_job()
    from bakohumas.imports import writing

    calls = {"n": 0}
    original = writing.RowWriter.write

    def crash_on_second_batch(self, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return original(self, rows)

    monkeypatch.setattr(writing.RowWriter, "write", crash_on_second_batch)
    confirm(editor, job)
    assert job.status == ImportStatus.FAILED
    assert "You can resume the import" in job.message
    assert job.can_resume
    # The first batch was written and is marked; the second rolled back.
    assert Organisation.objects.count() == 2
    assert job.created_rows == 2
    written = set(
        ImportRow.objects.filter(job=job, outcome=RowOutcome.CREATED).values_list(
            "line_number", flat=True
        )
    )
    assert written == {2, 3}
    body = editor.get(f"/app/imports/{job.pk}/").content.decode()
    assert "resume-import" in body
    confirm(editor, job)
    assert job.status == ImportStatus.DONE
    assert job.created_rows == 5
    assert Organisation.objects.count() == 5
    assert not ImportRow.objects.filter(
        job=job, outcome=RowOutcome.PENDING, action=RowAction.CREATE
    ).exists()


def test_stalled_import_can_be_resumed(editor, upload) -> None:
    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    job = last_job()
    long_ago = timezone.now() - timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, confirmed_at=long_ago, updated_at=long_ago
    )
    confirm(editor, job)
    assert job.status == ImportStatus.DONE
    assert Organisation.objects.count() == 1


def test_permission_lost_before_import_fails_rows_cleanly(editor, editor_user, upload) -> None:
    from bakohumas.core.services import set_role

    upload(editor, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    job = last_job()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, confirmed_by=editor_user, confirmed_at=timezone.now()
    )
    set_role(editor_user, Role.VIEWER)
    assert import_job(job.pk) == ImportStatus.DONE
    job.refresh_from_db()
    assert job.failed_rows == 1
    assert not Organisation.objects.exists()
