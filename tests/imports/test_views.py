"""Scoping, the list, the preview table, the progress endpoint and the errors export."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bakohumas.core.models import Role
from bakohumas.imports.models import ImportJob, ImportRow, ImportStatus, RowAction
from tests.imports.conftest import CONTACT_HEADER, ORG_HEADER, csv_bytes, last_job


@pytest.fixture
def samarinda_job(login, upload) -> ImportJob:
    upload(
        login("64.72", Role.EDITOR),
        csv_bytes([ORG_HEADER, ["A", "press"], ["B", "nope"], ["=HYPERLINK(1)", "press"]]),
        kind="organisations",
    )
    return last_job()


JOB_URLS = ["/app/imports/{pk}/", "/app/imports/{pk}/progress/", "/app/imports/{pk}/errors.csv"]


@pytest.mark.parametrize("url", JOB_URLS)
def test_other_units_job_is_404(login, samarinda_job, url: str) -> None:
    berau = login("64.03", Role.ADMINISTRATOR)
    assert berau.get(url.format(pk=samarinda_job.pk)).status_code == 404


def test_other_units_job_cannot_be_confirmed_or_cancelled(login, samarinda_job) -> None:
    berau = login("64.03", Role.ADMINISTRATOR)
    assert berau.post(f"/app/imports/{samarinda_job.pk}/confirm/").status_code == 404
    assert berau.post(f"/app/imports/{samarinda_job.pk}/cancel/").status_code == 404
    samarinda_job.refresh_from_db()
    assert samarinda_job.status == ImportStatus.PREVIEW


def test_province_sees_kabkota_job(login, samarinda_job) -> None:
    assert login("64", Role.VIEWER).get(f"/app/imports/{samarinda_job.pk}/").status_code == 200


def test_missing_job_is_404(login, db) -> None:
    assert login("64.72", Role.EDITOR).get("/app/imports/999999/").status_code == 404


def test_list_shows_only_scoped_jobs(login, upload, samarinda_job) -> None:
    upload(
        login("64.03", Role.EDITOR),
        csv_bytes([ORG_HEADER, ["Berau", "press"]]),
        name="berau-orgs.csv",
        kind="organisations",
        unit="64.03",
    )
    body = login("64.72", Role.VIEWER).get("/app/imports/").content.decode()
    assert samarinda_job.original_name in body
    assert "berau-orgs.csv" not in body
    province = login("64", Role.VIEWER).get("/app/imports/").content.decode()
    assert "berau-orgs.csv" in province and samarinda_job.original_name in province


def test_list_filters(login, upload, samarinda_job) -> None:
    client = login("64.72", Role.EDITOR)
    upload(client, csv_bytes([["x"], ["y"]]), name="broken.csv", kind="contacts")
    body = client.get("/app/imports/?status=failed").content.decode()
    assert "broken.csv" in body and samarinda_job.original_name not in body
    body = client.get("/app/imports/?kind=organisations").content.decode()
    assert "broken.csv" not in body and samarinda_job.original_name in body
    # Unknown filter values are ignored, not errors.
    assert client.get("/app/imports/?status=zzz&kind=zzz&per_page=abc").status_code == 200


def test_list_query_count_does_not_grow(login, upload, django_assert_max_num_queries) -> None:
    client = login("64.72", Role.EDITOR)
    for i in range(3):
        upload(client, csv_bytes([ORG_HEADER, [f"A{i}", "press"]]), kind="organisations")
    with CaptureQueriesContext(connection) as few:
        client.get("/app/imports/")
    count = len(few.captured_queries)
    assert count <= 12
    for i in range(12):
        upload(client, csv_bytes([ORG_HEADER, [f"B{i}", "press"]]), kind="organisations")
    with django_assert_max_num_queries(count):
        assert client.get("/app/imports/").status_code == 200


def test_preview_filters_and_explanations(login, samarinda_job) -> None:
    client = login("64.72", Role.EDITOR)
    body = client.get(f"/app/imports/{samarinda_job.pk}/").content.decode()
    assert "Import 2 valid rows" in body
    assert "Unknown category “nope”" in body
    errors = client.get(f"/app/imports/{samarinda_job.pk}/?show=errors").content.decode()
    assert "Unknown category" in errors and ">A<" not in errors
    create = client.get(f"/app/imports/{samarinda_job.pk}/?show=create").content.decode()
    assert "Unknown category" not in create and ">A<" in create
    assert client.get(f"/app/imports/{samarinda_job.pk}/?show=zzz&page=99").status_code == 200


def test_preview_query_count_does_not_grow(login, upload, django_assert_max_num_queries) -> None:
    client = login("64.72", Role.EDITOR)
    upload(client, csv_bytes([ORG_HEADER, ["A", "press"]]), kind="organisations")
    small = last_job()
    with CaptureQueriesContext(connection) as few:
        client.get(f"/app/imports/{small.pk}/")
    count = len(few.captured_queries)
    assert count <= 20
    upload(
        client,
        csv_bytes([ORG_HEADER, *[[f"O{i}", "press"] for i in range(60)]]),
        kind="organisations",
    )
    big = last_job()
    with django_assert_max_num_queries(count):
        response = client.get(f"/app/imports/{big.pk}/?per_page=50")
    assert response.status_code == 200


def test_preview_pagination(login, upload) -> None:
    client = login("64.72", Role.EDITOR)
    upload(
        client,
        csv_bytes([ORG_HEADER, *[[f"Org {i:03}", "press"] for i in range(30)]]),
        kind="organisations",
    )
    job = last_job()
    first = client.get(f"/app/imports/{job.pk}/").content.decode()
    assert "Org 024" in first and "Org 025" not in first
    second = client.get(f"/app/imports/{job.pk}/?page=2").content.decode()
    assert "Org 025" in second and "Org 024" not in second
    assert "Org 029" in client.get(f"/app/imports/{job.pk}/?per_page=100").content.decode()


def test_progress_json(login, samarinda_job) -> None:
    data = login("64.72", Role.VIEWER).get(f"/app/imports/{samarinda_job.pk}/progress/").json()
    assert data["status"] == "preview"
    assert data["running"] is False
    assert (data["total_rows"], data["processed_rows"], data["percent"]) == (3, 3, 100)
    assert (data["valid_rows"], data["error_rows"]) == (2, 1)


def test_progress_htmx_polls_while_running_and_stops_when_done(login, samarinda_job) -> None:
    client = login("64.72", Role.VIEWER)
    url = f"/app/imports/{samarinda_job.pk}/progress/"
    ImportJob.objects.filter(pk=samarinda_job.pk).update(
        status=ImportStatus.VALIDATING, processed_rows=1
    )
    response = client.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert 'data-progress="33"' in body
    assert "HX-Refresh" not in response
    assert response["Cache-Control"].startswith("max-age=0")
    # The detail page embeds the polling fragment while running.
    page = client.get(f"/app/imports/{samarinda_job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    ImportJob.objects.filter(pk=samarinda_job.pk).update(status=ImportStatus.PREVIEW)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in response.content.decode()
    assert response["HX-Refresh"] == "true"
    assert "hx-trigger" not in client.get(f"/app/imports/{samarinda_job.pk}/").content.decode()


def test_progress_while_importing(login, samarinda_job) -> None:
    ImportJob.objects.filter(pk=samarinda_job.pk).update(
        status=ImportStatus.IMPORTING, processed_rows=1
    )
    data = login("64.72", Role.VIEWER).get(f"/app/imports/{samarinda_job.pk}/progress/").json()
    assert data["status"] == "importing" and data["running"] is True
    assert data["percent"] == 50  # 1 of the 2 rows to write


def test_errors_csv(login, samarinda_job) -> None:
    response = login("64.72", Role.VIEWER).get(f"/app/imports/{samarinda_job.pk}/errors.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["line", "errors", "nama", "kategori", "kota", "telepon", "email", "tag"]
    assert rows[1][0] == "3"
    assert "Unknown category" in rows[1][1]
    assert rows[1][2:] == ["B", "nope", "", "", "", ""]
    assert len(rows) == 2


def test_errors_csv_can_be_uploaded_again(login, upload, samarinda_job) -> None:
    client = login("64.72", Role.EDITOR)
    content = b"".join(client.get(f"/app/imports/{samarinda_job.pk}/errors.csv").streaming_content)
    fixed = content.replace(b";nope", b";press")
    upload(client, fixed, name="fixed.csv", kind="organisations")
    job = last_job()
    assert job.status == ImportStatus.PREVIEW, job.message
    assert (job.total_rows, job.error_rows) == (1, 0)
    assert job.ignored_columns == ["line", "errors"]


def test_errors_csv_neutralises_formulas(login, upload) -> None:
    client = login("64.72", Role.EDITOR)
    upload(client, csv_bytes([ORG_HEADER, ["=cmd|' /C calc'!A0", "nope"]]), kind="organisations")
    job = last_job()
    text = b"".join(client.get(f"/app/imports/{job.pk}/errors.csv").streaming_content).decode()
    assert ";'=cmd" in text


def test_detail_shows_time_in_unit_zone(login, samarinda_job) -> None:
    local = samarinda_job.unit.localtime(samarinda_job.created_at)
    body = login("64.72", Role.VIEWER).get(f"/app/imports/{samarinda_job.pk}/").content.decode()
    assert "WITA" in body
    assert local.strftime("%H:%M") in body


def test_detail_history_shows_confirmation(login, samarinda_job) -> None:
    client = login("64.72", Role.EDITOR)
    client.post(f"/app/imports/{samarinda_job.pk}/confirm/")
    body = client.get(f"/app/imports/{samarinda_job.pk}/").content.decode()
    assert "History" in body
    assert "status" in body


def test_nav_and_list_link(login) -> None:
    client: Client = login("64.72", Role.EDITOR)
    body = client.get("/app/imports/").content.decode()
    assert 'href="/app/imports/new/"' in body


def test_rows_store_line_numbers_for_every_row(login, upload) -> None:
    upload(login("64.72", Role.EDITOR), csv_bytes([CONTACT_HEADER, ["A"], ["B"]]))
    job = last_job()
    assert list(ImportRow.objects.filter(job=job).values_list("line_number", "action")) == [
        (2, RowAction.CREATE),
        (3, RowAction.CREATE),
    ]


def test_pages_have_no_inline_script_or_style(login, samarinda_job) -> None:
    """CSP forbids inline scripts and style attributes: the progress bar is sized by JS."""
    import re

    client = login("64.72", Role.EDITOR)
    ImportJob.objects.filter(pk=samarinda_job.pk).update(status=ImportStatus.VALIDATING)
    for url in (f"/app/imports/{samarinda_job.pk}/", "/app/imports/", "/app/imports/new/"):
        body = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert " style=" not in body and "onclick=" not in body, url


def test_admin_lists_only_scoped_jobs(login, upload, samarinda_job) -> None:
    upload(
        login("64.03", Role.EDITOR),
        csv_bytes([ORG_HEADER, ["Berau", "press"]]),
        name="berau-orgs.csv",
        kind="organisations",
        unit="64.03",
    )
    body = login("64.72", Role.ADMINISTRATOR).get("/admin/imports/importjob/").content.decode()
    assert samarinda_job.original_name in body and "berau-orgs.csv" not in body
