"""What the benchmark measures: one place, read by ``run.py`` and ``prepare.py``.

No Django import here: the load generator in ``run.py`` is plain standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote_plus

# Generated accounts (see generate_dataset): coordinators of KPU RI and of KPU Provinsi
# Kalimantan Timur (10 kab/kota under it).
USERS = {"national": "gen.00.2", "province": "gen.64.2"}
PASSWORD = "bakohumas-dataset"

#: p95 target for the staff lists and searches, in milliseconds.
TARGET_P95_MS = 150.0
#: Issue 3: an article page p95 under 50 ms at 20 concurrent clients.
ARTICLE_TARGET_MS = 50.0
ARTICLE_TARGET_CLIENTS = 20
#: Issue 3: a portal search p95 under 100 ms.
SEARCH_TARGET_MS = 100.0
#: Issue 3: an article's first load (HTML + CSS + JS, as transferred, no images).
FIRST_LOAD_BUDGET_KB = 150.0

#: Concurrency of the staff scenarios (``--clients`` overrides every scenario).
STAFF_CLIENTS = (1, 10)
#: Concurrency of the public portal scenarios (the issue asks for 1 and 20).
PORTAL_CLIENTS = (1, 20)

ORG_TERMS = ["bawaslu", "universitas", "radio suara", "samarinda"]
CONTACT_TERMS = ["budi", "siti rahman", "wijaya", "0812 345"]
# Portal search terms, from very common to rare in the generated content: "pemilu" is in
# most items, "daftar pemilih" and "rekapitulasi suara" in many, "hoaks" in the hoax
# clarifications and a few others, a city name and a two-word phrase in few.
PORTAL_TERMS = [
    "pemilu",
    "daftar pemilih",
    "rekapitulasi suara",
    "hoaks",
    "samarinda",
    "pemilih disabilitas",
]
# Unit homes: a province (with its kab/kota), a city, a regency and KPU RI (with the
# provinces). These exist at both scales.
PORTAL_UNITS = ["64", "64.72", "64.03", "00"]
# How many different published items the article scenario rotates over (chosen by
# prepare.py, spread over units and forms).
ARTICLE_SAMPLE = 500


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    user: str | None  # a key of USERS; None for anonymous (public) pages
    paths: list[str]  # requests cycle through these
    auth: str = "session"  # "session" (cookie), "token" (Bearer) or "anonymous"
    target_ms: float | None = TARGET_P95_MS
    #: The target is judged only at this concurrency (None: at every one).
    target_clients: int | None = None
    floor: bool = False
    #: The floor scenario this one is compared with (x floor).
    floor_key: str = "floor"
    clients: tuple[int, ...] = STAFF_CLIENTS
    #: Paths chosen from the data by prepare.py (e.g. "articles") instead of ``paths``.
    paths_from: str | None = None
    #: Add a unique dummy parameter to every request, so no page cache answers it: what
    #: rendering costs (the portal caches public pages for 60 s per process).
    cache_bust: bool = False
    tags: list[str] = field(default_factory=list)


ORGS = "/app/stakeholders/organisations/"
CONTACTS = "/app/stakeholders/contacts/"
API_CONTACTS = "/api/v1/contacts"
PORTAL = ["portal"]
STAFF = ["staff"]


def _q(base: str, terms: list[str]) -> list[str]:
    return [f"{base}?q={quote_plus(t)}" for t in terms]


SCENARIOS: list[Scenario] = [
    Scenario(
        "floor",
        "framework floor (bare view)",
        "national",
        ["/bench/floor"],
        target_ms=None,
        floor=True,
        clients=(1, 10, 20),
        tags=STAFF + PORTAL,
    ),
    Scenario(
        "floor-public",
        "framework floor, anonymous (bare view)",
        None,
        ["/bench/floor-public"],
        auth="anonymous",
        target_ms=None,
        floor=True,
        clients=PORTAL_CLIENTS,
        tags=PORTAL,
    ),
    Scenario(
        "org-list-national", "organisation list, national user", "national", [ORGS], tags=STAFF
    ),
    Scenario(
        "org-list-province", "organisation list, province user", "province", [ORGS], tags=STAFF
    ),
    Scenario(
        "org-search-national",
        "organisation search, national user",
        "national",
        _q(ORGS, ORG_TERMS),
        tags=STAFF,
    ),
    Scenario(
        "org-search-province",
        "organisation search, province user",
        "province",
        _q(ORGS, ORG_TERMS),
        tags=STAFF,
    ),
    Scenario(
        "contact-list-national",
        "contact list, national user",
        "national",
        [CONTACTS],
        tags=STAFF,
    ),
    Scenario(
        "contact-list-province",
        "contact list, province user",
        "province",
        [CONTACTS],
        tags=STAFF,
    ),
    Scenario(
        "contact-search-national",
        "contact search, national user",
        "national",
        _q(CONTACTS, CONTACT_TERMS),
        tags=STAFF,
    ),
    Scenario(
        "contact-search-province",
        "contact search, province user",
        "province",
        _q(CONTACTS, CONTACT_TERMS),
        tags=STAFF,
    ),
    Scenario(
        "api-contacts-national",
        "API contacts list, national token",
        "national",
        [API_CONTACTS],
        auth="token",
        tags=STAFF,
    ),
    Scenario(
        "api-contacts-search-national",
        "API contacts search, national token",
        "national",
        _q(API_CONTACTS, CONTACT_TERMS),
        auth="token",
        tags=STAFF,
    ),
    # --- the public portal (issue 3): anonymous, at 1 and 20 clients --------------------
    # "as served": what visitors get, the portal's page cache included (the report shows
    # the share of cache hits); "uncached": every request unique, so the page is rendered.
    Scenario(
        "portal-home",
        "portal home `/`, as served",
        None,
        ["/"],
        auth="anonymous",
        target_ms=None,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        tags=PORTAL,
    ),
    Scenario(
        "portal-unit-home",
        "portal unit home `/satker/<code>/`, as served",
        None,
        [f"/satker/{code}/" for code in PORTAL_UNITS],
        auth="anonymous",
        target_ms=None,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        tags=PORTAL,
    ),
    Scenario(
        "portal-unit-home-uncached",
        "portal unit home, uncached",
        None,
        [f"/satker/{code}/" for code in PORTAL_UNITS],
        auth="anonymous",
        target_ms=None,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        cache_bust=True,
        tags=PORTAL,
    ),
    Scenario(
        "portal-article",
        f"portal article ({ARTICLE_SAMPLE} items), as served",
        None,
        [],
        auth="anonymous",
        target_ms=ARTICLE_TARGET_MS,
        target_clients=ARTICLE_TARGET_CLIENTS,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        paths_from="articles",
        tags=PORTAL,
    ),
    Scenario(
        "portal-article-uncached",
        f"portal article ({ARTICLE_SAMPLE} items), uncached",
        None,
        [],
        auth="anonymous",
        target_ms=ARTICLE_TARGET_MS,
        target_clients=ARTICLE_TARGET_CLIENTS,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        paths_from="articles",
        cache_bust=True,
        tags=PORTAL,
    ),
    Scenario(
        "portal-search",
        "portal search `/cari/?q=`, uncached",
        None,
        _q("/cari/", PORTAL_TERMS),
        auth="anonymous",
        target_ms=SEARCH_TARGET_MS,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        # Real searches are a long tail of different queries: a cache of six terms would
        # measure the cache, not the search.
        cache_bust=True,
        tags=PORTAL,
    ),
    Scenario(
        "portal-feed",
        "portal feed `/feed/`, generation (uncached)",
        None,
        ["/feed/"],
        auth="anonymous",
        target_ms=None,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        cache_bust=True,
        tags=PORTAL,
    ),
    Scenario(
        "portal-unit-feed",
        "portal unit feed `/satker/<code>/feed/`, generation (uncached)",
        None,
        [f"/satker/{code}/feed/" for code in PORTAL_UNITS],
        auth="anonymous",
        target_ms=None,
        floor_key="floor-public",
        clients=PORTAL_CLIENTS,
        cache_bust=True,
        tags=PORTAL,
    ),
]

SCENARIOS_BY_KEY = {s.key: s for s in SCENARIOS}


def select(only: str) -> list[Scenario]:
    """The scenarios named by ``--only``: comma-separated keys or tags (``portal``,
    ``staff``); empty means all. The floors the chosen scenarios compare with come too."""
    names = [n.strip() for n in only.split(",") if n.strip()]
    if not names:
        return list(SCENARIOS)
    unknown = [
        n for n in names if n not in SCENARIOS_BY_KEY and not any(n in s.tags for s in SCENARIOS)
    ]
    if unknown:
        raise ValueError(f"unknown scenario or tag: {', '.join(unknown)}")
    chosen = [s for s in SCENARIOS if s.key in names or any(n in s.tags for n in names)]
    floors = {s.floor_key for s in chosen if not s.floor}
    return [s for s in SCENARIOS if s in chosen or s.key in floors]
