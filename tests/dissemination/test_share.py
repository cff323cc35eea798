"""The public share page of a manual package (``/d/bagikan/<share token>/``)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from bakohumas.content import services as content_services
from bakohumas.content.models import ContentItem, Status
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import Publication, PublicationStatus
from bakohumas.media.models import MediaAsset


def share_path(publication: Publication) -> str:
    return reverse("dissemination_public:share", args=[publication.share_token])


def manual(item: ContentItem, editor: Any, kind: str = "whatsapp_group") -> Publication:
    return engine.plan(
        item, engine.PlanInput(kind=kind, target="Grup Relawan Demokrasi"), by=editor
    )


@pytest.fixture
def illustrated(units: dict[str, Any], contributor: Any, coordinator: Any) -> ContentItem:
    """An approved item with a photo."""
    asset = MediaAsset.objects.create(
        unit=units["64.72"],
        kind="image",
        file="media/64.72/coklit.jpg",
        original_name="coklit.jpg",
        mime_type="image/jpeg",
        size=204_800,
        sha256=hashlib.sha256(b"coklit").hexdigest(),
        width=1200,
        height=800,
        title="Coklit",
        alt_text="Petugas coklit mendatangi rumah warga",
    )
    item = content_services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={
            "form": "news",
            "title": "Coklit serentak dimulai",
            "summary": "Petugas mendatangi rumah warga mulai hari ini.",
            "body": "<p>Isi.</p>",
        },
        media=[asset.pk],
    )
    content_services.submit(item, by=contributor)
    return content_services.approve(item, by=coordinator)


@pytest.mark.django_db
def test_share_page_shows_the_package(
    client: Client, illustrated: ContentItem, editor: Any, django_assert_max_num_queries: Any
) -> None:
    publication = manual(illustrated, editor)
    with django_assert_max_num_queries(15):
        response = client.get(share_path(publication))
    assert response.status_code == 200
    page = response.content.decode()
    assert "*Coklit serentak dimulai*" in page  # WhatsApp bold title
    assert "Petugas mendatangi rumah warga mulai hari ini." in page
    assert "utm_source=" in page and "utm_medium=" in page  # the link with UTM tags
    assert "coklit.jpg" in page and "200.0\xa0KB" in page
    assert "https://wa.me/?text=" + quote("*Coklit serentak dimulai*", safe="") in page
    assert "KPU Kota Samarinda" in page  # in the portal's frame
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert not response.wsgi_request.session.accessed


@pytest.mark.django_db
def test_share_page_without_media(client: Client, approved: ContentItem, editor: Any) -> None:
    response = client.get(share_path(manual(approved, editor, "print")))
    assert response.status_code == 200
    assert "This content has no media files." in response.content.decode()


@pytest.mark.django_db
def test_share_page_is_gone_when_cancelled_or_withdrawn(
    client: Client, approved: ContentItem, editor: Any
) -> None:
    cancelled = manual(approved, editor)
    engine.cancel(cancelled, by=editor)
    cancelled.refresh_from_db()
    assert cancelled.status == PublicationStatus.CANCELLED
    response = client.get(share_path(cancelled))
    assert response.status_code == 410
    assert "can no longer be shared" in response.content.decode()
    assert "Grup" not in response.content.decode()

    live = manual(approved, editor)
    assert client.get(share_path(live)).status_code == 200
    ContentItem.objects.filter(pk=approved.pk).update(status=Status.WITHDRAWN)
    assert client.get(share_path(live)).status_code == 410


@pytest.mark.django_db
def test_unknown_share_token_is_404_and_only_get(
    client: Client, approved: ContentItem, editor: Any
) -> None:
    response = client.get(reverse("dissemination_public:share", args=["tidak-ada"]))
    assert response.status_code == 404
    assert "There is no package to share at this address." in response.content.decode()
    assert client.post(share_path(manual(approved, editor))).status_code == 405
