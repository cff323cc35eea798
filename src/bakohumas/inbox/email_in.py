"""Inbound email → :class:`~bakohumas.inbox.services.Inbound`.

:func:`parse` reads one RFC 822 message (Python's ``email`` with ``policy.default``):

* the text is the ``text/plain`` body, else the HTML body reduced to text (tags and their
  scripts dropped by nh3, entities decoded: no HTML is ever kept), with the quoted tail of
  a reply trimmed ("On … wrote:", "Pada … menulis:", "-----Original Message-----", lines
  starting with ">", quoted ``<blockquote>`` of HTML mail);
* attachments are kept when their content (magic bytes, ``bakohumas.media.detection``) is
  an image or a PDF of at most :data:`MAX_ATTACHMENT` bytes, at most
  :data:`MAX_ATTACHMENTS` of them; anything else is dropped;
* ``dedupe_key`` is ``email:<unit code>:<Message-ID>`` (a hash of the message when it has
  none), so a message read twice (IMAP and the webhook, or a re-poll) is stored once;
* a reply to one of our emails — ``In-Reply-To``/``References`` naming ``<inbox-<pk>@…>``,
  the Message-ID of an inbox reply — goes to that reply's thread when it is a thread of
  the same unit with the same correspondent address;
* auto-replies (``Auto-Submitted`` other than ``no``, ``Precedence: bulk``/``junk``/
  ``auto_reply``, ``X-Autoreply``), bounces and read receipts (``multipart/report``, a
  null ``Return-Path``) and mail from the inbox's own addresses raise :class:`Ignored`.

:func:`from_json` does the same for the JSON shape of the inbound email webhook
(hooks.py), and :func:`receive` parses and stores (IMAP and the webhook use it).
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from pathlib import PurePosixPath
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from bakohumas.core.models import WorkUnit
from bakohumas.inbox.models import Channel, Message, Thread, ThreadKind
from bakohumas.inbox.services import Inbound, inbox_settings, ingest
from bakohumas.media.detection import detect
from bakohumas.media.models import MediaKind

MAX_ATTACHMENT = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_REFERENCES = 50
DEDUPE_MAX = 300
# The Message-ID of an inbox reply: <inbox-<message pk>@host> (a suffix after a dot may
# follow the number).
REPLY_ID = re.compile(r"<\s*inbox-(\d{1,18})(?:\.[^@>\s]*)?@[^>\s]+\s*>", re.I)
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply"})

_QUOTE_HEADER = re.compile(
    r"^\s*(On\s.{0,300}\swrote:|Pada\s.{0,300}\smenulis:|Le\s.{0,300}\sa écrit\s?:)\s*$",
    re.I,
)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Pesan Asli|Pesan Awal)\s*-{2,}\s*$", re.I)
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|Dari)\s*:\*?\s", re.I)
_BLOCKQUOTE = re.compile(
    r"<blockquote\b[^>]*>(?:(?!<blockquote\b).)*?</blockquote\s*>", re.I | re.S
)
_BREAKS = re.compile(r"<(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/table)\b[^>]*>", re.I)
_INVISIBLE = re.compile(r"<(head|style|script|title)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_FILENAME = re.compile(r"[^\w.\-]+")


class Ignored(Exception):
    """Not a message for the inbox: an auto-reply, a bounce, our own mail, no sender."""


# --- headers -------------------------------------------------------------------------------


def _header(message: Any, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header in a stranger's message
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def sender(message: EmailMessage) -> tuple[str, str]:
    """(display name, lower-cased address) of ``From``, or ("", "") without a valid one."""
    value = _header(message, "From")
    found = [(n, a) for n, a in getaddresses([value]) if a] or [parseaddr(value)]
    display, address = found[0]
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return "", ""
    return " ".join(display.split())[:200], address[:320]


def _own_addresses(unit: WorkUnit) -> set[str]:
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    config = inbox_settings(unit)
    if config.reply_to_address:
        addresses.add(config.reply_to_address.lower())
    if config.imap_user and "@" in config.imap_user:
        addresses.add(config.imap_user.lower())
    return {a for a in addresses if a}


def automatic_reason(message: EmailMessage) -> str:
    """Why ``message`` is machine-written ("" when a person wrote it)."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return "auto-submitted"
    if _header(message, "Precedence").lower() in AUTO_PRECEDENCE:
        return "precedence"
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return "auto-reply"
    if message.get_content_type() == "multipart/report":
        return "report"  # a bounce (delivery status) or a read receipt
    if _header(message, "Return-Path").replace(" ", "") == "<>":
        return "bounce"
    return ""


