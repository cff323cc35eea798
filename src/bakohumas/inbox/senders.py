"""Outbound replies of the inbox on each channel.

Every sender takes a stored ``Message`` (direction OUT, status QUEUED) and either returns
the platform's id of the message it sent or raises one of the dissemination adapters'
errors, which say what happens next:

* ``TransientError`` — try again later (network errors, 5xx, 429 with ``retry_after``);
* ``PermanentError`` — the reply fails with the platform's reason (``ReconnectRequired``,
  a subclass: the account's credentials were refused).

The HTTP channels reuse the dissemination adapters (their client, timeouts, credential
decryption and the mapping of each platform's error answers):

* email → ``EmailMultiAlternatives`` through ``EMAIL_BACKEND``, plain text only, from
  ``DEFAULT_FROM_EMAIL`` under the unit's name, ``Reply-To`` the unit's inbound mailbox,
  ``Message-ID: <inbox-<pk>@<site host>>``, ``In-Reply-To``/``References`` the sender's
  last message, and ``X-Bakohumas-Unit`` (the development mailbox files it under the unit);
* WhatsApp → ``POST {api_base}/{phone_number_id}/messages``: a ``text`` message inside
  the 24-hour window, else the account's ``config["reply_template"]`` (language
  ``config["reply_template_language"]``, default ``id``) with the reply as its one body
  parameter;
* Telegram → ``POST {api_base}/bot<token>/sendMessage`` to the thread's chat id.
"""

from __future__ import annotations

import re
import smtplib
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.core.mail import UNIT_HEADER
from bakohumas.dissemination.adapters.base import PermanentError, TransientError
from bakohumas.dissemination.adapters.email import message_id
from bakohumas.dissemination.adapters.http import json_of
from bakohumas.dissemination.adapters.telegram import TelegramAdapter
from bakohumas.dissemination.adapters.whatsapp import WhatsAppAdapter, parameter_text
from bakohumas.inbox.models import Direction, Message, Thread

# A header value that is one Message-ID (``<local@domain>``), safe to repeat in ours.
MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
_INBOX_ID = re.compile(r"^<inbox-(\d+)@[^<>\s]+>$")


def reply_message_id(message_pk: int) -> str:
    """The ``Message-ID`` of an emailed reply (``<inbox-<pk>@<site host>>``)."""
    return message_id(f"inbox-{message_pk}")


def replied_message_pk(value: str) -> int | None:
    """The pk of our reply a ``Message-ID`` names (for threading inbound mail by its
    ``In-Reply-To``), or None."""
    match = _INBOX_ID.match((value or "").strip())
    return int(match.group(1)) if match else None


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def reply_subject(thread: Thread) -> str:
    from bakohumas.inbox.services import thread_number

    subject = _one_line(thread.subject) or _("Your message")
    if not subject.lower().startswith("re:"):
        subject = "Re: " + subject
    return f"{subject} [#{thread_number(thread)}]"[:250]


def _last_inbound_id(thread: Thread) -> str:
    provider_ids = (
        Message.objects.filter(thread=thread, direction=Direction.INBOUND)
        .exclude(provider_id="")
        .order_by("-created_at", "-id")
        .values_list("provider_id", flat=True)[:1]
    )
    for value in provider_ids:
        value = value.strip()
        if MESSAGE_ID.match(value):
            return str(value)
    return ""


def build_email(message: Message) -> EmailMultiAlternatives:
    from bakohumas.inbox.services import inbox_settings

    thread = message.thread
    unit = thread.unit
    config = inbox_settings(unit)
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender = formataddr((_one_line(config.reply_from_name or unit.name), address))
    headers = {"Message-ID": reply_message_id(message.pk), UNIT_HEADER: str(unit.pk)}
    parent = _last_inbound_id(thread)
    if parent:
        headers["In-Reply-To"] = parent
        headers["References"] = parent
    name = _one_line(thread.name)
    to = formataddr((name, thread.handle.strip())) if name else thread.handle.strip()
    return EmailMultiAlternatives(
        subject=reply_subject(thread),
        body=message.body,
        from_email=sender,
        to=[to],
        reply_to=[config.reply_to_address] if config.reply_to_address else None,
        headers=headers,
    )


