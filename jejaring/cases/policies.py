"""Who reaches which cases, services and referrals.

A case is visible to its own organisation and to whoever may see the person (so a
person's timeline shows the whole network's work to those allowed to see the person);
only its own organisation changes it. Referrals are seen by both ends and by those who
see the person; the receiver decides on them.
"""

from django.db.models import Q

from jejaring.core.scoping import CHANGE, NOTHING, VIEW, Scope, ScopePolicy, prefixed


def handling_through_cases(scope: Scope) -> Q:
    """Added to PersonPolicy.handlers: a case, or an open referral, makes a handler."""
    from .models import OPEN_REFERRAL_STATES, Case, Referral

    org = scope.organisation_id
    return Q(pk__in=Case.objects.filter(organisation_id=org).values("person_id")) | Q(
        pk__in=Referral.objects.filter(
            to_organisation_id=org, state__in=OPEN_REFERRAL_STATES
        ).values("person_id")
    )


def _person_visible(scope: Scope, path: str) -> Q:
    from jejaring.registry.models import Person

    return prefixed(Person.scope_policy.filter(scope, VIEW), path)


class CasePolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        own = Q(organisation_id=scope.organisation_id) if scope.organisation_id else NOTHING
        if action == VIEW:
            return own | _person_visible(scope, "person__")
        if action == CHANGE:
            return own
        return NOTHING


class ServicePolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        return prefixed(CasePolicy().filter(scope, action), "case__")


class ReferralPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        org = scope.organisation_id
        if not org:
            return NOTHING
        ends = Q(from_organisation_id=org) | Q(to_organisation_id=org)
        if action == VIEW:
            return ends | _person_visible(scope, "person__")
        if action == CHANGE:
            return ends
        return NOTHING
