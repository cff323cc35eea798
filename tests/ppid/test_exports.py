"""XLSX and PDF exports of the registers and the yearly statistics."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bakohumas.ppid import exports, services
from bakohumas.ppid.models import InformationRequest, Objection
from tests.ppid.conftest import Clock, wita

pytestmark = pytest.mark.django_db

MakeRequest = Callable[..., InformationRequest]


def sheet_rows(content: bytes) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def column(rows: list[list[Any]], header: str) -> list[Any]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def test_request_register_xlsx_masks_for_editor(
    make_request: MakeRequest, editor: Any, coordinator: Any
) -> None:
    first = make_request(information='=HYPERLINK("http://evil")')
    second = make_request(name="Siti Aminah", email="siti@example.id")
    qs = InformationRequest.objects.order_by("pk")
    rows = sheet_rows(exports.requests_xlsx(qs, user=editor))
    assert column(rows, "Register number") == [first.register_number, second.register_number]
    assert column(rows, "Name") == ["B. S.", "S. A."]
    assert all(v in (None, "") for v in column(rows, "Email"))
    assert column(rows, "Identity number")[0].endswith("0003")
    assert "6472015708900003" not in str(rows)
    assert column(rows, "Information requested")[0] == '=HYPERLINK("http://evil")'  # text
    full = sheet_rows(exports.requests_xlsx(qs, user=coordinator))
    assert column(full, "Name") == ["Budi Santoso", "Siti Aminah"]
    assert column(full, "Email") == ["budi@example.id", "siti@example.id"]
    anonymous = sheet_rows(exports.requests_xlsx(qs))
    assert column(anonymous, "Name") == ["B. S.", "S. A."]


def test_export_view_applies_filters_and_scope(
    make_request: MakeRequest, editor: Any, client: Any
) -> None:
    open_one = make_request()
    decided = make_request()
    make_request("64.71")
    services.decide(decided, editor, decision="not_held")
    client.force_login(editor)
    response = client.get(reverse("ppid:export_requests"), {"format": "xlsx", "status": "decided"})
    rows = sheet_rows(response.content)
    assert column(rows, "Register number") == [decided.register_number]
    assert column(rows, "Decision") == ["Not held by this unit"]
    everything = sheet_rows(client.get(reverse("ppid:export_requests")).content)
    assert set(column(everything, "Register number")) == {
        open_one.register_number,
        decided.register_number,
    }
    assert response["Content-Disposition"].startswith('attachment; filename="ppid-requests-')


def test_objection_register(make_request: MakeRequest, editor: Any, clock: Clock) -> None:
    item = make_request(received_at=wita(2026, 7, 6, 9, 0))
    clock.set(wita(2026, 7, 7, 9, 0))
    services.decide(item, editor, decision="refused", exemption_ground="h", consequence_test="x")
    objection = services.file_objection(item, reason="a", statement="Saya keberatan")
    rows = sheet_rows(exports.objections_xlsx(Objection.objects.all()))
    assert column(rows, "Register number") == [objection.register_number]
    assert column(rows, "Request") == [item.register_number]
    assert column(rows, "The objection") == ["Saya keberatan"]
    assert column(rows, "Answer due") == [objection.due_date.isoformat()]
    pdf = exports.objections_pdf(Objection.objects.all(), "Register")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_request_pdf_has_rows_and_escapes_markup(make_request: MakeRequest, editor: Any) -> None:
    make_request(information="<b>tebal</b> & <script>x</script>")
    pdf = exports.requests_pdf(InformationRequest.objects.all(), "Register <PPID>", user=editor)
    assert pdf.startswith(b"%PDF")
    assert exports.requests_pdf(InformationRequest.objects.none(), "Empty").startswith(b"%PDF")


def test_stats_exports(make_request: MakeRequest, editor: Any, clock: Clock) -> None:
    clock.set(wita(2026, 7, 8, 9, 0))
    item = make_request(received_at=wita(2026, 7, 6, 9, 0))
    make_request(received_at=wita(2026, 7, 6, 9, 0))
    services.decide(item, editor, decision="granted", answer="Ya")
    stats = services.yearly_stats(None, 2026)
    rows = sheet_rows(exports.stats_xlsx(stats, "KPU Kota Samarinda"))
    values = {row[0]: row[1] for row in rows if row and row[0]}
    assert "2026" in rows[0][0] and "Samarinda" in rows[0][0]
    assert values["Requests received"] == 2
    assert values["Decided"] == 1
    assert values["Average working days to the decision"] == 2
    assert values["Share decided on time"] == "100.0 %"
    assert values["Granted"] == 1
    assert exports.stats_pdf(stats).startswith(b"%PDF")
