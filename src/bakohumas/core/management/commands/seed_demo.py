from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bakohumas.core.demo import seed_demo_users
from bakohumas.stakeholders.demo import seed_demo_stakeholders


class Command(BaseCommand):
    help = "Load the Kalimantan Timur work units and the demo data. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed_demo_users()
        self.stdout.write(f"Demo users: {created} created.")
        summary = seed_demo_stakeholders()
        self.stdout.write(f"Demo stakeholders: {summary}")
        from bakohumas.content.demo import seed_demo_content

        self.stdout.write(f"Demo content: {seed_demo_content()}")
        from bakohumas.dissemination.demo import seed_demo_dissemination

        self.stdout.write(f"Demo dissemination: {seed_demo_dissemination()}")
        from bakohumas.inbox.demo import seed_demo_inbox

        self.stdout.write(f"Demo inbox and information requests: {seed_demo_inbox()}")
