"""``bakohumas poll_inbox [--unit CODE]``: read the new mail of the units' inbox mailboxes
(IMAP, ``InboxSettings.imap_*``) into their inboxes.

Without ``--unit`` every unit with an IMAP host is read (the worker does the same every
``INBOX_POLL_SECONDS``). Prints one line per mailbox; exits with an error when a mailbox
could not be read (the reason is also shown on the unit's inbox settings).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bakohumas.inbox.imap import configured, poll


class Command(BaseCommand):
    help = "Read new mail of the units' inbox mailboxes (IMAP) into their inboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", default="", metavar="CODE", help="Only this unit's mailbox.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = configured()
        code = options["unit"].strip()
        if code:
            rows = rows.filter(unit__code=code)
            if not rows.exists():
                raise CommandError(f"Unit {code} has no inbox mailbox (IMAP host) configured.")
        failed = []
        total = 0
        for row in rows:
            stored = poll(row)
            total += stored
            where = f"{row.unit.code} {row.imap_host}/{row.imap_folder}"
            if row.imap_error:
                failed.append(row.unit.code)
                self.stderr.write(f"{where}: failed: {row.imap_error}")
            else:
                self.stdout.write(f"{where}: {stored} new")
        self.stdout.write(f"Total: {total} new")
        if failed:
            raise CommandError("Could not read the mailbox of " + ", ".join(failed) + ".")
