"""Hoax cases: list (status filter, search), create, detail with the linked reports,
status/category and the clarification item; scope and permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.content.models import ContentItem
from bakohumas.core.models import Role
from bakohumas.inbox import services
from bakohumas.inbox.models import Channel, HoaxCase, HoaxCaseStatus, Thread, ThreadKind

pytestmark = pytest.mark.django_db

LIST = reverse("inbox:hoax_list")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def clarification(unit: Any, by: Any, title: str = "Klarifikasi surat suara") -> ContentItem:
    return ContentItem.objects.create(
        unit=unit, form="hoax_clarification", title=title, slug="klarifikasi", created_by=by
    )


def test_create_and_list_cases(editor: Any, viewer: Any, units: Any) -> None:
    client = client_for(editor)
    response = client.post(
        reverse("inbox:hoax_create"),
        {
            "unit": units["64.72"].pk,
            "title": "Surat suara sudah tercoblos",
            "claim": "Beredar foto <b>surat suara</b> tercoblos di TPS 12.",
            "category": "manipulated",
        },
    )
    case = HoaxCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:hoax_detail", args=[case.pk])
    assert case.created_by_id == editor.pk and case.status == HoaxCaseStatus.OPEN
    HoaxCase.objects.create(unit=units["64.72"], title="Logistik hilang", claim="x", status="hoax")
    HoaxCase.objects.create(unit=units["64.71"], title="Balikpapan", claim="x")

    listing = client_for(viewer).get(LIST)
    assert listing.status_code == 200
    titles = [c.title for c in listing.context["cases"]]
    assert titles == ["Logistik hilang", "Surat suara sudah tercoblos"]
    assert [c.title for c in client.get(LIST, {"status": "hoax"}).context["cases"]] == [
        "Logistik hilang"
    ]
    assert [c.title for c in client.get(LIST, {"q": "tercoblos"}).context["cases"]] == [
        "Surat suara sudah tercoblos"
    ]
    assert client.get(LIST, {"status": "nonsense"}).status_code == 200

    page = client.get(reverse("inbox:hoax_detail", args=[case.pk])).content.decode()
    assert "&lt;b&gt;surat suara&lt;/b&gt;" in page and "<b>surat suara</b>" not in page


def test_create_refuses_bad_input_and_other_units(editor: Any, viewer: Any, units: Any) -> None:
    client = client_for(editor)
    response = client.post(
        reverse("inbox:hoax_create"), {"unit": units["64.72"].pk, "title": "  ", "claim": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("inbox:hoax_create"),
        {"unit": units["64.71"].pk, "title": "T", "claim": "C"},
    )
    assert response.status_code == 400  # not one of the user's units
    assert (
        client_for(viewer)
        .post(reverse("inbox:hoax_create"), {"unit": units["64.72"].pk, "title": "T", "claim": "C"})
        .status_code
        == 403
    )
    assert not HoaxCase.objects.exists()


def test_detail_reports_status_and_clarification(
    make_thread: Callable[..., Thread], editor: Any, viewer: Any, units: Any
) -> None:
    case = services.create_hoax_case(units["64.72"], editor, title="Hoaks DPT", claim="Klaim")
    report = make_thread(channel=Channel.PORTAL, kind=ThreadKind.HOAX_REPORT, subject="Lapor")
    services.link_hoax(report, editor, case=case, clarification=None)
    item = clarification(units["64.72"], editor)
    elsewhere = clarification(units["64.71"], editor, "Klarifikasi Balikpapan")
    client = client_for(editor)

    page = client.get(reverse("inbox:hoax_detail", args=[case.pk]))
    assert [t.pk for t in page.context["reports"]] == [report.pk]
    assert reverse("inbox:detail", args=[report.pk]) in page.content.decode()

    response = client.post(
        reverse("inbox:hoax_update", args=[case.pk]),
        {"status": HoaxCaseStatus.HOAX, "category": "fabricated"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.category) == ("hoax", "fabricated")
    client.post(reverse("inbox:hoax_update", args=[case.pk]), {"status": "maybe"})
    case.refresh_from_db()
    assert case.status == "hoax"

    client.post(reverse("inbox:hoax_clarification", args=[case.pk]), {"clarification": item.pk})
    case.refresh_from_db()
    assert case.clarification_id == item.pk
    client.post(
        reverse("inbox:hoax_clarification", args=[case.pk]), {"clarification": elsewhere.pk}
    )
    case.refresh_from_db()
    assert case.clarification_id == item.pk  # another unit's item is not a choice
    page = client.get(reverse("inbox:hoax_detail", args=[case.pk])).content.decode()
    assert "Klarifikasi surat suara" in page

    watcher = client_for(viewer)
    assert watcher.get(reverse("inbox:hoax_detail", args=[case.pk])).status_code == 200
    assert (
        watcher.post(reverse("inbox:hoax_update", args=[case.pk]), {"status": "open"}).status_code
        == 403
    )
    assert watcher.post(reverse("inbox:hoax_delete", args=[case.pk])).status_code == 403
    assert client.post(reverse("inbox:hoax_delete", args=[case.pk])).status_code == 403


def test_case_of_another_unit_is_404_and_delete_keeps_reports(
    make_thread: Callable[..., Thread],
    editor: Any,
    coordinator: Any,
    make_user: Callable[..., Any],
    units: Any,
) -> None:
    case = services.create_hoax_case(units["64.72"], editor, title="Hoaks", claim="Klaim")
    outsider = client_for(make_user("64.71", Role.COORDINATOR))
    assert outsider.get(reverse("inbox:hoax_detail", args=[case.pk])).status_code == 404
    assert outsider.post(reverse("inbox:hoax_delete", args=[case.pk])).status_code == 404
    report = make_thread(kind=ThreadKind.HOAX_REPORT, channel=Channel.PORTAL)
    services.link_hoax(report, editor, case=case, clarification=None)
    province = client_for(make_user("64", Role.EDITOR))
    assert province.get(reverse("inbox:hoax_detail", args=[case.pk])).status_code == 200

    assert (
        client_for(coordinator).post(reverse("inbox:hoax_delete", args=[case.pk])).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.hoax_case_id is None and not HoaxCase.objects.exists()


def test_link_existing_case_and_clarification_from_thread(
    make_thread: Callable[..., Thread], editor: Any, units: Any
) -> None:
    case = services.create_hoax_case(units["64.72"], editor, title="Hoaks", claim="Klaim")
    item = clarification(units["64.72"], editor)
    report = make_thread(kind=ThreadKind.HOAX_REPORT, channel=Channel.PORTAL)
    client = client_for(editor)
    response = client.post(
        reverse("inbox:hoax_link", args=[report.pk]),
        {"case": case.pk, "clarification": item.pk},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.hoax_case_id, report.clarification_id) == (case.pk, item.pk)
    # Both an existing case and a new title: refused, nothing changes.
    response = client.post(
        reverse("inbox:hoax_link", args=[report.pk]),
        {"case": case.pk, "new_title": "Baru", "new_claim": "x"},
        follow=True,
    )
    assert b"not both" in response.content
    assert HoaxCase.objects.count() == 1
