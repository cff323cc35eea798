"""IMAP polling of the units' inbound mailboxes.

A unit whose ``InboxSettings.imap_host`` is set has its mailbox read by the worker every
``INBOX_POLL_SECONDS`` (``poll_all``) or by ``bakohumas poll_inbox [--unit CODE]``:

* IMAP over TLS (``IMAP4_SSL``) when ``imap_ssl``, else plain IMAP upgraded with STARTTLS
  when the server offers it; the password is ``imap_secret_ciphertext`` (Fernet of
  ``{"password": "…"}``, dissemination.crypto);
* the folder is selected and ``UID SEARCH UID <last+1>:*`` lists what arrived since
  ``imap_last_uid``; when the folder's ``UIDVALIDITY`` changed, the UIDs mean other
  messages, so the position starts again from 0 (the Message-ID keys keep a re-read
  message from being stored twice);
* each message is fetched whole (``BODY.PEEK[]``: the mailbox is not changed, not even
  its \\Seen flags), stored by ``email_in.receive`` and the position saved right after it,
  so a poll that dies half-way goes on from there next time;
* a failure (network, login, a server error) is recorded in ``imap_error`` and
  ``imap_checked_at`` — no exception leaves :func:`poll`; a poll that worked clears it.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from typing import Any

from django.utils import timezone

from bakohumas.dissemination.crypto import CredentialsUnreadable, decrypt, encrypt
from bakohumas.inbox.email_in import receive
from bakohumas.inbox.models import InboxSettings

logger = logging.getLogger(__name__)

TIMEOUT = 30
# At most this many messages per poll (the rest come next time).
MAX_PER_POLL = 500


class ImapFailure(Exception):
    """An answer other than OK from the server."""


def password_of(row: InboxSettings) -> str:
    if not row.imap_secret_ciphertext:
        return ""
    return str(decrypt(row.imap_secret_ciphertext).get("password") or "")


def store_password(row: InboxSettings, password: str) -> None:
    """Set (without saving) the encrypted IMAP password of ``row``."""
    row.imap_secret_ciphertext = encrypt({"password": password}) if password else ""


def _quote(name: str) -> str:
    """An IMAP mailbox name as a quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple[str, Any], what: str) -> Any:
    kind, data = response
    if kind != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise ImapFailure(f"{what}: {kind} {detail}".strip())
    return data


def connect(row: InboxSettings) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if row.imap_ssl:
        return imaplib.IMAP4_SSL(row.imap_host, row.imap_port, ssl_context=context, timeout=TIMEOUT)
    conn = imaplib.IMAP4(row.imap_host, row.imap_port, timeout=TIMEOUT)
    if "STARTTLS" in conn.capabilities:
        conn.starttls(context)
    return conn


def _uidvalidity(conn: imaplib.IMAP4) -> int:
    _kind, data = conn.response("UIDVALIDITY")
    for value in reversed(data or []):
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return 0


def _raw(data: Any) -> bytes | None:
    for piece in data or []:
        if isinstance(piece, tuple) and len(piece) > 1 and isinstance(piece[1], bytes):
            return piece[1]
    return None


def _save(row: InboxSettings, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(row, name, value)
    InboxSettings.objects.filter(pk=row.pk).update(**fields)


def _advance(row: InboxSettings, uid: int) -> None:
    # Never backwards, even when two workers poll the same mailbox at once.
    InboxSettings.objects.filter(pk=row.pk, imap_last_uid__lt=uid).update(imap_last_uid=uid)
    row.imap_last_uid = max(row.imap_last_uid, uid)


def poll(row: InboxSettings) -> int:
    """Read the new mail of one unit's mailbox; the number of messages stored."""
    stored = 0
    conn: imaplib.IMAP4 | None = None
    try:
        password = password_of(row)
        conn = connect(row)
        _check(conn.login(row.imap_user, password), "LOGIN")
        _check(conn.select(_quote(row.imap_folder or "INBOX")), "SELECT")
        validity = _uidvalidity(conn)
        if validity and validity != row.imap_uidvalidity:
            if row.imap_uidvalidity:
                logger.warning(
                    "UIDVALIDITY of the inbox of %s changed; reading the folder again",
                    row.unit_id,
                )
            _save(row, imap_uidvalidity=validity, imap_last_uid=0)
        start = row.imap_last_uid + 1
        data = _check(conn.uid("SEARCH", f"UID {start}:*"), "SEARCH")
        found = (data[0] or b"").decode("ascii", "replace").split() if data else []
        # "n:*" always names the last message, even when it is older than n.
        uids = sorted({int(u) for u in found if u.isdigit() and int(u) >= start})
        unit = row.unit
        for uid in uids[:MAX_PER_POLL]:
            raw = _raw(_check(conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH"))
            if raw is not None and receive(raw, unit) is not None:
                stored += 1
            _advance(row, uid)
    except (
        OSError,
        imaplib.IMAP4.error,
        ImapFailure,
        CredentialsUnreadable,
        ssl.SSLError,
        EOFError,
    ) as exc:
        _fail(row, exc)
    except Exception as exc:  # a bug or the database: record it, keep the worker going
        logger.exception("Polling the inbox mailbox of unit %s failed", row.unit_id)
        _fail(row, exc)
    else:
        _save(row, imap_error="", imap_checked_at=timezone.now())
    finally:
        if conn is not None:
            _close(conn)
    return stored


def _fail(row: InboxSettings, exc: BaseException) -> None:
    words = [a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a) for a in exc.args]
    text = " ".join(w for w in words if w) or type(exc).__name__
    if isinstance(exc, CredentialsUnreadable):
        text = "The saved IMAP password cannot be read with the current key."
    logger.warning("Inbox mailbox of unit %s: %s", row.unit_id, text)
    try:
        _save(row, imap_error=text[:500], imap_checked_at=timezone.now())
    except Exception:
        logger.exception("Could not record the IMAP error of unit %s", row.unit_id)


def _close(conn: imaplib.IMAP4) -> None:
    try:
        if conn.state == "SELECTED":
            conn.close()
        conn.logout()
    except (OSError, imaplib.IMAP4.error, EOFError):
        logger.debug("closing the IMAP connection failed", exc_info=True)


def configured() -> Any:
    """The inbox settings of every unit with a mailbox to poll."""
    return InboxSettings.objects.exclude(imap_host="").select_related("unit").order_by("unit__code")


def poll_all() -> int:
    """Poll every configured mailbox; the number of messages stored."""
    return sum(poll(row) for row in configured())
