"""Run the web server and the task worker together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bakohumas.core.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Start the web server and one task worker together (the embedded set-up)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        addr = options["addr"]
        python = sys.executable
        base = [python, "-m", "bakohumas"]
        env = dict(os.environ)
        procs = [
            subprocess.Popen([*base, "runserver", addr, "--noreload"], env=env),  # noqa: S603
            subprocess.Popen([*base, "worker", "--no-reload"], env=env),  # noqa: S603
        ]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Bakohumas is running at http://{addr}/"))
        self.stdout.write(f"  public portal:   http://{addr}/  (every unit: http://{addr}/satker/)")
        self.stdout.write(f"  staff workspace: http://{addr}/login/")
        self.stdout.write(f"  API docs:        http://{addr}/api/v1/docs")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for username, _unit, role, _name in DEMO_USERS:
            self.stdout.write(f"  {username:24} {role}")
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.\n")

        def stop(*_: Any) -> None:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(proc.poll() is None for proc in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.stdout.write("Stopped.")
