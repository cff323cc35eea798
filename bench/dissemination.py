"""The dissemination benchmark (issue 4), run by ``bench/run.py`` (``make bench``, or alone
with ``--only dissemination``).

For each database (SQLite, PostgreSQL), on a throwaway database migrated by ``bakohumas
migrate`` (no national data set needed):

* **broadcast**: a campaign of 10,000 emails to a mailing list of 10,000 confirmed
  subscribers, sent by 1 and then 2 real ``bakohumas worker`` processes to an SMTP sink on
  loopback: messages per second from the moment the dispatch committed (the delivery rows
  are written) until every row is *sent* (counted at the sink and in the database), and
  the peak RSS of each worker (``VmHWM`` in ``/proc/<pid>/status``);
* **floor**: a raw ``smtplib`` loop over one connection sending 10,000 messages of the
  same size (a copy of a message the product sent) to the same sink; the product's rate
  divided by it is the ratio the issue asks for (target at least 0.5 with one worker);
* **enqueue**: ``engine.dispatch`` of a publication to a list of 100,000 confirmed
  subscribers: the 100,000 delivery rows written in one transaction (target < 10 s).

The sink is a minimal asyncio SMTP server in its own process (``python
bench/dissemination.py sink <dir>``): it answers EHLO/MAIL/RCPT/DATA with no checks and
counts messages by appending one byte per accepted message to a file, so that neither
side of the comparison is limited by the sink (aiosmtpd accepts ~500 messages/s on the
development machine, less than the smtplib floor). ``--quick`` runs 1,000 emails and
10,000 deliveries.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_DB = "bakohumas_bench_dis"
ENQUEUE_TARGET_SECONDS = 10.0
RATIO_TARGET = 0.5

SETUP = """
import json
import sys

from django.contrib.auth import get_user_model
from django.utils import timezone

from bakohumas.content import services
from bakohumas.core.data import load_work_units
from bakohumas.core.models import Role, StaffProfile, WorkUnit
from bakohumas.core.services import set_role
from bakohumas.dissemination.models import MailingList, Subscriber

sizes = json.loads(sys.argv[1])
load_work_units()
unit = WorkUnit.objects.get(code="64.72")


def user(name, role):
    made = get_user_model().objects.create_user(username=name, password=None)
    StaffProfile.objects.create(user=made, unit=unit, role=role)
    set_role(made, role)
    return get_user_model().objects.get(pk=made.pk)


writer = user("bench.kontributor", Role.CONTRIBUTOR)
coordinator = user("bench.koordinator", Role.COORDINATOR)
user("bench.editor", Role.EDITOR)
body = "".join(
    f"<p>Paragraf {n}: KPU Kota Samarinda mengumumkan jadwal pemutakhiran data pemilih, "
    "pencocokan dan penelitian (coklit) oleh petugas pantarlih dari rumah ke rumah, "
    f'serta layanan pindah memilih. <a href="https://kpu.go.id/info/{n}">Selengkapnya</a>.</p>'
    for n in range(6)
)
item = services.create_item(
    unit=unit,
    by=writer,
    fields={
        "form": "news",
        "title": "Jadwal pemutakhiran data pemilih Pemilu 2029",
        "summary": "Petugas pantarlih mendatangi rumah warga mulai pekan depan.",
        "body": body,
    },
)
services.submit(item, by=writer)
services.approve(item, by=coordinator)
now = timezone.now()
lists = {}
for name, n in sizes.items():
    mailing_list = MailingList.objects.create(unit=unit, name=f"Bench {name}")
    lists[name] = mailing_list.pk
    batch = []
    for i in range(n):
        batch.append(
            Subscriber(
                mailing_list=mailing_list,
                email=f"{name}.warga{i}@example.id",
                name=f"Warga {i}",
                status="confirmed",
                confirmed_at=now,
                consent_source="portal double opt-in",
            )
        )
        if len(batch) == 5000:
            Subscriber.objects.bulk_create(batch)
            batch = []
    Subscriber.objects.bulk_create(batch)
print("RESULT " + json.dumps({"item": item.pk, "lists": lists}))
"""

# Plan a publication to a list and dispatch it now (no task: the bench times dispatch).
DISPATCH = """
import json
import sys
import time

from django.contrib.auth import get_user_model

