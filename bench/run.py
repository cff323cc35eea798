"""The national-scale benchmark (``make bench``).

For each database (SQLite, PostgreSQL) it migrates a throwaway database, fills it with the
national data set (``bakohumas generate_dataset --scale national``; cached between runs),
starts a real WSGI server (gunicorn, several processes, DEBUG=0, static files by
WhiteNoise) on a free loopback port and measures latency percentiles and throughput of
the stakeholder lists, their searches and the contacts API at 1 and 10 concurrent
keep-alive clients, and of the public portal (home, unit home, article, search, feeds;
anonymous) at 1 and 20, next to the framework floor (a bare view on the same server) and
the raw-SQL floor (the page's own statements run directly on the database cursor); the
portal search also beside the raw full-text query, and an article's first-load bytes.
The inbox (``bench/inbox.py``: list, search, webhook ingestion) and the dissemination
(``bench/dissemination.py``) sections run after them. Results go to
``bench/results/latest.md`` and a timestamped copy.

    .venv/bin/python bench/run.py                      # both databases, national scale
    .venv/bin/python bench/run.py --db sqlite          # one database
    .venv/bin/python bench/run.py --only portal        # the portal scenarios only
    .venv/bin/python bench/run.py --only inbox         # the inbox section only
    .venv/bin/python bench/run.py --scale small --duration 2   # a quick smoke run

Caches: the SQLite file lives in ``var/bench/sqlite-<key>/``, the PostgreSQL data set in a
template database ``bakohumas_bench_tpl_<key>`` copied into ``bakohumas_bench`` for each
run (and dropped after it). ``<key>`` hashes the generator, every migration, the scale
and the seed, so a changed schema or generator regenerates. ``--no-cache`` removes them.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dissemination, inbox  # noqa: E402
from bench.scenarios import (  # noqa: E402
    ARTICLE_TARGET_CLIENTS,
    ARTICLE_TARGET_MS,
    FIRST_LOAD_BUDGET_KB,
    PASSWORD,
    SCENARIOS,
    SCENARIOS_BY_KEY,
    SEARCH_TARGET_MS,
    TARGET_P95_MS,
    USERS,
    Scenario,
    select,
)

VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
LOGS = VAR / "logs"
PYTHON = sys.executable
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PG_DB = "bakohumas_bench"
PG_TEMPLATE_PREFIX = "bakohumas_bench_tpl_"
SERVER_THREADS = 4
# Web processes, as a production deployment runs several (one per core here).
SERVER_PROCESSES = int(os.environ.get("BENCH_WEB_PROCESSES", "2"))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- environment and subprocesses ----------------------------------------------------


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BAKOHUMAS_VAR_DIR"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        PYTHONPATH=os.pathsep.join(p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(VAR / "static"),
        MEDIA_ROOT=str(VAR / "media"),
        PYTHONUNBUFFERED="1",
    )
    return env


def run_logged(cmd: list[str], env: dict[str, str], logfile: Path, echo: bool = False) -> float:
    """Run ``cmd``; output to ``logfile`` (and the console with ``echo``). Returns seconds."""
    started = time.monotonic()
    with logfile.open("a") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n")
        fh.flush()
        proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            fh.write(line)
            if echo:
                print("    " + line.rstrip(), flush=True)
        rc = proc.wait()
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} … failed (exit {rc}); see {logfile}")
    return time.monotonic() - started


def manage(env: dict[str, str], logfile: Path, *args: str, echo: bool = False) -> float:
    return run_logged([PYTHON, "-m", "bakohumas", *args], env, logfile, echo=echo)


def dataset_key(scale: str, seed: int) -> str:
    digest = sha256(f"{scale}:{seed}".encode())
    src = ROOT / "src" / "bakohumas"
    files = [src / "core" / "management" / "commands" / "generate_dataset.py"]
    files += sorted(src.glob("*/migrations/*.py"))
    for path in files:
        digest.update(str(path.relative_to(src)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- databases -------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    env: dict[str, str]
    notes: list[str] = field(default_factory=list)
    generation_seconds: float | None = None
    setup_seconds: float = 0.0

    def setup(self, args: argparse.Namespace, key: str) -> None:
        raise NotImplementedError

    def cleanup(self, args: argparse.Namespace) -> None:
        pass


class SQLiteTarget(Target):
    def setup(self, args: argparse.Namespace, key: str) -> None:
        started = time.monotonic()
        directory = VAR / f"sqlite-{args.scale}-{key}"
        # Stale caches of this scale go (a changed schema or generator); the other scale's
        # cache stays.
        for old in VAR.glob(f"sqlite-{args.scale}-*"):
            if old != directory and old.is_dir():
                shutil.rmtree(old)
        self.env["BAKOHUMAS_VAR_DIR"] = str(directory)
        logfile = LOGS / "sqlite-setup.log"
        complete = directory / "COMPLETE"
        if complete.exists() and not args.no_cache:
            log(f"sqlite: cached data set in {directory.relative_to(ROOT)}")
            self.notes.append("data set from cache")
            manage(self.env, logfile, "migrate", "--no-input", "-v", "0")
        else:
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            log("sqlite: migrate")
            manage(self.env, logfile, "migrate", "--no-input", "-v", "0")
            log(f"sqlite: generate_dataset --scale {args.scale}")
            self.generation_seconds = manage(
                self.env,
                logfile,
                "generate_dataset",
                "--scale",
                args.scale,
                "--seed",
                str(args.seed),
                echo=True,
            )
            complete.write_text(datetime.now(UTC).isoformat())
        self.setup_seconds = time.monotonic() - started

    def cleanup(self, args: argparse.Namespace) -> None:
        if args.no_cache:
            shutil.rmtree(Path(self.env["BAKOHUMAS_VAR_DIR"]), ignore_errors=True)


def pg_connect(dbname: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True, connect_timeout=5
    )


def pg_databases() -> set[str]:
    with pg_connect() as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def pg_execute(sql: str) -> None:
    with pg_connect() as conn:
        conn.execute(sql)  # type: ignore[arg-type]


class PostgresTarget(Target):
    def setup(self, args: argparse.Namespace, key: str) -> None:
        started = time.monotonic()
        template = f"{PG_TEMPLATE_PREFIX}{args.scale}_{key}"
        existing = pg_databases()
        for name in existing:
            if name.startswith(f"{PG_TEMPLATE_PREFIX}{args.scale}_") and (
                name != template or args.no_cache
            ):
                log(f"postgresql: dropping stale cache {name}")
                pg_execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        pg_execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        self.env["DATABASE_URL"] = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}"
        logfile = LOGS / "postgres-setup.log"
        if template in existing and not args.no_cache:
            log(f"postgresql: {PG_DB} from cached template {template}")
            self.notes.append("data set from cache (template database)")
            pg_execute(f'CREATE DATABASE "{PG_DB}" TEMPLATE "{template}"')
            manage(self.env, logfile, "migrate", "--no-input", "-v", "0")
        else:
            pg_execute(f'CREATE DATABASE "{PG_DB}"')
            log("postgresql: migrate")
            manage(self.env, logfile, "migrate", "--no-input", "-v", "0")
            log(f"postgresql: generate_dataset --scale {args.scale}")
            self.generation_seconds = manage(
                self.env,
                logfile,
                "generate_dataset",
                "--scale",
                args.scale,
                "--seed",
                str(args.seed),
                echo=True,
            )
            if not args.no_cache:
                log(f"postgresql: caching the data set as {template}")
                pg_execute(f'CREATE DATABASE "{template}" TEMPLATE "{PG_DB}"')
        self.setup_seconds = time.monotonic() - started

    def cleanup(self, args: argparse.Namespace) -> None:
        if args.keep:
            log(f"postgresql: keeping {PG_DB} (--keep)")
            return
        try:
            pg_execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            log(f"postgresql: dropped {PG_DB}")
        except Exception as exc:
            log(f"postgresql: could not drop {PG_DB}: {exc}")


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], logfile: Path):
        self.port = free_port()
        self.logfile = logfile.open("w")
        self.proc = subprocess.Popen(
            [
                PYTHON,
                str(ROOT / "bench" / "serve.py"),
                str(self.port),
                str(SERVER_THREADS),
                str(SERVER_PROCESSES),
            ],
            env=env,
            cwd=ROOT,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited (code {self.proc.returncode}); see {logfile}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logfile.close()


def login(port: int, username: str, password: str) -> str:
    """Log in through the real login form; returns the Cookie header for the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if response.status != 200 or not match or "csrftoken" not in cookies:
        raise RuntimeError(f"login page answered {response.status} without a CSRF token")
    form = urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": match.group(1),
            "next": "/app/",
        }
    )
    conn.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        },
    )
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"log-in of {username} failed (HTTP {response.status})")
    return "; ".join(f"{k}={cookies[k].value}" for k in ("csrftoken", "sessionid"))


