"""The development mailbox: an email backend that stores messages instead of sending."""

from __future__ import annotations

from collections.abc import Sequence
from email import policy
from email.parser import BytesParser

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

# Mail sent on behalf of a work unit carries its id in this header; the development mailbox
# keeps it so that administrators only read the mail of units in their scope.
UNIT_HEADER = "X-Bakohumas-Unit"


def _unit_id(message: EmailMessage) -> int | None:
    value = (message.extra_headers or {}).get(UNIT_HEADER)
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


class DevMailboxBackend(BaseEmailBackend):
    """Keeps every message as a ``MailboxMessage`` row, readable by administrators."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from bakohumas.core.models import MailboxMessage, WorkUnit

        sent = 0
        for message in email_messages:
            raw = message.message().as_bytes()
            parsed = BytesParser(policy=policy.default).parsebytes(raw)
            text_part = parsed.get_body(preferencelist=("plain",))
            html_part = parsed.get_body(preferencelist=("html",))
            unit_id = _unit_id(message)
            if unit_id is not None and not WorkUnit.objects.filter(pk=unit_id).exists():
                unit_id = None
            MailboxMessage.objects.create(
                subject=str(message.subject)[:998],
                from_email=str(message.from_email),
                to=", ".join(message.to),
                cc=", ".join(message.cc),
                bcc=", ".join(message.bcc),
                body_text=text_part.get_content() if text_part is not None else "",
                body_html=html_part.get_content() if html_part is not None else "",
                raw=raw.decode("utf-8", errors="replace"),
                unit_id=unit_id,
            )
            sent += 1
        return sent
