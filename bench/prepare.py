"""Database-side preparation and the raw-SQL floor: ``python bench/prepare.py OUT.json``.

Run by ``run.py`` with the benchmark environment (same database as the server) before the
server starts. It

* checks the generated accounts exist and issues an API token for the national one;
* counts the rows (for the report);
* for every scenario, renders each of its pages once in-process with Django's test client
  while capturing the SQL, then runs exactly those statements again directly on the
  database cursor and times them: the "SQL floor", i.e. how much of a page's latency the
  database alone needs.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

SQL_BUDGET_SECONDS = float(os.environ.get("BENCH_SQL_BUDGET", "5"))
SQL_MAX_REPS = 15


_DECLARE = re.compile(
    r'^\s*DECLARE\s+"?[\w]+"?\s+(?:BINARY\s+)?(?:INSENSITIVE\s+)?(?:NO\s+)?(?:SCROLL\s+)?'
    r"CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+",
    re.IGNORECASE,
)


def replayable(sql: str) -> str | None:
    """The statement to replay for a captured one: a server-side cursor (PostgreSQL,
    ``QuerySet.iterator()``) is replayed as its plain query; ``FETCH``/``CLOSE`` are not."""
    if re.match(r"^\s*(FETCH|CLOSE|MOVE)\b", sql, re.IGNORECASE):
        return None
    return _DECLARE.sub("", sql, count=1)


def shorten(sql: str) -> str:
    """One line, with the outer column list elided: what is left is what costs."""
    text = " ".join(sql.split())
    match = re.match(r"^SELECT (DISTINCT )?(.+?) FROM ", text)
    if match and len(match.group(2)) > 60 and ", " in match.group(2):
        text = f"SELECT {match.group(1) or ''}… FROM " + text[match.end() :]
    return text[:700]


def time_statements(statements: list[str]) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def sql_floor(scenario: Any, users: dict[str, Any], token: str | None) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers: dict[str, str] = {}
    if scenario.auth == "token":
        if not token:
            return {"error": "no API token"}
        headers["Authorization"] = f"Bearer {token}"
    else:
        client.force_login(users[scenario.user])
    captured: list[list[str]] = []
    statuses = []
    for path in scenario.paths:
        client.get(path, headers=headers)  # warm caches and lazy imports
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, headers=headers)
        statuses.append(response.status_code)
        if response.status_code != 200:
            return {"status": response.status_code}
        replays = (replayable(q["sql"]) for q in ctx.captured_queries)
        captured.append([sql for sql in replays if sql])
    totals: list[float] = []
    per_statement: dict[str, list[float]] = {}
    deadline = time.monotonic() + SQL_BUDGET_SECONDS
    reps = 0
    while reps < SQL_MAX_REPS and (reps == 0 or time.monotonic() < deadline):
        for statements in captured:
            total = 0.0
            for sql in statements:
                ms = time_statements([sql])
                total += ms
                per_statement.setdefault(sql, []).append(ms)
            totals.append(total)
        reps += 1
    slowest_sql, slowest_times = max(per_statement.items(), key=lambda kv: statistics.median(kv[1]))
    return {
        "status": 200,
        "queries": round(statistics.mean(len(s) for s in captured), 1),
        "sql_p50_ms": round(statistics.median(totals), 2),
        "sql_max_ms": round(max(totals), 2),
        "slowest_ms": round(statistics.median(slowest_times), 2),
        "slowest_sql": shorten(slowest_sql),
        "samples": len(totals),
    }


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bakohumas.core.models import StaffProfile, WorkUnit
    from bakohumas.stakeholders.models import Contact, ContactConsent, Organisation
    from bench.scenarios import SCENARIOS, USERS

    out = Path(sys.argv[1])
    result: dict[str, Any] = {"errors": []}
    user_model = get_user_model()
    users = {key: user_model.objects.filter(username=name).first() for key, name in USERS.items()}
    missing = [USERS[k] for k, u in users.items() if u is None]
    if missing:
        result["errors"].append(f"generated users missing: {', '.join(missing)}")
    token = None
    try:
        from django.utils import timezone

        from bakohumas.api.models import ApiToken

        if users.get("national") is not None:
            # The SQLite data set is reused between runs: retire the last run's token first
            # (a user's active token names are unique).
            ApiToken.objects.active().filter(user=users["national"], name="benchmark").update(
                revoked_at=timezone.now()
            )
            _row, token = ApiToken.issue(users["national"], "benchmark")
    except Exception as exc:  # the API app may not be complete yet
        result["errors"].append(f"could not issue an API token: {exc!r}")
    result["token"] = token
    result["counts"] = {
        "work units": WorkUnit.objects.count(),
        "staff users": StaffProfile.objects.count(),
        "organisations": Organisation.objects.count(),
        "contacts": Contact.objects.count(),
        "consents": ContactConsent.objects.count(),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        result["db_version"] = f"{connection.vendor} {cursor.fetchone()[0]}"
    floors: dict[str, Any] = {}
    if not missing and os.environ.get("BENCH_SKIP_SQL") != "1":
        for scenario in SCENARIOS:
            if scenario.floor:
                continue
            try:
                floors[scenario.key] = sql_floor(scenario, users, token)
            except Exception as exc:  # report, never abort the benchmark
                floors[scenario.key] = {"error": f"{exc.__class__.__name__}: {exc}"[:300]}
    result["sql_floor"] = floors
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
