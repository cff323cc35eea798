"""The inbox benchmark (issue 5), run by ``bench/run.py`` on the national data set (``make
bench``, or alone with ``--only inbox``).

For each database, in a Django process of its own on the benchmark database (the data
set has 1,000,000 inbox messages in 250,000 threads), with Django's test client and the
product's settings (``DEBUG=0``):

* **inbox list** of the busiest unit (the unit with the most threads; its coordinator
  ``gen.<code>.2`` logged in): ``/app/inbox/`` (first page, the unit's unresolved
  threads) and ``?status=waiting`` (filtered by status);
* **inbox search** in the same list: ``?q=`` a common word (``pemilih``, in about a third
  of the threads) and a rare one (``baliho``, in about one in 170), over all statuses;
  and the same two over every unit of the country (national coordinator ``gen.00.2``,
  ``?unit=all``), where the search takes the trigram index instead of scanning the unit;
* beside each page its two floors, measured in the same run: the **raw SQL** (the page's
  own statements, captured while it rendered, run again on the database cursor: what
  the database alone needs) and the **framework floor** (a bare view behind the same
  middleware, session and user: what Django alone needs);
* **webhook ingestion**: signed WhatsApp Cloud API POSTs, one text message each, through
  the real view ``/d/hooks/whatsapp/<account>/`` (signature check, JSON, ``ingest``:
  thread matching, the message, its search document, the new-thread task) in a loop,
  half of them from a new sender (a new thread) and half a second message of a sender
  (appended): messages per second, beside the floor, a bare view that reads the body,
  checks the same HMAC and answers 200. The same payload sent again must store nothing.
  The threads, messages and tasks it made are deleted afterwards (the SQLite data set is
  cached between runs).

p50/p95 come from ``--requests`` requests per page (default 40) after a warm-up. The
results go into the inbox section of ``bench/results/latest.md`` (only that section is
replaced when it runs alone).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HEADING = "## Inbox (issue 5)"
COMMON_WORD = "pemilih"
RARE_WORD = "baliho"
NATIONAL_USER = "gen.00.2"
#: Staff pages: p95 target (as for the other staff lists).
TARGET_P95_MS = 150.0
APP_SECRET = "bench-inbox-app-secret"
PHONE_NUMBER_ID = "109876543210987"
HOOK_FLOOR = "bench/inbox-hook-floor"
PAGE_FLOOR = "bench/floor"


# --- the Django side (runs in the measuring process) ------------------------------------------


def _hook_floor(request: Any) -> Any:
    """The framework floor of a webhook: read the body, check its HMAC, answer 200."""
    import hmac

    from django.http import HttpResponse, HttpResponseForbidden

    from bakohumas.dissemination.adapters.http import sign

    raw = request.read(1024 * 1024 + 1)
    given = request.headers.get("X-Hub-Signature-256", "")
    if not hmac.compare_digest(sign(APP_SECRET, raw), given):
        return HttpResponseForbidden("bad signature")
    return HttpResponse('{"ok": 1}', content_type="application/json")


def __getattr__(name: str) -> Any:
    """``urlpatterns`` of this module (the measuring process's ``ROOT_URLCONF``): the
    benchmark's URLs (the product's and ``/bench/floor``) plus the webhook floor. Built on
    first use, so that ``run.py`` imports this module without Django."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    from bench.floor_urls import urlpatterns as bench_urlpatterns

    return [path(HOOK_FLOOR, csrf_exempt(_hook_floor)), *bench_urlpatterns]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) or 0.0, 2) if values else None,
        "p95_ms": round(percentile(values, 95) or 0.0, 2) if values else None,
    }


def timed(fn: Callable[[], Any], requests: int, budget: float) -> list[float]:
    """Milliseconds of ``fn()`` over ``requests`` calls, or fewer when ``budget`` seconds
    have passed (at least 5)."""
    times: list[float] = []
    deadline = time.monotonic() + budget
    while len(times) < requests and (len(times) < 5 or time.monotonic() < deadline):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def busiest_unit() -> Any:
    """The unit with the most inbox threads (a province in the national data set)."""
    from django.db.models import Count

    from bakohumas.core.models import WorkUnit

    top = (
        WorkUnit.objects.annotate(n=Count("threads"))
        .filter(n__gt=0)
        .order_by("-n", "code")
        .values_list("pk", flat=True)
        .first()
    )
    if top is None:
        raise RuntimeError("no inbox threads: generate the data set first")
    return WorkUnit.objects.get(pk=top)


