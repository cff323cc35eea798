"""Database-side preparation and the raw-SQL floor: ``python bench/prepare.py OUT.json``.

Run by ``run.py`` with the benchmark environment (same database as the server) before the
server starts. It

* checks the generated accounts exist and issues an API token for the national one;
* counts the rows (for the report);
* picks the published items the article scenario rotates over (``paths``);
* for every scenario, renders each of its pages once in-process with Django's test client
  while capturing the SQL, then runs exactly those statements again directly on the
  database cursor and times them: the "SQL floor", i.e. how much of a page's latency the
  database alone needs;
* measures the portal search's own floor: the raw full-text query (PostgreSQL: the
  ``indonesian`` tsquery on the GIN index, ranked with ``ts_rank``, LIMIT 20; SQLite: FTS5
  MATCH ordered by bm25, LIMIT 20) run directly on the cursor for each search term.
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
FTS_BUDGET_SECONDS = float(os.environ.get("BENCH_FTS_BUDGET", "15"))
FTS_MAX_REPS = 30


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


def clear_page_caches() -> None:
    """Empty the process-local caches (the portal's page cache is one), so that the captured
    request renders its page and runs its queries."""
    from django.conf import settings
    from django.core.cache import caches

    for alias, config in settings.CACHES.items():
        if config.get("BACKEND", "").endswith("LocMemCache"):
            caches[alias].clear()


def sql_floor(
    scenario: Any, paths: list[str], users: dict[str, Any], token: str | None
) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers: dict[str, str] = {}
    if scenario.auth == "token":
        if not token:
            return {"error": "no API token"}
        headers["Authorization"] = f"Bearer {token}"
    elif scenario.auth == "session":
        client.force_login(users[scenario.user])
    captured: list[list[str]] = []
    statuses = []
    for path in paths:
        client.get(path, headers=headers)  # warm lazy imports and the database's caches
        clear_page_caches()  # the page itself must be rendered, not served from a cache
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
    plan = explain(slowest_sql) if "portal" in scenario.tags else None
    return {
        "plan": plan,
        "status": 200,
        "queries": round(statistics.mean(len(s) for s in captured), 1),
        "sql_p50_ms": round(statistics.median(totals), 2),
        "sql_max_ms": round(max(totals), 2),
        "slowest_ms": round(statistics.median(slowest_times), 2),
        "slowest_sql": shorten(slowest_sql),
        "samples": len(totals),
    }


def explain(sql: str) -> str | None:
    """The plan of one captured statement (PostgreSQL: with actual times and buffers)."""
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return None
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            rows = cursor.fetchall()
    except Exception as exc:  # a diagnostic only
        return f"(no plan: {exc.__class__.__name__})"
    if connection.vendor == "postgresql":
        return "\n".join(row[0] for row in rows)
    return "\n".join(str(row[-1]) for row in rows)


def article_paths(count: int, seed: int = 42) -> list[str]:
    """``count`` different published items (all forms, all units), in a seeded random order:
    the article scenario rotates over them so that it is not one cached row."""
    import random

    from django.utils import timezone

    from bakohumas.content.models import ContentItem

    public = ContentItem.objects.public().filter(published_at__lte=timezone.now())
    ids = list(public.order_by("id").values_list("id", flat=True))
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    rows = dict(
        (pk, (code, slug))
        for pk, code, slug in public.filter(id__in=chosen).values_list("id", "unit__code", "slug")
    )
    from urllib.parse import quote

    return [f"/satker/{rows[pk][0]}/konten/{quote(rows[pk][1])}/" for pk in chosen if pk in rows]


def fts_statement() -> tuple[str, str, Any, str]:
    """The raw full-text query of the portal search on this database and how to bind a
    term: (description, SQL with one or two %s, a function term -> params, the SQL
    counting every match with the same parameters)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                "'content_contentitem' AND indexdef ILIKE '% USING gin %'"
            )
            row = cursor.fetchone()
            if row is None:
                raise RuntimeError("no GIN index on content_contentitem")
            name, definition = row
            # "CREATE INDEX … USING gin (<expression>)": the document the index holds.
            document = definition.split(" USING gin ", 1)[1].strip()[1:-1]
            query = "plainto_tsquery('indonesian'::regconfig, %s)"
            sql = (
                f"SELECT id FROM content_contentitem WHERE {document} @@ {query} "
                f"ORDER BY ts_rank({document}, {query}) DESC LIMIT 20"
            )
            count = f"SELECT count(*) FROM content_contentitem WHERE {document} @@ {query}"
            return (
                f"GIN index {name}, ts_rank, LIMIT 20",
                sql,
                lambda term: [term, term],
                count,
            )
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%' "
            "AND sql LIKE '%content_contentitem%'"
        )
        row = cursor.fetchone()
        if row is None:
            raise RuntimeError("no FTS5 table over content_contentitem")
        fts = row[0]
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s ORDER BY rank LIMIT 20"

        def match(term: str) -> list[str]:
            # Every word as a quoted prefix, as the portal's search service asks.
            return [" AND ".join(f'"{w}"*' for w in term.lower().split())]

        count = f"SELECT count(*) FROM {fts} WHERE {fts} MATCH %s"
        return f"FTS5 table {fts}, bm25, LIMIT 20", sql, match, count


