"""Which office a public report goes to, and where it goes when nobody takes it.

The village's region chain is walked upwards (village, district, regency/city,
province). At each level the leading-sector table the referrals use names the office
that leads the report's category there; where it names none, the level's own social
office (Dinas Sosial) takes it. A report starts at the lowest level that has either,
in practice the regency or city (UU 23/2014 gives it first contact), and escalates one
level at a time: to the province, which has nobody above it in the region chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from jejaring.cases.models import LeadingSector, SectorRole
from jejaring.network.models import Organisation, OrganisationStatus
from jejaring.regions.models import Region


@dataclass(frozen=True)
class Route:
    organisation: Organisation
    region: Region


def _chain_upwards(village: Region) -> list[str]:
    return [village.code, *reversed(village.ancestor_codes())]


def responsible_office(category, village: Region, *, above: Region | None = None) -> Route | None:
    """The office for ``category`` at the lowest level of ``village``'s chain that has
    one, or, with ``above``, at the lowest level above that region. None when the chain
    has no office left (the report stays where it is)."""
    codes = _chain_upwards(village)
    if above is not None:
        if above.code not in codes:
            return None
        codes = codes[codes.index(above.code) + 1 :]
    if not codes:
        return None
    leads = {
        row.region_id: row.organisation
        for row in LeadingSector.objects.filter(
            region_id__in=codes,
            category=category,
            role=SectorRole.LEAD,
            organisation__status=OrganisationStatus.ACTIVE,
        )
        .select_related("organisation")
        .order_by("organisation_id")
    }
    offices: dict[str, Organisation] = {}
    for office in Organisation.objects.filter(
        home_region_id__in=codes,
        type__is_social_office=True,
        type__regional_jurisdiction=True,
        status=OrganisationStatus.ACTIVE,
    ).order_by("pk"):
        offices.setdefault(office.home_region_id, office)
    regions = Region.objects.in_bulk(codes)
    for code in codes:
        organisation = leads.get(code) or offices.get(code)
        if organisation is not None:
            return Route(organisation, regions[code])
    return None