# --- text ----------------------------------------------------------------------------------


def _decoded(part: Any) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def html_to_text(value: str) -> str:
    """Plain text of an HTML email, quoted blocks dropped. Never returns markup."""
    value = _INVISIBLE.sub(" ", value)
    for _round in range(20):  # innermost quotes first
        value, n = _BLOCKQUOTE.subn("\n", value)
        if not n:
            break
    value = _BREAKS.sub("\n", value)
    text = html.unescape(nh3.clean(value, tags=set()))
    return _tidy(text)


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue  # no leading or doubled blank lines
        out.append(line)
    return "\n".join(out).strip()


def trim_quoted(text: str) -> str:
    """``text`` without the quoted part of a reply; the whole text when only a quote is
    left."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        joined = line + " " + (lines[index + 1] if index + 1 < len(lines) else "")
        if _QUOTE_HEADER.match(line) or (
            line.strip().lower().startswith(("on ", "pada ")) and _QUOTE_HEADER.match(joined)
        ):
            break
        if _ORIGINAL.match(line):
            break
        if (
            _OUTLOOK_RULE.match(line)
            and index + 1 < len(lines)
            and _OUTLOOK_FROM.match(lines[index + 1])
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    trimmed = _tidy("\n".join(kept))
    return trimmed or _tidy(text)


def body_text(message: EmailMessage) -> tuple[str, list[Any]]:
    """(the message's text, the parts it came from)."""
    try:
        plain = message.get_body(preferencelist=("plain",))
        rich = None if plain is not None else message.get_body(preferencelist=("html",))
    except Exception:
        plain = rich = None
    if plain is not None:
        return trim_quoted(_tidy(_decoded(plain))), [plain]
    if rich is not None:
        return trim_quoted(html_to_text(_decoded(rich))), [rich]
    if message.get_content_maintype() == "text" and not message.is_multipart():
        content = _decoded(message)
        if message.get_content_subtype() == "html":
            content = html_to_text(content)
        return trim_quoted(_tidy(content)), [message]
    return "", []


# --- attachments ---------------------------------------------------------------------------


def _file_name(part: Any, extension: str, n: int) -> str:
    try:
        given = part.get_filename() or ""
    except Exception:
        given = ""
    stem = PurePosixPath(str(given).replace("\\", "/")).stem
    stem = _FILENAME.sub("-", stem).strip(".-")[:80] or f"lampiran-{n}"
    return f"{stem}.{extension}"


def attachments(message: EmailMessage, skip: list[Any]) -> list[tuple[str, bytes, str]]:
    """The image and PDF files of ``message`` (content-checked, size-capped)."""
    found: list[tuple[str, bytes, str]] = []
    for part in message.walk():
        if len(found) >= MAX_ATTACHMENTS:
            break
        if part.is_multipart() or any(part is s for s in skip):
            continue
        if part.get_content_maintype() == "text" and not part.is_attachment():
            continue
        try:
            data = part.get_payload(decode=True)
        except (ValueError, LookupError, TypeError, AssertionError):
            data = None
        if not isinstance(data, bytes) or not data or len(data) > MAX_ATTACHMENT:
            continue
        try:
            detected = detect(io.BytesIO(data))
        except ValidationError:
            continue
        if detected.kind not in (MediaKind.IMAGE, MediaKind.PDF):
            continue
        found.append((_file_name(part, detected.extension, len(found) + 1), data, detected.mime))
    return found


# --- threads and keys ---------------------------------------------------------------------


def reply_thread(unit: WorkUnit, address: str, *headers: str) -> Thread | None:
    """The thread of the inbox reply that ``headers`` (In-Reply-To, References) answer:
    a thread of ``unit`` whose correspondent is ``address``; the latest reference wins."""
    pks: list[int] = []
    for value in headers:
        found = [int(pk) for pk in REPLY_ID.findall(value or "")]
        pks.extend(reversed(found))  # References lists the oldest first
    pks = list(dict.fromkeys(pks))[:MAX_REFERENCES]
    if not pks:
        return None
    rows = {
        m.pk: m
        for m in Message.objects.filter(pk__in=pks, thread__unit_id=unit.pk).select_related(
            "thread"
        )
    }
    for pk in pks:
        message = rows.get(pk)
        if message is not None and message.thread.handle.lower() == address.lower():
            return message.thread
    return None


def dedupe_key(unit: WorkUnit, message_id: str, fallback: bytes) -> str:
    message_id = message_id.strip()
    key = f"email:{unit.code}:{message_id}"
    if not message_id or len(key) > DEDUPE_MAX:
        digest = hashlib.sha256(message_id.encode() if message_id else fallback).hexdigest()
        key = f"email:{unit.code}:sha256:{digest}"
    return key


def _placeholder(body: str, files: list[tuple[str, bytes, str]], subject: str) -> str:
    if body:
        return body
    if files:
        return "[lampiran: " + ", ".join(name for name, _data, _type in files) + "]"
    return subject or "[pesan kosong]"


# --- entry points --------------------------------------------------------------------------


def parse(raw: bytes, unit: WorkUnit) -> Inbound:
    """One RFC 822 message for ``unit``'s inbox; raises :class:`Ignored` when it is not
    for the inbox."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    reason = automatic_reason(message)
    if reason:
        raise Ignored(reason)
    name, address = sender(message)
    if not address:
        raise Ignored("no sender")
    if address in _own_addresses(unit):
        raise Ignored("own address")
    text, used = body_text(message)
    files = attachments(message, used)
    subject = _header(message, "Subject")[:255]
    message_id = _header(message, "Message-ID")
    return Inbound(
        unit=unit,
        channel=Channel.EMAIL,
        kind=ThreadKind.MESSAGE,
        body=_placeholder(text, files, subject),
        handle=address,
        name=name,
        subject=subject,
        dedupe_key=dedupe_key(unit, message_id, raw),
        provider_id=message_id[:300],
        attachments=files,
        thread=reply_thread(
            unit, address, _header(message, "In-Reply-To"), _header(message, "References")
        ),
    )


def _text_field(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f'"{name}" must be a string.')
    return value[:limit]


def from_json(data: dict[str, Any], unit: WorkUnit, raw: bytes = b"") -> Inbound:
    """The webhook's JSON shape (see hooks.py) as an Inbound; ``ValueError`` with a reason
    when a field is wrong, :class:`Ignored` for mail from our own addresses."""
    address = _text_field(data, "from", 320).strip()
    display, parsed = parseaddr(address)
    address = (parsed or address).strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValueError('"from" must be an email address.') from None
    if address in _own_addresses(unit):
        raise Ignored("own address")
    name = " ".join((_text_field(data, "from_name", 200) or display).split())
    subject = " ".join(_text_field(data, "subject", 255).split())
    text = _text_field(data, "text", 1_000_000)
    rich = _text_field(data, "html", 5_000_000)
    body = trim_quoted(_tidy(text)) if text.strip() else trim_quoted(html_to_text(rich))
    message_id = _text_field(data, "message_id", 300).strip()
    in_reply_to = _text_field(data, "in_reply_to", 2000)
    references = _text_field(data, "references", 10_000)
    return Inbound(
        unit=unit,
        channel=Channel.EMAIL,
        kind=ThreadKind.MESSAGE,
        body=_placeholder(body, [], subject),
        handle=address,
        name=name[:200],
        subject=subject,
        dedupe_key=dedupe_key(unit, message_id, raw),
        provider_id=message_id,
        thread=reply_thread(unit, address, in_reply_to, references),
    )


def receive(raw: bytes, unit: WorkUnit) -> Message | None:
    """Parse and store one message: the new Message, or None when it was ignored (an
    auto-reply, a bounce …) or is a duplicate."""
    try:
        inbound = parse(raw, unit)
    except Ignored:
        return None
    return ingest(inbound)
