"""A synced draft is its sender's: the outcome of a draft (a new person's id, a likely
duplicate's candidates) is read back only by the user whose phone sent it."""

from django.db.models import Q

from jejaring.core.scoping import NOTHING, Scope, ScopePolicy


class SyncedDraftPolicy(ScopePolicy):
    def filter(self, scope: Scope, action: str) -> Q:
        return Q(user_id=scope.user_id) if scope.user_id else NOTHING

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        return Q(user_id=scope.user_id)
