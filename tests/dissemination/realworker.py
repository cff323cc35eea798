"""Real processes for the reliability test: an SMTP server (aiosmtpd) in its own process
that logs every message it accepted, a throwaway database (a SQLite file, or a PostgreSQL
database when ``DATABASE_URL`` points at one) migrated by ``bakohumas migrate``, Django
scripts run against it, and ``bakohumas worker`` processes that can be SIGKILLed.

Run as a script it is the SMTP server::

    python tests/dissemination/realworker.py sink <log file>

It prints ``PORT <n>`` once it listens on 127.0.0.1 and appends one JSON line
``[message-id, [recipients…]]`` per message it accepted (written and flushed before the
``250`` goes back, so a line means the client was told "accepted").
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
SQLITE_NAME = "bakohumas.sqlite3"
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


# --- the SMTP server (its own process) ---------------------------------------------------------


def _serve_sink(log_path: str) -> None:  # pragma: no cover - runs in the sink process
    from aiosmtpd.controller import Controller

    log = open(log_path, "a", buffering=1)  # lives as long as the process

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            content: bytes = envelope.original_content or envelope.content
            head = content.split(b"\r\n\r\n", 1)[0]
            match = _MESSAGE_ID.search(head)
            mid = match.group(1).decode() if match else ""
            log.write(json.dumps([mid, list(envelope.rcpt_tos)]) + "\n")
            log.flush()
            return "250 Message accepted for delivery"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"PORT {port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_a: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()
        log.close()


class Sink:
    """The SMTP server process and what it logged."""

    def __init__(self, directory: Path) -> None:
        self.log = directory / "smtp-sink.jsonl"
        self.log.touch()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "sink", str(self.log)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=(directory / "smtp-sink.err").open("wb"),
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(
                "the SMTP sink did not start: " + (directory / "smtp-sink.err").read_text()
            )
        self.port = int(line.split()[1])
        self._reader: IO[str] = self.log.open()
        self._count = 0
        self._partial = ""

    def count(self) -> int:
        """Messages accepted so far (cheap: reads only what was appended)."""
        chunk = self._reader.read()
        if chunk:
            chunk = self._partial + chunk
            lines = chunk.split("\n")
            self._partial = lines.pop()
            self._count += len(lines)
        return self._count

    def entries(self) -> list[tuple[str, list[str]]]:
        out = []
        for line in self.log.read_text().splitlines():
            mid, rcpts = json.loads(line)
            out.append((mid, rcpts))
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "_reader", None) is not None:
            self._reader.close()


def tally(entries: list[tuple[str, list[str]]]) -> tuple[dict[str, set[str]], Counter[str]]:
    """Distinct Message-IDs per recipient, and how often each Message-ID was transmitted."""
    per_recipient: dict[str, set[str]] = {}
    transmissions: Counter[str] = Counter()
    for mid, rcpts in entries:
        transmissions[mid] += 1
        for rcpt in rcpts:
            per_recipient.setdefault(rcpt.lower(), set()).add(mid)
    return per_recipient, transmissions


# --- the database --------------------------------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


class Database:
    """A throwaway database for the subprocesses: a SQLite file in ``directory``, or a
    PostgreSQL database ``bkh_rel_<pid>`` beside the one ``DATABASE_URL`` names."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        base = _postgres_url()
        self.vendor = "postgresql" if base else "sqlite"
        self.url = ""
        self.name = ""
        if base:
            parts = urlsplit(base)
            self.name = f"bkh_rel_{os.getpid()}"
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            self._admin_url = urlunsplit(parts._replace(path="/postgres"))
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of ``make run`` against this database, the database task
        backend, and ``extra``."""
        dropped = {"DATABASE_URL", "TASKS_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        env.update(
            BAKOHUMAS_VAR_DIR=str(self.directory),
            DJANGO_SETTINGS_MODULE="bakohumas.settings",
            DEBUG="1",
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="WARNING",
        )
        if self.url:
            env["DATABASE_URL"] = self.url
        env.update(extra)
        return env

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, *args],
            env=env or self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"{args[:2]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def migrate(self) -> None:
        self.run("-m", "bakohumas", "migrate", "--no-input", "-v", "0")

    def script(self, code: str, *argv: str) -> Any:
        """Run a Django script; it prints ``RESULT <json>`` (returned)."""
        out = self.run("-c", "import django\ndjango.setup()\n" + code, *argv)
        line = next(x for x in out.splitlines() if x.startswith("RESULT "))
        return json.loads(line.removeprefix("RESULT "))

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Plain SQL without parameters, on a short-lived connection of its own."""
        if self.vendor == "sqlite":
            conn = sqlite3.connect(self.directory / SQLITE_NAME, timeout=20)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as pg:
            return pg.execute(sql).fetchall()  # type: ignore[arg-type]

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- the worker ----------------------------------------------------------------------------------


class Worker:
    """``bakohumas worker`` as deployed (db_worker + heartbeat/sweep + the delivery loop)."""

    def __init__(self, db: Database, env: dict[str, str], worker_id: str) -> None:
        self.db = db
        self.env = env
        self.worker_id = worker_id
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.db.directory / f"worker-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bakohumas",
                "worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                self.worker_id,
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no lease given back, a message possibly half sent."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(
            (self.db.directory / f"worker-{n}.log").read_text(errors="replace")[-4000:]
            for n in range(1, self.starts + 1)
        )


def wait_for(condition: Any, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] == "sink":
        _serve_sink(sys.argv[2])
    else:
        sys.exit("usage: realworker.py sink <log file>")
