"""The forum page fetches its members, goals, coordinator and commitments once and hands
them to the rates and to the forms' options: the page must show what the forms and the
rates would show on their own, and still answer with a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jejaring.collaboration import actions
from jejaring.collaboration.actions.decisions import fulfilment_rates
from jejaring.collaboration.demo import FORUM_NAME
from jejaring.collaboration.forms.forums import CoordinatorForm, OutcomeForm
from jejaring.collaboration.models import Commitment, Forum
from jejaring.network.models import Organisation

# Session, user with its roles and organisation (one query since issue 18), the forum,
# (may-change comes with it since issue 18), seats, commitments, goals, the coordinator
# with its history (one query, later in issue 18), notifications, upcoming and past
# meetings, proposals, outcomes, rules. 13 since the forms load when their fold opens (the
# member form's two option queries, candidates and their users, were on every view).
FORUM_PAGE_QUERIES = 13


def _forum():
    return Forum.objects.get(name=FORUM_NAME)


def _seats(forum):
    return list(forum.current_members().select_related("organisation", "representative"))


@pytest.mark.django_db
def test_coordinator_options_from_the_page_match_the_forms_own_query():
    forum = _forum()
    coordinator = forum.current_coordinator()
    assert coordinator is not None  # the demo rotated the role: one member is left out
    own = CoordinatorForm(forum=forum, auto_id="c-%s")
    offered = CoordinatorForm(forum=forum, current=coordinator, seats=_seats(forum), auto_id="c-%s")
    assert str(offered["organisation"]) == str(own["organisation"])
    assert coordinator.organisation.name not in str(offered["organisation"])
    assert str(offered["organisation"]).count("<option") == forum.current_members().count()


@pytest.mark.django_db
def test_coordinator_options_without_a_coordinator_list_every_member():
    forum = _forum()
    forum.coordinator_terms.all().delete()
    own = CoordinatorForm(forum=forum)
    offered = CoordinatorForm(forum=forum, current=None, seats=_seats(forum))
    assert str(offered["organisation"]) == str(own["organisation"])
    assert str(offered["organisation"]).count("<option") == forum.current_members().count() + 1


@pytest.mark.django_db
def test_goal_options_from_the_page_match_the_forms_own_query():
    forum = _forum()
    goals = list(forum.goals.all())
    assert len(goals) >= 2
    own = OutcomeForm(forum=forum)
    offered = OutcomeForm(forum=forum, goals=goals)
    assert str(offered["goal"]) == str(own["goal"])
    assert str(offered["goal"]).count("<option") == len(goals) + 1


@pytest.mark.django_db
def test_a_posted_coordinator_form_still_validates_against_the_members():
    forum = _forum()
    coordinator = forum.current_coordinator()
    outsider = Organisation.objects.exclude(
        pk__in=forum.current_members().values("organisation_id")
    ).first()
    form = CoordinatorForm(
        {"organisation": outsider.pk}, forum=forum, current=coordinator, seats=_seats(forum)
    )
    assert not form.is_valid()
    assert "organisation" in form.errors


@pytest.mark.django_db
def test_rates_from_a_list_equal_rates_from_the_queryset():
    forum = _forum()
    seats = _seats(forum)
    owner = seats[0].organisation
    today = timezone.localdate()
    due = actions.create_commitment(
        forum, title="Lewat", owner=owner, due_on=today, acting_user=None
    )
    Commitment.objects.filter(pk=due.pk).update(due_on=today - datetime.timedelta(days=3))
    dropped = actions.create_commitment(
        forum, title="Batal", owner=owner, due_on=today, acting_user=None
    )
    actions.cancel_commitment(dropped, reason="Tidak jadi", acting_user=None)
    queryset = Commitment.objects.filter(forum=forum)
    rows = list(queryset.select_related("owner"))
    assert any(c.state == "cancelled" for c in rows)
    from_list = fulfilment_rates(rows)
    assert from_list == fulfilment_rates(queryset)
    assert any(r["organisation"] == owner and r["due"] >= 1 for r in from_list)


@pytest.mark.django_db
def test_forum_page_for_its_convener_shows_the_forms_and_pins_its_queries(as_user):
    forum = _forum()
    client = as_user("petugas.pekanbaru")
    url = reverse("collaboration:forum", args=[forum.pk])
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) == FORUM_PAGE_QUERIES, "\n".join(q["sql"][:120] for q in queries)
    html = response.content.decode()
    # Each form in its fold, fetched when the fold opens (or as a page without script).
    actions_of = {
        "member": "member_add",
        "coordinator": "coordinator_rotate",
        "outcome": "outcome_add",
        "goal": "goal_add",
        "rule": "rule_add",
    }
    for fold, action in actions_of.items():
        fold_url = reverse("collaboration:forum_fold", args=[forum.pk, fold])
        assert fold_url in html
        fragment = client.get(fold_url, HTTP_HX_REQUEST="true")
        assert fragment.status_code == 200 and b"<html" not in fragment.content
        assert reverse(f"collaboration:{action}", args=[forum.pk]) in fragment.text
        page = client.get(fold_url)
        assert b"<html" in page.content and url in page.text  # a way back to the forum
    coordinator = client.get(reverse("collaboration:forum_fold", args=[forum.pk, "coordinator"]))
    assert 'id="coordinator-organisation"' in coordinator.text
    outcome = client.get(reverse("collaboration:forum_fold", args=[forum.pk, "outcome"]))
    assert 'id="outcome-goal"' in outcome.text
    # The convener is a member: it may put a proposal.
    assert reverse("collaboration:proposal_create", args=[forum.pk]) in html


@pytest.mark.django_db
def test_a_member_that_does_not_run_the_forum_may_propose_but_sees_no_forms(as_user):
    forum = _forum()
    response = as_user("mitra.lksa").get(reverse("collaboration:forum", args=[forum.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("collaboration:proposal_create", args=[forum.pk]) in html
    assert reverse("collaboration:coordinator_rotate", args=[forum.pk]) not in html
    fold_url = reverse("collaboration:forum_fold", args=[forum.pk, "coordinator"])
    assert fold_url not in html
    # Its fold refused too: the member sees the forum, but may not run it.
    assert as_user("mitra.lksa").get(fold_url, HTTP_HX_REQUEST="true").status_code == 403
