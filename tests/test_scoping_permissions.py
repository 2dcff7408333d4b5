"""What a fetch answers about its rows (``with_permissions``, ``get_scoped_or_404(may=)``)
is what ``restrict()`` answers, for every scoped model, action and demo persona.

The answer is the policy's condition as a column of the SELECT instead of a filter in the
WHERE. Two ways it could go wrong, both checked here on every policy: a column that
disagrees with the filter (a leak, or a page that hides what the user may do), and a
condition that joins a to-many relation, which in the SELECT would repeat rows.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jejaring.accounts.models import User
from jejaring.cases.models import Case
from jejaring.core.demo import USERS
from jejaring.core.scoping import (
    CHANGE,
    VIEW,
    VIEW_IDENTITY,
    can,
    get_scoped_or_404,
    scope_for,
)
from jejaring.registry.models import Person
from jejaring.registry.presenters import present

pytestmark = pytest.mark.django_db

SCOPED = sorted(
    (m for m in apps.get_models() if hasattr(m, "scope_policy")), key=lambda m: m._meta.label
)


def test_every_answer_matches_restrict_and_repeats_no_row():
    checked = 0
    for username, *_ in USERS:
        user = User.objects.get(username=username)
        for model in SCOPED:
            actions = [VIEW, CHANGE] + ([VIEW_IDENTITY] if model is Person else [])
            everyone = set(model.objects.values_list("pk", flat=True))
            for action in actions:
                rows = list(model.objects.with_permissions(user, action))
                assert len(rows) == len(everyone), (username, model, action)
                answered = {row.pk for row in rows if can(user, action, row)}
                allowed = set(model.objects.restrict(user, action).values_list("pk", flat=True))
                assert answered == allowed, (username, model._meta.label, action)
                checked += bool(everyone)
    assert checked > 100  # the demo has rows of most models: not a vacuous pass


def test_a_page_fetch_answers_without_asking_again():
    user = User.objects.get(username="petugas.pekanbaru")
    case = Case.objects.restrict(user).select_related("person").first()
    fetched = get_scoped_or_404(
        Case.objects.select_related("person"),
        user,
        may=(CHANGE, ("person", VIEW_IDENTITY)),
        pk=case.pk,
    )
    with CaptureQueriesContext(connection) as queries:
        may_change = can(user, CHANGE, fetched)
        view = present(fetched.person, user)
    assert len(queries) == 0
    assert may_change == Case.objects.restrict(user, CHANGE).filter(pk=case.pk).exists()
    assert view.identity == (
        Person.objects.restrict(user, VIEW_IDENTITY).filter(pk=case.person_id).exists()
    )
    # Answers are kept per user: another user's check asks the database.
    other = User.objects.get(username="admin")
    scope_for(other)  # its roles and organisation, read once, outside the count
    with CaptureQueriesContext(connection) as queries:
        can(other, CHANGE, fetched)
    assert len(queries) == 1
