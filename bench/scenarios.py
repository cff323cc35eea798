"""What the benchmark measures: one place, read by ``run.py`` and ``prepare.py``.

No Django import here: the load generator in ``run.py`` is plain standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Generated accounts (see generate_dataset): coordinators of KPU RI and of KPU Provinsi
# Kalimantan Timur (10 kab/kota under it).
USERS = {"national": "gen.00.2", "province": "gen.64.2"}
PASSWORD = "bakohumas-dataset"

#: p95 target for lists and searches, in milliseconds.
TARGET_P95_MS = 150.0

ORG_TERMS = ["bawaslu", "universitas", "radio suara", "samarinda"]
CONTACT_TERMS = ["budi", "siti rahman", "wijaya", "0812 345"]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    user: str  # a key of USERS
    paths: list[str]  # requests cycle through these
    auth: str = "session"  # "session" (cookie) or "token" (Authorization: Bearer)
    target_ms: float | None = TARGET_P95_MS
    floor: bool = False
    tags: list[str] = field(default_factory=list)


ORGS = "/app/stakeholders/organisations/"
CONTACTS = "/app/stakeholders/contacts/"
API_CONTACTS = "/api/v1/contacts"


def _q(base: str, terms: list[str]) -> list[str]:
    from urllib.parse import quote_plus

    return [f"{base}?q={quote_plus(t)}" for t in terms]


SCENARIOS: list[Scenario] = [
    Scenario(
        "floor",
        "framework floor (bare view)",
        "national",
        ["/bench/floor"],
        target_ms=None,
        floor=True,
    ),
    Scenario("org-list-national", "organisation list, national user", "national", [ORGS]),
    Scenario("org-list-province", "organisation list, province user", "province", [ORGS]),
    Scenario(
        "org-search-national", "organisation search, national user", "national", _q(ORGS, ORG_TERMS)
    ),
    Scenario(
        "org-search-province", "organisation search, province user", "province", _q(ORGS, ORG_TERMS)
    ),
    Scenario("contact-list-national", "contact list, national user", "national", [CONTACTS]),
    Scenario("contact-list-province", "contact list, province user", "province", [CONTACTS]),
    Scenario(
        "contact-search-national",
        "contact search, national user",
        "national",
        _q(CONTACTS, CONTACT_TERMS),
    ),
    Scenario(
        "contact-search-province",
        "contact search, province user",
        "province",
        _q(CONTACTS, CONTACT_TERMS),
    ),
    Scenario(
        "api-contacts-national",
        "API contacts list, national token",
        "national",
        [API_CONTACTS],
        auth="token",
    ),
    Scenario(
        "api-contacts-search-national",
        "API contacts search, national token",
        "national",
        _q(API_CONTACTS, CONTACT_TERMS),
        auth="token",
    ),
]
