"""Lists over the registry stay fast at a million people (issue 18, point 4).

- A list counts at most COUNT_LIMIT + 1 rows and then says "more than" (page and API),
  never an unbounded COUNT(*) of a province's people.
- A page's regions and categories are joined for the rows shown only (LateJoined).
- The people an organisation handles through cases and referrals are an index-usable
  ``id = ANY(ARRAY(…))`` on PostgreSQL, not a hashed subplan the planner guesses keeps
  half the table.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.core import paging
from jejaring.core.paging import BoundedPaginator, LateJoined, bounded_count
from jejaring.core.workspace import Figure
from jejaring.registry.models import Person

PERSON_COUNTS = re.compile(r'SELECT COUNT\(\*\).*FROM "registry_person"', re.S)
# The page's ids and the bounded count in one query (LateJoined.counted_slice).
PAGE_WITH_COUNT = re.compile(r"COUNT\(\*\) OVER \(\).*FROM \(SELECT", re.S)


def _separate_counts(queries) -> list[str]:
    """COUNT queries of their own over people (each runs the list's match again)."""
    return [q["sql"] for q in queries if PERSON_COUNTS.search(q["sql"])]


def _person_counts(queries) -> list[str]:
    """The queries that count people: a COUNT of their own or within a page's query."""
    return [
        q["sql"]
        for q in queries
        if PERSON_COUNTS.search(q["sql"])
        or (PAGE_WITH_COUNT.search(q["sql"]) and '"registry_person"' in q["sql"])
    ]


def test_api_person_list_counts_a_bounded_number_and_a_short_page_not_at_all(bearer):
    headers = bearer("admin")
    client = Client()
    client.get("/api/v1/persons/", **headers)  # the token's first use is not the list's cost
    living = Person.objects.filter(merged_into__isnull=True).count()
    assert 1 < living < 50, "the demo's people fit on one page of the default 50"

    # Longer than the page: counted, up to the limit, by the query that picks the page
    # (the match runs once), and by no COUNT of its own.
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/persons/", {"limit": 1}, **headers)
    counts = _person_counts(queries.captured_queries)
    assert len(counts) == 1 and PAGE_WITH_COUNT.search(counts[0])
    assert f"LIMIT {paging.COUNT_LIMIT + 1}" in counts[0]
    # Under the limit the answer is exact and keeps its two keys.
    body = response.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == living and len(body["items"]) == 1

    # A short page is the last one: its rows are the count, no COUNT query.
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/persons/", **headers).json()
    assert _separate_counts(queries.captured_queries) == []
    assert body["count"] == living == len(body["items"])
    # Past the end (an empty page with an offset) it counts again, to stay exact.
    body = client.get("/api/v1/persons/", {"offset": 500}, **headers).json()
    assert body == {"items": [], "count": living}
    body = client.get("/api/v1/persons/", {"offset": 1, "limit": 50}, **headers).json()
    assert body["count"] == living and len(body["items"]) == living - 1


def test_person_page_counts_a_bounded_number_and_a_short_first_page_not_at_all(
    as_user, monkeypatch
):
    client = as_user("petugas.pekanbaru")
    client.get(reverse("registry:list"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("registry:list"))
    assert page.status_code == 200
    assert _separate_counts(queries.captured_queries) == []  # all of them fit on page 1
    user = User.objects.get(username="petugas.pekanbaru")
    seen = Person.objects.restrict(user).filter(merged_into__isnull=True).count()
    assert seen > 1
    assert f"{seen} orang" in page.content.decode()  # the count is still exact

    monkeypatch.setattr("jejaring.registry.views.PAGE_SIZE", 1)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("registry:list"))
    counts = _person_counts(queries.captured_queries)
    assert len(counts) == 1 and PAGE_WITH_COUNT.search(counts[0])  # with the page's ids
    assert f"LIMIT {paging.COUNT_LIMIT + 1}" in counts[0]
    assert f"{seen} orang" in page.content.decode()


def test_past_the_limit_page_and_api_say_more_than(db, as_user, bearer, monkeypatch):
    living = Person.objects.filter(merged_into__isnull=True).count()
    assert living > 3, "the demo network has people enough to pass a limit of 2"
    monkeypatch.setattr(paging, "COUNT_LIMIT", 2)
    monkeypatch.setattr("jejaring.registry.views.PAGE_SIZE", 1)

    body = Client().get("/api/v1/persons/", {"limit": 1}, **bearer("admin")).json()
    assert body["count"] == 2
    assert body["count_capped"] is True
    assert len(body["items"]) == 1

    page = as_user("admin").get(reverse("registry:list")).content.decode()
    assert "Lebih dari 2 orang" in page
    assert f"{living} orang" not in page
    # Pages past the counted ones stay reachable: page 1 of "more", with a next page.
    assert "Halaman 1</span>" in page
    assert 'name="page" value="2"' in page


def test_bounded_paginator_exact_under_the_limit_more_over_it(db, monkeypatch):
    people = Person.objects.order_by("id")
    total = people.count()
    assert BoundedPaginator(people, 5).count == total
    assert not BoundedPaginator(people, 5).count_capped
    monkeypatch.setattr(paging, "COUNT_LIMIT", total - 1)
    capped = BoundedPaginator(people, 5)
    assert capped.count == total and capped.count_capped
    assert bounded_count(list(range(50)), 10) == 11


def test_home_figure_over_the_limit_is_shown_as_more(db, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 1)
    figure = Figure.bounded(Person.objects.all(), "people", "")
    assert (figure.count, figure.capped) == (1, True)
    monkeypatch.setattr(paging, "COUNT_LIMIT", 10_000)
    figure = Figure.bounded(Person.objects.all(), "people", "")
    assert (figure.count, figure.capped) == (Person.objects.count(), False)


@pytest.mark.parametrize("username", ["admin", "petugas.pekanbaru", "mitra.lksa"])
def test_late_joined_page_is_the_scoped_page_in_order(db, username):
    user = User.objects.get(username=username)
    rows = Person.objects.restrict(user).order_by("name_key", "id")
    details = Person.objects.restrict(user).select_related("region").prefetch_related("aliases")
    late = LateJoined(rows, details)
    expected = list(rows.values_list("pk", flat=True)[1:6])
    with CaptureQueriesContext(connection) as queries:
        page = late[1:6]
        regions = [p.region_id and p.region.name for p in page]  # joined: no extra query
    assert [p.pk for p in page] == expected
    assert len(regions) == len(expected)
    assert len(queries.captured_queries) == (2 if expected else 1)  # the page, its aliases
    assert late.count() == rows.count() == bounded_count(late)


@pytest.mark.parametrize(
    "order", [("name_key", "id"), ("-name_key", "-id"), ("-birth_date", "id"), ("-pk",)]
)
@pytest.mark.parametrize("username", ["admin", "petugas.pekanbaru", "mitra.lksa"])
def test_counted_slice_is_the_page_and_the_bounded_count_in_one_query(db, username, order):
    user = User.objects.get(username=username)
    rows = Person.objects.restrict(user).order_by(*order)
    late = LateJoined(rows, Person.objects.restrict(user).select_related("region"))
    total = rows.count()
    for start, stop, limit in ((0, 2, 10_000), (1, 4, 10_000), (0, 2, 2), (2, 3, 2)):
        with CaptureQueriesContext(connection) as queries:
            page, counted = late.counted_slice(start, stop, limit)
        assert [p.pk for p in page] == list(rows.values_list("pk", flat=True)[start:stop])
        assert counted == (min(total, limit + 1) if page or start == 0 else None)
        assert len(queries.captured_queries) == (2 if page else 1)  # ids and count, rows
    # Past the counted rows the page is still served; its count is left to a COUNT.
    page, counted = late.counted_slice(3, 5, 2)
    assert [p.pk for p in page] == list(rows.values_list("pk", flat=True)[3:5])
    assert counted is None


@pytest.mark.parametrize("order", [("region__name", "id"), ("region", "id"), ("-region", "id")])
def test_counted_slice_leaves_an_order_through_a_relation_to_a_count(db, order):
    """Ordering by a relation follows the related model's ordering, not a column here."""
    rows = Person.objects.order_by(*order)
    late = LateJoined(rows, Person.objects.all())
    page, counted = late.counted_slice(0, 3, 10_000)
    assert [p.pk for p in page] == list(rows.values_list("pk", flat=True)[:3])
    assert counted is None


def test_a_name_search_matches_once_for_its_page_and_count(bearer):
    """The search's full-text match is its costly part: the API's page and count come
    from one query over the match, not a page query and a COUNT each running it."""
    headers = bearer("admin")
    client = Client()
    name = Person.objects.filter(merged_into__isnull=True).order_by("id").first().full_name
    first_word = name.split()[0]
    client.post("/api/v1/persons/search", {"q": first_word}, "application/json", **headers)
    with CaptureQueriesContext(connection) as queries:
        body = client.post(
            "/api/v1/persons/search?limit=1", {"q": first_word}, "application/json", **headers
        ).json()
    matching = [  # the queries whose WHERE matches the name (others only load the column)
        q["sql"] for q in queries.captured_queries if "search_key" in q["sql"].partition("WHERE")[2]
    ]
    assert len(matching) == 1 and PAGE_WITH_COUNT.search(matching[0])
    assert body["count"] > 1 and len(body["items"]) == 1, "a longer list than its page"


def test_handled_people_are_an_array_on_postgresql_in_elsewhere(db):
    partner = User.objects.get(username="mitra.lksa")
    sql = str(Person.objects.restrict(partner).query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert 'IN (SELECT U0."person_id"' in sql


@pytest.mark.postgresql
def test_partner_list_plans_no_hashed_subplan_over_people(db):
    """The partner's list (a handful of people among many) was a walk over the whole
    name index, each row tested against a hashed subplan; now the case and referral
    ids are computed first (InitPlan) and the OR is answered from indexes."""
    partner = User.objects.get(username="mitra.lksa")
    queryset = Person.objects.restrict(partner).order_by("name_key", "id")[:25]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "InitPlan" in plan
    assert "SubPlan" not in plan
