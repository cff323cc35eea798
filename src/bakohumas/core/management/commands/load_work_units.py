from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bakohumas.core.data import load_work_units


class Command(BaseCommand):
    help = (
        "Load the work-unit tree: by default KPU RI, KPU Provinsi Kalimantan Timur and its "
        "10 kab/kota; with --national all 553 units. Re-running changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--national", action="store_true", help="Load all 553 units.")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_work_units(national=options["national"])
        self.stdout.write(
            f"Work units: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged."
        )
