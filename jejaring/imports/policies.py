"""Who reaches imports and the review queue.

An import belongs to the organisation that uploaded it: its staff with an importing
role see it, nobody else (the rows hold identities). The review queue is the
organisation's too; both records in a pair are ones the organisation handles or
governs, since linkage only compares what the importing user may see in full.
"""

from django.db.models import Q

from jejaring.accounts.roles import Role
from jejaring.core.scoping import CHANGE, NOTHING, VIEW, Scope, ScopePolicy

# Data officers import (domain.md §2); office heads oversee their office's data.
IMPORTER_ROLES = frozenset({Role.DATA_OFFICER, Role.OFFICE_HEAD})


def may_import(scope: Scope | None) -> bool:
    if scope is None:
        return False
    return scope.is_network_admin or bool(
        scope.organisation_id and scope.has_any_role(IMPORTER_ROLES)
    )


class ImportJobPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        if action in (VIEW, CHANGE) and may_import(scope):
            return Q(organisation_id=scope.organisation_id)
        return NOTHING

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        # Uploaded files hold raw identities, sensitive ones included: a network
        # administrator reaches their own organisation's imports, not everyone's.
        if not scope.organisation_id:
            return NOTHING
        return Q(organisation_id=scope.organisation_id)


class LinkReviewPolicy(ImportJobPolicy):
    pass