# --- load ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


#: Response header by which the portal marks a page served from its page cache.
CACHE_HIT_HEADER = "X-Portal-Cache"


def fetch(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, int]:
    status, size, _hit = fetch_hit(conn, path, headers)
    return status, size


def fetch_hit(
    conn: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[int, int, bool]:
    """Status, body size, and whether the server answered from its page cache."""
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body), response.getheader(CACHE_HIT_HEADER) == "hit"


_BUST_RUN = secrets.token_hex(3)
_BUST_SERIAL = itertools.count(1)


def busted(path: str, n: int | None = None) -> str:
    """``path`` with a parameter no view reads, unique per request within the run (and
    across runs): never a cached page."""
    serial = next(_BUST_SERIAL) if n is None else n
    return f"{path}{'&' if '?' in path else '?'}_bench={_BUST_RUN}{serial}"


def probe(port: int, path: str, headers: dict[str, str]) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        return fetch(conn, path, headers)
    finally:
        conn.close()


def load(
    port: int,
    paths: list[str],
    headers: dict[str, str],
    clients: int,
    duration: float,
    max_requests: int,
    min_requests: int,
    bust: bool = False,
) -> dict[str, Any]:
    """``clients`` threads, each with one keep-alive connection, request ``paths`` in turn
    until ``duration`` has passed (and at least ``min_requests`` were made) or
    ``max_requests`` were made. With ``bust`` every request gets a unique dummy parameter
    (no page cache can answer it)."""
    latencies: list[float] = []
    hits = 0
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    issued = 0
    barrier = threading.Barrier(clients + 1)
    started = 0.0

    def worker(index: int) -> None:
        nonlocal issued, hits
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        n = index
        barrier.wait()
        hard_stop = started + duration * 2.5
        while True:
            now = time.monotonic()
            with lock:
                if (
                    issued >= max_requests
                    or (now >= started + duration and issued >= min_requests)
                    or now >= hard_stop
                ):
                    break
                issued += 1
                if bust:
                    path = busted(paths[n % len(paths)])
                else:
                    path = paths[n % len(paths)]
            n += 1
            t0 = time.perf_counter()
            try:
                status, _size, hit = fetch_hit(conn, path, headers)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(exc.__class__.__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                statuses[status] += 1
                if status == 200:
                    latencies.append(elapsed)
                    hits += hit
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ok = len(latencies)
    return {
        "clients": clients,
        "requests": sum(statuses.values()) + len(errors),
        "ok": ok,
        "non_200": {str(k): v for k, v in statuses.items() if k != 200},
        "errors": len(errors),
        "p50_ms": round(percentile(latencies, 50), 1) if ok else None,
        "p95_ms": round(percentile(latencies, 95), 1) if ok else None,
        "max_ms": round(max(latencies), 1) if ok else None,
        "rps": round(ok / wall, 1) if wall > 0 else None,
        "seconds": round(wall, 1),
        "cache_hits": hits,
    }


BROWSER_ENCODING = "gzip, deflate, br"


class _Resources(HTMLParser):
    """What a browser fetches by itself when it loads a page: stylesheets, scripts,
    preloads, images, frames and media (not links a user follows, not rel=canonical or
    rel=alternate)."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []  # stylesheets, scripts, preloads (counted)
        self.media: list[str] = []  # images, frames, audio/video (not counted; hosts checked)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link":
            rel = set(a.get("rel", "").lower().split())
            if rel & {"stylesheet", "preload", "modulepreload"} and a.get("href"):
                self.assets.append(a["href"])
            elif rel & {"icon", "apple-touch-icon"} and a.get("href"):
                self.media.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag in {"img", "iframe", "video", "audio", "source", "embed"}:
            for name in ("src", "poster", "data"):
                if a.get(name):
                    self.media.append(a[name])
            for candidate in a.get("srcset", "").split(","):
                if candidate.strip():
                    self.media.append(candidate.split()[0])


_CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)|@import\s+[\"']([^\"']+)[\"']")
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico")


def fetch_full(
    port: int, path: str, headers: dict[str, str]
) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


def decoded(body: bytes, headers: http.client.HTTPMessage) -> bytes:
    encoding = (headers.get("Content-Encoding") or "").lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        try:
            import brotli  # type: ignore[import-not-found]

            return bytes(brotli.decompress(body))
        except ImportError:
            return b""
    return body


def first_load(port: int, path: str) -> dict[str, Any]:
    """Bytes a browser transfers for its first visit of ``path``: the HTML and every
    stylesheet, script (and what the stylesheets pull in: fonts, @import) it references
    on this server, as served with ``Accept-Encoding: gzip, deflate, br``; images are not
    counted. Response headers are counted too (roughly what goes over the wire)."""
    headers = {"Accept-Encoding": BROWSER_ENCODING, "Accept": "text/html"}
    status, body, response_headers = fetch_full(port, path, headers)
    result: dict[str, Any] = {"path": path, "status": status, "files": []}
    if status != 200:
        return result
    html = decoded(body, response_headers).decode("utf-8", "replace")
    result["html_headers"] = {
        name: response_headers.get(name)
        for name in (
            "Content-Encoding",
            "Cache-Control",
            "ETag",
            "Last-Modified",
            "Vary",
            "Set-Cookie",
        )
        if response_headers.get(name)
    }
    result["html_uncompressed"] = len(html.encode())
    result["html_gzip_if_compressed"] = len(gzip.compress(html.encode(), 6))

    def header_bytes(message: http.client.HTTPMessage) -> int:
        return sum(len(k) + len(v) + 4 for k, v in message.items()) + 17

    files = [("html", path, len(body), header_bytes(response_headers), response_headers)]
    seen = {path}
    parser = _Resources()
    parser.feed(html)
    queue = [urljoin(path, ref) for ref in parser.assets]
    own_hosts = {f"127.0.0.1:{port}", "127.0.0.1", "localhost"}
    third_party = [
        ref for ref in parser.media if urlsplit(urljoin(path, ref)).netloc not in {"", *own_hosts}
    ]
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in own_hosts:
            third_party.append(url)
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if local in seen or parts.path.lower().endswith(_IMAGE_EXTENSIONS):
            continue
        seen.add(local)
        code, data, message = fetch_full(port, local, {"Accept-Encoding": BROWSER_ENCODING})
        ctype = (message.get("Content-Type") or "").split(";")[0]
        if (
            code != 200
            or ctype.startswith("image/")
            or ctype
            in {
                "application/rss+xml",
                "application/atom+xml",
                "application/xml",
                "text/xml",
                "text/html",
            }
        ):
            # Feeds and alternate pages (rel=alternate) are not loaded by a browser.
            continue
        files.append((ctype, local, len(data), header_bytes(message), message))
        if ctype == "text/css":
            text = decoded(data, message).decode("utf-8", "replace")
            for a, b in _CSS_URL.findall(text):
                ref = a or b
                if not ref.startswith("data:"):
                    queue.append(urljoin(local, ref))
    for kind, url, size, head, message in files:
        result["files"].append(
            {
                "type": kind,
                "path": url,
                "bytes": size,
                "header_bytes": head,
                "encoding": message.get("Content-Encoding") or "identity",
            }
        )
    result["body_bytes"] = sum(f["bytes"] for f in result["files"])
    result["total_bytes"] = result["body_bytes"] + sum(f["header_bytes"] for f in result["files"])
    result["third_party"] = third_party
    return result


def scenario_clients(scenario: Scenario, args: argparse.Namespace) -> list[int]:
    return list(args.clients) if args.clients else list(scenario.clients)


def bench_target(
    target: Target, args: argparse.Namespace, scenarios: list[Scenario]
) -> dict[str, Any]:
    """Prepare, serve and measure one database. Never raises: failures are reported."""
    result: dict[str, Any] = {"db": target.name, "scenarios": {}, "errors": []}
    prep_file = VAR / f"prepare-{target.name}.json"
    prep_file.unlink(missing_ok=True)
    log(f"{target.name}: raw-SQL floor and API token (prepare.py)")
    env = dict(target.env)
    if args.skip_sql:
        env["BENCH_SKIP_SQL"] = "1"
    if args.only:
        env["BENCH_SCENARIOS"] = ",".join(s.key for s in scenarios)
    run_logged(
        [PYTHON, str(ROOT / "bench" / "prepare.py"), str(prep_file)],
        env,
        LOGS / f"{target.name}-prepare.log",
    )
    prep = json.loads(prep_file.read_text())
    prep_file.unlink()  # it holds the API token
    result["prepare"] = {k: v for k, v in prep.items() if k != "token"}
    result["errors"].extend(prep.get("errors", []))
    log(
        f"{target.name}: starting gunicorn ({SERVER_PROCESSES} processes x "
        f"{SERVER_THREADS} threads)"
    )
    server = Server(target.env, LOGS / f"{target.name}-server.log")
    try:
        cookies: dict[str, str] = {}
        for key, username in USERS.items():
            if not any(s.user == key for s in scenarios):
                continue
            try:
                cookies[key] = login(server.port, username, PASSWORD)
            except Exception as exc:
                result["errors"].append(f"log-in as {username}: {exc}")
        for scenario in scenarios:
            entry: dict[str, Any] = {"title": scenario.title, "runs": []}
            result["scenarios"][scenario.key] = entry
            headers = {"Accept": "text/html,application/json"}
            paths = scenario.paths
            if scenario.paths_from:
                paths = prep.get("paths", {}).get(scenario.paths_from) or []
                if not paths:
                    entry["missing"] = f"no {scenario.paths_from} in the data set"
                    continue
            if scenario.auth == "token":
                if not prep.get("token"):
                    entry["missing"] = "no API token"
                    continue
                headers["Authorization"] = f"Bearer {prep['token']}"
            elif scenario.auth == "anonymous":
                # What a browser sends; the server may compress (the cost is then measured).
                headers["Accept-Encoding"] = BROWSER_ENCODING
            else:
                if scenario.user not in cookies:
                    entry["missing"] = "log-in failed"
                    continue
                headers["Cookie"] = cookies[scenario.user]
            # Probe (at most 20 paths: the article scenario has hundreds; a non-200 during
            # the load is counted there).
            statuses = {path: probe(server.port, path, headers) for path in paths[:20]}
            bad = {p: s for p, (s, _n) in statuses.items() if s != 200}
            if bad:
                entry["missing"] = ", ".join(f"HTTP {s} {p}" for p, s in list(bad.items())[:3])
                log(f"{target.name}: {scenario.key}: {entry['missing']}")
                continue
            entry["bytes"] = round(statistics.mean(n for _s, n in statuses.values()))
            entry["paths"] = len(paths)
            load(
                server.port,
                paths,
                headers,
                1,
                args.warmup,
                10_000,
                min(len(paths), 20) * 2,
                bust=scenario.cache_bust,
            )
            for clients in scenario_clients(scenario, args):
                run = load(
                    server.port,
                    paths,
                    headers,
                    clients,
                    args.duration,
                    max_requests=args.max_requests * max(1, clients // 2),
                    min_requests=args.min_requests,
                    bust=scenario.cache_bust,
                )
                entry["runs"].append(run)
                log(
                    f"{target.name}: {scenario.key:30} c={clients:<3} n={run['ok']:<5} "
                    f"p50={run['p50_ms']} ms p95={run['p95_ms']} ms {run['rps']} req/s"
                    + (
                        f" errors={run['errors']} non-200={run['non_200']}"
                        if run["errors"] or run["non_200"]
                        else ""
                    )
                )
        articles = prep.get("paths", {}).get("articles") or []
        if "portal-article" in result["scenarios"] and articles:
            try:
                result["first_load"] = first_load(server.port, articles[0])
                log(
                    f"{target.name}: first load of {articles[0]}: "
                    f"{result['first_load'].get('total_bytes', 0) / 1024:.1f} KB"
                )
            except Exception as exc:
                result["errors"].append(f"first-load bytes: {exc!r}")
    finally:
        server.stop()
    return result


# --- report ---------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    info = {"Python": platform.python_version()}
    try:
        from importlib.metadata import version

        for dist in ("Django", "gunicorn", "psycopg", "whitenoise", "django-ninja"):
            try:
                info[dist] = version(dist)
            except Exception:
                info[dist] = "?"
    except ImportError:
        pass
    return info


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return "?"


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except Exception:
        return "?"


def fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}{suffix}"
    return f"{value}{suffix}"


def run_at(db: dict[str, Any], key: str, clients: int) -> dict[str, Any] | None:
    for run in db["scenarios"].get(key, {}).get("runs", []):
        if run["clients"] == clients:
            return run  # type: ignore[no-any-return]
    return None


def mark(value: float | None, target: float) -> str:
    if value is None:
        return ""
    return "✓" if value < target else "✗"


def p50_p95(run: dict[str, Any] | None) -> str:
    if not run or run.get("p95_ms") is None:
        return "—"
    return f"{fmt(run['p50_ms'])} / {fmt(run['p95_ms'])}"


def target_text(scenario: Scenario) -> str:
    if scenario.target_ms is None:
        return ""
    at = f" at {scenario.target_clients} clients" if scenario.target_clients else ""
    return f"p95 < {scenario.target_ms:.0f} ms{at}"


def portal_summary(report: dict[str, Any]) -> list[str]:
    """The issue-3 numbers in one table: a column per database."""
    dbs = [
        db for db in report["databases"] if any(k.startswith("portal-") for k in db["scenarios"])
    ]
    if not dbs:
        return []
    top = max(
        (
            c
            for db in dbs
            for run in db["scenarios"].get("portal-article", {}).get("runs", [])
            for c in [run["clients"]]
        ),
        default=ARTICLE_TARGET_CLIENTS,
    )
    lines = [
        "## Public portal (issue 3)",
        "",
        "p50 / p95 in milliseconds, anonymous clients; one column per database.",
        "",
        "| measure | " + " | ".join(db["db"] for db in dbs) + " | target |",
        "|---|" + "---:|" * len(dbs) + ":---|",
    ]

    def row(label: str, cells: list[str], target: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    def scenario_row(key: str, clients: int, label: str, target_ms: float | None = None) -> None:
        cells = []
        for db in dbs:
            run = run_at(db, key, clients)
            text = p50_p95(run)
            if target_ms is not None and run and run.get("p95_ms") is not None:
                text += " " + mark(run["p95_ms"], target_ms)
            if run and run.get("cache_hits") and run.get("ok"):
                text += f" ({100 * run['cache_hits'] / run['ok']:.0f} % cached)"
            if db["scenarios"].get(key, {}).get("missing"):
                text = "missing: " + db["scenarios"][key]["missing"]
            cells.append(text)
        row(label, cells, f"p95 < {target_ms:.0f} ms" if target_ms is not None else "")

    scenario_row("floor-public", 1, "framework floor, anonymous, 1 client")
    scenario_row("floor-public", top, f"framework floor, anonymous, {top} clients")
    scenario_row("portal-article", 1, "article page as served, 1 client")
    scenario_row(
        "portal-article",
        ARTICLE_TARGET_CLIENTS,
        f"**article page as served, {ARTICLE_TARGET_CLIENTS} clients**",
        ARTICLE_TARGET_MS,
    )
    scenario_row("portal-article-uncached", 1, "article page uncached (rendered), 1 client")
    scenario_row(
        "portal-article-uncached",
        ARTICLE_TARGET_CLIENTS,
        f"**article page uncached (rendered), {ARTICLE_TARGET_CLIENTS} clients**",
        ARTICLE_TARGET_MS,
    )
    scenario_row("portal-search", 1, "**search (uncached), 1 client**", SEARCH_TARGET_MS)
    scenario_row("portal-search", top, f"**search (uncached), {top} clients**", SEARCH_TARGET_MS)
    cells = []
    for db in dbs:
        fts = db.get("prepare", {}).get("fts_floor", {})
        cells.append(
            f"{fts['p50_ms']:.1f} / {fts['p95_ms']:.1f}"
            if "p95_ms" in fts
            else ("error: " + fts.get("error", "not measured"))[:80]
        )
    row("raw full-text query (search floor), on the cursor", cells)
    cells = []
    for db in dbs:
        fts = db.get("prepare", {}).get("fts_floor", {})
        run = run_at(db, "portal-search", 1)
        if "p95_ms" in fts and run and run.get("p95_ms") and fts["p95_ms"] > 0:
            cells.append(f"{run['p95_ms'] / fts['p95_ms']:.1f}")
        else:
            cells.append("—")
    row("search p95 ÷ raw full-text p95 (1 client)", cells)
    scenario_row("portal-home", 1, "portal home `/` as served, 1 client")
    scenario_row("portal-home", top, f"portal home `/` as served, {top} clients")
    scenario_row("portal-unit-home", 1, "unit home as served, 1 client")
    scenario_row("portal-unit-home", top, f"unit home as served, {top} clients")
    scenario_row("portal-unit-home-uncached", 1, "unit home uncached, 1 client")
    scenario_row("portal-unit-home-uncached", top, f"unit home uncached, {top} clients")
    scenario_row("portal-feed", 1, "feed generation `/feed/`, 1 client")
    scenario_row("portal-feed", top, f"feed generation `/feed/`, {top} clients")
    scenario_row("portal-unit-feed", 1, "unit feed generation, 1 client")
    scenario_row("portal-unit-feed", top, f"unit feed generation, {top} clients")
    cells = []
    for db in dbs:
        first = db.get("first_load")
        if not first or "total_bytes" not in first:
            cells.append("—")
            continue
        kb = first["total_bytes"] / 1024
        cells.append(f"{kb:.1f} KB {mark(kb, FIRST_LOAD_BUDGET_KB)}")
    row(
        "article first load: HTML + CSS + JS (+ fonts), as transferred, no images",
        cells,
        f"< {FIRST_LOAD_BUDGET_KB:.0f} KB",
    )
    lines.append("")
    for db in dbs:
        first = db.get("first_load")
        if first and first.get("files"):
            parts = ", ".join(
                (
                    "HTML"
                    if f["type"] == "html"
                    else f"`{f['path'].split('?')[0].rsplit('/', 1)[-1]}`"
                )
                + f" {f['bytes'] / 1024:.1f} KB ({f['encoding']})"
                for f in first["files"]
            )
            head = first.get("html_headers", {})
            lines.append(
                f"- {db['db']} first load of `{first['path']}`: {parts}; headers "
                f"{sum(f['header_bytes'] for f in first['files']) / 1024:.1f} KB. HTML "
                f"{first['html_uncompressed'] / 1024:.1f} KB uncompressed, "
                f"{first['html_gzip_if_compressed'] / 1024:.1f} KB if gzipped. HTML response "
                "headers: "
                + "; ".join(f"`{k}: {v}`" for k, v in head.items())
                + (
                    f". Third-party references: {first['third_party']}"
                    if first["third_party"]
                    else ". No third-party reference."
                )
            )
    for db in dbs:
        fts = db.get("prepare", {}).get("fts_floor", {})
        if "p95_ms" in fts:
            per_term = ", ".join(
                f"`{t}` {ms:.1f} ms ({fts['rows'].get(t, 0)} rows"
                + (f", {fts['matches'][t]:,} matches" if t in fts.get("matches", {}) else "")
                + ")"
                for t, ms in fts["per_term_p50_ms"].items()
            )
            lines.append(
                f"- {db['db']} raw full-text query ({fts['query']}; {fts['samples']} runs): "
                f"p50 per term: {per_term}. Statement: `{fts['sql'][:400]}`"
            )
    lines.append("")
    return lines


def render(report: dict[str, Any]) -> str:
    lines = [
        "# Bakohumas benchmark",
        "",
        f"Run {report['started']} (UTC), {report['total_seconds']:.0f} s in all; "
        f"scale `{report['scale']}`, seed {report['seed']}; "
        f"{report['duration']:.0f} s per run (at least {report['min_requests']} requests), "
        f"warm-up {report['warmup']:.0f} s"
        + (f"; only `{report['only']}`" if report.get("only") else "; every scenario")
        + ".",
        "",
        "## Environment",
        "",
        f"- machine: {report['cpu_count']} CPU ({report['cpu_model']}), {report['memory']} RAM, "
        f"{report['os']}; load average at start {report['load_start']}, "
        f"at end {report['load_end']}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        f"- code: git {report['git']}",
        f"- server: gunicorn (gthread), {SERVER_PROCESSES} processes x {SERVER_THREADS} threads, "
        "DEBUG=0, static files "
        "by WhiteNoise; clients: Python threads with keep-alive `http.client` connections "
        "on the same machine (they share the CPUs with the server and the database)",
        "",
    ]
    for db in report["databases"]:
        prep = db.get("prepare", {})
        counts = prep.get("counts", {})
        gen = db.get("generation_seconds")
        lines.append(
            f"- **{db['db']}** ({prep.get('db_version', '?')}): "
            + ", ".join(f"{v:,} {k}" for k, v in counts.items())
            + "; set-up "
            + (f"{db.get('setup_seconds', 0):.0f} s" if "setup_seconds" in db else "?")
            + (f" (generation {gen:.0f} s)" if gen else " (data set from cache)")
        )
        for error in db.get("errors", []):
            lines.append(f"  - problem: {error}")
    lines.append("")
    lines += dissemination.render(report.get("dissemination") or {})
    lines += inbox.render(report.get("inbox") or {})
    if not report["databases"]:  # --only dissemination / inbox
        return "\n".join(lines)
    lines += portal_summary(report)
    lines += [
        "## Results",
        "",
        f"p50/p95 in milliseconds. Targets (✓/✗): staff lists and searches p95 < "
        f"{TARGET_P95_MS:.0f} ms; portal article p95 < {ARTICLE_TARGET_MS:.0f} ms at "
        f"{ARTICLE_TARGET_CLIENTS} clients; portal search p95 < {SEARCH_TARGET_MS:.0f} ms. "
        "*x floor* is the page's p95 divided by its framework floor's p95 (the anonymous "
        "floor for the portal) at the same concurrency on the same database. *SQL* is the "
        "raw-SQL floor: the page's own statements run directly on the database cursor, "
        "one client (median). *KB* is the mean response body as served. *cached* is the "
        "share of responses the portal's page cache answered.",
        "",
        "| scenario | db | clients | requests | p50 ms | p95 ms | req/s | x floor "
        "| SQL ms (queries) | KB | cached | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for db in report["databases"]:
        for key, entry in db["scenarios"].items():
            scenario = SCENARIOS_BY_KEY[key]
            floors = {
                run["clients"]: run["p95_ms"]
                for run in db["scenarios"].get(scenario.floor_key, {}).get("runs", [])
            }
            sql = db.get("prepare", {}).get("sql_floor", {}).get(key, {})
            sql_text = (
                f"{sql['sql_p50_ms']:.1f} ({sql['queries']:g})" if "sql_p50_ms" in sql else "—"
            )
            if entry.get("missing"):
                lines.append(
                    f"| {entry['title']} | {db['db']} | — | — | — | — | — | — | — | — | — | "
                    f"missing: {entry['missing']} |"
                )
                continue
            for index, run in enumerate(entry["runs"]):
                floor = floors.get(run["clients"])
                ratio = (
                    f"{run['p95_ms'] / floor:.1f}"
                    if floor and run["p95_ms"] is not None and not scenario.floor
                    else "—"
                )
                judged = scenario.target_clients in (None, run["clients"])
                if scenario.target_ms is None or run["p95_ms"] is None or not judged:
                    cell = ""
                else:
                    cell = mark(run["p95_ms"], scenario.target_ms)
                problems = ""
                if run["errors"] or run["non_200"]:
                    problems = f" ({run['errors']} errors, non-200: {run['non_200']})"
                size = f"{entry['bytes'] / 1024:.1f}" if index == 0 and "bytes" in entry else ""
                cached = (
                    f"{100 * run.get('cache_hits', 0) / run['ok']:.0f} %"
                    if run["ok"] and scenario.auth == "anonymous"
                    else ""
                )
                lines.append(
                    f"| {entry['title']} | {db['db']} | {run['clients']} | {run['ok']}{problems} | "
                    f"{fmt(run['p50_ms'])} | {fmt(run['p95_ms'])} | {fmt(run['rps'])} | {ratio} | "
                    f"{sql_text if index == 0 else ''} | {size} | {cached} | {cell} |"
                )
    lines += ["", "## Search terms and slowest statements", ""]
    lines.append(
        "Searches cycle through these terms: "
        + "; ".join(
            f"{s.title}: " + ", ".join(f"`{p.split('?', 1)[1]}`" for p in s.paths)
            for s in SCENARIOS
            if s.paths and "?" in s.paths[0] and s.user in {"national", None}
        )
    )
    lines.append("")
    for db in report["databases"]:
        for key, sql in db.get("prepare", {}).get("sql_floor", {}).items():
            if "slowest_sql" in sql:
                lines.append(
                    f"- {db['db']} · {key}: slowest statement {sql['slowest_ms']:.1f} ms: "
                    f"`{sql['slowest_sql'][:500]}`"
                )
            elif sql.get("error"):
                lines.append(f"- {db['db']} · {key}: SQL floor not measured: {sql['error']}")
    plans = [
        (db["db"], key, sql["plan"])
        for db in report["databases"]
        for key, sql in db.get("prepare", {}).get("sql_floor", {}).items()
        if sql.get("plan")
    ]
    plans += [
        (db["db"], "raw full-text query", db["prepare"]["fts_floor"]["plan"])
        for db in report["databases"]
        if db.get("prepare", {}).get("fts_floor", {}).get("plan")
    ]
    if plans:
        lines += ["", "## Plans of the portal's slowest statements", ""]
        for name, key, plan in plans:
            lines += [f"{name} · {key}:", "", "```", plan.strip()[:3000], "```", ""]
    lines += [
        "",
        "Raw data: `bench/results/latest.json`. Logs of the run: `var/bench/logs/`.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument("--scale", default="national", choices=["national", "small"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--clients",
        default="",
        help="concurrency levels for every scenario (default: each scenario's own, "
        "1,10 for the staff pages and 1,20 for the portal)",
    )
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=1.5, help="warm-up seconds per scenario")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=300,
        help="cap per run at 1 client (scaled up for more clients)",
    )
    parser.add_argument(
        "--min-requests",
        type=int,
        default=20,
        help="each run goes on past --duration (up to 2.5 times) until it has this many",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenario keys or tags (portal, staff, dissemination, inbox); "
        "default all",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="dissemination: 1,000 emails and 10,000 deliveries instead of 10,000 and "
        "100,000; inbox: 200 webhook messages and 15 requests per page",
    )
    parser.add_argument(
        "--inbox-requests", type=int, default=40, help="inbox: requests per page (p50/p95)"
    )
    parser.add_argument("--skip-sql", action="store_true", help="skip the raw-SQL floor")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="regenerate the data sets and delete them afterwards",
    )
    parser.add_argument("--keep", action="store_true", help=f"keep the {PG_DB} database")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/")
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    wanted = {d.strip().lower() for d in args.db.split(",") if d.strip()}
    wanted = {"postgresql" if d in {"pg", "postgres"} else d for d in wanted}
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    with_dissemination = not names or "dissemination" in names
    with_inbox = not names or "inbox" in names
    args.only = ",".join(n for n in names if n not in {"dissemination", "inbox"})
    try:
        scenarios = select(args.only) if args.only or not names else []
    except ValueError as exc:
        parser.error(str(exc))

    total_started = time.monotonic()
    started = datetime.now(UTC)
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in LOGS.glob("*.log"):
        old.unlink()
    key = dataset_key(args.scale, args.seed)
    report: dict[str, Any] = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "scale": args.scale,
        "seed": args.seed,
        "duration": args.duration,
        "warmup": args.warmup,
        "min_requests": args.min_requests,
        "clients": args.clients,
        "only": ",".join(names),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory": memory_gb(),
        "os": platform.platform(terse=True),
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "versions": versions(),
        "git": git_revision(),
        "databases": [],
    }

    targets: list[Target] = []
    inbox_report: dict[str, Any] = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "load_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "databases": [],
    }
    if scenarios or with_inbox:
        log("collectstatic (DEBUG=0 serves the hashed files through WhiteNoise)")
        static_env = base_env()
        static_env["BAKOHUMAS_VAR_DIR"] = str(VAR)
        manage(static_env, LOGS / "collectstatic.log", "collectstatic", "--no-input", "-v", "0")
        if "sqlite" in wanted:
            targets.append(SQLiteTarget("sqlite", base_env()))
        if "postgresql" in wanted:
            targets.append(PostgresTarget("postgresql", base_env()))
    for target in targets:
        db_result: dict[str, Any] = {"db": target.name, "scenarios": {}, "errors": []}
        try:
            if target.name == "postgresql":
                try:
                    pg_databases()
                except Exception as exc:
                    raise RuntimeError(
                        f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}"
                    ) from exc
            target.setup(args, key)
            if scenarios:
                db_result = bench_target(target, args, scenarios)
            if with_inbox:
                try:
                    measured = inbox.run_database(
                        target.name,
                        target.env,
                        logs=LOGS,
                        log=log,
                        requests=15 if args.quick else args.inbox_requests,
                        hook_messages=200 if args.quick else 1000,
                    )
                except Exception as exc:
                    measured = {"db": target.name, "errors": [f"inbox: {exc}"]}
                measured["generation_seconds"] = target.generation_seconds
                measured["setup_seconds"] = round(target.setup_seconds, 1)
                inbox_report["databases"].append(measured)
        except Exception as exc:
            log(f"{target.name}: FAILED: {exc}")
            db_result["errors"].append(str(exc))
        finally:
            target.cleanup(args)
        db_result["generation_seconds"] = target.generation_seconds
        db_result["setup_seconds"] = target.setup_seconds
        db_result["notes"] = target.notes
        if scenarios:
            report["databases"].append(db_result)
        elif db_result["errors"] and with_inbox:
            inbox_report["databases"].append({"db": target.name, "errors": db_result["errors"]})
    if with_inbox:
        inbox_report["load_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        report["inbox"] = inbox_report

    if with_dissemination:
        report["dissemination"] = dissemination.run(
            base_env(),
            [d for d in ("sqlite", "postgresql") if d in wanted],
            quick=args.quick,
            var=VAR,
            logs=LOGS,
            pg_base=f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}",
            log=log,
        )

    report["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report["total_seconds"] = time.monotonic() - total_started
    text = render(report)
    print()
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%d-%H%M%S")
        latest, raw = RESULTS / "latest.md", RESULTS / "latest.json"
        if scenarios or not latest.exists():
            latest.write_text(text)
            raw.write_text(json.dumps(report, indent=2, default=str))
        else:  # --only dissemination / inbox: refresh those sections, keep the others
            current = latest.read_text()
            previous = json.loads(raw.read_text()) if raw.exists() else {}
            if with_dissemination:
                section = "\n".join(dissemination.render(report["dissemination"]))
                current = dissemination.splice(current, section)
                previous["dissemination"] = report["dissemination"]
            if with_inbox:
                current = inbox.splice(current, "\n".join(inbox.render(report["inbox"])))
                previous["inbox"] = report["inbox"]
            latest.write_text(current)
            raw.write_text(json.dumps(previous, indent=2, default=str))
        part = "inbox" if with_inbox and not with_dissemination else "dissemination"
        name = f"{stamp}-{args.scale if scenarios else part}.md"
        (RESULTS / name).write_text(text)
        log(f"written bench/results/latest.md and bench/results/{name}")
    log(f"total {report['total_seconds']:.0f} s")
    dbs = (
        report["databases"]
        + (report.get("dissemination") or {}).get("databases", [])
        + (report.get("inbox") or {}).get("databases", [])
    )
    return 0 if all(not db["errors"] for db in dbs) else 1


if __name__ == "__main__":
    sys.exit(main())
