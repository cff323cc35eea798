"""Authentication of the API: personal tokens and the session (with CSRF)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from bakohumas.api.models import ApiToken
from bakohumas.api.services import revoke_token
from bakohumas.core.models import Role
from bakohumas.stakeholders.models import Organisation

URL = "/api/v1/work-units"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/work-units",
        "/api/v1/people",
        "/api/v1/organisations",
        "/api/v1/contacts",
        "/api/v1/groups",
        "/api/v1/work-units/1",
        "/api/v1/organisations/1",
    ],
)
def test_no_credentials_is_401_json(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.django_db
def test_unknown_token_is_401(client: Client, units: Any) -> None:
    response = client.get(URL, headers={"Authorization": "Bearer bkh_not-a-real-token"})
    assert response.status_code == 401
    assert response.json() == {"detail": "The token is not valid."}


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer", "Bearer    ", "Token abc", "Basic dXNlcjpwYXNz"])
def test_malformed_authorization_header_is_401(client: Client, units: Any, header: str) -> None:
    response = client.get(URL, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]


def test_good_token_is_200(api: Callable[..., Any]) -> None:
    response = api("64.72", Role.VIEWER).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_revoked_token_is_401(api: Callable[..., Any]) -> None:
    client = api("64.72", Role.EDITOR)
    revoke_token(ApiToken.objects.get(user=client.user))
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "The token has been revoked."}
    # Writes are refused the same way (not a CSRF 403).
    response = client.post_json("/api/v1/organisations", {"name": "X", "category": "press"})
    assert response.status_code == 401
    assert not Organisation.objects.exists()


def test_inactive_user_is_401(api: Callable[..., Any]) -> None:
    client = api("64.72", Role.EDITOR)
    client.user.is_active = False
    client.user.save()
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "The account of this token is disabled."}


def test_only_digest_is_stored(api: Callable[..., Any]) -> None:
    client = api()
    token = ApiToken.objects.get(user=client.user)
    assert client.token not in {token.digest, token.prefix, token.name}
    assert token.digest == __import__("hashlib").sha256(client.token.encode()).hexdigest()
    assert client.token.startswith(token.prefix)


def test_last_used_at_is_written_at_most_once_a_minute(
    api: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    client = api("64.72", Role.VIEWER)
    token = ApiToken.objects.get(user=client.user)
    assert token.last_used_at is None
    assert client.get(URL).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert client.get(URL).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first  # not rewritten within the minute
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert client.get(URL).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()


def test_token_writes_are_audited_with_the_token_user(api: Callable[..., Any]) -> None:
    client = api("64.72", Role.EDITOR)
    response = client.post_json(
        "/api/v1/organisations", {"name": "Kaltim Post", "category": "press"}
    )
    assert response.status_code == 201, response.json()
    org = Organisation.objects.get(pk=response.json()["id"])
    entry = LogEntry.objects.get_for_object(org).get()
    assert entry.actor_id == client.user.pk


def test_session_auth_reads(login: Callable[..., Client]) -> None:
    client = login("64.72", Role.VIEWER)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == "64.72"


def test_session_auth_enforces_csrf_on_writes(make_user: Callable[..., Any]) -> None:
    user = make_user("64.72", Role.EDITOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    payload = {"name": "Kaltim Post", "category": "press"}
    response = client.post("/api/v1/organisations", payload, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Organisation.objects.exists()
    # With the CSRF cookie and header (what the docs page sends) it works.
    client.get("/app/api-tokens/")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/organisations",
        payload,
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201, response.json()
    # Safe methods need no CSRF token.
    assert client.get("/api/v1/organisations").status_code == 200


def test_bearer_token_needs_no_csrf(api: Callable[..., Any]) -> None:
    client = api("64.72", Role.EDITOR)
    client.handler.enforce_csrf_checks = True
    response = client.post_json("/api/v1/organisations", {"name": "A", "category": "press"})
    assert response.status_code == 201


def test_user_without_staff_profile_sees_nothing(
    client: Client, django_user_model: Any, units: Any
) -> None:
    user = django_user_model.objects.create_user("lonely", password="x")
    _token, plain = ApiToken.issue(user, "t")
    response = client.get(URL, headers={"Authorization": f"Bearer {plain}"})
    # No role: no permission to read work units.
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to do this."}
