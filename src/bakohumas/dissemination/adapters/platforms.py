"""The platform adapters (each in its own module); importing this registers them all.

Every adapter talks to ``account.config["api_base"]`` (the platform's real address by
default; a loopback server in the tests) and maps the platform's answers to the engine's
outcomes in ``adapters/http.py``."""

from bakohumas.dissemination.adapters import (  # noqa: F401
    graph,
    telegram,
    tiktok,
    webhook,
    whatsapp,
    x,
    youtube,
)