def send_email(message: Message) -> str:
    email = build_email(message)
    try:
        sent = get_connection(fail_silently=False).send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()), (550, b""))
        raise _smtp_error(int(code), reply) from exc
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        raise _smtp_error(int(getattr(exc, "smtp_code", 451)), exc.smtp_error) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"SMTP: {type(exc).__name__}: {exc}") from exc
    if not sent:
        raise TransientError(_("The mail server did not accept the reply."))
    return reply_message_id(message.pk)


def _smtp_error(code: int, reply: Any) -> TransientError | PermanentError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    reason = f"SMTP {code} {text}".strip()
    if 400 <= code < 500:
        return TransientError(reason)
    return PermanentError(reason)


def whatsapp_payload(message: Message, *, template: tuple[str, str] | None) -> dict[str, Any]:
    to = message.thread.handle.strip().lstrip("+")
    base: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
    }
    if template is None:
        return {**base, "type": "text", "text": {"body": message.body, "preview_url": False}}
    name, language = template
    return {
        **base,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": parameter_text(message.body)}],
                }
            ],
        },
    }


def send_whatsapp(message: Message) -> str:
    """Text inside the 24-hour window; outside it (also when the window closed while the
    reply waited for a retry) the account's reply template."""
    from bakohumas.inbox.services import reply_template, whatsapp_window_open

    thread = message.thread
    template = None
    if message.is_template or not whatsapp_window_open(thread, timezone.now()):
        template = reply_template(thread)
        if template is None:
            raise PermanentError(
                _("The 24-hour window of WhatsApp closed and the account has no reply template.")
            )
        if not message.is_template:
            Message.objects.filter(pk=message.pk).update(is_template=True)
            message.is_template = True
    adapter = WhatsAppAdapter(thread.account)
    try:
        if not adapter.phone_number_id:
            raise PermanentError(_("Set the phone number ID in the account settings."))
        response = adapter.call(
            "POST",
            f"{adapter.api_base}/{adapter.phone_number_id}/messages",
            json=whatsapp_payload(message, template=template),
            headers={"Authorization": f"Bearer {adapter.token()}"},
            publishing=True,
        )
    finally:
        adapter.close()
    messages = json_of(response).get("messages") or []
    first = messages[0] if messages and isinstance(messages[0], dict) else {}
    wamid = str(first.get("id") or "")
    if not wamid:
        raise PermanentError(_("WhatsApp accepted the message without naming it."))
    return wamid


def send_telegram(message: Message) -> str:
    thread = message.thread
    adapter = TelegramAdapter(thread.account)
    try:
        response = adapter.call(
            "POST",
            adapter.method_url("sendMessage"),
            json={"chat_id": thread.handle.strip(), "text": message.body},
            publishing=True,
        )
    finally:
        adapter.close()
    data = json_of(response)
    result = data.get("result") if isinstance(data.get("result"), dict) else None
    if not data.get("ok") or result is None or "message_id" not in result:
        raise PermanentError(_("Telegram answered without the message it sent."))
    chat = result.get("chat") if isinstance(result.get("chat"), dict) else {}
    return f"{(chat or {}).get('id', thread.handle)}/{result['message_id']}"


def send(message: Message) -> str:
    """Send one reply on its thread's channel; the platform's id of what was sent."""
    from bakohumas.inbox.services import EMAIL, TELEGRAM, WHATSAPP, InboxError, reply_route

    try:
        route = reply_route(message.thread)
    except InboxError as exc:
        raise PermanentError(str(exc)) from exc
    if route == WHATSAPP:
        return send_whatsapp(message)
    if route == TELEGRAM:
        return send_telegram(message)
    assert route == EMAIL
    return send_email(message)
