"""List, detail/edit, delete and picker pages: scope (404), roles (403), queries, escaping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bakohumas.core.models import Role
from bakohumas.media.models import MediaAsset
from tests.media.conftest import PDF, Units, image_bytes, text
from tests.media.test_services import use_in_item

Ingest = Callable[..., MediaAsset]
LIST = "/app/media-library/"
PICKER = "/app/media-library/picker/"


def detail(asset: MediaAsset) -> str:
    return f"/app/media-library/{asset.pk}/"


def delete(asset: MediaAsset) -> str:
    return f"/app/media-library/{asset.pk}/delete/"


@pytest.fixture
def berau_asset(ingest: Ingest, make_user: Any) -> MediaAsset:
    return ingest(image_bytes(), unit="64.03", by=make_user("64.03", Role.EDITOR), title="Berau")


@pytest.fixture
def samarinda_asset(ingest: Ingest) -> MediaAsset:
    return ingest(image_bytes("PNG", (800, 400)), title="Samarinda pleno")


# --- scope and roles --------------------------------------------------------------------


def test_another_units_asset_is_404_on_every_route(
    login: Any, berau_asset: MediaAsset, settings: Any
) -> None:
    client = login("64.72", Role.COORDINATOR)  # holds every media permission
    assert client.get(detail(berau_asset)).status_code == 404
    assert client.post(detail(berau_asset), {"title": "hacked"}).status_code == 404
    assert client.get(delete(berau_asset)).status_code == 404
    assert client.post(delete(berau_asset)).status_code == 404
    assert client.get(PICKER, {"unit": berau_asset.unit_id}).status_code == 404
    berau_asset.refresh_from_db()
    assert berau_asset.title == "Berau"
    assert "Berau" not in text(client.get(LIST))


def test_province_sees_its_kabkota(
    login: Any, berau_asset: MediaAsset, samarinda_asset: Any
) -> None:
    client = login("64", Role.VIEWER)
    body = text(client.get(LIST))
    assert "Berau" in body and "Samarinda pleno" in body
    assert client.get(detail(berau_asset)).status_code == 200
    assert client.get(PICKER, {"unit": berau_asset.unit_id}).status_code == 200


def test_viewer_gets_403_on_writes(login: Any, samarinda_asset: MediaAsset) -> None:
    client = login("64.72", Role.VIEWER)
    assert client.get(detail(samarinda_asset)).status_code == 200
    assert client.post(detail(samarinda_asset), {"title": "x"}).status_code == 403
    assert client.get(delete(samarinda_asset)).status_code == 403
    assert client.post(delete(samarinda_asset)).status_code == 403
    samarinda_asset.refresh_from_db()
    assert samarinda_asset.title == "Samarinda pleno"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.EDITOR])
def test_only_coordinators_delete(login: Any, samarinda_asset: MediaAsset, role: str) -> None:
    client = login("64.72", role)
    assert client.post(delete(samarinda_asset)).status_code == 403
    assert delete(samarinda_asset) not in text(client.get(detail(samarinda_asset)))
    assert MediaAsset.objects.filter(pk=samarinda_asset.pk).exists()


def test_user_without_profile_sees_nothing(
    client: Client, django_user_model: Any, samarinda_asset: Any
) -> None:
    user = django_user_model.objects.create_user("outsider", password="x-Yz9!abc")
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(samarinda_asset)).status_code == 403


# --- list -------------------------------------------------------------------------------


def test_list_filters(ingest: Ingest, login: Any, units: Units) -> None:
    ingest(image_bytes(), title="Debat kandidat", alt_text="Panggung debat")
    ingest(image_bytes(), title="Sosialisasi pemilih")
    ingest(PDF, name="laporan-triwulan.pdf")
    client = login("64.72", Role.VIEWER)
    body = text(client.get(LIST, {"kind": "pdf"}))
    assert "laporan-triwulan.pdf" in body and "Debat kandidat" not in body
    body = text(client.get(LIST, {"missing_alt": "on"}))
    assert "Sosialisasi pemilih" in body and "Debat kandidat" not in body
    assert "laporan-triwulan" not in body  # only images need alternative text
    body = text(client.get(LIST, {"q": "triwulan laporan"}))
    assert "laporan-triwulan.pdf" in body and "Sosialisasi" not in body
    # An invalid filter value is reported, not a 500.
    response = client.get(LIST, {"kind": "exe"})
    assert response.status_code == 200 and "Select a valid choice" in text(response)
    # Kab/kota users get no unit filter; province users do.
    assert 'name="unit"' not in body
    assert 'name="unit"' in text(login("64", Role.VIEWER).get(LIST))


def test_unit_filter_for_province(ingest: Ingest, login: Any, berau_asset: MediaAsset) -> None:
    ingest(image_bytes(), title="Samarinda only")
    body = text(login("64", Role.VIEWER).get(LIST, {"unit": berau_asset.unit_id}))
    assert "Berau" in body and "Samarinda only" not in body


def test_list_query_count_does_not_grow(
    ingest: Ingest, login: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    client = login("64", Role.EDITOR)
    berau_editor = make_user("64.03", Role.EDITOR)
    for i in range(3):
        ingest(image_bytes("PNG", (600, 300)), title=f"A{i}")
        ingest(PDF, name=f"d{i}.pdf")
    client.get(LIST)  # warm caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200
    for i in range(12):
        ingest(image_bytes("PNG", (600, 300)), title=f"B{i}", unit="64.03", by=berau_editor)
        ingest(PDF, name=f"e{i}.pdf")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page_obj"].object_list) == 25


def test_list_is_paginated(ingest: Ingest, login: Any) -> None:
    for i in range(3):
        ingest(PDF, name=f"d{i}.pdf")
    body = text(login("64.72", Role.VIEWER).get(LIST, {"per_page": 2, "page": 2}))
    assert "3\u20133 of 3" in body


def test_script_payloads_are_inert(ingest: Ingest, login: Any) -> None:
    payload = '<script>alert("x")</script>'
    asset = ingest(
        image_bytes(), name=f"{payload}.png", title=payload, alt_text=payload, caption=payload
    )
    client = login("64.72", Role.EDITOR)
    for response in (client.get(LIST), client.get(detail(asset)), client.get(PICKER)):
        assert response.status_code == 200
        assert payload not in text(response)
        assert "&lt;script&gt;" in text(response)


# --- detail and edit --------------------------------------------------------------------


def test_detail_shows_renditions_and_uses(
    login: Any, samarinda_asset: MediaAsset, make_user: Any
) -> None:
    item = use_in_item(samarinda_asset, make_user("64.72", Role.EDITOR), title="Infografis DPT")
    body = text(login("64.72", Role.VIEWER).get(detail(samarinda_asset)))
    assert f'<a href="/app/content/{item.pk}/">Infografis DPT</a>' in body
    for name in ("thumb", "w480"):
        assert f">{name}</a>" in body
    assert 'srcset="' in body and 'loading="lazy"' in body
    assert "no alternative text yet" in body


def test_edit_texts(login: Any, samarinda_asset: MediaAsset) -> None:
    client = login("64.72", Role.CONTRIBUTOR)
    data = {
        "title": "Pleno",
        "alt_text": "Anggota KPU di meja pleno",
        "caption": "",
        "credit": "Humas",
    }
    response = client.post(detail(samarinda_asset), data)
    assert response.status_code == 302
    samarinda_asset.refresh_from_db()
    assert (samarinda_asset.title, samarinda_asset.alt_text, samarinda_asset.credit) == (
        "Pleno",
        "Anggota KPU di meja pleno",
        "Humas",
    )


def test_edit_with_bad_input_changes_nothing(login: Any, samarinda_asset: MediaAsset) -> None:
    client = login("64.72", Role.EDITOR)
    response = client.post(detail(samarinda_asset), {"title": "x" * 201, "alt_text": "ok"})
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters" in text(response)
    samarinda_asset.refresh_from_db()
    assert samarinda_asset.title == "Samarinda pleno" and samarinda_asset.alt_text == ""


# --- delete -----------------------------------------------------------------------------


def test_delete_with_confirmation(login: Any, samarinda_asset: MediaAsset, settings: Any) -> None:
    client = login("64.72", Role.COORDINATOR)
    assert delete(samarinda_asset) in text(client.get(detail(samarinda_asset)))
    assert "will be deleted" in text(client.get(delete(samarinda_asset)))
    response = client.post(delete(samarinda_asset))
    assert response.status_code == 302 and response["Location"] == LIST
    assert not MediaAsset.objects.exists()


def test_delete_refused_when_used(login: Any, samarinda_asset: MediaAsset, make_user: Any) -> None:
    use_in_item(samarinda_asset, make_user("64.72", Role.EDITOR), title="Berita pleno")
    client = login("64.72", Role.COORDINATOR)
    page = text(client.get(delete(samarinda_asset)))
    assert "cannot be deleted until it is removed there" in page and "Berita pleno" in page
    response = client.post(delete(samarinda_asset))
    assert response.status_code == 400
    assert "This file is used by 1 content item" in text(response)
    assert MediaAsset.objects.filter(pk=samarinda_asset.pk).exists()


# --- picker -----------------------------------------------------------------------------


def test_picker_lists_own_unit_with_buttons(ingest: Ingest, login: Any, berau_asset: Any) -> None:
    asset = ingest(image_bytes(), title="Logo KPU", alt_text="Logo")
    pdf = ingest(PDF, name="juknis.pdf")
    client = login("64.72", Role.CONTRIBUTOR)
    body = text(client.get(PICKER, headers={"HX-Request": "true"}))
    assert "<html" not in body  # a fragment
    assert f'data-asset-id="{asset.pk}"' in body and f'data-asset-id="{pdf.pk}"' in body
    assert f'data-asset-id="{berau_asset.pk}"' not in body
    assert 'data-asset-needs-alt="0"' in body
    body = text(client.get(PICKER, {"kind": "pdf"}))
    assert f'data-asset-id="{pdf.pk}"' in body and f'data-asset-id="{asset.pk}"' not in body
    body = text(client.get(PICKER, {"q": "logo"}))
    assert f'data-asset-id="{asset.pk}"' in body and f'data-asset-id="{pdf.pk}"' not in body


def test_picker_pages(ingest: Ingest, login: Any) -> None:
    for i in range(14):
        ingest(PDF, name=f"d{i:02}.pdf")
    client = login("64.72", Role.VIEWER)
    first = text(client.get(PICKER))
    assert first.count("data-media-pick ") == 12 and "page=2" in first
    assert text(client.get(PICKER, {"page": 2})).count("data-media-pick ") == 2


def test_picker_bad_input_is_not_a_500(login: Any, units: Units) -> None:
    client = login("64.72", Role.VIEWER)
    assert client.get(PICKER, {"unit": "abc", "page": "-4", "kind": "exe"}).status_code == 200
    assert client.get(PICKER, {"unit": 999999}).status_code == 404
