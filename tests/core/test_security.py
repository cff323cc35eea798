"""Security baseline: lockout, CSP, CSRF, sessions, /admin/, deploy checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from bakohumas.core.models import Role, WorkUnit
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def test_lockout_after_repeated_failures(make_user: Callable[..., Any], settings: Any) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    user = make_user("64.72", Role.EDITOR)
    client = Client()
    for _ in range(4):
        response = _login(client, user.username, "wrong-password")
        assert response.status_code == 200
        assert response.context["form"].errors  # the ordinary "wrong password" message
    _login(client, user.username, "wrong-password")
    sixth = _login(client, user.username, "wrong-password")
    assert sixth.status_code == 429
    assert "Too many failed log-in attempts" in sixth.content.decode()
    right = _login(client, user.username, PASSWORD)
    assert right.status_code == 429  # even the right password is refused while locked
    assert "_auth_user_id" not in client.session
    assert client.get("/app/").status_code == 302


def test_successful_login_resets_failures(make_user: Callable[..., Any]) -> None:
    user = make_user("64.72", Role.EDITOR)
    client = Client()
    for _ in range(3):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(3):
        assert _login(client, user.username, "wrong-password").status_code == 200


def test_csp_and_security_headers(login: Callable[..., Client]) -> None:
    client = login("64.72", Role.ADMINISTRATOR)
    for path in ("/app/", "/app/people/", "/app/units/", "/app/audit/", "/app/mailbox/"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in response.content.decode()  # only <script src=…>
    assert "Content-Security-Policy" in Client().get("/login/")


def test_csrf_required_on_every_form(
    make_user: Callable[..., Any], units: dict[str, WorkUnit]
) -> None:
    admin = make_user("64", Role.ADMINISTRATOR)
    person = make_user("64.72", Role.EDITOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    pk = person.profile.pk
    posts = [
        f"/app/units/{units['64.72'].pk}/edit/",
        "/app/people/invite/",
        f"/app/people/{pk}/edit/",
        f"/app/people/{pk}/role/",
        f"/app/people/{pk}/deactivate/",
        f"/app/people/{pk}/reactivate/",
        f"/app/people/{pk}/resend-invitation/",
        "/logout/",
    ]
    for path in posts:
        assert client.post(path, {"role": "viewer"}).status_code == 403, path
    person.refresh_from_db()
    assert person.is_active and person.profile.role == Role.EDITOR
    assert (
        Client(enforce_csrf_checks=True)
        .post("/login/", {"username": "x", "password": "y"})
        .status_code
        == 403
    )
    # and the forms carry the token
    for path in (
        "/app/people/invite/",
        f"/app/people/{pk}/edit/",
        f"/app/people/{pk}/role/",
        f"/app/people/{pk}/deactivate/",
        f"/app/units/{units['64.72'].pk}/edit/",
    ):
        assert 'name="csrfmiddlewaretoken"' in client.get(path).content.decode(), path


def test_session_expiry(make_user: Callable[..., Any], settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY
    user = make_user("64.72", Role.EDITOR)
    client = Client()
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # a browser-session cookie
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_admin_only_for_administrators(login: Callable[..., Client]) -> None:
    for role in (Role.VIEWER, Role.EDITOR, Role.COORDINATOR):
        response = login("64.72", role).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    admin = login("64.72", Role.ADMINISTRATOR)
    response = admin.get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/admin/core/workunit/" in body and "/admin/core/staffprofile/" in body


def test_admin_site_is_scoped(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: dict[str, WorkUnit]
) -> None:
    berau = make_user("64.03", Role.EDITOR)
    admin = client_for(make_user("64.72", Role.ADMINISTRATOR))
    units_page = admin.get("/admin/core/workunit/")
    assert units_page.status_code == 200
    assert [u.code for u in units_page.context["cl"].result_list] == ["64.72"]
    assert admin.get(f"/admin/core/workunit/{units['64.03'].pk}/change/").status_code == 302
    assert admin.get(f"/admin/core/staffprofile/{berau.profile.pk}/change/").status_code == 302
    response = admin.get(f"/admin/auth/user/{berau.pk}/change/")
    assert response.status_code == 302  # "does not exist" redirect
    own = admin.get(f"/admin/auth/user/{admin.session['_auth_user_id']}/change/")
    assert own.status_code == 200
    assert "is_superuser" not in own.content.decode()  # no self-promotion
    pwd = admin.get(f"/admin/auth/user/{admin.session['_auth_user_id']}/password/")
    assert pwd.status_code == 403
    assert admin.get("/admin/auth/user/add/").status_code == 403
    assert admin.get("/admin/auth/group/").status_code == 403


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # A production-like environment: none of the test process's own switches.
    dropped = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bakohumas", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
def test_check_deploy_is_clean() -> None:
    result = _run(
        {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.org"},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.django_db
def test_refuses_to_start_without_secret_key() -> None:
    result = _run({"DEBUG": "0", "ALLOWED_HOSTS": "example.org"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr  # a clear message, not a stack trace
