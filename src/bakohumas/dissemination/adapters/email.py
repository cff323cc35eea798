"""Email campaigns over SMTP (or whatever ``EMAIL_BACKEND`` is: the development mailbox
in the embedded default).

* one connection per worker and publication, reused for every message of its batches;
* HTML and text parts; every link in the HTML goes through a per-recipient tracked
  redirect; ``List-Unsubscribe`` with a one-click URL and ``List-Unsubscribe-Post``
  (RFC 8058);
* the Message-ID is the delivery row's key, so a message sent again after a worker died
  is the same message (mail systems collapse duplicates by Message-ID), and bounces
  (delivery status notifications quote it) find their row.
"""

from __future__ import annotations

import binascii
import re
import smtplib
import uuid
from email.utils import formataddr, formatdate, parseaddr
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, strip_tags

from bakohumas.core.mail import UNIT_HEADER
from bakohumas.dissemination.adapters.base import (
    Adapter,
    PermanentError,
    Prepared,
    SendResult,
    TransientError,
    register,
)
from bakohumas.dissemination.links import click_url, unsubscribe_url

_HREF = re.compile(r'href="(https?://[^"]+)"')
_MARK = "__bkh_link_%d__"
DELIVERY_HEADER = "X-Bakohumas-Delivery"
# Headers that differ between the recipients of one campaign; the rest of the message is
# built once per publication (the "frame") and only these and the two parts per message.
_PER_RECIPIENT = {
    b"to",
    b"date",
    b"message-id",
    b"list-unsubscribe",
    DELIVERY_HEADER.lower().encode(),
}
_PROBE = SimpleNamespace(
    pk=0, key=uuid.UUID(int=0), recipient="probe@example.invalid", recipient_name=""
)


def _part(content_type: bytes, text: str) -> bytes:
    """A text part encoded as Django encodes it (7bit/8bit; quoted-printable when a line is
    longer than SMTP allows)."""
    data = text.replace("\r\n", "\n").encode()
    if max(map(len, data.split(b"\n"))) > 998:
        cte, data = b"quoted-printable", binascii.b2a_qp(data, istext=True)
    else:
        cte = b"7bit" if data.isascii() else b"8bit"
    return (
        b"Content-Type: " + content_type + b'; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        b"Content-Transfer-Encoding: " + cte + b"\r\n\r\n" + data.replace(b"\n", b"\r\n")
    )


def message_id(key: Any) -> str:
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "bakohumas"
    return f"<{key}@{domain}>"


