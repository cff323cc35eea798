"""Tracked links of campaign messages: the click is counted on the delivery and the
publication's metrics, then the browser goes to the signed address (and only there)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from bakohumas.dissemination import engine, links
from bakohumas.dissemination.models import Delivery, Metric, Publication


def campaign(item: Any, editor: Any, mailing_list: Any) -> Publication:
    publication = engine.plan(
        item, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )
    assert engine.dispatch(publication.pk)
    engine.drain("test")
    return publication


def tracked_links(message: Any) -> list[str]:
    html = message.get_body(preferencelist=("html",)).get_content()
    return [
        urlsplit(unescape(href)).path
        for href in re.findall(r'href="([^"]+)"', html)
        if "/d/t/" in href
    ]


def click_token_path(token: str) -> str:
    return reverse("dissemination_public:click", args=[token])


@pytest.mark.django_db
def test_click_is_counted_and_redirects(
    client: Client, approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any, smtp: Any
) -> None:
    add_subscribers(2)
    publication = campaign(approved, editor, mailing_list)
    message = next(m for m in smtp.parsed() if m["To"] == "warga0@example.id")
    paths = tracked_links(message)
    assert paths, "the campaign has tracked links"
    # The body's own link to kpu.go.id goes through the tracker.
    targets = {p: links.read_click_token(p.rstrip("/").rsplit("/", 1)[-1]) for p in paths}
    assert all(targets.values())
    body_link = next(p for p, t in targets.items() if t and t[1] == "https://kpu.go.id/info")
    delivery = Delivery.objects.get(publication=publication, recipient="warga0@example.id")

    response = client.get(body_link)
    assert response.status_code == 302
    assert response["Location"] == "https://kpu.go.id/info"
    assert "no-store" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed
    delivery.refresh_from_db()
    assert delivery.clicked_at is not None
    metric = Metric.objects.get(publication=publication)
    assert (metric.clicks, metric.source) == (1, Metric.Source.TRACKING)

    first = delivery.clicked_at
    assert client.get(body_link).status_code == 302
    delivery.refresh_from_db()
    assert delivery.clicked_at == first  # the first click stays
    metric.refresh_from_db()
    assert metric.clicks == 2
    # HEAD (link checkers) redirects without counting.
    assert client.head(body_link).status_code == 302
    metric.refresh_from_db()
    assert metric.clicks == 2
    other = Delivery.objects.get(publication=publication, recipient="warga1@example.id")
    assert other.clicked_at is None


@pytest.mark.django_db
def test_click_keeps_a_platform_metric_and_bumps_it(
    client: Client, approved: Any, editor: Any, mailing_list: Any, add_subscribers: Any
) -> None:
    add_subscribers(1)
    publication = engine.plan(
        approved, engine.PlanInput(kind="email", mailing_list_id=mailing_list.pk), by=editor
    )
    engine.dispatch(publication.pk)
    delivery = Delivery.objects.get(publication=publication)
    Metric.objects.create(publication=publication, reach=50, clicks=7, source="platform")
    path = click_token_path(links.click_token(delivery.pk, "https://kpu.go.id/a?b=1&c=2"))
    response = client.get(path)
    assert response["Location"] == "https://kpu.go.id/a?b=1&c=2"
    metric = Metric.objects.get(publication=publication)
    assert (metric.clicks, metric.reach, metric.source) == (8, 50, "platform")


@pytest.mark.django_db
def test_no_open_redirect_and_bad_tokens_404(client: Client, units: Any) -> None:
    good = links.click_token(5, "https://kpu.go.id/")
    forged = [
        "nonsense",
        good[:-3] + "abc",
        # Signed, but with another salt (an unsubscribe token) or not our shape.
        links.unsubscribe_token(5),
        signing.dumps([5, "https://evil.example/"], salt="another"),
        signing.dumps([5, "javascript:alert(1)"], salt=links.CLICK_SALT, compress=True),
        signing.dumps(["5", "https://kpu.go.id/"], salt=links.CLICK_SALT, compress=True),
    ]
    for token in forged:
        response = client.get(click_token_path(token) + "?next=https://evil.example/")
        assert response.status_code == 404, token
        assert "This link is not valid" in response.content.decode()
    # A query string cannot change where a valid token goes; a click whose delivery no
    # longer exists still goes to its address, counting nothing.
    response = client.get(click_token_path(good) + "?url=https://evil.example/")
    assert response["Location"] == "https://kpu.go.id/"
    assert Metric.objects.count() == 0
    assert client.post(click_token_path(good)).status_code == 405
