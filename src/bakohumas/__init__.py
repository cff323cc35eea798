"""Bakohumas: the public-relations coordination platform of Indonesia's election commissions."""

__version__ = "0.1.0"
