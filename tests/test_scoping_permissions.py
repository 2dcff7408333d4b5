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


def _sql(model, condition) -> str:
    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = model.objects.filter(condition).query.sql_with_params()
    except EmptyResultSet:  # NOTHING
        return "nothing"
    return sql % tuple(repr(p) for p in params)


def test_policy_conditions_depend_on_the_scope_alone(monkeypatch):
    """Conditions are memoised per scope for the life of the process
    (scoping._policy_condition), which is right only if a policy reads no rows and no
    clock while it builds its Q. Each one is built again, uncached, at another time of
    the world, with the database counting: the SQL must be the same and no query run."""
    import datetime

    from django.utils import timezone

    from jejaring.core.scoping import DELETE, VIEW_PRIVATE

    elsewhere_in_time = timezone.now() + datetime.timedelta(days=3653, hours=7)
    checked = 0
    for username, *_ in USERS:
        scope = scope_for(User.objects.get(username=username))
        for model in SCOPED:
            for action in (VIEW, VIEW_PRIVATE, VIEW_IDENTITY, CHANGE, DELETE):
                memoised = _sql(model, scope.condition(model, action))
                policy = model.scope_policy
                build = policy.filter_for_admin if scope.is_network_admin else policy.filter
                with monkeypatch.context() as patched, CaptureQueriesContext(connection) as seen:
                    patched.setattr(timezone, "now", lambda: elsewhere_in_time)
                    fresh = build(scope, action)
                assert len(seen) == 0, (username, model._meta.label, action, seen[0]["sql"])
                assert _sql(model, fresh) == memoised, (username, model._meta.label, action)
                checked += 1
    assert checked == len(USERS) * len(SCOPED) * 5
