"""Who reaches which SPM records (see core.scoping for the rules).

SPM figures are public: the open page publishes every region's achievement against its
target, so targets and the yearly report's text are visible to every member (``VIEW``).
Setting a region's targets and writing its report is the work of the social office
governing the region — its office heads and data officers, as for registering the
partners there — or of a network administrator (``CHANGE``). An office outside the
region therefore gets 403, not 404: the record is no secret, only not theirs.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from jejaring.accounts.roles import ORGANISATION_MANAGERS
from jejaring.core.scoping import (
    CHANGE,
    EVERYTHING,
    NOTHING,
    VIEW,
    VIEW_PRIVATE,
    Scope,
    ScopePolicy,
    region_subtree,
    scope_for,
)


class RegionalSpmPolicy(ScopePolicy):
    """A record of one region's SPM work (its targets, its report), at ``region_path``."""

    def __init__(self, region_path: str = "region__code"):
        self.region_path = region_path

    def filter(self, scope: Scope, action: str) -> Q:
        if action in (VIEW, VIEW_PRIVATE):
            return EVERYTHING
        manages = scope.supervises_partners and scope.has_any_role(ORGANISATION_MANAGERS)
        if not (manages and scope.jurisdiction_code):
            return NOTHING
        return region_subtree(self.region_path, scope.jurisdiction_code)


class TargetPolicy(RegionalSpmPolicy):
    """A region's yearly target for one SPM service type."""


class ReportNotesPolicy(RegionalSpmPolicy):
    """What an office writes into a region's yearly report."""


# The same rule seen from the region itself: a region whose first target is being set
# has no row yet for ``restrict`` to find.
_REGIONS = RegionalSpmPolicy(region_path="code")


def may_manage(user, region, action: str = CHANGE) -> bool:
    """Whether ``user`` may set ``region``'s targets and write its report.
    ``user=None`` is the system itself (``jejaring demo``, management commands)."""
    from jejaring.regions.models import Region

    if user is None:
        return True
    scope = scope_for(user)
    return scope is not None and (
        scope.is_network_admin
        or Region.objects.filter(_REGIONS.filter(scope, action), pk=region.pk).exists()
    )


def check_manages(user, region) -> None:
    """403 (``PermissionDenied``) unless ``user`` may change ``region``'s SPM records."""
    if not may_manage(user, region):
        raise PermissionDenied(
            _("Only the social office of %(region)s sets its targets and report.")
            % {"region": region.name}
        )
