"""Serve Bakohumas for the benchmark as production does: gunicorn, several processes.

``python bench/serve.py PORT [THREADS] [PROCESSES]``. The environment (DEBUG=0, SECRET_KEY,
DATABASE_URL …) is set by ``bench/run.py``; the floor route comes from the bench-only
settings ``bench.settings_bench``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    port = int(sys.argv[1])
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    processes = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(processes),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "bakohumas.wsgi:application",
    ]
    os.execv(sys.executable, argv)


if __name__ == "__main__":
    main()
