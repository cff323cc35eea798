"""The token pages (/app/api-tokens/) and ``bakohumas create_api_token``."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from bakohumas.api.models import ApiToken, hash_token
from bakohumas.core.models import Role


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("64.72", Role.VIEWER)


@pytest.fixture
def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_urls() -> None:
    assert reverse("api:token_list") == "/app/api-tokens/"
    assert reverse("api:token_create") == "/app/api-tokens/new/"
    assert reverse("api:token_revoke", args=[3]) == "/app/api-tokens/3/revoke/"


@pytest.mark.django_db
def test_pages_need_login(client: Client) -> None:
    for url in ("/app/api-tokens/", "/app/api-tokens/new/", "/app/api-tokens/1/revoke/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_create_shows_token_once_and_it_works(web: Client, user: Any) -> None:
    assert web.get("/app/api-tokens/new/").status_code == 200
    response = web.post("/app/api-tokens/new/", {"name": "  Sinkron situs  "})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plain = response.context["plain_token"]
    assert plain.startswith("bkh_")
    assert plain in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "Sinkron situs"
    assert token.digest == hash_token(plain)
    # The list never shows it again.
    listing = web.get("/app/api-tokens/").content.decode()
    assert "Sinkron situs" in listing
    assert plain not in listing
    assert token.prefix in listing
    # And it authenticates API calls.
    api = Client(headers={"Authorization": f"Bearer {plain}"})
    assert api.get("/api/v1/work-units").status_code == 200


def test_double_submit_does_not_issue_two_tokens(web: Client, user: Any) -> None:
    assert web.post("/app/api-tokens/new/", {"name": "Skrip laporan"}).status_code == 200
    response = web.post("/app/api-tokens/new/", {"name": "Skrip laporan"})
    assert response.status_code == 200
    assert "plain_token" not in response.context
    assert response.context["form"].errors["name"] == [
        "You already have an active token with this name."
    ]
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_name_is_refused(web: Client, user: Any, name: str) -> None:
    response = web.post("/app/api-tokens/new/", {"name": name})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_list_shows_only_own_tokens(web: Client, user: Any, make_user: Callable[..., Any]) -> None:
    other = make_user("64.72", Role.ADMINISTRATOR)
    ApiToken.issue(other, "Milik orang lain")
    ApiToken.issue(user, "Milik saya")
    body = web.get("/app/api-tokens/").content.decode()
    assert "Milik saya" in body
    assert "Milik orang lain" not in body


def test_list_is_paginated_with_bounded_queries(
    web: Client, user: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        ApiToken.issue(user, f"Token {i:02d}")
    with django_assert_max_num_queries(12):
        response = web.get("/app/api-tokens/")
    assert len(response.context["page_obj"].object_list) == 25
    response = web.get("/app/api-tokens/?page=2")
    assert len(response.context["page_obj"].object_list) == 5
    assert len(web.get("/app/api-tokens/?per_page=100").context["page_obj"].object_list) == 30


def test_revoke_confirm_then_post(web: Client, user: Any) -> None:
    token, plain = ApiToken.issue(user, "Lama")
    url = f"/app/api-tokens/{token.pk}/revoke/"
    confirm = web.get(url)
    assert confirm.status_code == 200
    assert "Lama" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # GET changes nothing
    response = web.post(url)
    assert response.status_code == 302
    assert response["Location"] == "/app/api-tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = Client(headers={"Authorization": f"Bearer {plain}"})
    assert api.get("/api/v1/work-units").status_code == 401
    # Revoking twice is harmless.
    assert web.post(url).status_code == 302
    # A revoked name can be used again.
    assert web.post("/app/api-tokens/new/", {"name": "Lama"}).status_code == 200
    assert ApiToken.objects.filter(user=user, name="Lama").count() == 2


def test_cannot_revoke_someone_elses_token(web: Client, make_user: Callable[..., Any]) -> None:
    other = make_user("64.72", Role.ADMINISTRATOR)
    token, _plain = ApiToken.issue(other, "Bukan milikmu")
    assert web.get(f"/app/api-tokens/{token.pk}/revoke/").status_code == 404
    assert web.post(f"/app/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_command_prints_only_the_token(user: Any) -> None:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", user.username, "--name", "Cron", stdout=out, stderr=err)
    plain = out.getvalue().strip()
    assert "\n" not in plain and plain.startswith("bkh_")
    assert err.getvalue() == ""
    token = ApiToken.objects.get(user=user)
    assert token.name == "Cron" and token.digest == hash_token(plain)
    api = Client(headers={"Authorization": f"Bearer {plain}"})
    assert api.get("/api/v1/work-units").status_code == 200


def test_command_default_name(user: Any) -> None:
    call_command("create_api_token", user.username, stdout=StringIO())
    assert ApiToken.objects.get(user=user).name.startswith("Command line ")


@pytest.mark.django_db
def test_command_unknown_user() -> None:
    with pytest.raises(CommandError, match="Unknown user: “ghost”"):
        call_command("create_api_token", "ghost", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_command_disabled_user_and_duplicate_name(user: Any) -> None:
    call_command("create_api_token", user.username, "--name", "Cron", stdout=StringIO())
    with pytest.raises(CommandError, match="already have an active token"):
        call_command("create_api_token", user.username, "--name", "Cron", stdout=StringIO())
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="disabled"):
        call_command("create_api_token", user.username, stdout=StringIO())
    assert ApiToken.objects.filter(user=user).count() == 1
