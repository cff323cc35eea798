"""Accepting an invitation: the emailed set-password link, its validity and the worker."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client

from bakohumas.core.models import MailboxMessage, Role, StaffProfile, WorkUnit
from bakohumas.core.services import deactivate_staff, invite_staff

User = get_user_model()
STRONG = "Pesisir-Mahakam-2024!"


def _invite(admin: Any, unit: WorkUnit, username: str = "dewi") -> StaffProfile:
    return invite_staff(
        admin,
        unit=unit,
        username=username,
        email=f"{username}@kpu.example.id",
        first_name="Dewi",
        role=Role.CONTRIBUTOR,
    )


def _link(message_body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/invite/[^\s\"<]+/)", message_body)
    assert match, message_body
    return match.group(1)


def test_set_password_logs_in(
    make_user: Callable[..., Any], units: dict[str, WorkUnit], immediate_tasks: None
) -> None:
    profile = _invite(make_user("64.72", Role.ADMINISTRATOR), units["64.72"])
    path = _link(str(mail.outbox[0].body))
    client = Client()
    response = client.get(path)
    assert response.status_code == 302  # token moved into the session
    form_url = response["Location"]
    assert "set-password" in form_url
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302 and response["Location"] == "/app/"
    user = User.objects.get(pk=profile.user_id)
    assert user.check_password(STRONG)
    assert client.get("/app/").status_code == 200  # logged in
    # the link is spent
    again = Client().get(path)
    assert again.status_code == 200 and again.context["validlink"] is False


@pytest.mark.parametrize(
    "password", ["12345678", "password", "dewi", "short", "dewi@kpu.example.id"]
)
def test_weak_password_refused_with_message(
    make_user: Callable[..., Any],
    units: dict[str, WorkUnit],
    immediate_tasks: None,
    password: str,
) -> None:
    profile = _invite(make_user("64.72", Role.ADMINISTRATOR), units["64.72"])
    client = Client()
    form_url = client.get(_link(str(mail.outbox[0].body)))["Location"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert not User.objects.get(pk=profile.user_id).has_usable_password()


def test_mismatched_passwords_refused(
    make_user: Callable[..., Any], units: dict[str, WorkUnit], immediate_tasks: None
) -> None:
    _invite(make_user("64.72", Role.ADMINISTRATOR), units["64.72"])
    client = Client()
    form_url = client.get(_link(str(mail.outbox[0].body)))["Location"]
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG + "x"})
    assert response.status_code == 200 and response.context["form"].errors


def test_expired_tampered_and_deactivated_links(
    make_user: Callable[..., Any],
    units: dict[str, WorkUnit],
    immediate_tasks: None,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = make_user("64.72", Role.ADMINISTRATOR)
    profile = _invite(admin, units["64.72"])
    path = _link(str(mail.outbox[0].body))
    tampered = path[:-3] + "zz/"
    assert Client().get(tampered).context["validlink"] is False
    assert Client().get("/invite/bm9wZQ/abc-def/").context["validlink"] is False
    # expired: the token generator's clock moves past PASSWORD_RESET_TIMEOUT
    from django.contrib.auth.tokens import default_token_generator

    real_now = default_token_generator._now()
    monkeypatch.setattr(
        default_token_generator,
        "_now",
        lambda: real_now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60),
    )
    assert Client().get(path).context["validlink"] is False
    monkeypatch.undo()
    assert Client().get(path).status_code == 302
    deactivate_staff(admin, profile)
    assert Client().get(path).context["validlink"] is False


@pytest.mark.django_db(transaction=True)
def test_invitation_through_real_database_worker(
    make_user: Callable[..., Any], units: dict[str, WorkUnit], dev_mailbox: None, settings: Any
) -> None:
    """The default backend (django-tasks-db) queues the task; ``db_worker`` sends it."""
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    from django_tasks_db.models import DBTaskResult

    profile = _invite(make_user("64", Role.ADMINISTRATOR), units["64.03"], username="andi")
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert MailboxMessage.objects.count() == 0
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    message = MailboxMessage.objects.get()
    assert message.to == "andi@kpu.example.id" and message.unit == units["64.03"]
    profile.refresh_from_db()
    assert profile.invitation_sent_at is not None
    # the mailbox shows the link, and following it works
    client = Client()
    form_url = client.get(_link(message.body_text))["Location"]
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302
    # a repeated task after acceptance sends nothing
    from bakohumas.core.tasks import send_invitation

    assert send_invitation.call(profile.user_id, "id") == "skipped"
    assert MailboxMessage.objects.count() == 1


def test_invitation_email_in_language(
    make_user: Callable[..., Any], units: dict[str, WorkUnit], immediate_tasks: None
) -> None:
    from bakohumas.core.tasks import send_invitation

    profile = _invite(make_user("64.72", Role.ADMINISTRATOR), units["64.72"])
    mail.outbox.clear()
    assert send_invitation.call(profile.user_id, "en") == "sent"
    assert "Choose your password" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["X-Bakohumas-Unit"] == str(units["64.72"].pk)
