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

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections
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
        counted_slice = getattr(self.object_list, "counted_slice", None)
        if counted_slice is not None:
            rows, counted = counted_slice(0, self.per_page, self.count_limit)
            if counted is not None:
                self.__dict__["count"] = counted  # the cached_property's value
                return self._get_page(rows, 1, self)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)
        return self._get_page(rows[: self.per_page], 1, self)


def _own_column(meta, entry) -> tuple[str, str, bool] | None:
    """("name_key", "name_key", False) for "name_key", ("id", "id", True) for "-pk"…"""
    if not isinstance(entry, str) or not entry.lstrip("-") or "__" in entry:
        return None
    name = entry.lstrip("-")
    try:
        field = meta.pk if name == "pk" else meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A relation orders by the related model's own ordering, not by its column.
    if not getattr(field, "concrete", False) or field.is_relation:
        return None
    return field.attname, field.column, entry.startswith("-")


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
        return list(self.details.filter(pk__in=page).order_by(*self._order()))

    def _order(self) -> list:
        return list(self.rows.query.order_by or self.rows.model._meta.ordering)

    def counted_slice(self, start: int, stop: int, limit: int) -> tuple[list, int | None]:
        """Rows ``start:stop`` and the count up to ``limit + 1``, matching once.

        A name search's match (a full-text index scan over the registry) is the costly
        part of a search page; counting it apart from the page ran it twice. Here one
        query takes the first ``limit + 1`` matching ids in order, counts them and keeps
        the page's: ``SELECT id, COUNT(*) OVER () FROM (… ORDER BY … LIMIT 10001) …``.
        The count is None (count apart) when the page lies past the counted rows or the
        order is not plain columns."""
        order = self._order()
        meta = self.rows.model._meta
        # Each ordering entry as (field, column, descending), or None when it is not a
        # column of the model itself (an expression, a relation, an annotation).
        columns = [_own_column(meta, o) for o in order]
        if stop > limit + 1 or not columns or None in columns:
            return list(self[start:stop]), None
        names = list(dict.fromkeys([meta.pk.attname, *(f for f, _c, _d in columns)]))
        matches = self.rows.values(*names)[: limit + 1]
        inner, params = matches.query.sql_with_params()
        connection = connections[matches.db]
        quote = connection.ops.quote_name
        # The inner SELECT names its columns after the fields given to values().
        ordering = ", ".join(
            f"matches.{quote(field)}{' DESC' if descending else ''}"
            for field, _column, descending in columns
        )
        key = f"matches.{quote(meta.pk.attname)}"
        # Only quoted names and the ORM's own SQL go into the text; values are parameters.
        sql = f"SELECT {key}, COUNT(*) OVER () FROM ({inner}) matches ORDER BY {ordering}"  # noqa: S608
        sql += " LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params, stop - start, start))
            found = cursor.fetchall()
        if not found:
            # Nothing on this page: the count, if any row matches at all, is apart.
            return [], 0 if start == 0 else None
        ids = [row[0] for row in found]
        loaded = {row.pk: row for row in self.details.filter(pk__in=ids)}
        return [loaded[i] for i in ids if i in loaded], found[0][1]
