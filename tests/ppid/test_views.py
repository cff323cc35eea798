"""Staff PPID pages: register list, request page and its actions, staff registration,
objections, statistics, permissions and the calendar overrides page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bakohumas.core.models import CalendarOverride, Role
from bakohumas.ppid import services
from bakohumas.ppid.models import InformationRequest, RequestStatus
from tests.ppid.conftest import Clock, request_data, wita

pytestmark = pytest.mark.django_db

MakeRequest = Callable[..., InformationRequest]


def client_for(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def detail(item: InformationRequest) -> str:
    return reverse("ppid:request_detail", args=[item.pk])


def action(item: InformationRequest, name: str) -> str:
    return reverse("ppid:request_action", args=[item.pk, name])


# The register -----------------------------------------------------------------------
def test_list_masks_names_for_editor_and_shows_them_to_coordinator(
    make_request: MakeRequest, editor: Any, coordinator: Any
) -> None:
    make_request(name="Siti Aminah")
    make_request("64.71", name="Orang Lain")
    page = client_for(editor).get(reverse("ppid:request_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "S. A." in body and "Siti Aminah" not in body
    assert "PPID/64.72/" in body and "PPID/64.71/" not in body
    body = client_for(coordinator).get(reverse("ppid:request_list")).content.decode()
    assert "Siti Aminah" in body


def test_list_filters_and_search(
    make_request: MakeRequest, editor: Any, coordinator: Any, clock: Clock
) -> None:
    clock.set(wita(2026, 7, 13, 9, 0))
    late = make_request(received_at=wita(2026, 7, 6, 9, 0), rule_set="perki", name="Andi Late")
    soon = make_request(received_at=wita(2026, 7, 10, 9, 0), rule_set="perki", name="Budi Soon")
    decided = make_request(
        received_at=wita(2026, 7, 10, 9, 0), rule_set="uu14", information="Anggaran hibah"
    )
    services.decide(decided, editor, decision="not_held")
    old = make_request(received_at=wita(2025, 7, 1, 9, 0), name="Lama")
    url = reverse("ppid:request_list")
    client = client_for(editor)

    def listed(**params: Any) -> set[str]:
        page = client.get(url, params)
        assert page.status_code == 200
        return {row["item"].register_number for row in page.context["rows"]}

    assert listed(overdue="on") == {late.register_number, old.register_number}
    assert listed(overdue="on", year=2026) == {late.register_number}
    assert listed(due_within=3) == {soon.register_number}  # due Wed 15 July
    assert listed(status="decided") == {decided.register_number}
    assert listed(decision="not_held") == {decided.register_number}
    assert listed(rule_set="uu14", year=2026) == {decided.register_number}
    assert listed(year=2025) == {old.register_number}
    assert listed(q="hibah") == {decided.register_number}
    assert listed(q=soon.register_number) == {soon.register_number}
    assert listed(q="Budi Soon") == set()  # an editor cannot search by name
    page = client_for(coordinator).get(url, {"q": "Budi Soon"})
    assert [r["item"] for r in page.context["rows"]] == [soon]
    assert listed(year="abc", due_within="x") >= {late.register_number}  # bad input ignored


def test_list_query_budget(
    make_request: MakeRequest, editor: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(12):
        item = make_request()
        if i % 3 == 0:
            services.assign(item, editor, editor)
    client = client_for(editor)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("ppid:request_list"), {"per_page": 100})
    assert len(page.context["rows"]) == 12


# The request page -------------------------------------------------------------------
def test_detail_shows_deadline_and_days_off(
    make_request: MakeRequest, editor: Any, clock: Clock
) -> None:
    item = make_request(received_at=wita(2026, 3, 13, 10, 0), rule_set="uu14")
    clock.set(wita(2026, 3, 16, 9, 0))
    page = client_for(editor).get(detail(item))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Monday, April 6, 2026" in body or "Monday, 6 April 2026" in body
    assert "9 working days left" in body
    assert "Cuti Bersama Hari Raya Idul Fitri: 20 Mar, 23 Mar, 24 Mar" in body
    assert "WITA" in body


def test_detail_masks_pii_for_editor(
    make_request: MakeRequest, editor: Any, coordinator: Any
) -> None:
    item = make_request()
    body = client_for(editor).get(detail(item)).content.decode()
    assert "B. S." in body and "Budi Santoso" not in body
    assert "budi@example.id" not in body and "Gajah Mada" not in body
    assert "6472015708900003" not in body and "0003" in body
    body = client_for(coordinator).get(detail(item)).content.decode()
    assert "Budi Santoso" in body and "budi@example.id" in body and "6472015708900003" in body


def test_other_units_request_is_404(
    make_request: MakeRequest, make_user: Callable[..., Any]
) -> None:
    item = make_request()
    other = client_for(make_user("64.71", Role.COORDINATOR))
    assert other.get(detail(item)).status_code == 404
    assert other.post(action(item, "extend"), {"reason": "x"}).status_code == 404
    # The province sees its kab/kota.
    assert client_for(make_user("64", Role.VIEWER)).get(detail(item)).status_code == 200


def test_viewer_cannot_act(make_request: MakeRequest, viewer: Any) -> None:
    item = make_request()
    client = client_for(viewer)
    body = client.get(detail(item)).content.decode()
    assert "Send the decision" not in body
    assert client.post(action(item, "decide"), {"decision": "not_held"}).status_code == 403
    assert client.post(reverse("ppid:request_reset_code", args=[item.pk])).status_code == 403
    assert client.get(reverse("ppid:request_create")).status_code == 403
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED


def test_actions_need_csrf(make_request: MakeRequest, editor: Any) -> None:
    item = make_request()
    response = client_for(editor, csrf=True).post(action(item, "extend"), {"reason": "x"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.extended_at is None


def test_decide_refused_without_ground_shows_error_and_changes_nothing(
    make_request: MakeRequest, editor: Any
) -> None:
    item = make_request()
    client = client_for(editor)
    page = client.post(
        action(item, "decide"), {"decision": "refused", "consequence_test": "Bahaya"}
    )
    assert page.status_code == 200
    assert "A refusal needs the exemption ground of article 17." in page.content.decode()
    assert 'data-show-for="refused partly_granted"' in page.content.decode()
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED and item.decision == ""
    response = client.post(
        action(item, "decide"),
        {
            "decision": "granted",
            "answer": "Terlampir",
            "answer_file": SimpleUploadedFile("jawaban.pdf", b"%PDF-1.4 test", "application/pdf"),
            "fee": "0",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.DECIDED and item.answer_file
    download = client.get(reverse("ppid:request_file", args=[item.pk, "answer"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_decide_refuses_a_disguised_file(make_request: MakeRequest, editor: Any) -> None:
    item = make_request()
    page = client_for(editor).post(
        action(item, "decide"),
        {
            "decision": "granted",
            "answer": "x",
            "answer_file": SimpleUploadedFile("run.exe", b"MZ", "application/pdf"),
        },
    )
    assert page.status_code == 200
    assert "Attach a PDF" in page.content.decode()
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED


def test_extend_twice_shows_error(make_request: MakeRequest, editor: Any) -> None:
    item = make_request(received_at=wita(2030, 7, 1, 9, 0))  # not yet due
    client = client_for(editor)
    assert client.post(action(item, "extend"), {"reason": "Arsip"}).status_code == 302
    item.refresh_from_db()
    due = item.due_date
    page = client.post(action(item, "extend"), {"reason": "Lagi"})
    assert page.status_code == 200
    assert (
        "extended only once" in page.content.decode()
        or "Extend the period" not in page.content.decode()
    )
    item.refresh_from_db()
    assert item.due_date == due


def test_incomplete_complete_assign_through_pages(
    make_request: MakeRequest, editor: Any, coordinator: Any
) -> None:
    item = make_request()
    client = client_for(coordinator)
    assert client.post(action(item, "assign"), {"assignee": editor.pk}).status_code == 302
    assert client.post(action(item, "incomplete"), {"note": ""}).status_code == 200
    assert client.post(action(item, "incomplete"), {"note": "KTP"}).status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.INCOMPLETE and item.assignee == editor
    assert client.post(action(item, "complete"), {"note": "Sudah"}).status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.IN_PROCESS
    assert client.post(action(item, "nonsense"), {}).status_code == 404


def test_reset_code_shows_the_new_code_once(make_request: MakeRequest, editor: Any) -> None:
    item = make_request()
    client = client_for(editor)
    page = client.post(reverse("ppid:request_reset_code", args=[item.pk]))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    code = page.context["new_code"]
    assert code in page.content.decode()
    assert services.track(item.register_number, code) == item
    assert code not in client.get(detail(item)).content.decode()


def test_objection_on_behalf_and_decision_by_the_superior(
    make_request: MakeRequest, make_user: Callable[..., Any], clock: Clock
) -> None:
    decider = make_user("64.72", Role.COORDINATOR)
    item = make_request(received_at=wita(2026, 7, 6, 9, 0))
    clock.set(wita(2026, 7, 7, 9, 0))
    services.decide(item, decider, decision="refused", exemption_ground="h", consequence_test="x")
    client = client_for(decider)
    assert (
        client.post(
            action(item, "objection"), {"reason": "a", "statement": "Keberatan"}
        ).status_code
        == 302
    )
    objection = item.objections.get()
    url = reverse("ppid:objection_decide", args=[objection.pk])
    page = client.post(url, {"decision": "upheld", "response": "Ya"})
    assert page.status_code == 200
    assert "cannot decide the objection" in page.content.decode()
    editor = make_user("64.72", Role.EDITOR)
    assert client_for(editor).post(url, {"decision": "upheld", "response": "Ya"}).status_code == 403
    superior = make_user("64", Role.COORDINATOR)
    assert (
        client_for(superior).post(url, {"decision": "rejected", "response": "Tetap"}).status_code
        == 302
    )
    objection.refresh_from_db()
    assert objection.decision == "rejected"
    listing = client_for(editor).get(reverse("ppid:objection_list"))
    assert objection.register_number in listing.content.decode()


# Staff registration -----------------------------------------------------------------
def test_staff_registration(editor: Any, samarinda: Any) -> None:
    client = client_for(editor)
    data = {**request_data(), "unit": samarinda.pk, "received_at": "2026-07-06T08:30"}
    bad = client.post(
        reverse("ppid:request_create"), {**data, "identity_number": "9972015708900003"}
    )
    assert bad.status_code == 200
    assert "province code" in bad.content.decode()
    assert not InformationRequest.objects.exists()
    page = client.post(reverse("ppid:request_create"), data)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    item = InformationRequest.objects.get()
    assert item.channel == "staff" and item.created_by == editor
    assert item.unit.localtime(item.received_at).strftime("%Y-%m-%d %H:%M") == "2026-07-06 08:30"
    assert services.track(item.register_number, page.context["code"]) == item
    assert item.due_date == date(2026, 7, 20)


def test_staff_registration_cannot_pick_another_unit(editor: Any, units: dict[str, Any]) -> None:
    data = {**request_data(), "unit": units["64.71"].pk}
    page = client_for(editor).post(reverse("ppid:request_create"), data)
    assert page.status_code == 200 and not InformationRequest.objects.exists()


# Statistics and exports -------------------------------------------------------------
def test_stats_page_and_exports(make_request: MakeRequest, editor: Any, clock: Clock) -> None:
    clock.set(wita(2026, 7, 8, 9, 0))
    item = make_request(received_at=wita(2026, 7, 6, 9, 0))
    services.decide(item, editor, decision="granted", answer="Ya")
    client = client_for(editor)
    page = client.get(reverse("ppid:stats"), {"year": 2026})
    assert page.status_code == 200
    assert page.context["stats"]["decided"] == 1
    for name in ("export_requests", "export_objections", "export_stats"):
        xlsx = client.get(reverse(f"ppid:{name}"), {"format": "xlsx", "year": 2026})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        pdf = client.get(reverse(f"ppid:{name}"), {"format": "pdf", "year": 2026})
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert client.get(reverse("ppid:export_requests"), {"format": "exe"}).status_code == 404


def test_identity_scan_only_for_pii(
    make_request: MakeRequest, editor: Any, coordinator: Any
) -> None:
    item = make_request()
    item.identity_scan.save("ktp.png", SimpleUploadedFile("ktp.png", b"\x89PNG"), save=True)
    url = reverse("ppid:request_file", args=[item.pk, "identity"])
    assert client_for(editor).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 200


# Calendar overrides -----------------------------------------------------------------
def test_calendar_lists_holidays_and_overrides(editor: Any, samarinda: Any) -> None:
    CalendarOverride.objects.create(
        date=date(2026, 6, 10), unit=samarinda, kind="holiday", name="HUT Kota"
    )
    page = client_for(editor).get(reverse("ppid:calendar"), {"year": 2026})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hari Raya Idul Fitri" in body and "HUT Kota" in body
    assert not page.context["can_add"]
    response = client_for(editor).post(
        reverse("ppid:calendar"), {"date": "2026-06-11", "kind": "holiday", "name": "x"}
    )
    assert response.status_code == 403


def test_admin_adds_and_deletes_own_unit_days(
    make_user: Callable[..., Any], samarinda: Any
) -> None:
    admin = client_for(make_user("64.72", Role.ADMINISTRATOR))
    url = reverse("ppid:calendar")
    response = admin.post(
        url, {"date": "2026-06-10", "kind": "holiday", "name": "HUT Kota", "national": "on"}
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert override.unit == samarinda  # "national" is not offered to a kab/kota
    duplicate = admin.post(url, {"date": "2026-06-10", "kind": "working", "name": "y"})
    assert duplicate.status_code == 200 and "already has an override" in duplicate.content.decode()
    national = CalendarOverride.objects.create(
        date=date(2026, 6, 12), unit=None, kind="holiday", name="N"
    )
    assert admin.post(reverse("ppid:calendar_delete", args=[national.pk])).status_code == 403
    assert admin.post(reverse("ppid:calendar_delete", args=[override.pk])).status_code == 302
    assert list(CalendarOverride.objects.all()) == [national]


def test_national_admin_sets_a_national_day(make_user: Callable[..., Any]) -> None:
    admin = client_for(make_user("00", Role.ADMINISTRATOR))
    response = admin.post(
        reverse("ppid:calendar"),
        {"date": "2026-06-10", "kind": "working", "name": "Pengganti", "national": "on"},
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert override.unit is None
    assert admin.post(reverse("ppid:calendar_delete", args=[override.pk])).status_code == 302
    assert not CalendarOverride.objects.exists()
