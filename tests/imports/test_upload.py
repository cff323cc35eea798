"""The upload form: permissions, scope, file checks before anything is stored."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client, override_settings

from bakohumas.core.models import Role
from bakohumas.imports.models import ImportJob, ImportStatus
from tests.imports.conftest import CONTACT_HEADER, ORG_HEADER, csv_bytes, last_job, xlsx_bytes

URL = "/app/imports/new/"


def test_viewer_gets_403_on_upload(login, upload) -> None:
    client = login("64.72", Role.VIEWER)
    assert client.get(URL).status_code == 403
    response = upload(client, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    # A viewer may still see the list.
    assert client.get("/app/imports/").status_code == 200


def test_contributor_gets_403_on_upload(login) -> None:
    assert login("64.72", Role.CONTRIBUTOR).get(URL).status_code == 403


def test_anonymous_redirected_to_login(client: Client, db) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_form_defaults_to_own_unit_and_lists_only_scope(login, units) -> None:
    body = login("64.72", Role.EDITOR).get(URL).content.decode()
    assert f'value="{units["64.72"].pk}" selected' in body
    assert "KPU Kabupaten Berau" not in body
    province = login("64", Role.EDITOR).get(URL).content.decode()
    assert "KPU Kabupaten Berau" in province and "KPU Kota Samarinda" in province


def test_unit_outside_scope_refused(login, upload, units) -> None:
    response = upload(
        login("64.72", Role.EDITOR),
        csv_bytes([ORG_HEADER, ["A", "press"]]),
        kind="organisations",
        unit="64.03",
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_executable_renamed_xlsx_refused(login, upload) -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2000
    response = upload(login("64.72", Role.EDITOR), exe, name="kontak.xlsx")
    assert response.status_code == 200
    assert "The file is not a spreadsheet" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_text_renamed_xlsx_refused(login, upload) -> None:
    response = upload(login("64.72", Role.EDITOR), b"nama\nBudi\n", name="kontak.xlsx")
    assert "not a valid Excel workbook" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_other_extension_refused(login, upload) -> None:
    response = upload(login("64.72", Role.EDITOR), b"nama\nBudi\n", name="kontak.pdf")
    assert "Only .csv and .xlsx files can be imported." in response.content.decode()
    assert not ImportJob.objects.exists()


@override_settings(IMPORT_MAX_FILE_SIZE=200)
def test_file_over_size_limit_refused(login, upload) -> None:
    content = csv_bytes([CONTACT_HEADER] + [["Budi", "", "", "", "", "", "", "", ""]] * 40)
    assert len(content) > 200
    response = upload(login("64.72", Role.EDITOR), content)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The file is larger than 200" in body
    assert not ImportJob.objects.exists()
    # The limit is announced to the browser, which checks before sending.
    assert 'data-max-size="200"' in login("64.72", Role.EDITOR).get(URL).content.decode()


@override_settings(IMPORT_MAX_FILE_SIZE=200)
def test_file_under_size_limit_accepted(login, upload) -> None:
    response = upload(
        login("64.72", Role.EDITOR), csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations"
    )
    assert response.status_code == 302
    assert last_job().status == ImportStatus.PREVIEW


def test_upload_requires_csrf_token(make_user, units) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("64.72", Role.EDITOR))
    response = client.post(
        URL,
        {
            "kind": "organisations",
            "unit": units["64.72"].pk,
            "duplicate_policy": "update",
            "file": SimpleUploadedFile("a.csv", b"nama,kategori\nA,press\n"),
        },
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_missing_file_is_a_form_error(login, units) -> None:
    response = login("64.72", Role.EDITOR).post(
        URL, {"kind": "contacts", "unit": units["64.72"].pk, "duplicate_policy": "update"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_upload_records_job(login, upload, units) -> None:
    client = login("64.72", Role.EDITOR)
    response = upload(
        client,
        csv_bytes([ORG_HEADER, ["A", "press"]]),
        name="orgs.csv",
        kind="organisations",
        policy="skip",
    )
    job = last_job()
    assert response["Location"] == f"/app/imports/{job.pk}/"
    assert job.unit == units["64.72"]
    assert job.original_name == "orgs.csv"
    assert job.duplicate_policy == "skip"
    assert job.created_by.profile.unit.code == "64.72"
    assert job.file.name.endswith(".csv")


@pytest.mark.parametrize("kind", ["organisations", "contacts"])
def test_template_downloads(login, kind: str) -> None:
    client = login("64.72", Role.VIEWER)
    response = client.get(f"/app/imports/template/{kind}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffnama;")
    assert len(text.strip().splitlines()) == 2
    response = client.get(f"/app/imports/template/{kind}.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "nama" and len(rows) == 2
    assert len(workbook.worksheets) == 2  # data and guide


def test_template_unknown_kind_404(login) -> None:
    client = login("64.72", Role.VIEWER)
    assert client.get("/app/imports/template/people.csv").status_code == 404
    assert client.get("/app/imports/template/contacts.pdf").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_import_cleanly(login, upload, samarinda_org, fmt: str) -> None:
    """The example rows of both templates validate without an error."""
    client = login("64.72", Role.EDITOR)
    for kind in ("organisations", "contacts"):
        content = client.get(f"/app/imports/template/{kind}.{fmt}").content
        upload(client, content, name=f"template.{fmt}", kind=kind)
        job = last_job()
        assert job.status == ImportStatus.PREVIEW, job.message
        assert (job.total_rows, job.error_rows) == (1, 0), list(job.rows.values("errors"))


def test_xlsx_upload_accepted(login, upload) -> None:
    response = upload(
        login("64.72", Role.EDITOR),
        xlsx_bytes([ORG_HEADER, ["A", "press"]]),
        name="orgs.xlsx",
        kind="organisations",
    )
    assert response.status_code == 302
    assert last_job().status == ImportStatus.PREVIEW


def test_size_limit_handler_stops_reading_early(rf) -> None:
    from django.core.files.uploadhandler import SkipFile

    from bakohumas.imports.forms import TOO_LARGE_ATTR, SizeLimitUploadHandler

    request = rf.post("/")
    handler = SizeLimitUploadHandler(request, limit=10)
    handler.new_file("file", "a.csv", "text/csv", None)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"678901", 5)
    assert getattr(request, TOO_LARGE_ATTR) is True
    # A part that announces its size is refused before any byte is read.
    other = rf.post("/")
    with pytest.raises(SkipFile):
        SizeLimitUploadHandler(other, limit=10).new_file("file", "a.csv", "text/csv", 11)
    assert getattr(other, TOO_LARGE_ATTR) is True
