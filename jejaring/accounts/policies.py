"""Who reaches which user accounts."""

from django.db.models import Q

from jejaring.core.scoping import NOTHING, VIEW, Scope, ScopePolicy, region_subtree


class UserPolicy(ScopePolicy):
    """Colleagues in one's own organisation, and the staff of organisations in the
    region an office governs, are visible; accounts are managed by network admins."""

    def filter(self, scope: Scope, action: str) -> Q:
        if action != VIEW:
            return NOTHING
        own = Q(organisation_id=scope.organisation_id) if scope.organisation_id else NOTHING
        if scope.jurisdiction_code:
            return own | region_subtree("organisation__home_region__code", scope.jurisdiction_code)
        return own
