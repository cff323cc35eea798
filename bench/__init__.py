"""Benchmarks and data generators of Bakohumas (``make bench``); see README.md."""
