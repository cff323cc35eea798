"""The manual package: text formatted for WhatsApp, the tracked link, media with their
renditions, the share link, the streamed press-kit ZIP (with the press release PDF), and
the task page where the responsible person records the evidence."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from bakohumas.content import services as content_services
from bakohumas.content.models import ContentItem
from bakohumas.core.models import Role
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import (
    Evidence,
    Metric,
    Publication,
    PublicationStatus,
)
from bakohumas.dissemination.package import build_package, zip_stream
from bakohumas.media import services as media_services
from tests.dissemination.test_views_plan import approved_in, client_for, text

pytestmark = pytest.mark.django_db


def png(size: tuple[int, int] = (1200, 800)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def press_item(units: Any, contributor: Any, coordinator: Any) -> ContentItem:
    asset = media_services.ingest_upload(
        units["64.72"],
        SimpleUploadedFile("rapat pleno.png", png(), content_type="image/png"),
        contributor,
        alt_text="Rapat pleno terbuka KPU Kota Samarinda",
    )
    item = content_services.create_item(
        unit=units["64.72"],
        by=contributor,
        fields={
            "form": "press_release",
            "title": "Rapat *pleno* rekapitulasi",
            "summary": "KPU Kota Samarinda menggelar rapat pleno.",
            "body": "<p>Rapat pleno terbuka digelar di aula KPU.</p>",
            "contact_name": "Humas KPU Samarinda",
        },
        variants=[
            {
                "channel": "whatsapp",
                "text": "Rapat pleno rekapitulasi hari ini pukul 09.00 WITA.",
                "hashtags": "KPU pemilu",
            }
        ],
        media=[asset.pk],
    )
    content_services.submit(item, by=contributor)
    return content_services.approve(item, by=coordinator)


@pytest.fixture
def manual(press_item: ContentItem, editor: Any) -> Publication:
    """A WhatsApp-group publication that is due: awaiting its evidence."""
    publication = engine.plan(
        press_item,
        engine.PlanInput(kind="whatsapp_group", target="Grup PPK Samarinda"),
        by=editor,
    )
    engine.dispatch(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.AWAITING_EVIDENCE
    return publication


def test_package_contents(manual: Publication) -> None:
    package = build_package(manual)
    lines = package.whatsapp_text.split("\n\n")
    assert lines[0] == "*Rapat pleno rekapitulasi*"  # marks inside the title removed
    assert lines[1] == "Rapat pleno rekapitulasi hari ini pukul 09.00 WITA."
    assert lines[2] == package.link
    assert lines[3] == "#KPU #pemilu"
    query = parse_qs(urlsplit(package.link).query)
    assert query["utm_source"] == ["whatsapp_group"]
    assert query["utm_campaign"] == [f"64.72-{manual.item_id}"]
    assert package.plain_text.startswith("Rapat *pleno* rekapitulasi\n\n")
    assert package.share_url.endswith(
        reverse("dissemination_public:share", args=[manual.share_token])
    )
    assert package.is_press_release
    [original] = package.originals
    assert original.name == "rapat pleno.png" or original.name.endswith(".png")
    assert original.size > 0 and original.url.startswith("http")
    assert {r.rendition for r in original.renditions} >= {"w480", "w960"}
    assert len(package.media) == 1 + len(original.renditions)
    for media in package.media:
        assert media.name and media.url and media.size > 0


def test_package_without_variant_uses_the_summary(approved: ContentItem, editor: Any) -> None:
    publication = engine.plan(
        approved, engine.PlanInput(kind="radio", target="RRI Samarinda"), by=editor
    )
    package = build_package(publication)
    assert package.whatsapp_text.split("\n\n")[:2] == [
        "*Jadwal pemutakhiran data pemilih*",
        "Ringkasan jadwal coklit.",
    ]
    assert package.media == [] and not package.is_press_release
    assert package.hashtags == ""


def test_task_page_has_copy_buttons_media_and_the_evidence_form(
    manual: Publication, editor: Any
) -> None:
    response = client_for(editor).get(reverse("dissemination:package", args=[manual.pk]))
    assert response.status_code == 200
    body = text(response)
    assert 'data-copy="package-text"' in body
    assert "*Rapat pleno rekapitulasi*" in body
    assert 'data-testid="evidence-form"' in body
    assert "rapat" in body and "w960" in body
    assert manual.share_token in body
    assert "dissemination.js" in body
    assert "<script>" not in body  # CSP: no inline script


def test_press_kit_zip_is_streamed_with_pdf_text_and_images(
    manual: Publication, editor: Any
) -> None:
    response = client_for(editor).get(reverse("dissemination:package_zip", args=[manual.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert 'attachment; filename="' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    assert archive.testzip() is None
    names = archive.namelist()
    txt = next(n for n in names if n.endswith(".txt"))
    pdf = next(n for n in names if n.endswith(".pdf"))
    image = next(n for n in names if n.endswith(".png"))
    assert "*Rapat pleno rekapitulasi*" in archive.read(txt).decode()
    assert archive.read(pdf).startswith(b"%PDF")
    asset = manual.item.media_links.get().asset
    with asset.file.open("rb") as stored:
        assert archive.read(image) == stored.read()


def test_press_kit_is_bounded_and_lists_what_it_left_out(manual: Publication) -> None:
    package = build_package(manual)
    data = b"".join(zip_stream(package, limit=10))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert not any(n.endswith(".png") for n in archive.namelist())
    txt = next(n for n in archive.namelist() if n.endswith(".txt"))
    body = archive.read(txt).decode()
    assert "Too large for this archive" in body
    assert package.originals[0].url in body


def test_package_of_another_unit_is_404(
    editor: Any, make_user: Callable[..., Any], units: Any
) -> None:
    berau = engine.plan(
        approved_in(make_user, units, "64.03"),
        engine.PlanInput(kind="print", target="Koran Berau"),
        by=make_user("64.03", Role.EDITOR),
    )
    client = client_for(editor)
    for name in ("package", "package_zip", "evidence"):
        assert client.get(reverse(f"dissemination:{name}", args=[berau.pk])).status_code == 404
    response = client.post(
        reverse("dissemination:evidence", args=[berau.pk]), {"url": "https://a.id/x"}
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()


# --- evidence ----------------------------------------------------------------------------------


def evidence_url(publication: Publication) -> str:
    return reverse("dissemination:evidence", args=[publication.pk])


def test_evidence_link_makes_it_published(manual: Publication, editor: Any) -> None:
    client = client_for(editor)
    response = client.post(
        evidence_url(manual),
        {
            "url": "https://chat.whatsapp.com/bukti",
            "broadcast_at": "2026-01-05T09:15",
            "audience": "250",
            "note": "Dibagikan ke grup PPK",
        },
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.status == PublicationStatus.DONE
    assert manual.external_url == "https://chat.whatsapp.com/bukti"
    evidence = Evidence.objects.get()
    assert evidence.recorded_by_id == editor.pk
    # 09:15 WITA is 01:15 UTC.
    assert (evidence.broadcast_at.hour, evidence.broadcast_at.minute) == (1, 15)
    assert Metric.objects.get(publication=manual).reach == 250
    body = text(client.get(reverse("dissemination:publication", args=[manual.pk])))
    assert "05-01-2026 09:15" in body and "Dibagikan ke grup PPK" in body


def test_evidence_screenshot_is_checked_stored_and_served_in_scope(
    manual: Publication, editor: Any, make_user: Callable[..., Any]
) -> None:
    client = client_for(editor)
    upload = SimpleUploadedFile("../../etc/bukti.php", png((300, 200)), content_type="text/x-php")
    response = client.post(evidence_url(manual), {"file": upload})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    stored = evidence.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".png") and "bukti" not in stored and ".." not in evidence.file.name
    file_url = reverse("dissemination:evidence_file", args=[manual.pk, evidence.pk])
    response = client.get(file_url)
    assert response.status_code == 200
    assert response.getvalue().startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"
    outsider = client_for(make_user("64.03", Role.EDITOR))
    assert outsider.get(file_url).status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Give the link where it appeared, or upload a screenshot or scan."),
        ({"url": "javascript:alert(1)"}, "Enter a valid http(s) link."),
        ({"url": "https://a.id/x", "audience": "-3"}, "greater than or equal to 0"),
        ({"url": "https://a.id/x", "broadcast_at": "kemarin"}, "Enter a valid date/time."),
        ({"url": "https://a.id/x", "note": "a\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_evidence_is_refused(
    manual: Publication, editor: Any, data: dict[str, str], message: str
) -> None:
    response = client_for(editor).post(evidence_url(manual), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not Evidence.objects.exists()
    manual.refresh_from_db()
    assert manual.status == PublicationStatus.AWAITING_EVIDENCE


def test_future_broadcast_time_is_refused(manual: Publication, editor: Any) -> None:
    later = (timezone.now() + timedelta(days=2)).astimezone(manual.unit.zone)
    response = client_for(editor).post(
        evidence_url(manual),
        {"url": "https://a.id/x", "broadcast_at": later.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in text(response)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("bukti.png", b"MZ\x90\x00" + b"\x00" * 200, "This file is not accepted"),
        ("bukti.png", b"just some text pretending", "This file is not accepted"),
        ("bukti.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "Upload an image or a PDF"),
        ("besar.png", png((10, 10)) + b"\x00" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_wrong_or_oversized_files_are_refused(
    manual: Publication, editor: Any, name: str, data: bytes, message: str
) -> None:
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    response = client_for(editor).post(evidence_url(manual), {"file": upload})
    assert response.status_code == 400
    assert message in text(response)
    assert not Evidence.objects.exists()


def test_evidence_before_the_publication_is_due_is_refused(
    press_item: ContentItem, editor: Any
) -> None:
    publication = engine.plan(
        press_item,
        engine.PlanInput(
            kind="tv", target="TVRI Kaltim", scheduled_at=timezone.now() + timedelta(days=1)
        ),
        by=editor,
    )
    client = client_for(editor)
    body = text(client.get(reverse("dissemination:package", args=[publication.pk])))
    assert 'data-testid="evidence-form"' not in body
    response = client.post(evidence_url(publication), {"url": "https://a.id/x"})
    assert response.status_code == 400
    assert "once the publication is due" in text(response)
    assert not Evidence.objects.exists()


def test_viewer_and_contributor_cannot_record_evidence(
    manual: Publication, contributor: Any, make_user: Callable[..., Any]
) -> None:
    for user in (contributor, make_user("64.72", Role.VIEWER)):
        client = client_for(user)
        page = client.get(reverse("dissemination:package", args=[manual.pk]))
        assert page.status_code == 200
        assert 'data-testid="evidence-form"' not in text(page)
        response = client.post(evidence_url(manual), {"url": "https://a.id/x"})
        assert response.status_code == 403
    assert not Evidence.objects.exists()
    manual.refresh_from_db()
    assert manual.status == PublicationStatus.AWAITING_EVIDENCE
