"""Collaboration list pages make the same number of queries however many rows they show
(N+1 queries fail here)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jejaring.collaboration import actions
from jejaring.collaboration.demo import FORUM_NAME
from jejaring.collaboration.models import Forum
from jejaring.network.models import Organisation
from jejaring.regions.models import Region


def org(code):
    return Organisation.objects.get(code=code)


def add_rows(n):
    forum = Forum.objects.get(name=FORUM_NAME)
    dinsos, lksa = org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")
    for i in range(n):
        actions.create_commitment(
            forum,
            title=f"Tambahan {i}",
            owner=lksa,
            due_on=timezone.localdate() + datetime.timedelta(days=i + 1),
            acting_user=None,
        )
        actions.draft_agreement(
            kind="pks",
            title=f"PKS tambahan {i}",
            drafted_by=dinsos,
            parties=[(dinsos, ""), (lksa, "")],
            acting_user=None,
        )
        actions.record_exchange(
            kind="training",
            giver=dinsos,
            receiver=lksa,
            description=f"Bimtek {i}",
            acting_user=None,
        )
        actions.post_to_board(
            kind="offer",
            organisation=lksa,
            category="equipment",
            title=f"Kasur {i}",
            region=Region.objects.get(code="14.71"),
            acting_user=None,
        )


@pytest.mark.parametrize(
    "name",
    [
        "collaboration:index",
        "collaboration:forums",
        "collaboration:commitments",
        "collaboration:agreements",
        "collaboration:exchanges",
        "collaboration:board",
    ],
)
def test_list_page_query_count_does_not_grow_with_rows(as_user, name):
    client = as_user("petugas.pekanbaru")
    url = reverse(name)
    client.get(url)  # warm up (session, caches)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_rows(1)
    before = count()
    add_rows(4)
    assert count() == before