from bakohumas.content.models import ContentItem
from bakohumas.dissemination import engine
from bakohumas.dissemination.models import Delivery

item_id, list_id = int(sys.argv[1]), int(sys.argv[2])
editor = get_user_model().objects.get(username="bench.editor")
item = ContentItem.objects.get(pk=item_id)
publication = engine.plan(
    item, engine.PlanInput(kind="email", mailing_list_id=list_id), by=editor
)
started = time.perf_counter()
assert engine.dispatch(publication.pk)
seconds = time.perf_counter() - started
committed_at = time.time()
rows = Delivery.objects.filter(publication=publication, status="pending").count()
print("RESULT " + json.dumps(
    {"publication": publication.pk, "seconds": seconds, "at": committed_at, "rows": rows}
))
"""


# --- the SMTP sink (its own process) --------------------------------------------------------


def serve_sink(directory: Path) -> None:  # pragma: no cover - runs in the sink process
    """Accept everything; one byte per accepted message in ``count``; the first message
    as ``sample.eml``."""
    import asyncio
    import socket

    count_fd = os.open(directory / "count", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    sample = directory / "sample.eml"

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 bench-sink ESMTP\r\n")
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    await writer.drain()
                    data = await reader.readuntil(b"\r\n.\r\n")
                    if not sample.exists():
                        sample.write_bytes(data[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n."))
                    os.write(count_fd, b".")
                    writer.write(b"250 OK\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 Bye\r\n")
                    await writer.drain()
                    break
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    writer.write(b"250 OK\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = await asyncio.start_server(session, "127.0.0.1", port, limit=64 * 1024 * 1024)
        print(f"PORT {port}", flush=True)
        async with server:
            await server.serve_forever()

    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(0))
    asyncio.run(main())


class Sink:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "count").write_bytes(b"")
        (directory / "sample.eml").unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [PYTHON, __file__, "sink", str(directory)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=(directory / "sink.err").open("wb"),
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(
                "the SMTP sink did not start: " + (directory / "sink.err").read_text()
            )
        self.port = int(line.split()[1])

    def count(self) -> int:
        return (self.directory / "count").stat().st_size

    def sample(self) -> bytes:
        return (self.directory / "sample.eml").read_bytes()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def floor(port: int, message: bytes, n: int) -> dict[str, Any]:
    """A raw smtplib loop over one connection: ``n`` copies of ``message``."""
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    client.ehlo()
    started = time.perf_counter()
    for i in range(n):
        client.sendmail("bench@bakohumas.local", [f"floor{i}@example.id"], message)
    seconds = time.perf_counter() - started
    client.quit()
    return {"messages": n, "seconds": round(seconds, 2), "rate": round(n / seconds, 1)}


# --- databases -----------------------------------------------------------------------------------


class Database:
    def __init__(self, vendor: str, env: dict[str, str], var: Path, pg_base: str) -> None:
        self.vendor = vendor
        self.directory = var / "dissemination" / vendor
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        self.env = dict(env)
        self.env.pop("DATABASE_URL", None)
        self.env.update(
            BAKOHUMAS_VAR_DIR=str(self.directory), DJANGO_SETTINGS_MODULE="bakohumas.settings"
        )
        self.pg_base = pg_base.rstrip("/")
        if vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{PG_DB}"')
            self.env["DATABASE_URL"] = f"{self.pg_base}/{PG_DB}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.pg_base}/postgres", autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.vendor == "sqlite":
            conn = sqlite3.connect(self.directory / "bakohumas.sqlite3", timeout=30)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as pg:
            return pg.execute(sql).fetchall()  # type: ignore[arg-type]

    def version(self) -> str:
        if self.vendor == "sqlite":
            return "SQLite " + sqlite3.sqlite_version
        ((text,),) = self.query("SHOW server_version")
        return f"PostgreSQL {str(text).split()[0]}"

    def run(self, logfile: Path, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [PYTHON, *args],
            env=env or self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        with logfile.open("a") as fh:
            fh.write(f"\n$ {' '.join(args[:3])[:200]}\n{result.stdout}{result.stderr}")
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:3])[:80]} failed; see {logfile}")
        return result.stdout

    def script(
        self, logfile: Path, code: str, *argv: str, env: dict[str, str] | None = None
    ) -> Any:
        out = self.run(logfile, "-c", "import django\ndjango.setup()\n" + code, *argv, env=env)
        line = next(x for x in out.splitlines() if x.startswith("RESULT "))
        return json.loads(line.removeprefix("RESULT "))

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        shutil.rmtree(self.directory, ignore_errors=True)


# --- workers -----------------------------------------------------------------------------------


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Workers:
    """``n`` real ``bakohumas worker`` processes against the database."""

    def __init__(self, db: Database, env: dict[str, str], n: int, logs: Path) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.ids = [f"bench-{n}-{i}-{secrets.token_hex(2)}" for i in range(n)]
        for worker_id in self.ids:
            self.processes.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "-m",
                        "bakohumas",
                        "worker",
                        "--no-reload",
                        "--no-startup-delay",
                        "--worker-id",
                        worker_id,
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=(logs / f"dissemination-{db.vendor}-{worker_id}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        names = ", ".join(f"'{w}'" for w in self.ids)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                raise RuntimeError(f"a worker exited at start; see {logs}")
            ((up,),) = db.query(
                f"SELECT COUNT(*) FROM core_workerheartbeat WHERE worker_id IN ({names})"
            )
            if up == n:
                return
            time.sleep(0.2)
        raise RuntimeError("the workers did not start within 60 s")

    def peak_rss(self) -> list[float | None]:
        return [peak_rss_mb(p.pid) for p in self.processes]

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- the scenarios -------------------------------------------------------------------------------


def broadcast(
    db: Database,
    sink: Sink,
    env: dict[str, str],
    n_workers: int,
    item: int,
    list_id: int,
    messages: int,
    logs: Path,
) -> dict[str, Any]:
    logfile = logs / f"dissemination-{db.vendor}.log"
    workers = Workers(db, env, n_workers, logs)
    try:
        before = sink.count()
        dispatched = db.script(logfile, DISPATCH, str(item), str(list_id), env=env)
        pk = dispatched["publication"]
        if dispatched["rows"] != messages:
            raise RuntimeError(f"dispatch wrote {dispatched['rows']} rows, not {messages}")
        deadline = time.monotonic() + 60 + messages / 20
        while sink.count() - before < messages:
            if time.monotonic() > deadline or not workers.alive():
                counts = db.query(
                    "SELECT status, COUNT(*) FROM dissemination_delivery "
                    f"WHERE publication_id = {pk} GROUP BY status"
                )
                raise RuntimeError(
                    f"{sink.count() - before} of {messages} at the sink; rows {counts}"
                    + ("" if workers.alive() else "; a worker died")
                )
            time.sleep(0.02)
        while True:
            ((sent,),) = db.query(
                "SELECT COUNT(*) FROM dissemination_delivery "
                f"WHERE publication_id = {pk} AND status = 'sent'"
            )
            if sent >= messages or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        seconds = time.time() - dispatched["at"]
        # The campaign closes just after its last row (the worker's next step).
        closing = time.monotonic() + 15
        while True:
            ((status,),) = db.query(f"SELECT status FROM dissemination_publication WHERE id = {pk}")
            if status != "sending" or time.monotonic() > closing:
                break
            time.sleep(0.05)
        at_sink = sink.count() - before
        rss = workers.peak_rss()
    finally:
        workers.stop()
    return {
        "workers": n_workers,
        "messages": messages,
        "sent_rows": sent,
        "at_sink": at_sink,
        "seconds": round(seconds, 2),
        "rate": round(messages / seconds, 1),
        "dispatch_seconds": round(dispatched["seconds"], 2),
        "publication_status": status,
        "peak_rss_mb": rss,
    }


def bench_database(
    vendor: str,
    base_env: dict[str, str],
    *,
    quick: bool,
    var: Path,
    logs: Path,
    pg_base: str,
    log: Callable[[str], None],
) -> dict[str, Any]:
    messages = 1_000 if quick else 10_000
    enqueue = 10_000 if quick else 100_000
    result: dict[str, Any] = {"db": vendor, "errors": [], "broadcast": []}
    logfile = logs / f"dissemination-{vendor}.log"
    db = Database(vendor, base_env, var, pg_base)
    sink: Sink | None = None
    try:
        log(f"dissemination {vendor}: migrate")
        db.run(logfile, "-m", "bakohumas", "migrate", "--no-input", "-v", "0")
        result["version"] = db.version()
        log(f"dissemination {vendor}: {messages:,} + {enqueue:,} confirmed subscribers")
        setup = db.script(logfile, SETUP, json.dumps({"broadcast": messages, "enqueue": enqueue}))
        if vendor == "sqlite":  # what the worker does at start; fresh statistics
            db.query("ANALYZE")
        sink = Sink(db.directory / "sink")
        env = dict(
            db.env,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port),
            EMAIL_USE_TLS="0",
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        )
        for n_workers in (1, 2):
            log(f"dissemination {vendor}: broadcast {messages:,} emails, {n_workers} worker(s)")
            try:
                run = broadcast(
                    db,
                    sink,
                    env,
                    n_workers,
                    setup["item"],
                    setup["lists"]["broadcast"],
                    messages,
                    logs,
                )
            except Exception as exc:
                result["errors"].append(f"broadcast with {n_workers} worker(s): {exc}")
                log(f"dissemination {vendor}: FAILED: {exc}")
                continue
            result["broadcast"].append(run)
            log(
                f"dissemination {vendor}: {run['rate']} msg/s ({run['seconds']} s), "
                f"peak RSS {run['peak_rss_mb']} MB"
            )
            if n_workers == 1:
                sample = sink.sample()
                result["message_bytes"] = len(sample)
                result["floor"] = floor(sink.port, sample, messages)
                log(
                    f"dissemination {vendor}: floor (smtplib, one connection) "
                    f"{result['floor']['rate']} msg/s"
                )
        log(f"dissemination {vendor}: enqueue {enqueue:,} deliveries (engine.dispatch)")
        dispatched = db.script(
            logfile,
            DISPATCH,
            str(setup["item"]),
            str(setup["lists"]["enqueue"]),
            env=dict(db.env, TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend"),
        )
        result["enqueue"] = {"rows": dispatched["rows"], "seconds": round(dispatched["seconds"], 2)}
        log(f"dissemination {vendor}: {dispatched['rows']:,} rows in {dispatched['seconds']:.1f} s")
    except Exception as exc:
        result["errors"].append(str(exc))
        log(f"dissemination {vendor}: FAILED: {exc}")
    finally:
        if sink is not None:
            sink.stop()
        try:
            db.drop()
        except Exception as exc:
            result["errors"].append(f"could not drop the database: {exc}")
    return result


def run(
    base_env: dict[str, str],
    databases: list[str],
    *,
    quick: bool,
    var: Path,
    logs: Path,
    pg_base: str,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Every database in turn; never raises (failures are in ``errors``)."""
    env = {k: v for k, v in base_env.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["LOG_LEVEL"] = "WARNING"
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results = [
        bench_database(vendor, env, quick=quick, var=var, logs=logs, pg_base=pg_base, log=log)
        for vendor in databases
    ]
    return {
        "quick": quick,
        "started": started,
        "load_start": load_start,
        "load_end": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "databases": results,
    }


# --- the report ----------------------------------------------------------------------------------


def _ok(good: bool) -> str:
    return "✓" if good else "✗"


def render(result: dict[str, Any]) -> list[str]:
    dbs = result.get("databases") or []
    if not dbs:
        return []
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    messages = next(
        (r["messages"] for db in dbs for r in db.get("broadcast", [])),
        1_000 if result["quick"] else 10_000,
    )
    enqueue = next((db["enqueue"]["rows"] for db in dbs if "enqueue" in db), 0)
    lines = [
        HEADING,
        "",
        f"Email broadcast of {messages:,} messages to an SMTP sink on loopback by real "
        "`bakohumas worker` processes (rate from the dispatch commit until every delivery "
        "row is sent), beside the floor: a raw smtplib loop over one connection sending "
        "the same number of copies of a message the product sent, to the same sink. "
        f"Enqueue: `engine.dispatch` writing {enqueue:,} delivery rows."
        + (" **Quick run** (`--quick`)." if result["quick"] else ""),
        "",
        f"Measured {result.get('started', '?')} (UTC); load average (1/5/15 min) "
        f"{result.get('load_start', '?')} at the start, {result.get('load_end', '?')} at the "
        "end (the workers, the sink and the database share the machine's CPUs: other load "
        "slows the CPU-bound product more than the floor); "
        + ", ".join(db["version"] for db in dbs if db.get("version"))
        + "; workers with the default settings (`DELIVERY_BATCH` 50).",
        "",
        "| measure | " + " | ".join(names.get(db["db"], db["db"]) for db in dbs) + " | target |",
        "|---|" + "---:|" * len(dbs) + ":---|",
    ]

    def cells(fn: Callable[[dict[str, Any]], str]) -> str:
        out = []
        for db in dbs:
            try:
                out.append(fn(db))
            except (KeyError, IndexError, TypeError, ZeroDivisionError):
                out.append("—")
        return " | ".join(out)

    def run_of(db: dict[str, Any], n: int) -> dict[str, Any]:
        return next(r for r in db["broadcast"] if r["workers"] == n)

    def rate(db: dict[str, Any], n: int) -> str:
        r = run_of(db, n)
        return f"{r['rate']:,.0f} msg/s ({r['seconds']:.1f} s)"

    def ratio(db: dict[str, Any], n: int) -> str:
        value = run_of(db, n)["rate"] / db["floor"]["rate"]
        return f"{value:.2f}" + (f" {_ok(value >= RATIO_TARGET)}" if n == 1 else "")

    def rss(db: dict[str, Any], n: int) -> str:
        return " + ".join(f"{v:.0f}" for v in run_of(db, n)["peak_rss_mb"]) + " MB"

    lines += [
        f"| enqueue {enqueue:,} deliveries (`engine.dispatch`) | "
        + cells(
            lambda db: (
                f"{db['enqueue']['seconds']:.1f} s "
                + _ok(db["enqueue"]["seconds"] < ENQUEUE_TARGET_SECONDS)
            )
        )
        + f" | < {ENQUEUE_TARGET_SECONDS:.0f} s |",
        "| broadcast, 1 worker | " + cells(lambda db: rate(db, 1)) + " | |",
        "| broadcast, 2 workers | " + cells(lambda db: rate(db, 2)) + " | |",
        "| floor: raw smtplib, one connection | "
        + cells(lambda db: f"{db['floor']['rate']:,.0f} msg/s")
        + " | |",
        "| ratio 1 worker / floor | " + cells(lambda db: ratio(db, 1)) + f" | ≥ {RATIO_TARGET} |",
        "| ratio 2 workers / floor | " + cells(lambda db: ratio(db, 2)) + " | |",
        "| peak RSS per worker (VmHWM), 1 worker | " + cells(lambda db: rss(db, 1)) + " | |",
        "| peak RSS per worker (VmHWM), 2 workers | " + cells(lambda db: rss(db, 2)) + " | |",
        f"| dispatch of the {messages:,}-row broadcast | "
        + cells(lambda db: f"{run_of(db, 1)['dispatch_seconds']:.2f} s")
        + " | |",
        "| message size (as sent) | "
        + cells(lambda db: f"{db['message_bytes'] / 1024:.1f} KB")
        + " | |",
        "",
    ]
    for db in dbs:
        version = db.get("version", "")
        for run in db.get("broadcast", []):
            if run["at_sink"] != run["messages"] or run["publication_status"] != "done":
                lines.append(
                    f"- {names.get(db['db'], db['db'])}, {run['workers']} worker(s): "
                    f"{run['at_sink']:,} messages at the sink for {run['messages']:,} rows, "
                    f"publication {run['publication_status']}"
                )
        for error in db.get("errors", []):
            lines.append(f"- {names.get(db['db'], db['db'])} ({version}): problem: {error}")
    lines.append("")
    return lines


HEADING = "## Dissemination (issue 4)"


def splice(report: str, section: str) -> str:
    """``report`` (a ``latest.md``) with its dissemination section replaced by ``section``
    (or ``section`` added before the portal results): what ``--only dissemination``
    writes, so the other results of the last full run stay."""
    section = section.strip("\n") + "\n\n"
    if HEADING in report:
        head, rest = report.split(HEADING, 1)
        tail = rest.split("\n## ", 1)
        return head + section + ("## " + tail[1] if len(tail) == 2 else "")
    for anchor in ("## Public portal", "## Results"):
        if anchor in report:
            head, rest = report.split(anchor, 1)
            return head + section + anchor + rest
    return report.rstrip("\n") + "\n\n" + section


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] == "sink":
        serve_sink(Path(sys.argv[2]))
    else:
        sys.exit("usage: dissemination.py sink <directory>  (the benchmark runs from run.py)")
