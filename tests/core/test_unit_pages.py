"""Work-unit pages: list, detail, edit, logo."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from bakohumas.core.models import Role, WorkUnit
from tests.core.helpers import bulk_staff, image_bytes

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _codes(client: Client, **params: Any) -> set[str]:
    response = client.get("/app/units/", params)
    assert response.status_code == 200
    return {unit.code for unit in response.context["units"]}


def test_list_is_scoped(login: Callable[..., Client], units: dict[str, WorkUnit]) -> None:
    assert _codes(login("64.72", Role.VIEWER)) == {"64.72"}
    province = _codes(login("64", Role.VIEWER))
    assert province == set(units) - {"00"}
    assert _codes(login("00", Role.VIEWER)) == set(units)


def test_list_search_and_filters(login: Callable[..., Client], units: dict[str, WorkUnit]) -> None:
    client = login("00", Role.VIEWER)
    assert _codes(client, q="berau") == {"64.03"}
    assert _codes(client, q="64.7") == {"64.71", "64.72", "64.74"}
    assert _codes(client, q="kota samarinda") == {"64.72"}
    assert _codes(client, level="province") == {"64"}
    assert _codes(client, province=units["64"].pk, level="regency_city") == set(units) - {
        "00",
        "64",
    }


def test_list_bad_filter_is_a_message_not_an_error(
    login: Callable[..., Client], units: dict[str, WorkUnit]
) -> None:
    client = login("64.72", Role.VIEWER)
    response = client.get("/app/units/", {"level": "planet", "province": "abc", "page": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "KPU Kota Samarinda" in response.content.decode()


def test_list_pagination_and_per_page(
    login: Callable[..., Client], units: dict[str, WorkUnit]
) -> None:
    client = login("00", Role.VIEWER)
    page = client.get("/app/units/", {"per_page": 5}).context["page_obj"]
    assert page.paginator.per_page == 5 and page.paginator.count == 12
    page = client.get("/app/units/", {"per_page": 5000}).context["page_obj"]
    assert page.paginator.per_page == 100
    page = client.get("/app/units/").context["page_obj"]
    assert page.paginator.per_page == 25


def test_list_query_count_does_not_grow(
    login: Callable[..., Client],
    units: dict[str, WorkUnit],
    django_assert_max_num_queries: Any,
) -> None:
    client = login("00", Role.VIEWER)
    client.get("/app/units/")
    with django_assert_max_num_queries(10):
        client.get("/app/units/")
    for unit in units.values():
        bulk_staff(unit, 3)
    with django_assert_max_num_queries(10):
        response = client.get("/app/units/")
    assert response.status_code == 200


def test_detail_shows_zone_children_staff_and_history(
    login: Callable[..., Client], units: dict[str, WorkUnit], make_user: Callable[..., Any]
) -> None:
    make_user("64.03", Role.EDITOR)
    client = login("64", Role.ADMINISTRATOR)
    client.post(
        f"/app/units/{units['64'].pk}/edit/",
        {
            "address": "Jl. Basuki Rahmat No. 89, Samarinda",
            "phone": "(0541) 741234",
            "email": "humas@kaltim.kpu.go.id",
            "website": "https://kaltim.kpu.go.id",
        },
    )
    response = client.get(f"/app/units/{units['64'].pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "WITA" in body
    assert "KPU Kabupaten Berau" in body  # a child
    assert "Jl. Basuki Rahmat" in body
    assert "+62541741234" in body
    assert response.context["history"][0].actor is not None
    berau = client.get(f"/app/units/{units['64.03'].pk}/").content.decode()
    assert "KPU Provinsi Kalimantan Timur" in berau  # parent


def test_detail_of_other_unit_is_404(
    login: Callable[..., Client], units: dict[str, WorkUnit]
) -> None:
    client = login("64.72", Role.ADMINISTRATOR)
    assert client.get(f"/app/units/{units['64.03'].pk}/").status_code == 404
    assert client.get(f"/app/units/{units['64'].pk}/").status_code == 404
    assert client.get("/app/units/999999/").status_code == 404


def test_edit_permissions(login: Callable[..., Client], units: dict[str, WorkUnit]) -> None:
    samarinda, berau = units["64.72"].pk, units["64.03"].pk
    assert login("64.72", Role.EDITOR).get(f"/app/units/{samarinda}/edit/").status_code == 403
    assert (
        login("64.72", Role.COORDINATOR)
        .post(f"/app/units/{samarinda}/edit/", {"address": "x"})
        .status_code
        == 403
    )
    own_admin = login("64.72", Role.ADMINISTRATOR)
    assert own_admin.get(f"/app/units/{samarinda}/edit/").status_code == 200
    assert own_admin.get(f"/app/units/{berau}/edit/").status_code == 404
    assert own_admin.post(f"/app/units/{berau}/edit/", {"address": "hijack"}).status_code == 404
    assert own_admin.get(f"/app/units/{units['64'].pk}/edit/").status_code == 404
    province_admin = login("64", Role.ADMINISTRATOR)
    response = province_admin.post(
        f"/app/units/{berau}/edit/", {"address": "Jl. Pemuda, Tanjung Redeb"}
    )
    assert response.status_code == 302
    assert WorkUnit.objects.get(pk=berau).address == "Jl. Pemuda, Tanjung Redeb"
    assert WorkUnit.objects.get(pk=berau).address != "hijack"


def test_edit_bad_input_changes_nothing(
    login: Callable[..., Client], units: dict[str, WorkUnit]
) -> None:
    unit = units["64.72"]
    client = login("64.72", Role.ADMINISTRATOR)
    response = client.post(
        f"/app/units/{unit.pk}/edit/",
        {"address": "new address", "phone": "12", "email": "not-an-email", "website": "x y"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"phone", "email", "website"} <= set(errors)
    unit.refresh_from_db()
    assert unit.address == ""


def _upload(data: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_logo_is_reencoded_to_png_and_served(
    login: Callable[..., Client], units: dict[str, WorkUnit]
) -> None:
    unit = units["64.72"]
    client = login("64.72", Role.ADMINISTRATOR)
    jpeg = image_bytes("JPEG", size=(1200, 600))
    response = client.post(
        f"/app/units/{unit.pk}/edit/",
        {"address": "", "logo": _upload(jpeg, "logo.jpg", "image/jpeg")},
    )
    assert response.status_code == 302, response.context["form"].errors
    unit.refresh_from_db()
    assert unit.logo.name.endswith(".png")
    with unit.logo.open("rb") as fh, Image.open(fh) as stored:
        assert stored.format == "PNG"
        assert max(stored.size) == 512
    served = client.get(f"/app/units/{unit.pk}/logo.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    # Remove it again.
    old_name = unit.logo.name
    response = client.post(f"/app/units/{unit.pk}/edit/", {"remove_logo": "on"})
    unit.refresh_from_db()
    assert not unit.logo and old_name
    assert client.get(f"/app/units/{unit.pk}/logo.png").status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (SVG, "logo.svg", "image/svg+xml"),
        (b"%PDF-1.4 not an image", "logo.png", "image/png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png", "image/png"),
        (image_bytes("TIFF"), "logo.tiff", "image/tiff"),
    ],
)
def test_logo_rejects_non_images_and_svg(
    login: Callable[..., Client],
    units: dict[str, WorkUnit],
    data: bytes,
    name: str,
    content_type: str,
) -> None:
    unit = units["64.72"]
    client = login("64.72", Role.ADMINISTRATOR)
    response = client.post(
        f"/app/units/{unit.pk}/edit/",
        {"address": "should not be saved", "logo": _upload(data, name, content_type)},
    )
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    unit.refresh_from_db()
    assert not unit.logo and unit.address == ""


def test_logo_size_limit(login: Callable[..., Client], units: dict[str, WorkUnit]) -> None:
    unit = units["64.72"]
    client = login("64.72", Role.ADMINISTRATOR)
    noisy = Image.frombytes("RGB", (1100, 1100), bytes(range(256)) * (1100 * 1100 * 3 // 256 + 1))
    out = io.BytesIO()
    noisy.save(out, format="BMP")
    assert len(out.getvalue()) > 2 * 1024 * 1024
    response = client.post(
        f"/app/units/{unit.pk}/edit/", {"logo": _upload(out.getvalue(), "big.bmp", "image/bmp")}
    )
    assert response.status_code == 200
    assert "too large" in str(response.context["form"].errors["logo"])
    unit.refresh_from_db()
    assert not unit.logo