@register
class EmailAdapter(Adapter):
    kind = "email"

    def __init__(self, account: Any = None) -> None:
        super().__init__(account)
        self._connection: Any = None
        self._fresh = False  # the connection was opened for the message being sent

    def prepare(self, publication: Any, prepared: Prepared) -> Prepared:
        item = publication.item
        unit = item.unit
        mailing_list = publication.mailing_list
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "item": item,
                "unit": unit,
                "link": prepared.link,
                "text": prepared.text,
                "body": prepared.html,
                "media": prepared.media,
                "mailing_list": mailing_list,
                "unsubscribe_url": "__bkh_unsubscribe__",
            }
            html = str(render_to_string("dissemination/email/campaign.html", context))
            text = str(render_to_string("dissemination/email/campaign.txt", context))
        links: list[str] = []

        def mark(match: re.Match[str]) -> str:
            url = match.group(1).replace("&amp;", "&")
            links.append(url)
            return f'href="{_MARK % (len(links) - 1)}"'

        html = _HREF.sub(mark, html)
        sender = settings.DEFAULT_FROM_EMAIL
        if mailing_list is not None and mailing_list.from_name:
            sender = formataddr((mailing_list.from_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
        prepared.html = html
        prepared.extra = {
            "text": text,
            "links": links,
            "from": sender,
            "reply_to": [mailing_list.reply_to] if mailing_list and mailing_list.reply_to else [],
            "unit_id": unit.pk,
        }
        # The frame: every header the recipients share, taken from a message Django built.
        probe = self.build(publication, prepared, _PROBE)
        head = probe.message().as_bytes(linesep="\r\n").split(b"\r\n\r\n", 1)[0]
        kept: list[bytes] = []
        keep = True
        for line in head.split(b"\r\n"):
            if line[:1] not in (b" ", b"\t"):
                keep = line.split(b":", 1)[0].strip().lower() not in _PER_RECIPIENT
            if keep:
                kept.append(line)
        boundary = re.search(rb'boundary="([^"]+)"', head)
        if boundary is not None:
            prepared.extra.update(
                frame=b"\r\n".join(kept) + b"\r\n",
                boundary=b"--" + boundary.group(1),
                envelope_from=sanitize_address(probe.from_email, "utf-8"),
            )
        return prepared

    def raw(self, prepared: Prepared, delivery: Any) -> tuple[str, list[str], bytes]:
        """The envelope and bytes of one recipient's message: the frame plus the headers
        and parts that are theirs (what ``build`` makes, without rebuilding the rest)."""
        extra, html = prepared.extra, prepared.html
        for index, url in enumerate(extra["links"]):
            html = html.replace(_MARK % index, escape(click_url(delivery.pk, url)))
        unsubscribe = unsubscribe_url(delivery.pk)
        html = html.replace("__bkh_unsubscribe__", escape(unsubscribe))
        text = extra["text"].replace("__bkh_unsubscribe__", unsubscribe)
        name = " ".join((delivery.recipient_name or "").split())
        to = formataddr((name, delivery.recipient)) if name else delivery.recipient
        rcpt = delivery.recipient
        if not to.isascii():
            to, rcpt = sanitize_address(to, "utf-8"), sanitize_address(rcpt, "utf-8")
        head = (
            f"To: {to}\r\nDate: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}\r\n"
            f"Message-ID: {message_id(delivery.key)}\r\nList-Unsubscribe: <{unsubscribe}>\r\n"
            f"{DELIVERY_HEADER}: {delivery.key}\r\n\r\n"
        ).encode()
        b = extra["boundary"]
        body = b"".join(
            (
                extra["frame"],
                head,
                b,
                b"\r\n",
                _part(b"text/plain", text),
                b"\r\n",
                b,
                b"\r\n",
                _part(b"text/html", html),
                b"\r\n",
                b,
                b"--\r\n",
            )
        )
        return extra["envelope_from"], [rcpt], body

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        return []

    def _open(self) -> Any:
        if self._connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except (OSError, smtplib.SMTPException) as exc:
                raise TransientError(f"SMTP connection failed: {exc}", channel_down=True) from exc
            self._connection = connection
            self._fresh = True
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: S110 - closing a broken connection
                pass
            self._connection = None

    def build(self, publication: Any, prepared: Prepared, delivery: Any) -> EmailMultiAlternatives:
        extra = prepared.extra
        html = prepared.html
        for index, url in enumerate(extra["links"]):
            html = html.replace(_MARK % index, escape(click_url(delivery.pk, url)))
        unsubscribe = unsubscribe_url(delivery.pk)
        html = html.replace("__bkh_unsubscribe__", escape(unsubscribe))
        text = extra["text"].replace("__bkh_unsubscribe__", unsubscribe)
        headers = {
            "Message-ID": message_id(delivery.key),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<list-{publication.mailing_list_id or 0}.{publication.unit_id}.bakohumas>",
            UNIT_HEADER: str(extra["unit_id"]),
            DELIVERY_HEADER: str(delivery.key),
        }
        name = " ".join((delivery.recipient_name or "").split())
        to = formataddr((name, delivery.recipient)) if name else delivery.recipient
        message = EmailMultiAlternatives(
            subject=prepared.title,
            body=text,
            from_email=extra["from"],
            to=[to],
            reply_to=extra["reply_to"],
            headers=headers,
        )
        message.attach_alternative(html, "text/html")
        return message

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        message: Any
        if isinstance(self._open(), SmtpBackend) and "frame" in prepared.extra:
            message = self.raw(prepared, delivery)  # SMTP: the prebuilt frame
        else:
            message = self.build(publication, prepared, delivery)  # any other backend
        try:
            return self._send(message, delivery)
        except TransientError as exc:
            # A connection kept from an earlier batch may have been closed by the server
            # meanwhile (idle timeout): open a new one and try once more.
            if not exc.channel_down or self._fresh:
                raise
            self.close()
            return self._send(message, delivery)

    def _send(self, message: Any, delivery: Any) -> SendResult:
        connection = self._open()
        try:
            if isinstance(message, tuple):
                if connection.connection is None:
                    connection.open()
                connection.connection.sendmail(*message)
                sent = 1
            else:
                sent = connection.send_messages([message])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (550, b""))
            raise self._error(int(code), reply) from exc
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            code = int(getattr(exc, "smtp_code", 451))
            raise self._error(code, getattr(exc, "smtp_error", b"")) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientError(f"SMTP: {type(exc).__name__}: {exc}", channel_down=True) from exc
        finally:
            self._fresh = False
        if not sent:
            self.close()
            raise TransientError("SMTP: the message was not accepted", channel_down=True)
        return SendResult(provider_id=message_id(delivery.key))

    def _error(self, code: int, reply: Any) -> TransientError | PermanentError:
        """The SMTP reply as an error: 4xx transient, 5xx permanent; 421 (the server is
        closing the connection) holds the rest of the batch too."""
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        reason = f"{code} {text}".strip()
        if code == 421:
            self.close()
            return TransientError(reason, channel_down=True)
        if 400 <= code < 500:
            return TransientError(reason)
        return PermanentError(reason)


def plain_text(html: str) -> str:
    return strip_tags(html)
