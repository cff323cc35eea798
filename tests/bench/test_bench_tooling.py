"""The benchmark's own logic: scenario selection, what counts as an article's first load,
the rendering of the portal summary. (The load generator itself runs in ``make bench``.)"""

from __future__ import annotations

import gzip
import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench import run
from bench.scenarios import (
    ARTICLE_TARGET_CLIENTS,
    PORTAL_CLIENTS,
    SCENARIOS,
    SCENARIOS_BY_KEY,
    select,
)


def test_only_portal_selects_the_portal_scenarios_and_their_floors() -> None:
    keys = [s.key for s in select("portal")]
    assert keys[:2] == ["floor", "floor-public"]
    assert {"portal-home", "portal-article", "portal-search", "portal-feed"} <= set(keys)
    assert not any(k.startswith(("org-", "contact-", "api-")) for k in keys)
    for key in keys:
        scenario = SCENARIOS_BY_KEY[key]
        if key.startswith("portal-"):
            assert scenario.auth == "anonymous"
            assert scenario.clients == PORTAL_CLIENTS
            assert scenario.floor_key == "floor-public"
    assert ARTICLE_TARGET_CLIENTS in SCENARIOS_BY_KEY["floor"].clients


def test_selection_by_key_brings_its_floor_and_everything_by_default() -> None:
    assert [s.key for s in select("portal-search")] == ["floor-public", "portal-search"]
    assert [s.key for s in select("contact-list-national")] == ["floor", "contact-list-national"]
    assert select("") == SCENARIOS
    with pytest.raises(ValueError, match="nope"):
        select("portal,nope")


def test_article_target_is_judged_at_twenty_clients_only() -> None:
    article = SCENARIOS_BY_KEY["portal-article"]
    assert article.target_ms == 50 and article.target_clients == 20
    assert article.paths_from == "articles" and not article.paths
    assert SCENARIOS_BY_KEY["portal-search"].target_ms == 100


