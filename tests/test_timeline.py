"""A person's timeline skips its queries when no case is in sight (cases/timeline.py).

The shortcut rests on the policies and on what the actions keep: every service and
referral belongs to a case of the same person, and whoever sees the person sees all of
the person's cases. Held here against the policies themselves for every demo persona and
every person they may see: the services and referrals restricted as the timeline would
read them are empty wherever the shortcut answers empty, and the timeline otherwise
equals the one read in full.
"""

import pytest

from jejaring.accounts.models import User
from jejaring.cases.models import Case, Referral, Service
from jejaring.cases.timeline import person_timeline
from jejaring.core.demo import USERS
from jejaring.registry.models import Person
from tests.helpers import register_person

pytestmark = pytest.mark.django_db


def _events(events):
    return [(e.when, e.kind, e.organisation, e.text, e.case_id) for e in events]


def _check(username) -> tuple[int, int]:
    """Checks every person ``username`` sees; returns how many had cases in sight and
    how many had none."""
    user = User.objects.get(username=username)
    with_cases = without = 0
    for person in Person.objects.restrict(user).filter(merged_into=None):
        cases = list(Case.objects.restrict(user).filter(person=person))
        services = Service.objects.restrict(user).filter(person=person)
        referrals = Referral.objects.restrict(user).filter(person=person)
        if not cases:
            without += 1
            assert not services.exists(), (username, person.pk)
            assert not referrals.exists(), (username, person.pk)
            assert person_timeline(person, user) == []
        else:
            with_cases += 1
            timeline = _events(person_timeline(person, user, cases))
            # Read again without handing the cases over: the same events.
            assert timeline == _events(person_timeline(person, user))
            kinds = {kind for _, kind, *_ in timeline}
            assert ("service" in kinds) == services.exists()
            assert ("referral" in kinds) == referrals.exists()
    return with_cases, without


def test_no_case_in_sight_means_no_service_or_referral_in_sight():
    # Every demo person has a case: two without one, registered by a regency office and a
    # partner, seen by the office, its province, the administrator, the partner…
    register_person()
    register_person("mitra.lksa", full_name="Siti Aminah", sex="F")
    seen = [_check(username) for username, *_ in USERS]
    # Both branches are exercised, by several personas each (not a vacuous pass).
    assert sum(1 for with_cases, _ in seen if with_cases) >= 3
    assert sum(1 for _, without in seen if without) >= 3
