"""The PPID API: the request register (filters, masking per role), staff registration,
the completeness check, the extension, decisions, the officer, objections and their
decision by the superior, the yearly statistics and the XLSX register."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bakohumas.core.models import Role
from bakohumas.inbox.models import Thread, ThreadStatus
from bakohumas.ppid import services
from bakohumas.ppid.models import (
    InformationRequest,
    Objection,
    RequestEvent,
    RequestStatus,
)

API = "/api/v1/ppid"
REQUESTS = f"{API}/requests"
NIK = "6472015708900003"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Budi Santoso",
        "identity_type": "nik",
        "identity_number": NIK,
        "address": "Jl. Gajah Mada 1, Samarinda",
        "email": "budi@example.id",
        "phone": "081234567890",
        "occupation": "Jurnalis",
        "information": "Salinan keputusan penetapan DPT Kota Samarinda",
        "purpose": "Liputan",
        "receive_method": "softcopy",
        "copy_method": "email",
        "rule_set": "uu14",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_request(units: dict[str, Any]) -> Callable[..., InformationRequest]:
    def make(
        code: str = "64.72", *, received_at: datetime | None = None, **fields: Any
    ) -> InformationRequest:
        request, _code = services.submit(
            units[code], request_data(**fields), received_at=received_at
        )
        return request

    return make


@pytest.fixture
def editor(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.EDITOR)


@pytest.fixture
def viewer(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.VIEWER)


@pytest.fixture
def coordinator(api: Callable[..., Any]) -> Any:
    return api("64.72", Role.COORDINATOR)


def state(request: InformationRequest) -> tuple[Any, ...]:
    """What must not change when a write is refused."""
    request.refresh_from_db()
    return (
        request.unit_id,
        request.status,
        request.due_date,
        request.extended_at,
        request.decision,
        request.assignee_id,
        request.events.count(),
        request.objections.count(),
    )


# --- registration ---------------------------------------------------------------------------


def test_staff_registers_a_request(editor: Any) -> None:
    payload = {k: v for k, v in request_data().items()}
    response = editor.post_json(REQUESTS, payload)
    assert response.status_code == 201, response.content
    data = response.json()
    request = InformationRequest.objects.get(pk=data["id"])
    assert data["register_number"] == request.register_number
    assert data["register_number"].startswith("PPID/64.72/")
    assert request.channel == "staff" and request.created_by_id == editor.user.pk
    assert data["due_date"] == str(request.due_date) and data["deadline"]["kind"] == "answer"
    assert data["deadline"]["working_days_left"] is not None
    # The secret code works on the tracking page and is given once.
    assert services.track(data["register_number"], data["tracking_code"]) == request
    assert data["tracking_code"] not in editor.get(f"{REQUESTS}/{data['id']}").content.decode()
    # An editor registers but sees the requester masked, even in the answer.
    assert data["pii_visible"] is False
    assert data["name"] == "B. S." and data["email"] == "" and data["address"] == ""
    assert data["identity_number"].endswith("0003") and NIK not in response.content.decode()
    # The requester got the code by email; the request has its inbox thread.
    assert any(data["tracking_code"] in m.body for m in mail.outbox)
    assert Thread.objects.filter(pk=data["thread_id"], unit__code="64.72").exists()
    assert [e["action"] for e in data["events"]] == ["received"]


def test_registration_received_earlier(editor: Any) -> None:
    moment = timezone.now() - timedelta(days=2)
    response = editor.post_json(REQUESTS, request_data(received_at=moment.isoformat(), email=""))
    assert response.status_code == 201, response.content
    request = InformationRequest.objects.get(pk=response.json()["id"])
    assert abs((request.received_at - moment).total_seconds()) < 1
    assert not mail.outbox  # no address: nothing to send


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"identity_number": "1234567890123456"}, "identity_number"),
        ({"identity_number": "12345"}, "identity_number"),
        ({"email": "budi@"}, "email"),
        ({"rule_set": "uu99"}, "rule_set"),
        ({"receive_method": "fax"}, "receive_method"),
        ({"name": ""}, "name"),
        ({"information": "x" * 10_001}, "information"),
        ({"register_number": "PPID/1"}, "register_number"),
        ({"received_at": "2026-03-01T09:00:00"}, "received_at"),
        ({"unit": 99999999}, "unit"),
    ],
)
def test_registration_refuses_invalid_data(
    editor: Any, overrides: dict[str, Any], field: str
) -> None:
    response = editor.post_json(REQUESTS, request_data(**overrides))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not InformationRequest.objects.exists()
    assert not Thread.objects.exists()


def test_registration_refused_by_role_and_scope(
    viewer: Any, editor: Any, units: dict[str, Any]
) -> None:
    assert viewer.post_json(REQUESTS, request_data()).status_code == 403
    response = editor.post_json(REQUESTS, request_data(unit=units["64.03"].pk))
    assert response.status_code == 422
    assert not InformationRequest.objects.exists()


# --- reads ------------------------------------------------------------------------------------


def test_list_masks_per_role(
    api: Callable[..., Any], make_request: Callable[..., InformationRequest]
) -> None:
    own = make_request()
    other = make_request("64.03", name="Rina Wati")
    editor = api("64.72", Role.EDITOR)
    response = editor.get(REQUESTS)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["id"] == own.pk and row["pii_visible"] is False and row["name"] == "B. S."
    assert "Budi" not in response.content.decode()
    coordinator = api("64.72", Role.COORDINATOR)
    row = coordinator.get(REQUESTS).json()["results"][0]
    assert row["pii_visible"] is True and row["name"] == "Budi Santoso"
    detail = coordinator.get(f"{REQUESTS}/{own.pk}").json()
    assert detail["identity_number"] == NIK and detail["email"] == "budi@example.id"
    assert detail["address"] == "Jl. Gajah Mada 1, Samarinda"
    # The province coordinator sees both; the other unit's one unmasked too.
    province = api("64", Role.COORDINATOR)
    rows = {r["id"]: r for r in province.get(REQUESTS).json()["results"]}
    assert set(rows) == {own.pk, other.pk} and rows[other.pk]["name"] == "Rina Wati"


def test_list_filters(
    editor: Any, coordinator: Any, make_request: Callable[..., InformationRequest]
) -> None:
    uu = make_request()
    perki = make_request(rule_set="perki", information="Daftar calon tetap")
    late = make_request(received_at=timezone.now() - timedelta(days=40))
    old = make_request(received_at=datetime(2025, 6, 2, 9, tzinfo=timezone.get_current_timezone()))
    InformationRequest.objects.filter(pk=old.pk).update(
        status=RequestStatus.DECIDED, decision="granted"
    )

    def ids(client: Any, query: str) -> set[int]:
        response = client.get(f"{REQUESTS}?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(editor, "rule_set=perki") == {perki.pk}
    assert ids(editor, "overdue=true") == {late.pk}
    assert late.pk not in ids(editor, "overdue=false")
    assert ids(editor, "year=2025") == {old.pk}
    assert ids(editor, "decision=granted") == {old.pk}
    assert ids(editor, "status=decided") == {old.pk}
    assert ids(editor, "q=calon") == {perki.pk}
    assert ids(editor, f"q={uu.register_number}") == {uu.pk}
    # Only staff who may see the name can search by it.
    assert ids(editor, "q=Budi") == set()
    assert uu.pk in ids(coordinator, "q=Budi")
    late_row = editor.get(f"{REQUESTS}?overdue=true").json()["results"][0]
    assert late_row["overdue"] is True
    for query, field in (("year=1999", "year"), ("status=open", "status"), ("page=0", "page")):
        response = editor.get(f"{REQUESTS}?{query}")
        assert response.status_code == 422 and field in response.json()["errors"]


def test_list_query_count_does_not_grow(
    coordinator: Any, make_request: Callable[..., InformationRequest], make_user: Callable[..., Any]
) -> None:
    coordinator.get(REQUESTS)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = coordinator.get(f"{REQUESTS}?page_size=200")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    def add(n: int) -> None:
        for _ in range(n):
            request = make_request()
            InformationRequest.objects.filter(pk=request.pk).update(
                assignee=make_user("64.72", Role.EDITOR)
            )

    add(2)
    few, few_rows = count()
    add(10)
    many, many_rows = count()
    assert (few_rows, many_rows) == (2, 12)
    assert many == few
    assert few <= 9


def test_detail(viewer: Any, make_request: Callable[..., InformationRequest]) -> None:
    request = make_request(information='<img src=x onerror="alert(1)"> data & 🗳️')
    response = viewer.get(f"{REQUESTS}/{request.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["information"] == '<img src=x onerror="alert(1)"> data & 🗳️'
    assert data["deadline"]["due_date"] == str(request.due_date)
    assert data["deadline"]["zone"] == "WITA"
    assert data["objections"] == [] and data["fee"] == 0
    assert data["pii_visible"] is False and data["phone"] == ""


def test_detail_of_other_unit_is_404(
    editor: Any, make_request: Callable[..., InformationRequest]
) -> None:
    request = make_request("64.03")
    assert editor.get(f"{REQUESTS}/{request.pk}").status_code == 404
    assert editor.get(f"{REQUESTS}/99999999").status_code == 404
    response = editor.post_json(f"{REQUESTS}/{request.pk}/extend", {"reason": "x"})
    assert response.status_code == 404


# --- handling ---------------------------------------------------------------------------------


def test_incomplete_then_complete(
    editor: Any, make_request: Callable[..., InformationRequest]
) -> None:
    request = make_request()
    response = editor.post_json(f"{REQUESTS}/{request.pk}/incomplete", {"note": "Lampirkan KTP"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "incomplete" and data["incomplete_note"] == "Lampirkan KTP"
    assert data["deadline"]["kind"] == "completion"
    # Twice: the state forbids it.
    before = state(request)
    response = editor.post_json(f"{REQUESTS}/{request.pk}/incomplete", {"note": "Lagi"})
    assert response.status_code == 409
    assert state(request) == before
    response = editor.post(f"{REQUESTS}/{request.pk}/complete", content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_process"
    assert response.json()["completed_at"] is not None
    response = editor.post_json(f"{REQUESTS}/{request.pk}/complete", {"note": "lagi"})
    assert response.status_code == 409
    response = editor.post_json(f"{REQUESTS}/{request.pk}/incomplete", {"note": ""})
    assert response.status_code == 422 and "note" in response.json()["errors"]


def test_extend_once(editor: Any, make_request: Callable[..., InformationRequest]) -> None:
    request = make_request()
    due = request.due_date
    response = editor.post_json(f"{REQUESTS}/{request.pk}/extend", {"reason": "Dokumen di arsip"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "extended" and data["due_date"] > str(due)
    before = state(request)
    response = editor.post_json(f"{REQUESTS}/{request.pk}/extend", {"reason": "Lagi"})
    assert response.status_code == 409
    assert "only once" in response.json()["detail"]
    assert state(request) == before


def test_extend_after_the_due_date_conflicts(
    editor: Any, make_request: Callable[..., InformationRequest]
) -> None:
    request = make_request(received_at=timezone.now() - timedelta(days=40))
    before = state(request)
    response = editor.post_json(f"{REQUESTS}/{request.pk}/extend", {"reason": "Terlambat"})
    assert response.status_code == 409
    assert state(request) == before


def test_decide(editor: Any, make_request: Callable[..., InformationRequest]) -> None:
    request = make_request()
    url = f"{REQUESTS}/{request.pk}/decide"
    before = state(request)
    for payload, field in (
        ({"decision": "refused"}, "exemption_ground"),
        ({"decision": "refused", "exemption_ground": "h"}, "consequence_test"),
        ({"decision": "redirected"}, "redirected_to"),
        ({"decision": "granted"}, "answer"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "granted", "answer": "x", "fee": -1}, "fee"),
        ({"decision": "refused", "exemption_ground": "z"}, "exemption_ground"),
    ):
        response = editor.post_json(url, payload)
        assert response.status_code == 422, (payload, response.content)
        assert field in response.json()["errors"], (payload, response.json())
    assert state(request) == before
    response = editor.post_json(
        url,
        {
            "decision": "refused",
            "exemption_ground": "h",
            "consequence_test": "Membuka rahasia pribadi pemilih.",
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "decided" and data["decision"] == "refused"
    assert data["exemption_ground"] == "h" and data["deadline"]["kind"] == ""
    assert Thread.objects.get(pk=request.thread_id).status == ThreadStatus.RESOLVED
    before = state(request)
    response = editor.post_json(url, {"decision": "granted", "answer": "Terlampir"})
    assert response.status_code == 409
    assert state(request) == before


def test_writes_refused_for_viewers(
    viewer: Any, make_request: Callable[..., InformationRequest]
) -> None:
    request = make_request()
    before = state(request)
    for action, payload in (
        ("incomplete", {"note": "x"}),
        ("complete", {}),
        ("extend", {"reason": "x"}),
        ("decide", {"decision": "not_held"}),
        ("assign", {"assignee_id": viewer.user.pk}),
        ("objections", {"reason": "c", "statement": "x"}),
    ):
        response = viewer.post_json(f"{REQUESTS}/{request.pk}/{action}", payload)
        assert response.status_code == 403, action
    assert state(request) == before


def test_assign(
    editor: Any, make_request: Callable[..., InformationRequest], make_user: Callable[..., Any]
) -> None:
    request = make_request()
    officer = make_user("64.72", Role.EDITOR)
    url = f"{REQUESTS}/{request.pk}/assign"
    response = editor.post_json(url, {"assignee_id": officer.pk})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == officer.pk
    assert response.json()["status"] == "in_process"
    assert Thread.objects.get(pk=request.thread_id).assignee_id == officer.pk
    before = state(request)
    for assignee in (make_user("64.03", Role.EDITOR), make_user("64.72", Role.VIEWER)):
        response = editor.post_json(url, {"assignee_id": assignee.pk})
        assert response.status_code == 422, response.content
        assert "assignee_id" in response.json()["errors"]
    assert editor.post_json(url, {}).status_code == 422
    assert state(request) == before
    response = editor.post_json(url, {"assignee_id": None})
    assert response.status_code == 200 and response.json()["assignee"] is None


# --- objections -----------------------------------------------------------------------------


def test_objection_filed_and_decided_by_the_superior(
    api: Callable[..., Any], make_request: Callable[..., InformationRequest]
) -> None:
    request = make_request()
    deciding = api("64.72", Role.COORDINATOR)
    url = f"{REQUESTS}/{request.pk}/objections"
    # Not answered and not yet due: nothing to object to.
    before = state(request)
    response = deciding.post_json(url, {"reason": "c", "statement": "Belum dijawab"})
    assert response.status_code == 409
    assert state(request) == before
    response = deciding.post_json(
        f"{REQUESTS}/{request.pk}/decide",
        {"decision": "refused", "exemption_ground": "h", "consequence_test": "Data pribadi."},
    )
    assert response.status_code == 200
    for payload, field in (
        ({"reason": "z", "statement": "x"}, "reason"),
        ({"reason": "a", "statement": ""}, "statement"),
        ({"reason": "a"}, "statement"),
    ):
        response = deciding.post_json(url, payload)
        assert response.status_code == 422 and field in response.json()["errors"], payload
    response = deciding.post_json(url, {"reason": "a", "statement": "Bukan data pribadi."})
    assert response.status_code == 201, response.content
    objection = response.json()
    assert objection["register_number"].startswith("KBR/64.72/")
    assert objection["status"] == "filed" and objection["request_id"] == request.pk
    detail = deciding.get(f"{REQUESTS}/{request.pk}").json()
    assert [o["id"] for o in detail["objections"]] == [objection["id"]]
    assert detail["deadline"]["kind"] == "objection"
    decide_url = f"{API}/objections/{objection['id']}/decide"
    payload = {"decision": "upheld", "response": "Informasi diberikan."}
    # The officer who decided the request cannot decide the objection.
    response = deciding.post_json(decide_url, payload)
    assert response.status_code == 409
    # An editor lacks the permission; another unit's superior cannot see it.
    assert api("64.72", Role.EDITOR).post_json(decide_url, payload).status_code == 403
    assert api("64.03", Role.COORDINATOR).post_json(decide_url, payload).status_code == 404
    assert Objection.objects.get(pk=objection["id"]).status == "filed"
    superior = api("64.72", Role.COORDINATOR)
    response = superior.post_json(decide_url, {"decision": "upheld", "response": ""})
    assert response.status_code == 422 and "response" in response.json()["errors"]
    response = superior.post_json(decide_url, payload)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "decided" and response.json()["decision"] == "upheld"
    assert response.json()["decided_by"]["id"] == superior.user.pk
    assert superior.post_json(decide_url, payload).status_code == 409
    assert RequestEvent.objects.filter(request=request, action="objection_decided").count() == 1


# --- statistics and export -------------------------------------------------------------------


def test_stats(
    api: Callable[..., Any], make_request: Callable[..., InformationRequest], units: dict[str, Any]
) -> None:
    make_request()
    make_request(rule_set="perki")
    make_request("64.03")
    year = timezone.localdate().year
    editor = api("64.72", Role.VIEWER)
    response = editor.get(f"{API}/stats?year={year}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"] == 2 and data["year"] == year
    by_rule = {row["key"]: row["count"] for row in data["by_rule_set"]}
    assert by_rule == {"uu14": 1, "perki": 1}
    province = api("64", Role.VIEWER)
    assert province.get(f"{API}/stats?year={year}").json()["total"] == 3
    assert province.get(f"{API}/stats?year={year}&unit={units['64.03'].pk}").json()["total"] == 1
    response = editor.get(f"{API}/stats?year={year}&unit={units['64.03'].pk}")
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    assert editor.get(f"{API}/stats").status_code == 422


def test_export_register(
    api: Callable[..., Any], make_request: Callable[..., InformationRequest]
) -> None:
    make_request()
    make_request(rule_set="perki", information="Daftar calon tetap")
    make_request("64.03")
    editor = api("64.72", Role.EDITOR)
    response = editor.get(f"{REQUESTS}/export.xlsx?rule_set=perki")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    text = " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert "Daftar calon tetap" in text
    assert "Salinan keputusan" not in text  # filtered out
    assert "Budi" not in text and NIK not in text  # masked for an editor

    def sheet_text(client: Any) -> str:
        response = client.get(f"{REQUESTS}/export.xlsx")
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )

    assert "Budi Santoso" in sheet_text(api("64.72", Role.COORDINATOR))
    assert "Budi Santoso" not in sheet_text(api("64.72", Role.VIEWER))


# --- session client ------------------------------------------------------------------------


def test_session_client(
    make_user: Callable[..., Any], make_request: Callable[..., InformationRequest]
) -> None:
    request = make_request()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("64.72", Role.COORDINATOR))
    row = client.get(REQUESTS).json()["results"][0]
    assert row["id"] == request.pk and row["name"] == "Budi Santoso"
    url = f"{REQUESTS}/{request.pk}/extend"
    response = client.post(url, {"reason": "Arsip"}, content_type="application/json")
    assert response.status_code == 403
    client.get("/app/api-tokens/")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        url, {"reason": "Arsip"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "extended"