def pages(unit_code: str) -> list[dict[str, Any]]:
    """The measured pages: key, title, user (username), path."""
    coordinator = f"gen.{unit_code}.2"
    return [
        {
            "key": "list",
            "title": "inbox list, first page",
            "user": coordinator,
            "path": "/app/inbox/",
        },
        {
            "key": "list-status",
            "title": "inbox list filtered by status (waiting)",
            "user": coordinator,
            "path": "/app/inbox/?status=waiting",
        },
        {
            "key": "search-common",
            "title": f"search, common word `{COMMON_WORD}`",
            "user": coordinator,
            "path": f"/app/inbox/?status=all&q={COMMON_WORD}",
            "word": COMMON_WORD,
        },
        {
            "key": "search-rare",
            "title": f"search, rare word `{RARE_WORD}`",
            "user": coordinator,
            "path": f"/app/inbox/?status=all&q={RARE_WORD}",
            "word": RARE_WORD,
        },
        {
            "key": "national-list",
            "title": "every unit (national staff): list",
            "user": NATIONAL_USER,
            "path": "/app/inbox/?unit=all",
        },
        {
            "key": "national-search-common",
            "title": f"every unit: search `{COMMON_WORD}`",
            "user": NATIONAL_USER,
            "path": f"/app/inbox/?unit=all&status=all&q={COMMON_WORD}",
            "word": COMMON_WORD,
        },
        {
            "key": "national-search-rare",
            "title": f"every unit: search `{RARE_WORD}`",
            "user": NATIONAL_USER,
            "path": f"/app/inbox/?unit=all&status=all&q={RARE_WORD}",
            "word": RARE_WORD,
        },
    ]


