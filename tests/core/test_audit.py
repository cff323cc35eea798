"""The audit trail: actors recorded for UI writes, and the audit-log search page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from bakohumas.core.models import Role, StaffProfile, WorkUnit


def test_ui_write_records_actor_and_changes(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    admin = make_user("64.72", Role.ADMINISTRATOR)
    unit = units["64.72"]
    client_for(admin).post(
        f"/app/units/{unit.pk}/edit/",
        {"address": "Jl. Kesuma Bangsa No. 1", "email": "humas@samarinda.kpu.go.id"},
    )
    entry = LogEntry.objects.get_for_object(unit).latest("timestamp")
    assert entry.actor == admin
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes["address"] == ["", "Jl. Kesuma Bangsa No. 1"]
    assert "humas@samarinda.kpu.go.id" in entry.changes_text  # searchable copy
    assert entry.remote_addr == "127.0.0.1"


def test_ui_create_records_actor(
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    units: dict[str, WorkUnit],
    immediate_tasks: None,
) -> None:
    admin = make_user("64.72", Role.ADMINISTRATOR)
    client_for(admin).post(
        "/app/people/invite/",
        {
            "username": "baru",
            "first_name": "Baru",
            "email": "baru@kpu.example.id",
            "unit": units["64.72"].pk,
            "role": Role.VIEWER,
            "team_position": "",
        },
    )
    profile = StaffProfile.objects.get(user__username="baru")
    created = LogEntry.objects.get_for_object(profile).get(action=LogEntry.Action.CREATE)
    assert created.actor == admin
    user_created = LogEntry.objects.get_for_object(profile.user).get(action=LogEntry.Action.CREATE)
    assert user_created.actor == admin
    assert "password" not in (user_created.changes or {})


def _entries(client: Client, **params: Any) -> list[LogEntry]:
    response = client.get("/app/audit/", params)
    assert response.status_code == 200
    return list(response.context["entries"])


def test_audit_log_scope_and_filters(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    samarinda_admin = make_user("64.72", Role.ADMINISTRATOR, username="admin.smd")
    berau_admin = make_user("64.03", Role.ADMINISTRATOR, username="admin.berau")
    province_admin = make_user("64", Role.ADMINISTRATOR, username="admin.prov")
    client_for(samarinda_admin).post(
        f"/app/units/{units['64.72'].pk}/edit/", {"address": "Alamat Samarinda"}
    )
    client_for(berau_admin).post(
        f"/app/units/{units['64.03'].pk}/edit/", {"address": "Alamat Berau"}
    )
    samarinda = client_for(samarinda_admin)
    seen = _entries(samarinda)
    assert {e.actor_id for e in seen} == {samarinda_admin.pk}
    assert not _entries(samarinda, q="Alamat Berau")
    province = client_for(province_admin)
    assert {e.actor_id for e in _entries(province)} >= {samarinda_admin.pk, berau_admin.pk}
    found = _entries(province, q="alamat berau")
    assert [e.object_repr for e in found] == ["KPU Kabupaten Berau"]
    assert {e.actor_id for e in _entries(province, actor="admin.smd")} == {samarinda_admin.pk}
    assert {e.actor_id for e in _entries(province, actor_id=berau_admin.pk)} == {berau_admin.pk}
    unit_type = ContentType.objects.get_for_model(WorkUnit)
    assert {e.content_type_id for e in _entries(province, model=unit_type.pk)} == {unit_type.pk}
    assert _entries(province, action=LogEntry.Action.DELETE) == []
    assert len(_entries(province, action=LogEntry.Action.UPDATE)) == 2
    today = timezone.localdate()
    assert len(_entries(province, date_from=today.isoformat(), q="alamat")) == 2
    assert _entries(province, date_to=(today - timedelta(days=2)).isoformat()) == []
    national = client_for(make_user("00", Role.ADMINISTRATOR))
    assert len(_entries(national, q="alamat")) == 2


def test_audit_log_rows_show_old_and_new_values(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    admin = make_user("64", Role.ADMINISTRATOR)
    person = make_user("64.03", Role.EDITOR)
    client = client_for(admin)
    client.post(f"/app/people/{person.profile.pk}/role/", {"role": Role.COORDINATOR})
    client.post(
        f"/app/people/{person.profile.pk}/edit/",
        {
            "first_name": "Nama",
            "email": person.email,
            "unit": WorkUnit.objects.get(code="64.72").pk,
            "team_position": "",
        },
    )
    response = client.get(
        "/app/audit/", {"model": ContentType.objects.get_for_model(StaffProfile).pk}
    )
    changes = {
        (c.field, c.old, c.new) for e in response.context["entries"] for c in e.display_changes
    }
    assert ("role", "Editor", "Coordinator") in changes
    assert ("work unit", "KPU Kabupaten Berau", "KPU Kota Samarinda") in changes
    body = response.content.decode()
    assert "<del>Editor</del>" in body and "<ins>Coordinator</ins>" in body


def test_audit_log_bad_filters_and_permissions(
    login: Callable[..., Client], units: dict[str, WorkUnit]
) -> None:
    admin = login("64.72", Role.ADMINISTRATOR)
    response = admin.get(
        "/app/audit/",
        {"date_from": "2024-13-45", "action": "explode", "model": "abc", "actor_id": "-1"},
    )
    assert response.status_code == 200
    assert {"date_from", "action", "model"} <= set(response.context["form"].errors)
    response = admin.get("/app/audit/", {"date_from": "2025-05-02", "date_to": "2025-05-01"})
    assert "date_to" in response.context["form"].errors
    for role in (Role.VIEWER, Role.EDITOR, Role.COORDINATOR):
        assert login("64.72", role).get("/app/audit/").status_code == 403


def test_audit_log_query_count_bounded(
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    units: dict[str, WorkUnit],
    django_assert_max_num_queries: Any,
) -> None:
    admin = make_user("64", Role.ADMINISTRATOR)
    client = client_for(admin)
    client.get("/app/audit/")
    with django_assert_max_num_queries(12):
        client.get("/app/audit/")
    people = [make_user(code, Role.EDITOR) for code in ("64.72", "64.03", "64.01")]
    for person in people:
        client.post(f"/app/people/{person.profile.pk}/role/", {"role": Role.COORDINATOR})
        client.post(
            f"/app/people/{person.profile.pk}/edit/",
            {
                "first_name": "N",
                "email": person.email,
                "unit": units["64.74"].pk,
                "team_position": "",
            },
        )
    with django_assert_max_num_queries(12):
        response = client.get("/app/audit/", {"per_page": 100})
    assert len(response.context["entries"]) >= 9
