"""``bakohumas process_bounces [--maildir PATH] [--mbox PATH] [--no-imap] [--keep]``:
apply the delivery status notifications (bounces) waiting in a mailbox.

Reads the IMAP mailbox of ``BOUNCE_IMAP_*`` (settings.py) when ``BOUNCE_IMAP_HOST`` is set,
and any Maildir or mbox given. Each bounce is applied (bounces.py) and then deleted (IMAP:
or moved with ``--move-to FOLDER``); other messages stay where they are. Prints what it
did; run it from cron every few minutes. Exits with an error when a mailbox cannot be read
or a message could not be applied (it stays and is tried again next time).
"""

from __future__ import annotations

import imaplib
import logging
import mailbox
import ssl
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bakohumas.dissemination.bounces import Outcome, process_bytes

logger = logging.getLogger(__name__)

LABELS = [
    (Outcome.HARD, "hard"),
    (Outcome.SOFT, "soft"),
    (Outcome.DUPLICATE, "already applied"),
    (Outcome.UNKNOWN, "of unknown messages"),
    (Outcome.IGNORED, "not bounces"),
    ("error", "failed"),
]
# (raw message, remove it) pairs; the source removes a message when told so.
Item = tuple[bytes, Callable[[], None]]


class Command(BaseCommand):
    help = "Apply the bounces (delivery status notifications) waiting in the bounce mailbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--maildir", action="append", default=[], metavar="PATH", help="A Maildir to read."
        )
        parser.add_argument(
            "--mbox", action="append", default=[], metavar="PATH", help="An mbox file to read."
        )
        parser.add_argument(
            "--no-imap", action="store_true", help="Do not read the BOUNCE_IMAP_* mailbox."
        )
        parser.add_argument(
            "--keep", action="store_true", help="Leave processed bounces in the mailbox."
        )
        parser.add_argument(
            "--move-to",
            default="",
            metavar="FOLDER",
            help="IMAP: move processed bounces to this folder instead of deleting them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sources: list[tuple[str, Callable[[], Iterator[Item]], Callable[[], None]]] = []
        for path in options["maildir"]:
            sources.append((f"Maildir {path}", *self._maildir(Path(path))))
        for path in options["mbox"]:
            sources.append((f"mbox {path}", *self._mbox(Path(path))))
        if settings.BOUNCE_IMAP_HOST and not options["no_imap"]:
            sources.append(
                (
                    f"IMAP {settings.BOUNCE_IMAP_HOST}/{settings.BOUNCE_IMAP_FOLDER}",
                    *self._imap(options["move_to"]),
                )
            )
        if not sources:
            raise CommandError(
                "Nothing to read: set BOUNCE_IMAP_HOST or give --maildir PATH or --mbox PATH."
            )
        total: Counter[str] = Counter()
        for name, items, done in sources:
            counts: Counter[str] = Counter()
            try:
                for raw, remove in items():
                    try:
                        outcome = process_bytes(raw)
                    except Exception:
                        logger.exception("a bounce in %s could not be applied", name)
                        counts["error"] += 1
                        continue
                    counts[outcome] += 1
                    if outcome != Outcome.IGNORED and not options["keep"]:
                        remove()
            except (OSError, imaplib.IMAP4.error, mailbox.Error) as exc:
                raise CommandError(f"{name}: {exc}") from exc
            finally:
                done()
            self.stdout.write(f"{name}: {self._summary(counts)}")
            total.update(counts)
        if len(sources) > 1:
            self.stdout.write(f"Total: {self._summary(total)}")
        if total["error"]:
            raise CommandError(f"{total['error']} message(s) could not be applied; see the log.")

    @staticmethod
    def _summary(counts: Counter[str]) -> str:
        read = sum(counts.values())
        parts = [f"{counts[key]} {label}" for key, label in LABELS if counts[key]]
        return f"{read} read" + (" (" + ", ".join(parts) + ")" if parts else "")

    # --- sources: (iterate, close) --------------------------------------------------------

    def _maildir(self, path: Path) -> tuple[Callable[[], Iterator[Item]], Callable[[], None]]:
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise CommandError(f"{path} is not a Maildir (no cur/ and new/).")
        box = mailbox.Maildir(str(path), factory=None, create=False)

        def items() -> Iterator[Item]:
            for key in list(box.keys()):
                try:
                    raw = box.get_bytes(key)
                except KeyError:  # removed meanwhile by another reader
                    continue
                yield raw, partial(box.discard, key)

        return items, box.close

    def _mbox(self, path: Path) -> tuple[Callable[[], Iterator[Item]], Callable[[], None]]:
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        box = mailbox.mbox(str(path), factory=None, create=False)

        def items() -> Iterator[Item]:
            box.lock()
            for key in list(box.keys()):
                yield box.get_bytes(key), partial(box.discard, key)

        def close() -> None:
            try:
                box.flush()
            finally:
                box.unlock()
                box.close()

        return items, close

    def _imap(self, move_to: str) -> tuple[Callable[[], Iterator[Item]], Callable[[], None]]:
        host = settings.BOUNCE_IMAP_HOST
        port = settings.BOUNCE_IMAP_PORT
        state: dict[str, Any] = {}

        def check(response: tuple[str, Any], what: str) -> Any:
            kind, data = response
            if kind != "OK":
                raise imaplib.IMAP4.error(f"{what}: {kind} {data!r}")
            return data

        def items() -> Iterator[Item]:
            context = ssl.create_default_context()
            if settings.BOUNCE_IMAP_SSL:
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=30)
            else:
                conn = imaplib.IMAP4(host, port, timeout=30)
                if "STARTTLS" in conn.capabilities:
                    conn.starttls(context)
            state["conn"] = conn
            check(conn.login(settings.BOUNCE_IMAP_USER, settings.BOUNCE_IMAP_PASSWORD), "LOGIN")
            check(conn.select(_quote(settings.BOUNCE_IMAP_FOLDER)), "SELECT")
            state["selected"] = True
            uids = check(conn.uid("SEARCH", "ALL"), "SEARCH")
            for uid in (uids[0] or b"").decode("ascii").split():
                data = check(conn.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
                raw = next((p[1] for p in data if isinstance(p, tuple) and len(p) > 1), None)
                if not isinstance(raw, bytes):
                    continue

                def remove(uid: str = uid) -> None:
                    if move_to:
                        check(conn.uid("COPY", uid, _quote(move_to)), "COPY")
                    check(conn.uid("STORE", uid, "+FLAGS", r"(\Deleted)"), "STORE")
                    state["expunge"] = True

                yield raw, remove

        def close() -> None:
            conn = state.get("conn")
            if conn is None:
                return
            try:
                if state.get("expunge"):
                    conn.expunge()
                if state.get("selected"):
                    conn.close()
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                logger.warning("closing the IMAP connection failed", exc_info=True)

        return items, close


def _quote(name: str) -> str:
    """An IMAP mailbox name as a quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
