"""Staff agenda at /app/agenda/: scoped lists, role permissions, times in the unit's zone,
bad input refused with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from bakohumas.core.models import Role, WorkUnit
from bakohumas.portal import services
from bakohumas.portal.models import AgendaEvent

pytestmark = pytest.mark.django_db
Units = dict[str, WorkUnit]
LIST = "/app/agenda/"
NEW = "/app/agenda/new/"


def form_data(owner: WorkUnit, **overrides: Any) -> dict[str, Any]:
    data = {
        "unit": owner.pk,
        "title": "Sosialisasi pemilih pemula",
        "starts_at": "2030-03-04T09:30",
        "ends_at": "2030-03-04T12:00",
        "location": "SMA 1 Samarinda",
        "description": "Terbuka untuk umum.",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_editor_creates_event_in_unit_time(login: Callable[..., Client], units: Units) -> None:
    client = login("64.72", Role.EDITOR)
    response = client.post(NEW, form_data(units["64.72"]))
    assert response.status_code == 302
    event = AgendaEvent.objects.get()
    # 09:30 WITA is 01:30 UTC
    assert event.starts_at == datetime(2030, 3, 4, 1, 30, tzinfo=ZoneInfo("UTC"))
    assert event.unit == units["64.72"] and event.is_public
    page = client.get(LIST + "?when=all").content.decode()
    assert "Sosialisasi pemilih pemula" in page and "WITA" in page
    # The edit form shows the unit's wall-clock time again.
    edit = client.get(f"/app/agenda/{event.pk}/edit/").content.decode()
    assert 'value="2030-03-04T09:30"' in edit


def test_national_user_enters_time_of_a_wib_unit(
    login: Callable[..., Client], units: Units
) -> None:
    national = units["00"]
    client = login("00", Role.ADMINISTRATOR)
    assert national.time_zone == "Asia/Jakarta"
    assert (
        client.post(NEW, form_data(national, starts_at="2030-03-04T09:30", ends_at="")).status_code
        == 302
    )
    event = AgendaEvent.objects.get()
    assert event.starts_at == datetime(2030, 3, 4, 2, 30, tzinfo=ZoneInfo("UTC"))


def test_edit_and_delete(
    login: Callable[..., Client], units: Units, make_event: Callable[..., Any]
) -> None:
    event = make_event("64.72", "Rapat lama")
    client = login("64.72", Role.EDITOR)
    response = client.post(
        f"/app/agenda/{event.pk}/edit/", form_data(units["64.72"], title="Rapat baru")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Rapat baru"
    assert client.get(f"/app/agenda/{event.pk}/delete/").status_code == 200
    assert client.post(f"/app/agenda/{event.pk}/delete/").status_code == 302
    assert not AgendaEvent.objects.filter(pk=event.pk).exists()


def test_other_units_events_are_404(
    login: Callable[..., Client], units: Units, make_event: Callable[..., Any]
) -> None:
    berau = make_event("64.03", "Acara Berau")
    client = login("64.72", Role.COORDINATOR)
    assert "Acara Berau" not in client.get(LIST + "?when=all").content.decode()
    assert client.get(f"/app/agenda/{berau.pk}/edit/").status_code == 404
    assert (
        client.post(f"/app/agenda/{berau.pk}/edit/", form_data(units["64.72"])).status_code == 404
    )
    assert client.post(f"/app/agenda/{berau.pk}/delete/").status_code == 404
    assert AgendaEvent.objects.filter(pk=berau.pk, title="Acara Berau").exists()
    # The province sees its kab/kota's events.
    province = login("64", Role.EDITOR)
    assert "Acara Berau" in province.get(LIST + "?when=all").content.decode()
    assert province.get(f"/app/agenda/{berau.pk}/edit/").status_code == 200


def test_moving_an_event_outside_the_scope_is_refused(
    login: Callable[..., Client], units: Units
) -> None:
    client = login("64.72", Role.EDITOR)
    response = client.post(NEW, form_data(units["64.03"]))
    assert response.status_code == 400
    assert not AgendaEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_roles_without_agenda_permissions_get_403(
    login: Callable[..., Client], units: Units, make_event: Callable[..., Any], role: str
) -> None:
    event = make_event("64.72")
    client = login("64.72", role)
    assert client.get(LIST).status_code == 200  # every role may look
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(units["64.72"])).status_code == 403
    assert (
        client.post(
            f"/app/agenda/{event.pk}/edit/", form_data(units["64.72"], title="X")
        ).status_code
        == 403
    )
    assert client.post(f"/app/agenda/{event.pk}/delete/").status_code == 403
    assert AgendaEvent.objects.get(pk=event.pk).title == event.title


def test_anonymous_is_sent_to_login(client: Client, units: Units) -> None:
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"starts_at": ""}, "This field is required."),
        ({"starts_at": "kemarin"}, "Enter a valid date/time."),
        ({"ends_at": "2030-03-04T08:00"}, "The event cannot end before it starts."),
        ({"unit": "999999"}, "Select a valid choice."),
        ({"unit": "abc"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_and_nothing_written(
    login: Callable[..., Client], units: Units, overrides: dict[str, str], field_error: str
) -> None:
    client = login("64.72", Role.EDITOR)
    response = client.post(NEW, form_data(units["64.72"], **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved." in page
    assert field_error in page
    assert not AgendaEvent.objects.exists()


def test_script_payloads_are_inert(
    login: Callable[..., Client], units: Units, client: Client
) -> None:
    payload = "<script>alert(1)</script>"
    staff = login("64.72", Role.EDITOR)
    starts = (
        timezone.localtime(timezone.now() + timedelta(days=2), ZoneInfo("Asia/Makassar"))
    ).strftime("%Y-%m-%dT%H:%M")
    response = staff.post(
        NEW,
        form_data(
            units["64.72"],
            title=payload,
            location=payload,
            description=payload,
            starts_at=starts,
            ends_at="",
        ),
    )
    assert response.status_code == 302
    for page in (
        staff.get(LIST).content.decode(),
        client.get("/satker/64.72/agenda/").content.decode(),
        client.get("/satker/64.72/").content.decode(),
    ):
        assert payload not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_list_filters_and_query_count(
    login: Callable[..., Client], make_event: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        make_event(("64.72", "64.03", "64")[i % 3], f"Acara {i}", days=i - 10)
    client = login("64", Role.COORDINATOR)
    with django_assert_max_num_queries(12):
        page = client.get(LIST).content.decode()
    assert "Acara 29" in page and "Acara 0<" not in page  # upcoming only by default
    past = client.get(LIST + "?when=past").content.decode()
    assert "Acara 0<" in past and "Acara 29" not in past
    only = client.get(LIST + "?when=all&q=Acara+2").content.decode()
    assert "Acara 2<" in only and "Acara 21" in only and "Acara 3<" not in only


def test_services_enforce_rules(
    make_user: Callable[..., Any], units: Units, make_event: Callable[..., Any]
) -> None:
    viewer = make_user("64.72", Role.VIEWER)
    editor = make_user("64.72", Role.EDITOR)
    with pytest.raises(PermissionDenied):
        services.create_event(by=viewer, title="X", starts_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.create_event(by=editor, unit=units["64.03"], title="X", starts_at=timezone.now())
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_event(by=editor, title="", starts_at=None)
    assert {"title", "starts_at"} <= set(exc.value.message_dict)
    berau = make_event("64.03")
    with pytest.raises(PermissionDenied):
        services.update_event(berau, by=editor, title="Y")
    with pytest.raises(PermissionDenied):
        services.delete_event(berau, by=editor)
    event = services.create_event(by=editor, title="  Rapat  ", starts_at=timezone.now())
    assert event.title == "Rapat" and event.unit == units["64.72"]
    assert AgendaEvent.objects.count() == 2
