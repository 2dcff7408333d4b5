"""Test helpers that belong to the application package (after Zulip's
``assert_database_query_count`` in ``zerver/lib/test_classes.py``)."""

from contextlib import contextmanager

from django.db import connections
from django.test.utils import CaptureQueriesContext


@contextmanager
def assert_database_query_count(count: int, *, using: str = "default"):
    """Fail unless the block runs exactly ``count`` queries: a fixed-cost regression (three
    more queries on every page) fails as surely as an N+1. The message lists the queries,
    so the one that changed is found without a debugger.

        with assert_database_query_count(7):
            client.get("/api/v1/cases/")
    """
    with CaptureQueriesContext(connections[using]) as captured:
        yield captured
    if len(captured) != count:
        listing = "\n".join(
            f"{number}. {query['sql']}" for number, query in enumerate(captured, start=1)
        )
        raise AssertionError(f"{len(captured)} queries, expected {count}:\n{listing}")
