"""Jejaring: the shared workspace of Indonesia's social welfare network."""

__version__ = "0.1.0"
