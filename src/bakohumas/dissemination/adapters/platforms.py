"""Platform adapters (stub: being written)."""
