"""Who reaches which public reports.

- The office a report is routed to sees it, takes it and turns it into a case.
- Social offices governing the report's village see that it exists and how it goes (the
  province watches its regencies' queues, and receives what they leave too long).
- What is reported (description, the person's name, the place, photos) can identify a
  person: for a report about a child only the handling office's workers see it; for any
  other report the governing social offices and network administrators see it too.
- Who reported (name, contact) is for the handling office's workers only: not for the
  governing offices, and not for network administrators either.
"""

from django.db.models import Q

from jejaring.accounts.roles import SENSITIVE_IDENTITY_ROLES
from jejaring.core.scoping import (
    CHANGE,
    NOTHING,
    VIEW,
    VIEW_IDENTITY,
    VIEW_PRIVATE,
    Scope,
    ScopePolicy,
    prefixed,
    region_subtree,
)


def _handling(scope: Scope) -> Q:
    if not scope.organisation_id:
        return NOTHING
    return Q(handling_organisation_id=scope.organisation_id)


def _handling_workers(scope: Scope) -> Q:
    """The handling office's people doing the work (not, say, a forum facilitator)."""
    return _handling(scope) if scope.has_any_role(SENSITIVE_IDENTITY_ROLES) else NOTHING


def _governing(scope: Scope) -> Q:
    if not (scope.jurisdiction_code and scope.supervises_partners):
        return NOTHING
    return region_subtree("region__code", scope.jurisdiction_code)


class PublicReportPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        if action == VIEW:
            return _handling(scope) | _governing(scope)
        if action == VIEW_IDENTITY:
            return (
                _handling_workers(scope)
                | (_handling(scope) & Q(is_sensitive=False))
                | (_governing(scope) & Q(is_sensitive=False))
            )
        if action in (VIEW_PRIVATE, CHANGE):
            return _handling_workers(scope)
        return NOTHING

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        if action == VIEW:
            return Q()
        if action == VIEW_IDENTITY:
            return self.filter(scope, action) | Q(is_sensitive=False)
        # The reporter and the handling stay with the office the report is routed to.
        return self.filter(scope, action)


class ReportPhotoPolicy(ScopePolicy):
    """A photo may show the person: seen where the report's contents are."""

    def filter(self, scope: Scope, action: str) -> Q:
        from .models import PublicReport

        if action != VIEW:
            return NOTHING
        return prefixed(scope.condition(PublicReport, VIEW_IDENTITY), "report__")

    filter_for_admin = filter


class ComplaintPolicy(ScopePolicy):
    """A complaint is handled by the office it concerns (or, for a partner institution,
    the social office supervising partners in its region): that office sees and works
    it; social offices governing the handling office's region see it too (a province
    watches its regencies' desks). Who complained is for the handling office's working
    roles only — not for the governing offices, not for network administrators."""

    def filter(self, scope: Scope, action: str) -> Q:
        own = (
            Q(handling_organisation_id=scope.organisation_id) if scope.organisation_id else NOTHING
        )
        workers = own if scope.has_any_role(SENSITIVE_IDENTITY_ROLES) else NOTHING
        if action in (VIEW, VIEW_IDENTITY):
            governing = (
                region_subtree("handling_organisation__home_region__code", scope.jurisdiction_code)
                if scope.jurisdiction_code and scope.supervises_partners
                else NOTHING
            )
            return own | governing
        if action in (VIEW_PRIVATE, CHANGE):
            return workers
        return NOTHING

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        if action in (VIEW, VIEW_IDENTITY):
            return Q()
        return self.filter(scope, action)


class SurveyInvitationPolicy(ScopePolicy):
    """An office's survey codes are its own: seen and issued by its staff."""

    def filter(self, scope: Scope, action: str) -> Q:
        if not scope.organisation_id:
            return NOTHING
        return Q(organisation_id=scope.organisation_id)


class SurveyResponsePolicy(ScopePolicy):
    """Answers are read only as figures, never one by one (``survey.results`` applies
    the minimum count): an office reads its own, a governing social office those of the
    offices in its region, a network administrator all."""

    def filter(self, scope: Scope, action: str) -> Q:
        if action != VIEW:
            return NOTHING
        own = Q(organisation_id=scope.organisation_id) if scope.organisation_id else NOTHING
        governed = (
            region_subtree("organisation__home_region__code", scope.jurisdiction_code)
            if scope.jurisdiction_code and scope.supervises_partners
            else NOTHING
        )
        return own | governed

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        return Q() if action == VIEW else NOTHING


def _case_condition(scope: Scope, action: str, path: str) -> Q:
    from jejaring.cases.models import Case

    return prefixed(scope.condition(Case, action), path)


class ServiceCodePolicy(ScopePolicy):
    """A service code is its case's: issued where the case may be changed."""

    def filter(self, scope: Scope, action: str) -> Q:
        return _case_condition(scope, CHANGE, "case__")

    filter_for_admin = filter


class ExitRequestPolicy(ScopePolicy):
    """An exit request is seen where its case is seen, and by the provider chosen; it is
    acted on (the referral sent after consent) by the case's office. It carries the
    person's reason: the identity rule of the person applies to it."""

    def filter(self, scope: Scope, action: str) -> Q:
        chosen = Q(to_organisation_id=scope.organisation_id) if scope.organisation_id else NOTHING
        if action == VIEW:
            return _case_condition(scope, VIEW, "case__") | chosen
        if action == CHANGE:
            return _case_condition(scope, CHANGE, "case__")
        return NOTHING

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        return Q() if action == VIEW else self.filter(scope, action)
