"""Who reaches which cases, services and referrals.

A case is visible to its own organisation and to whoever may see the person (so a
person's timeline shows the whole network's work to those allowed to see the person);
only its own organisation changes it. Referrals are seen by both ends and by those who
see the person; the receiver decides on them.
"""

from django.db.models import Q

from jejaring.core.scoping import (
    CHANGE,
    NOTHING,
    VIEW,
    VIEW_IDENTITY,
    Scope,
    ScopePolicy,
    prefixed,
)


def handling_through_cases(scope: Scope) -> Q:
    """Added to PersonPolicy.handlers: a case, or an open referral, makes a handler."""
    from .models import OPEN_REFERRAL_STATES, Case, Referral

    org = scope.organisation_id
    return Q(pk__in_subquery=Case.objects.filter(organisation_id=org).values("person_id")) | Q(
        pk__in_subquery=Referral.objects.filter(
            to_organisation_id=org, state__in=OPEN_REFERRAL_STATES
        ).values("person_id")
    )


def _person_visible(scope: Scope, path: str) -> Q:
    from jejaring.registry.models import Person

    return prefixed(Person.scope_policy.filter(scope, VIEW), path)


def _person_identity(scope: Scope, path: str) -> Q:
    from jejaring.registry.models import Person

    return prefixed(Person.scope_policy.filter(scope, VIEW_IDENTITY), path)


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


class AttachmentPolicy(ScopePolicy):
    """An attachment (an assessment form, a letter, a photo) may carry the person's
    identity: it is seen where the case is visible and the person's identity too. It
    is added through its case (CHANGE on the case) and never changed afterwards."""

    def filter(self, scope: Scope, action: str) -> Q:
        if action != VIEW:
            return NOTHING
        return prefixed(CasePolicy().filter(scope, VIEW), "case__") & _person_identity(
            scope, "case__person__"
        )

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        from jejaring.registry.models import Person

        if action != VIEW:
            return NOTHING
        # Network administrators see every case, but a sensitive identity is still only
        # for the organisations handling the person.
        return prefixed(
            Person.scope_policy.filter_for_admin(scope, VIEW_IDENTITY), "case__person__"
        )


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


class OverlapPolicy(ScopePolicy):
    """An overlap concerns the organisations involved and the offices governing the
    person's place of residence."""

    def filter(self, scope: Scope, action: str) -> Q:
        from .models import OverlapAlert

        org = scope.organisation_id
        # A subquery, not a join: a join on the many-to-many would repeat rows.
        involved = (
            Q(
                pk__in=OverlapAlert.organisations.through.objects.filter(
                    organisation_id=org
                ).values("overlapalert_id")
            )
            if org
            else NOTHING
        )
        governed = (
            prefixed(_governed_people(scope), "person__") if scope.jurisdiction_code else NOTHING
        )
        return involved | governed if action == VIEW else involved


class ConferencePolicy(ScopePolicy):
    """A case conference is seen and written by its participant organisations only."""

    def filter(self, scope: Scope, action: str) -> Q:
        from .models import CaseConference

        org = scope.organisation_id
        if not org:
            return NOTHING
        return Q(
            pk__in=CaseConference.organisations.through.objects.filter(organisation_id=org).values(
                "caseconference_id"
            )
        )


def _governed_people(scope: Scope) -> Q:
    from jejaring.registry.policies import governed

    return governed(scope)
