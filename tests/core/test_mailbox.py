"""The development mailbox: backend, scoped list and safe detail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import Client

from bakohumas.core.mail import UNIT_HEADER
from bakohumas.core.models import MailboxMessage, Role, WorkUnit
from tests.core.helpers import bulk_staff

EVIL_HTML = (
    '<p>Halo</p><script>document.title="pwned"</script>'
    '<a href="https://example.org/x" onclick="steal()">tautan</a>'
)


def _send(unit: WorkUnit | None, subject: str = "Undangan", to: str = "a@kpu.example.id") -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body="Teks biasa https://example.org/link",
        to=[to],
        headers={UNIT_HEADER: str(unit.pk)} if unit else {},
    )
    message.attach_alternative(EVIL_HTML, "text/html")
    message.send()


def test_backend_stores_message(dev_mailbox: None, units: dict[str, WorkUnit]) -> None:
    send_mail("Subjek", "Isi pesan", "from@kpu.example.id", ["x@kpu.example.id"])
    _send(units["64.72"])
    plain, rich = MailboxMessage.objects.order_by("id")
    assert plain.subject == "Subjek" and plain.body_text.strip() == "Isi pesan"
    assert plain.unit is None and "Subject: Subjek" in plain.raw
    assert rich.unit == units["64.72"] and "<script>" in rich.body_html


def test_list_is_scoped(
    dev_mailbox: None, units: dict[str, WorkUnit], login: Callable[..., Client]
) -> None:
    _send(units["64.72"], "Samarinda mail")
    _send(units["64.03"], "Berau mail")
    _send(None, "System mail")

    def subjects(client: Client, **params: Any) -> set[str]:
        response = client.get("/app/mailbox/", params)
        assert response.status_code == 200
        return {m.subject for m in response.context["mail"]}

    assert subjects(login("64.72", Role.ADMINISTRATOR)) == {"Samarinda mail"}
    assert subjects(login("64", Role.ADMINISTRATOR)) == {"Samarinda mail", "Berau mail"}
    national = login("00", Role.ADMINISTRATOR)
    assert subjects(national) == {"Samarinda mail", "Berau mail", "System mail"}
    assert subjects(national, q="berau") == {"Berau mail"}
    berau = MailboxMessage.objects.get(subject="Berau mail")
    assert login("64.72", Role.ADMINISTRATOR).get(f"/app/mailbox/{berau.pk}/").status_code == 404
    for role in (Role.VIEWER, Role.EDITOR, Role.COORDINATOR):
        client = login("64.72", role)
        assert client.get("/app/mailbox/").status_code == 403
        assert client.get(f"/app/mailbox/{berau.pk}/").status_code == 403


def test_detail_renders_html_sandboxed(
    dev_mailbox: None, units: dict[str, WorkUnit], login: Callable[..., Client]
) -> None:
    _send(units["64.72"], "Undangan Bakohumas")
    message = MailboxMessage.objects.get()
    response = login("64.72", Role.ADMINISTRATOR).get(f"/app/mailbox/{message.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>document.title" not in body  # never raw in the page
    assert '<iframe sandbox="allow-popups allow-popups-to-escape-sandbox"' in body
    assert 'srcdoc="&lt;p&gt;Halo&lt;/p&gt;&lt;script&gt;' in body
    assert 'href="https://example.org/link"' in body  # text body links are clickable
    assert ("To", "a@kpu.example.id") in response.context["headers"]
    assert ("Subject", "Undangan Bakohumas") in response.context["headers"]


def test_list_query_count_bounded(
    dev_mailbox: None,
    units: dict[str, WorkUnit],
    login: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = login("64", Role.ADMINISTRATOR)
    _send(units["64.72"])
    client.get("/app/mailbox/")
    with django_assert_max_num_queries(10):
        client.get("/app/mailbox/")
    for i in range(30):
        _send(units["64.03"], f"Pesan {i}")
    bulk_staff(units["64.03"], 5)
    with django_assert_max_num_queries(10):
        response = client.get("/app/mailbox/", {"per_page": 50})
    assert len(response.context["mail"]) == 31
