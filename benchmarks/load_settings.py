"""The product's settings with one extra page for the load benchmark (benchmarks/load.py):
the anchor, a plain Django JSON view behind the same middleware. Used only by the
benchmark's server (PYTHONPATH holds benchmarks/); the product never loads it."""

from jejaring.settings import *  # noqa: F403 — the product's settings, unchanged

ROOT_URLCONF = "load_urls"
