"""The development mailbox: an email backend that stores messages instead of sending."""

from __future__ import annotations

from collections.abc import Sequence
from email import policy
from email.parser import BytesParser

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class DevMailboxBackend(BaseEmailBackend):
    """Keeps every message as a ``MailboxMessage`` row, readable by administrators."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from bakohumas.core.models import MailboxMessage

        sent = 0
        for message in email_messages:
            raw = message.message().as_bytes()
            parsed = BytesParser(policy=policy.default).parsebytes(raw)
            text_part = parsed.get_body(preferencelist=("plain",))
            html_part = parsed.get_body(preferencelist=("html",))
            MailboxMessage.objects.create(
                subject=str(message.subject)[:998],
                from_email=str(message.from_email),
                to=", ".join(message.to),
                cc=", ".join(message.cc),
                bcc=", ".join(message.bcc),
                body_text=text_part.get_content() if text_part is not None else "",
                body_html=html_part.get_content() if html_part is not None else "",
                raw=raw.decode("utf-8", errors="replace"),
            )
            sent += 1
        return sent
