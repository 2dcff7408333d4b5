"""Who reaches which organisation records (see core.scoping for the rules)."""

from django.db.models import Q

from jejaring.accounts.roles import ORGANISATION_MANAGERS
from jejaring.core.scoping import NOTHING, VIEW, VIEW_PRIVATE, Scope, ScopePolicy, region_subtree


def governed(scope: Scope, region_path: str) -> Q:
    """Rows in the region the user's office governs (none for non-governing offices)."""
    if not scope.jurisdiction_code:
        return NOTHING
    return region_subtree(region_path, scope.jurisdiction_code)


class OrganisationPolicy(ScopePolicy):
    """The directory of active members is open to the whole network, because finding
    whom to refer to is the point; organisations awaiting verification or inactive are
    seen only by their own staff and the offices governing their region. Profiles are
    changed by the organisation's own managers or by the social office that supervises
    the region (Dinas Sosial registers the LKS in its area). ``VIEW_PRIVATE`` covers the
    parts that are not directory material: contact persons and the staff list."""

    def filter(self, scope: Scope, action: str) -> Q:
        own = Q(pk=scope.organisation_id) if scope.organisation_id else NOTHING
        if action == VIEW:
            return Q(status="active") | own | governed(scope, "home_region__code")
        if action == VIEW_PRIVATE:
            return own | governed(scope, "home_region__code")
        if not scope.has_any_role(ORGANISATION_MANAGERS):
            return NOTHING
        supervised = governed(scope, "home_region__code") if scope.supervises_partners else NOTHING
        return own | supervised


class ContactPolicy(ScopePolicy):
    """Named contact persons are personal data: own organisation and governing offices."""

    def filter(self, scope: Scope, action: str) -> Q:
        own = Q(organisation_id=scope.organisation_id) if scope.organisation_id else NOTHING
        if action in (VIEW, VIEW_PRIVATE):
            return own | governed(scope, "organisation__home_region__code")
        if not scope.has_any_role(ORGANISATION_MANAGERS):
            return NOTHING
        supervised = (
            governed(scope, "organisation__home_region__code")
            if scope.supervises_partners
            else NOTHING
        )
        return own | supervised
