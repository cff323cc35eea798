"""Cache headers, conditional GET (304) and session-free public pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bakohumas.content.models import ContentForm, Status
from bakohumas.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(make_item: Callable[..., Any], make_event: Callable[..., Any]) -> list[str]:
    item = make_item("64.72", "Berita")
    press = make_item("64.72", "Rilis", form=ContentForm.PRESS_RELEASE)
    make_event("64.72")
    return [
        "/",
        "/satker/",
        "/satker/64/",
        "/satker/64.72/berita/",
        "/satker/64.72/galeri/",
        "/satker/64.72/agenda/",
        f"/satker/64.72/konten/{item.slug}/",
        f"/satker/64.72/konten/{press.slug}/pdf/",
        "/cari/?q=berita",
        "/feed/",
        "/feed/atom/",
        "/satker/64.72/feed/",
        "/satker/64.72/berita/feed/atom/",
        "/sitemap.xml",
        "/robots.txt",
    ]


def vary(response: Any) -> set[str]:
    return {v.strip() for v in response.get("Vary", "").split(",") if v.strip()}


def test_public_cache_headers_and_304(client: Client, pages: list[str]) -> None:
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=60", url
        assert response.has_header("ETag"), url
        # The language comes from the cookie or Accept-Language; nothing else varies.
        assert vary(response) == {"Accept-Language", "Cookie"}, url
        assert not response.cookies, url  # no csrftoken, no session cookie
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url
        assert again.content == b"", url
        assert again["ETag"] == response["ETag"], url
        assert again["Cache-Control"] == "public, max-age=60", url
        other = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
        assert other.status_code == 200, url


def test_etag_is_stable_and_follows_changes(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item("64.72", "Berita awal")
    url = f"/satker/64.72/konten/{item.slug}/"
    first = client.get(url)
    assert client.get(url)["ETag"] == first["ETag"]  # the CSP nonce does not change it
    home = client.get("/satker/64.72/")
    assert client.get("/satker/64.72/")["ETag"] == home["ETag"]
    item.title = "Berita diperbaiki"
    item.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "Berita diperbaiki" in changed.content.decode()
    assert client.get("/satker/64.72/", HTTP_IF_NONE_MATCH=home["ETag"]).status_code == 200


def test_etag_differs_by_language(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item("64.72", "Berita")
    url = f"/satker/64.72/konten/{item.slug}/"
    english = client.get(url)["ETag"]
    indonesian = client.get(url, HTTP_ACCEPT_LANGUAGE="id")["ETag"]
    assert english != indonesian
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="id", HTTP_IF_NONE_MATCH=english).status_code == 200


def test_item_page_last_modified(client: Client, make_item: Callable[..., Any]) -> None:
    item = make_item("64.72", "Berita")
    response = client.get(f"/satker/64.72/konten/{item.slug}/")
    last_modified = response["Last-Modified"]
    assert last_modified
    again = client.get(f"/satker/64.72/konten/{item.slug}/", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert again.status_code == 304


def test_item_304_skips_rendering(
    client: Client, make_item: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    item = make_item("64.72", "Berita")
    url = f"/satker/64.72/konten/{item.slug}/"
    etag = client.get(url)["ETag"]
    with django_assert_max_num_queries(5):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_errors_are_not_cached_long(client: Client, make_item: Callable[..., Any]) -> None:
    gone = make_item(
        "64.72",
        "Ditarik",
        status=Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        correction_notice="Koreksi.",
    )
    response = client.get(f"/satker/64.72/konten/{gone.slug}/")
    assert response.status_code == 410
    assert response["Cache-Control"] == "public, max-age=60"  # a withdrawal shows within a minute
    bad = client.get("/cari/?q=x&satker=nope")
    assert bad.status_code == 400
    assert "no-cache" in bad["Cache-Control"]


LAZY_AUDIT = "bakohumas.portal.middleware.AuditlogMiddleware"


def test_settings_use_the_lazy_audit_middleware(settings: Any) -> None:
    assert LAZY_AUDIT in settings.MIDDLEWARE, (
        "settings.MIDDLEWARE must use bakohumas.portal.middleware.AuditlogMiddleware instead of "
        "auditlog.middleware.AuditlogMiddleware, or every public page reads the session"
    )


@pytest.fixture
def lazy_audit(settings: Any) -> None:
    settings.MIDDLEWARE = [
        LAZY_AUDIT if m == "auditlog.middleware.AuditlogMiddleware" else m
        for m in settings.MIDDLEWARE
    ]


def test_public_pages_do_not_touch_the_session(
    lazy_audit: None, login: Callable[..., Client], pages: list[str]
) -> None:
    """A public page never loads the session, not even for a logged-in visitor: no session
    query and nothing personal, so a shared cache may serve it to everyone."""
    for client in (Client(), login("64.72", Role.EDITOR)):
        for url in pages:
            response = client.get(url)
            assert response.wsgi_request.session.accessed is False, url


def test_lazy_audit_middleware_still_records_the_actor(
    lazy_audit: None, make_user: Callable[..., Any]
) -> None:
    from auditlog.models import LogEntry

    from bakohumas.portal.models import AgendaEvent

    user = make_user("64.72", Role.EDITOR)
    client = Client()
    client.force_login(user)
    response = client.post(
        "/app/agenda/new/",
        {"unit": user.profile.unit_id, "title": "Jumpa pers", "starts_at": "2030-01-02T09:00"},
    )
    assert response.status_code == 302
    event = AgendaEvent.objects.get(title="Jumpa pers")
    entry = LogEntry.objects.get_for_object(event).get()
    assert entry.actor_id == user.pk


def test_logged_in_staff_get_the_same_public_page(
    login: Callable[..., Client], pages: list[str], django_assert_max_num_queries: Any
) -> None:
    staff = login("64.72", Role.EDITOR)
    anonymous = Client()
    for url in pages[:7]:
        mine, theirs = staff.get(url), anonymous.get(url)
        assert mine.status_code == 200
        assert mine["ETag"] == theirs["ETag"], url  # nothing personal on the page
        assert not mine.cookies, url


def test_rendered_pages_are_cached_until_the_portal_changes(
    client: Client, make_item: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    item = make_item("64.72", "Berita awal")
    url = f"/satker/64.72/konten/{item.slug}/"
    first = client.get(url)
    assert first.status_code == 200 and "X-Portal-Cache" not in first
    with django_assert_max_num_queries(1):  # the generation only
        again = client.get(url)
    assert again["X-Portal-Cache"] == "hit"
    # the CSP nonce of the cached copy is the new response's own
    nonce = again["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert nonce in again.content.decode() or "nonce=" not in again.content.decode()
    assert again.content.decode().count("__bakohumas_csp_nonce__") == 0
    # a withdrawal is visible at once, not after the cache's minute
    item.status = "withdrawn"
    item.withdrawn_at = item.published_at
    item.correction_notice = "Ralat."
    item.save()
    gone = client.get(url)
    assert gone.status_code == 410 and "Ralat." in gone.content.decode()
