"""Suggesting whom to refer to: the leading-sector table and the authority split.

UU 23/2014: the regency/city gives basic rehabilitation outside institutions and first
contact; the province gives rehabilitation inside its institutions (dalam panti) for
cases the regency selects; other offices support (Dukcapil for a NIK, health, DP3A…).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from jejaring.core.scoping import region_subtree
from jejaring.network.models import Organisation, OrganisationLevel, OrganisationStatus

from .models import Case, LeadingSector, SectorRole


@dataclass
class Suggestion:
    organisation: Organisation
    why: str


def _region_chain(case: Case) -> list[str]:
    region = case.person.region or case.organisation.home_region
    return [*region.ancestor_codes(), region.code]


def suggest_receivers(case: Case, *, limit: int = 8) -> list[Suggestion]:
    chain = _region_chain(case)
    province = chain[0]
    found: dict[int, Suggestion] = {}

    table = (
        LeadingSector.objects.filter(region__code__in=chain, category=case.category)
        .exclude(organisation=case.organisation)
        .select_related("organisation", "region")
        .order_by("role", "-region__code")
    )
    for row in table:
        why = (
            _("leading sector for %(category)s in %(region)s")
            if row.role == SectorRole.LEAD
            else _("supporting office for %(category)s in %(region)s")
        )
        found.setdefault(
            row.organisation_id,
            Suggestion(
                row.organisation, why % {"category": case.category.name, "region": row.region.name}
            ),
        )

    # Inside-institution care is the province's: its panti that handle the category.
    panti = Organisation.objects.filter(
        region_subtree("home_region__code", province),
        type__is_institution=True,
        level=OrganisationLevel.PROVINCE,
        pmks_categories=case.category,
        status=OrganisationStatus.ACTIVE,
    ).exclude(pk=case.organisation_id)
    for org in panti:
        found.setdefault(
            org.pk,
            Suggestion(
                org,
                _("provincial institution (dalam panti) handling %(category)s")
                % {"category": case.category.name},
            ),
        )

    # Partners and offices in the same regency that handle the category.
    regency = chain[1] if len(chain) > 1 else province
    nearby = (
        Organisation.objects.filter(
            region_subtree("home_region__code", regency) | Q(service_area__code=province),
            pmks_categories=case.category,
            status=OrganisationStatus.ACTIVE,
        )
        .exclude(pk=case.organisation_id)
        .distinct()
    )
    for org in nearby:
        found.setdefault(
            org.pk,
            Suggestion(org, _("handles %(category)s nearby") % {"category": case.category.name}),
        )
    return list(found.values())[:limit]
