"""Serve Bakohumas with waitress for the benchmark: ``python bench/serve.py PORT [THREADS]``.

The environment (DEBUG=0, SECRET_KEY, DATABASE_URL …) is set by ``bench/run.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    port = int(sys.argv[1])
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    from django.core.wsgi import get_wsgi_application
    from waitress import serve  # type: ignore[import-untyped]

    application = get_wsgi_application()
    serve(application, host="127.0.0.1", port=port, threads=threads, ident="bakohumas-bench")


if __name__ == "__main__":
    main()