def measure_pages(unit: Any, requests: int, budget: float) -> dict[str, Any]:
    """p50/p95 of every page, its raw-SQL floor and the framework floor."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.prepare import replayable, shorten, time_statements

    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="gen.")}
    clients: dict[str, Any] = {}
    results: dict[str, Any] = {}
    floors: dict[str, Any] = {}
    for page in pages(unit.code):
        username = page["user"]
        entry: dict[str, Any] = {k: page[k] for k in ("key", "title", "user", "path")}
        results[page["key"]] = entry
        if username not in users:
            entry["error"] = f"no user {username}"
            continue
        if username not in clients:
            client = Client()
            client.force_login(users[username])
            clients[username] = client
            # The framework floor for this user (the first three calls warm up).
            floor_times = timed(lambda c=client: c.get("/" + PAGE_FLOOR), requests + 3, budget)
            floors[username] = summary(floor_times[3:] or floor_times)
        client = clients[username]
        response = client.get(page["path"])
        if response.status_code != 200:
            entry["error"] = f"HTTP {response.status_code}"
            continue
        entry["bytes"] = len(response.content)
        with CaptureQueriesContext(connection) as captured:
            client.get(page["path"])
        statements = [s for s in (replayable(q["sql"]) for q in captured.captured_queries) if s]
        for _ in range(2):  # warm-up
            client.get(page["path"])
        times = timed(lambda c=client, p=page["path"]: c.get(p), requests, budget)
        entry.update(summary(times))
        sql_times = timed(lambda s=statements: time_statements(s), requests, budget / 2)
        per_statement = {
            s: statistics.median(timed(lambda x=s: time_statements([x]), 3, 1)) for s in statements
        }
        slowest = max(per_statement, key=lambda s: per_statement[s]) if per_statement else ""
        entry["sql"] = {
            **summary(sql_times),
            "queries": len(statements),
            "slowest_ms": round(per_statement.get(slowest, 0.0), 2),
            "slowest_sql": shorten(slowest) if slowest else "",
        }
        entry["floor"] = floors[username]
        if page.get("word"):
            entry["matches"] = count_matches(page, unit, users[username])
    return results


def count_matches(page: dict[str, Any], unit: Any, user: Any) -> dict[str, Any]:
    """How many threads the page's search finds (in the page's scope), and how it was
    answered (scan or index)."""
    from bakohumas.inbox import search
    from bakohumas.inbox.models import Thread

    scope = Thread.objects.for_user(user)
    if "unit=all" not in page["path"]:
        scope = scope.filter(unit_id=unit.pk)
    return {
        "scope": scope.count(),
        "found": search.search_threads(scope, page["word"]).count(),
        "method": search.method_for(scope, page["word"]),
    }


def measure_webhook(unit: Any, messages: int, budget: float) -> dict[str, Any]:
    """Signed WhatsApp webhook POSTs through the real view, one message each, beside the
    bare-view floor; the rows made are deleted afterwards."""
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bakohumas.dissemination.adapters.http import sign
    from bakohumas.dissemination.crypto import encrypt
    from bakohumas.dissemination.models import ChannelAccount, ChannelKind
    from bakohumas.inbox.models import Message, Thread

    started_at = timezone.now()
    run = str(int(time.time()))[-6:]
    account = ChannelAccount.objects.create(
        unit=unit,
        kind=ChannelKind.WHATSAPP,
        name=f"Bench inbox {run}",
        config={"phone_number_id": PHONE_NUMBER_ID},
        secret_ciphertext=encrypt({"app_secret": APP_SECRET, "verify_token": "bench"}),
    )
    path = f"/d/hooks/whatsapp/{account.pk}/"
    bodies = [
        "Selamat pagi min, nama saya belum ada di DPT. Bagaimana caranya?",
        "TPS 12 di kelurahan kami pindah ke mana ya?",
        "Min, ada video di grup warga katanya surat suara sudah dicoblos. Benar?",
        "Terima kasih infonya min 🙏",
    ]
    senders = max(1, messages // 2)

    def payload(i: int) -> bytes:
        sender = f"628{run[-4:]}{i % senders:06d}"  # 13 digits, as a wa_id
        message = {
            "from": sender,
            "id": f"wamid.BENCH{run}{i:07d}",
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": bodies[i % len(bodies)]},
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "628110000000",
                "phone_number_id": PHONE_NUMBER_ID,
            },
            "contacts": [{"profile": {"name": f"Warga {i % senders}"}, "wa_id": sender}],
            "messages": [message],
        }
        body = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
        }
        return json.dumps(body, separators=(",", ":")).encode()

    client = Client()
    result: dict[str, Any] = {"path": "/d/hooks/whatsapp/<account>/", "unit": unit.code}
    errors: list[str] = []
    try:
        payloads = [(raw, sign(APP_SECRET, raw)) for raw in (payload(i) for i in range(messages))]
        before = Message.objects.count()

        def post(url: str, raw: bytes, signature: str) -> Any:
            return client.post(
                url,
                data=raw,
                content_type="application/json",
                headers={"X-Hub-Signature-256": signature},
            )

        # Warm-up on the floor (imports, the client).
        for raw, signature in payloads[:5]:
            post("/" + HOOK_FLOOR, raw, signature)
        times: list[float] = []
        sent = 0
        wall = time.perf_counter()
        deadline = time.monotonic() + budget
        for raw, signature in payloads:
            t0 = time.perf_counter()
            response = post(path, raw, signature)
            times.append((time.perf_counter() - t0) * 1000)
            sent += 1
            if response.status_code != 200:
                errors.append(f"HTTP {response.status_code}: {response.content[:120]!r}")
                break
            if sent >= 20 and time.monotonic() > deadline:
                break
        elapsed = time.perf_counter() - wall
        stored = Message.objects.count() - before
        if stored != sent and not errors:
            errors.append(f"{sent} messages posted but {stored} stored")
        result["product"] = {
            **summary(times),
            "messages": sent,
            "stored": stored,
            "seconds": round(elapsed, 2),
            "rate": round(sent / elapsed, 1) if elapsed else None,
            "threads": Thread.objects.filter(account=account).count(),
        }
        # The same payload again: signed and valid, stores nothing.
        replay = post(path, *payloads[0])
        result["replay"] = {
            "status": replay.status_code,
            "stored": Message.objects.count() - before - stored,
        }
        floor_times: list[float] = []
        wall = time.perf_counter()
        for raw, signature in payloads[:sent]:
            t0 = time.perf_counter()
            response = post("/" + HOOK_FLOOR, raw, signature)
            floor_times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                errors.append(f"floor HTTP {response.status_code}")
                break
        elapsed = time.perf_counter() - wall
        result["floor"] = {
            **summary(floor_times),
            "messages": len(floor_times),
            "seconds": round(elapsed, 2),
            "rate": round(len(floor_times) / elapsed, 1) if elapsed else None,
        }
        result["payload_bytes"] = len(payloads[0][0])
    finally:
        Thread.objects.filter(account=account).delete()
        account.delete()
        try:
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(enqueued_at__gte=started_at).delete()
        except Exception as exc:  # the task table is a detail of the backend
            errors.append(f"could not delete the tasks: {exc!r}")
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    result["errors"] = errors
    return result


def database_info() -> dict[str, Any]:
    from django.db import connection

    from bakohumas.inbox.models import Message, Thread

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {str(cursor.fetchone()[0]).split()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    return {
        "version": version,
        "threads": Thread.objects.count(),
        "messages": Message.objects.count(),
    }


def measure(out: Path, requests: int, budget: float, hook_messages: int) -> None:
    """The measuring process: everything above on the configured database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakohumas.settings")
    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = __name__ if __name__ != "__main__" else "bench.inbox"
    result: dict[str, Any] = {"errors": []}
    try:
        result.update(database_info())
        unit = busiest_unit()
        result["unit"] = {"code": unit.code, "name": unit.name}
        result["pages"] = measure_pages(unit, requests, budget)
        result["webhook"] = measure_webhook(unit, hook_messages, budget * 3)
        result["errors"] += result["webhook"].pop("errors", [])
    except Exception as exc:
        result["errors"].append(f"{exc.__class__.__name__}: {exc}")
    out.write_text(json.dumps(result, indent=2, default=str))


