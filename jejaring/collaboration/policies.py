"""Who reaches which parts of the collaboration workspace.

- A forum is seen by its current member organisations, by its convener, and by the
  offices governing its region; it is run (members, meetings, closing proposals) by
  its convener and its current coordinator.
- An agreement is seen by its parties and by the offices governing a party's home
  region; the parties work on it.
- An exchange is seen by both ends and by the offices governing either; both ends
  may record it.
- The offers-and-requests board is open to every member of the network; a post is
  changed by its own organisation.
- A device distribution follows its case.
"""

from django.db.models import Q

from jejaring.core.scoping import (
    CHANGE,
    EVERYTHING,
    NOTHING,
    VIEW,
    Scope,
    ScopePolicy,
    prefixed,
    region_subtree,
)


def _member_forums(scope: Scope) -> Q:
    from .models import ForumMembership

    return Q(
        pk__in=ForumMembership.objects.filter(
            organisation_id=scope.organisation_id, left_on__isnull=True
        ).values("forum_id")
    )


def _coordinated_forums(scope: Scope) -> Q:
    from .models import CoordinatorTerm

    return Q(
        pk__in=CoordinatorTerm.objects.filter(
            organisation_id=scope.organisation_id, ends_on__isnull=True
        ).values("forum_id")
    )


class ForumPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        org = scope.organisation_id
        if not org:
            return NOTHING
        runs = Q(convened_by_id=org) | _coordinated_forums(scope)
        if action == VIEW:
            governed = (
                region_subtree("region__code", scope.jurisdiction_code)
                if scope.jurisdiction_code
                else NOTHING
            )
            return runs | _member_forums(scope) | governed
        if action == CHANGE:
            return runs
        return NOTHING


class ForumChildPolicy(ScopePolicy):
    """Meetings, proposals, outcomes, memberships: as their forum."""

    def filter(self, scope: Scope, action: str) -> Q:
        return prefixed(ForumPolicy().filter(scope, action), "forum__")


class MeetingChildPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        return prefixed(ForumPolicy().filter(scope, action), "meeting__forum__")


class CommitmentPolicy(ScopePolicy):
    """The owner organisation fulfils its commitment; the forum's runners manage it."""

    def filter(self, scope: Scope, action: str) -> Q:
        through_forum = prefixed(ForumPolicy().filter(scope, action), "forum__")
        if not scope.organisation_id:
            return NOTHING
        if action in (VIEW, CHANGE):
            return through_forum | Q(owner_id=scope.organisation_id)
        return NOTHING


def _governs(scope: Scope, organisation_path: str) -> Q:
    if not scope.jurisdiction_code:
        return NOTHING
    return region_subtree(f"{organisation_path}home_region__code", scope.jurisdiction_code)


class AgreementPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        from .models import Agreement, AgreementParty

        org = scope.organisation_id
        if not org:
            return NOTHING
        parties = Q(
            pk__in=AgreementParty.objects.filter(organisation_id=org).values("agreement_id")
        )
        if action == VIEW:
            governed = (
                Q(
                    pk__in=Agreement.objects.filter(
                        _governs(scope, "parties__organisation__")
                    ).values("pk")
                )
                if scope.jurisdiction_code
                else NOTHING
            )
            return parties | governed
        if action == CHANGE:
            return parties
        return NOTHING


class AgreementChildPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        return prefixed(AgreementPolicy().filter(scope, action), "agreement__")


class ExchangePolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        org = scope.organisation_id
        if not org:
            return NOTHING
        ends = Q(giver_id=org) | Q(receiver_id=org)
        if action == VIEW:
            return ends | _governs(scope, "giver__") | _governs(scope, "receiver__")
        if action == CHANGE:
            return ends
        return NOTHING


class BoardPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        if not scope.organisation_id:
            return NOTHING
        if action == VIEW:
            return EVERYTHING
        if action == CHANGE:
            return Q(organisation_id=scope.organisation_id)
        return NOTHING


class DistributionPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        from jejaring.cases.policies import CasePolicy

        return prefixed(CasePolicy().filter(scope, action), "case__")
