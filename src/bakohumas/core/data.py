"""Loading the work-unit tree from the region data file shipped in the package."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from bakohumas.core.models import Level, UnitKind, WorkUnit

NATIONAL_CODE = "00"
KALTIM_CODE = "64"
ACEH_CODE = "11"

# Province code → IANA zone. Everything not listed is WIB (Asia/Jakarta).
WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str


def read_regions() -> list[Region]:
    data = resources.files("bakohumas") / "data" / "wilayah-provinsi-kabkota.csv"
    with data.open(encoding="utf-8") as fh:
        return [
            Region(
                code=row["code"].strip(),
                name=" ".join(row["name"].split()),
                level=row["level"].strip(),
                parent_code=row["parent_code"].strip(),
            )
            for row in csv.DictReader(fh)
        ]


def zone_for(province_code: str) -> str:
    if province_code in WITA_PROVINCES:
        return "Asia/Makassar"
    if province_code in WIT_PROVINCES:
        return "Asia/Jayapura"
    return "Asia/Jakarta"


def unit_name(region: Region) -> tuple[str, str]:
    """Official name and kind (KPU/KIP) of the work unit of ``region``."""
    province_code = region.code.split(".")[0]
    kind = UnitKind.KIP if province_code == ACEH_CODE else UnitKind.KPU
    if region.level == "province":
        if kind == UnitKind.KIP:
            return f"KIP {region.name}", kind
        name = region.name.replace("Daerah Khusus Ibukota", "DKI").replace("Daerah Istimewa", "DI")
        return f"KPU Provinsi {name}", kind
    return f"{kind} {region.name}", kind


@transaction.atomic
def load_work_units(*, national: bool = False) -> dict[str, int]:
    """Create or update the work units; idempotent. Returns counts of created/updated/unchanged.

    Without ``national`` only KPU RI, KPU Provinsi Kalimantan Timur and its ten kab/kota.
    """
    regions = read_regions()
    if not national:
        regions = [r for r in regions if r.code == KALTIM_CODE or r.parent_code == KALTIM_CODE]
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {u.code: u for u in WorkUnit.objects.all()}

    def upsert(code: str, values: dict[str, object]) -> WorkUnit:
        unit = existing.get(code)
        if unit is None:
            unit = WorkUnit.objects.create(code=code, **values)
            existing[code] = unit
            counts["created"] += 1
            return unit
        changed = [k for k, v in values.items() if getattr(unit, k) != v]
        if changed:
            for key in changed:
                setattr(unit, key, values[key])
            unit.save(update_fields=[*changed, "updated_at"])
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        return unit

    national_unit = upsert(
        NATIONAL_CODE,
        {
            "name": "KPU Republik Indonesia",
            "region_name": "Indonesia",
            "level": Level.NATIONAL,
            "kind": UnitKind.KPU,
            "parent": None,
            "province": None,
            "time_zone": "Asia/Jakarta",
        },
    )
    provinces: dict[str, WorkUnit] = {}
    for region in (r for r in regions if r.level == "province"):
        name, kind = unit_name(region)
        unit = upsert(
            region.code,
            {
                "name": name,
                "region_name": region.name,
                "level": Level.PROVINCE,
                "kind": kind,
                "parent": national_unit,
                "time_zone": zone_for(region.code),
            },
        )
        if unit.province_id != unit.pk:
            unit.province = unit
            unit.save(update_fields=["province"])
        provinces[region.code] = unit
    for region in (r for r in regions if r.level == "regency_city"):
        name, kind = unit_name(region)
        parent = provinces[region.parent_code]
        upsert(
            region.code,
            {
                "name": name,
                "region_name": region.name,
                "level": Level.REGENCY_CITY,
                "kind": kind,
                "parent": parent,
                "province": parent,
                "time_zone": zone_for(region.parent_code),
            },
        )
    return counts
