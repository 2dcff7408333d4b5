"""Who reaches which person records.

- The organisation that registered the person handles them; later, organisations with a
  case or an open referral for the person do too (``cases`` widens ``handling``).
- Government offices governing the person's place of residence see the record.
- A person holding a sensitive category (child victims of violence, children in conflict
  with the law, trafficking victims, people with HIV) shows their identity only to the
  organisations handling them — not to governing offices, and not to network
  administrators either: everyone else sees a masked record.
"""

from django.db.models import Q

from jejaring.accounts.roles import SENSITIVE_IDENTITY_ROLES, VILLAGE_UPDATERS
from jejaring.core.scoping import (
    CHANGE,
    NOTHING,
    VIEW,
    VIEW_IDENTITY,
    Scope,
    ScopePolicy,
    region_subtree,
)

# A village code has four parts (14.71.01.1003): province, regency, district, village.
VILLAGE_DOTS = 3


def handling(scope: Scope) -> Q:
    """People the user's organisation handles: registered them, or (see ``handlers``)
    holds a case or an open referral for them."""
    if not scope.organisation_id:
        return NOTHING
    condition = Q(registered_by_id=scope.organisation_id)
    for extra in PersonPolicy.handlers:
        condition |= extra(scope)
    return condition


def governed(scope: Scope) -> Q:
    if not scope.jurisdiction_code:
        return NOTHING
    return region_subtree("region__code", scope.jurisdiction_code)


def kept_by_village(scope: Scope) -> Q:
    """People living in the village a village office governs, for the roles that keep
    its records (``VILLAGE_UPDATERS``); a regency or province office reads its region's
    people but changes only those it handles."""
    code = scope.jurisdiction_code or ""
    if code.count(".") != VILLAGE_DOTS or not scope.has_any_role(VILLAGE_UPDATERS):
        return NOTHING
    return Q(region__code=code)


class PersonPolicy(ScopePolicy):
    # Functions Scope → Q added by apps that make an organisation handle a person
    # (the cases app: a case or an open referral). Registered in AppConfig.ready().
    handlers: list = []

    def filter(self, scope: Scope, action: str) -> Q:
        if action == VIEW:
            return handling(scope) | governed(scope)
        if action == VIEW_IDENTITY:
            # Sensitive identities: the handling organisations' named roles only.
            sees_sensitive = scope.has_any_role(SENSITIVE_IDENTITY_ROLES)
            own = handling(scope) if sees_sensitive else handling(scope) & Q(is_sensitive=False)
            return own | (governed(scope) & Q(is_sensitive=False))
        if action == CHANGE:
            # Changing shows the identity (the edit form): same rule as VIEW_IDENTITY.
            village = kept_by_village(scope) & Q(is_sensitive=False)
            if scope.has_any_role(SENSITIVE_IDENTITY_ROLES):
                return handling(scope) | village
            return (handling(scope) & Q(is_sensitive=False)) | village
        return NOTHING

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        if action in (VIEW_IDENTITY, CHANGE):
            sees_sensitive = scope.has_any_role(SENSITIVE_IDENTITY_ROLES)
            return (handling(scope) if sees_sensitive else NOTHING) | Q(is_sensitive=False)
        return Q()