# --- the run.py side (no Django) --------------------------------------------------------------


def run_database(
    name: str,
    env: dict[str, str],
    *,
    logs: Path,
    log: Callable[[str], None],
    requests: int = 40,
    budget: float = 8.0,
    hook_messages: int = 1000,
) -> dict[str, Any]:
    """Measure one database (already set up by ``run.py``) in a process of its own."""
    out = logs / f"inbox-{name}.json"
    out.unlink(missing_ok=True)
    child = dict(env)
    child["DJANGO_SETTINGS_MODULE"] = "bakohumas.settings"
    log(f"{name}: inbox list, search and webhook ingestion (bench/inbox.py)")
    started = time.monotonic()
    with (logs / f"inbox-{name}.log").open("w") as fh:
        proc = subprocess.run(
            [
                PYTHON,
                str(ROOT / "bench" / "inbox.py"),
                "measure",
                str(out),
                str(requests),
                str(budget),
                str(hook_messages),
            ],
            env=child,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
            timeout=3600,
            check=False,
        )
    result: dict[str, Any] = {"db": name, "errors": []}
    if out.exists():
        result.update(json.loads(out.read_text()))
    if proc.returncode != 0:
        result["errors"].append(f"bench/inbox.py exited {proc.returncode}; see {logs}")
    result["seconds"] = round(time.monotonic() - started, 1)
    for key, page in (result.get("pages") or {}).items():
        if "p95_ms" in page:
            log(
                f"{name}: inbox {key:24} p50={page['p50_ms']} ms p95={page['p95_ms']} ms "
                f"(SQL {page['sql']['p50_ms']} ms, floor {page['floor']['p50_ms']} ms)"
            )
    hook = result.get("webhook") or {}
    if "product" in hook:
        log(
            f"{name}: webhook {hook['product']['rate']} msg/s "
            f"(floor {hook.get('floor', {}).get('rate')} msg/s)"
        )
    for error in result["errors"]:
        log(f"{name}: inbox: problem: {error}")
    return result


# --- the report -------------------------------------------------------------------------------

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _ms(entry: dict[str, Any] | None) -> str:
    if not entry or entry.get("p50_ms") is None:
        return "—"
    return f"{entry['p50_ms']:,.1f} / {entry['p95_ms']:,.1f}"