def fts_floor(terms: list[str]) -> dict[str, Any]:
    """p50/p95 of the raw full-text query, cycling through ``terms``."""
    from django.db import connection

    description, sql, params, count_sql = fts_statement()
    per_term: dict[str, list[float]] = {t: [] for t in terms}
    hits: dict[str, int] = {}
    with connection.cursor() as cursor:
        for term in terms:  # warm-up, and the size of each result set
            cursor.execute(sql, params(term))
            hits[term] = len(cursor.fetchall())
        deadline = time.monotonic() + FTS_BUDGET_SECONDS
        reps = 0
        while reps < FTS_MAX_REPS and (reps < 3 or time.monotonic() < deadline):
            for term in terms:
                started = time.perf_counter()
                cursor.execute(sql, params(term))
                cursor.fetchall()
                per_term[term].append((time.perf_counter() - started) * 1000)
            reps += 1
        matches: dict[str, int] = {}
        for term in terms:  # every item containing the words: the work a full ranking does
            cursor.execute(count_sql, params(term)[:1])  # one placeholder
            matches[term] = int(cursor.fetchone()[0])
        plan = None
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params(terms[0]))
            plan = "\n".join(r[0] for r in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params(terms[0]))
            plan = "\n".join(str(r[-1]) for r in cursor.fetchall())
    every = [ms for values in per_term.values() for ms in values]
    return {
        "query": description,
        "sql": " ".join(sql.split()),
        "samples": len(every),
        "p50_ms": round(statistics.median(every), 2),
        "p95_ms": round(percentile(every, 95), 2),
        "per_term_p50_ms": {t: round(statistics.median(v), 2) for t, v in per_term.items()},
        "rows": hits,
        "matches": matches,
        "plan": plan,
    }


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bakohumas.content.models import ContentItem
    from bakohumas.core.models import StaffProfile, WorkUnit
    from bakohumas.stakeholders.models import Contact, ContactConsent, Organisation
    from bench.scenarios import ARTICLE_SAMPLE, PORTAL_TERMS, SCENARIOS, USERS

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
        "published content items": ContentItem.objects.public().count(),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        result["db_version"] = f"{connection.vendor} {cursor.fetchone()[0]}"
    result["paths"] = {"articles": article_paths(ARTICLE_SAMPLE)}
    wanted = set(filter(None, os.environ.get("BENCH_SCENARIOS", "").split(",")))
    floors: dict[str, Any] = {}
    if not missing and os.environ.get("BENCH_SKIP_SQL") != "1":
        for scenario in SCENARIOS:
            if scenario.floor or (wanted and scenario.key not in wanted):
                continue
            paths = result["paths"][scenario.paths_from] if scenario.paths_from else scenario.paths
            # The article scenario: a sample of its items is enough for the SQL floor.
            paths = paths[:20]
            try:
                floors[scenario.key] = sql_floor(scenario, paths, users, token)
            except Exception as exc:  # report, never abort the benchmark
                floors[scenario.key] = {"error": f"{exc.__class__.__name__}: {exc}"[:300]}
    result["sql_floor"] = floors
    if not wanted or "portal-search" in wanted:
        try:
            result["fts_floor"] = fts_floor(PORTAL_TERMS)
        except Exception as exc:  # the portal's search migration may be missing
            result["fts_floor"] = {"error": f"{exc.__class__.__name__}: {exc}"[:300]}
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
