"""Paging a list of a million rows: count a bounded number, join only the page shown.

- A list page or an API list says how many rows its filters let through. Over the
  registry (a million people) an exact ``COUNT(*)`` of a province's people reads every
  one of their rows on every page view. Lists count at most ``COUNT_LIMIT + 1`` rows
  instead and, past the limit, say so ("more than 10,000"), never a made-up figure.
- A search that matches a few thousand people and shows fifty should not join every
  match to its region: :class:`LateJoined` picks the page's ids first, then loads those
  fifty with their joins and prefetches.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_LIMIT = 10_000


def bounded_count(rows, limit: int | None = None) -> int:
    """How many ``rows`` there are, counted up to ``limit + 1`` (COUNT_LIMIT + 1 by
    default): an answer above ``limit`` means "more than ``limit``". ``rows`` is a
    queryset, a wrapper that pages like one and has its own ``bounded_count(limit)``,
    or a sized sequence."""
    limit = COUNT_LIMIT if limit is None else limit
    counter = getattr(rows, "bounded_count", None)
    if counter is not None:
        return counter(limit)
    if isinstance(rows, QuerySet):
        # COUNT(*) over a LIMITed subquery stops after limit + 1 rows; the order is
        # irrelevant to a count and would make the database sort first.
        return rows.order_by()[: limit + 1].count()
    return min(len(rows), limit + 1)


class BoundedPaginator(Paginator):
    """A Paginator that counts at most ``COUNT_LIMIT + 1`` rows. ``count_capped`` says
    there are more than ``count_limit``; the pages past the limit stay reachable one by
    one (the last page counted is followed by a next one)."""

    @property
    def count_limit(self) -> int:
        return COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        return bounded_count(self.object_list, self.count_limit)

    @property
    def count_capped(self) -> bool:
        return self.count > self.count_limit

    def get_page(self, number):
        """The first page reads one row more than it shows: when that row is not there,
        the page is the whole list and its length the count (no COUNT query)."""
        if str(number or "1").strip() != "1":
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # the cached_property's value
        return self._get_page(rows[: self.per_page], 1, self)


class LateJoined:
    """Pages like a queryset (for Paginator and the API's paginator): ``rows`` — the
    filtered, ordered queryset, without joins — is counted and sliced; the rows of one
    page are then loaded through ``details`` (the same model, scoped like ``rows``, with
    its select_related and prefetches), in ``rows``' order, in one query:
    ``… WHERE id IN (SELECT id … ORDER BY … LIMIT 50)``."""

    def __init__(self, rows: QuerySet, details: QuerySet):
        self.rows, self.details = rows, details

    @property
    def ordered(self) -> bool:
        return self.rows.ordered

    def count(self) -> int:
        return self.rows.count()

    def bounded_count(self, limit: int) -> int:
        return bounded_count(self.rows, limit)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        page = self.rows.values("pk")[item]
        order = self.rows.query.order_by or self.rows.model._meta.ordering
        return list(self.details.filter(pk__in=page).order_by(*order))