PAGE = b"""<!doctype html><html lang="id"><head>
<link rel="canonical" href="https://portal.example.id/satker/64/konten/a/">
<link rel="alternate" type="application/rss+xml" href="/feed/">
<link rel="stylesheet" href="/static/site.css">
<link rel="icon" href="/static/favicon.png">
<script src="/static/app.js" defer></script>
</head><body><img src="https://tracker.example.com/pixel.gif" alt="">
<a href="/satker/64/">home</a></body></html>"""
CSS = b"@font-face{src:url('font.woff2')} body{background:url(bg.png)}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        files = {
            "/page/": ("text/html", PAGE),
            "/static/site.css": ("text/css", CSS),
            "/static/app.js": ("text/javascript", b"console.log(1)" * 10),
            "/static/font.woff2": ("font/woff2", b"F" * 500),
            "/feed/": ("application/rss+xml", b"<rss/>" * 100),
        }
        ctype, body = files.get(self.path, ("text/plain", b""))
        status = 200 if self.path in files else 404
        if "gzip" in self.headers.get("Accept-Encoding", "") and ctype != "font/woff2":
            body = gzip.compress(body)
            self.send_response(status)
            self.send_header("Content-Encoding", "gzip")
        else:
            self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield int(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


def test_first_load_counts_html_css_js_and_fonts_as_transferred_but_not_images(
    server: int,
) -> None:
    result = run.first_load(server, "/page/")
    paths = [f["path"] for f in result["files"]]
    assert paths == ["/page/", "/static/site.css", "/static/app.js", "/static/font.woff2"]
    sizes = {f["path"]: f["bytes"] for f in result["files"]}
    assert sizes["/page/"] == len(gzip.compress(PAGE))  # as transferred (compressed)
    assert sizes["/static/font.woff2"] == 500
    assert result["body_bytes"] == sum(sizes.values())
    assert result["total_bytes"] > result["body_bytes"]  # headers counted too
    assert result["html_uncompressed"] == len(PAGE)
    # The image on another host is a request to a third party; canonical is not.
    assert result["third_party"] == ["https://tracker.example.com/pixel.gif"]


def test_first_load_of_a_missing_page_reports_its_status(server: int) -> None:
    assert run.first_load(server, "/nothing/")["status"] == 404


def test_the_report_renders_the_portal_summary_with_targets() -> None:
    def runs(*values: tuple[int, float, float], hits: int = 0) -> dict[str, Any]:
        return {
            "runs": [
                {
                    "clients": c,
                    "ok": 100,
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "rps": 10.0,
                    "errors": 0,
                    "non_200": {},
                    "cache_hits": hits,
                }
                for c, p50, p95 in values
            ],
            "title": "t",
            "bytes": 2048,
        }

    db = {
        "db": "sqlite",
        "scenarios": {
            "floor-public": runs((1, 1.0, 2.0), (20, 5.0, 10.0)),
            "portal-article": runs((1, 10.0, 20.0), (20, 30.0, 60.0), hits=40),
            "portal-search": runs((1, 40.0, 80.0), (20, 90.0, 150.0)),
        },
        "prepare": {
            "fts_floor": {
                "p50_ms": 5.0,
                "p95_ms": 8.0,
                "per_term_p50_ms": {"pemilu": 5.0},
                "rows": {"pemilu": 20},
                "matches": {"pemilu": 1234},
                "query": "FTS5",
                "samples": 3,
                "sql": "SELECT rowid FROM content_fts",
            },
            "sql_floor": {},
        },
        "first_load": {
            "path": "/a/",
            "total_bytes": 20 * 1024,
            "files": [],
            "html_headers": {},
            "html_uncompressed": 1,
            "html_gzip_if_compressed": 1,
            "third_party": [],
        },
    }
    report = {
        "started": "now",
        "total_seconds": 1.0,
        "scale": "small",
        "seed": 1,
        "duration": 1.0,
        "min_requests": 1,
        "warmup": 1.0,
        "only": "portal",
        "cpu_count": 2,
        "cpu_model": "x",
        "memory": "1 GB",
        "os": "linux",
        "load_start": "0",
        "load_end": "0",
        "versions": {},
        "git": "abc",
        "databases": [db],
    }
    text = run.render(report)
    assert (
        "| **article page as served, 20 clients** | 30.0 / 60.0 ✗ (40 % cached) | p95 < 50 ms |"
        in text
    )
    assert "| **search (uncached), 1 client** | 40.0 / 80.0 ✓ | p95 < 100 ms |" in text
    assert "| search p95 ÷ raw full-text p95 (1 client) | 10.0 |" in text
    assert "20.0 KB ✓" in text
    assert "`pemilu` 5.0 ms (20 rows, 1,234 matches)" in text
    # In the detailed table the article target is judged at 20 clients only.
    article_rows = [line for line in text.splitlines() if line.startswith("| t | sqlite |")]
    assert any(row.endswith("| 40 % | ✗ |") and "| 20 |" in row for row in article_rows)


def test_cache_busting_makes_every_request_unique_and_hits_are_counted(server: int) -> None:
    assert run.busted("/cari/?q=pemilu", 7) == f"/cari/?q=pemilu&_bench={run._BUST_RUN}7"
    assert run.busted("/feed/", 8) == f"/feed/?_bench={run._BUST_RUN}8"
    assert len({run.busted("/feed/") for _ in range(100)}) == 100
    uncached = [s for s in SCENARIOS if s.cache_bust]
    assert {s.key for s in uncached} >= {"portal-search", "portal-feed", "portal-article-uncached"}
    assert not SCENARIOS_BY_KEY["portal-article"].cache_bust
    # The test server knows only /page/ exactly: busted paths are other URLs (404 here).
    result = run.load(server, ["/page/"], {}, 2, 0.2, 20, 4, bust=True)
    assert result["ok"] == 0 and result["non_200"] == {"404": result["requests"]}
    result = run.load(server, ["/page/"], {}, 2, 0.2, 20, 4)
    assert result["ok"] == result["requests"] > 0 and result["cache_hits"] == 0


def test_http_client_is_what_the_load_generator_uses() -> None:
    # The load generator must stay standard library only (no Django in the clients).
    assert run.http.client is http.client