def render(result: dict[str, Any]) -> list[str]:
    """The inbox section of the report (a list of lines; empty when nothing ran)."""
    dbs = result.get("databases") or []
    if not dbs:
        return []
    names = [NAMES.get(db["db"], db["db"]) for db in dbs]
    lines = [
        HEADING,
        "",
        "Django's test client in one process per database, `DEBUG=0`, on the national data "
        "set; p50 / p95 in milliseconds. The list and search rows are the unit with the most "
        "threads, seen by its coordinator (50 threads a page, the count capped at 10,000); "
        "*every unit* is the national coordinator's `?unit=all`. Beside each page: its "
        "**raw SQL** (the page's own statements run again on the database cursor) and the "
        "**framework floor** (a bare view behind the same middleware and session). "
        f"Searches cover all statuses; `{COMMON_WORD}` is in about a third of the threads, "
        f"`{RARE_WORD}` in about one in 170.",
        "",
        f"Measured {result.get('started', '?')} (UTC); load average {result.get('load_start', '?')}"
        f" at the start, {result.get('load_end', '?')} at the end; "
        + "; ".join(
            f"{NAMES.get(db['db'], db['db'])}: {db.get('version', '?')}, "
            f"{db.get('threads', 0):,} threads, {db.get('messages', 0):,} messages, "
            f"busiest unit {db.get('unit', {}).get('code', '?')} "
            f"({db.get('unit', {}).get('name', '?')}); "
            + (
                f"data set generated in {db['generation_seconds']:.0f} s"
                if db.get("generation_seconds")
                else "data set from the cache"
            )
            for db in dbs
        )
        + ".",
        "",
        "| page | " + " | ".join(f"{n} | raw SQL | floor" for n in names) + " | target |",
        "|---|" + "---:|---:|---:|" * len(dbs) + ":---|",
    ]
    keys = [p["key"] for p in pages("X")]
    titles = {p["key"]: p["title"] for p in pages("X")}
    for key in keys:
        cells = []
        for db in dbs:
            page = (db.get("pages") or {}).get(key) or {}
            if page.get("error"):
                cells.append(f"missing: {page['error']} | | ")
                continue
            text = _ms(page)
            if page.get("p95_ms") is not None:
                text += " ✓" if page["p95_ms"] < TARGET_P95_MS else " ✗"
            matches = page.get("matches")
            if matches:
                text += f" ({matches['found']:,} of {matches['scope']:,}, {matches['method']})"
            sql = page.get("sql") or {}
            sql_text = _ms(sql) + (f" ({sql['queries']} q)" if sql.get("queries") else "")
            cells.append(f"{text} | {sql_text} | {_ms(page.get('floor'))}")
        lines.append(
            f"| {titles[key]} | " + " | ".join(cells) + f" | p95 < {TARGET_P95_MS:.0f} ms |"
        )
    lines.append("")
    lines += [
        "| webhook ingestion (one message a POST) | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(dbs),
    ]

    def hook_cell(db: dict[str, Any], part: str, what: str) -> str:
        entry = (db.get("webhook") or {}).get(part) or {}
        if what == "rate":
            return f"{entry['rate']:,.0f} msg/s" if entry.get("rate") else "—"
        return _ms(entry)

    def ratio(db: dict[str, Any]) -> str:
        hook = db.get("webhook") or {}
        try:
            return f"{hook['product']['rate'] / hook['floor']['rate']:.2f}"
        except (KeyError, TypeError, ZeroDivisionError):
            return "—"

    lines += [
        "| product: signed POST through the real view, messages/s | "
        + " | ".join(hook_cell(db, "product", "rate") for db in dbs)
        + " |",
        "| product: latency per POST, p50 / p95 ms | "
        + " | ".join(hook_cell(db, "product", "ms") for db in dbs)
        + " |",
        "| floor: bare view (body, HMAC, 200), messages/s | "
        + " | ".join(hook_cell(db, "floor", "rate") for db in dbs)
        + " |",
        "| floor: latency per POST, p50 / p95 ms | "
        + " | ".join(hook_cell(db, "floor", "ms") for db in dbs)
        + " |",
        "| ratio product / floor | " + " | ".join(ratio(db) for db in dbs) + " |",
        "| messages posted / stored / threads opened | "
        + " | ".join(
            "{messages:,} / {stored:,} / {threads:,}".format(**db["webhook"]["product"])
            if "product" in (db.get("webhook") or {})
            else "—"
            for db in dbs
        )
        + " |",
        "| the same payload again (replay) | "
        + " | ".join(
            (
                f"HTTP {db['webhook']['replay']['status']}, "
                f"{db['webhook']['replay']['stored']} stored"
            )
            if "replay" in (db.get("webhook") or {})
            else "—"
            for db in dbs
        )
        + " |",
        "",
    ]
    for db in dbs:
        name = NAMES.get(db["db"], db["db"])
        for key in keys:
            sql = ((db.get("pages") or {}).get(key) or {}).get("sql") or {}
            if sql.get("slowest_sql"):
                lines.append(
                    f"- {name} · {titles[key]}: slowest statement {sql['slowest_ms']:.1f} ms: "
                    f"`{sql['slowest_sql'][:400]}`"
                )
        for error in db.get("errors", []):
            lines.append(f"- {name}: problem: {error}")
    lines.append("")
    return lines


def splice(report: str, section: str) -> str:
    """``report`` (a ``latest.md``) with its inbox section replaced by ``section`` (or
    ``section`` added before the portal results): what ``--only inbox`` writes."""
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


if __name__ == "__main__":  # pragma: no cover - run by run_database
    if len(sys.argv) == 6 and sys.argv[1] == "measure":
        sys.path.insert(0, str(ROOT))
        measure(Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("usage: inbox.py measure OUT.json REQUESTS BUDGET MESSAGES (run.py runs it)")
