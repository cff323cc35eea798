"""Channel adapters; importing this package registers them all."""

from bakohumas.dissemination.adapters import email, platforms, website  # noqa: F401
