"""Reading SPM figures: targets and achievement per region, ready for pages and API.

Achievement = people served to standard ÷ target × 100. A missing or zero target gives
"no target" (``percent`` is None), never a division error. Counts come from
``AchievementCount`` (kept current by the engine), so a dashboard is a few indexed
reads whatever the number of services behind it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum

from jejaring.core import clock
from jejaring.regions.models import Region, RegionLevel

from .models import AchievementCount, SpmLevel, SpmServiceType, Target


@dataclass
class Cell:
    code: str  # '' = the whole country; '~' = people not located below the parent
    name: str
    target: int | None
    served: int
    level: str = ""

    @property
    def percent(self) -> float | None:
        if not self.target:
            return None
        return round(self.served * 100 / self.target, 1)

    @property
    def gap(self) -> int | None:
        return None if self.target is None else max(self.target - self.served, 0)

    def as_dict(self) -> dict:
        return {
            "region": self.code,
            "name": self.name,
            "level": self.level,
            "target": self.target,
            "served": self.served,
            "percent": self.percent,
            "gap": self.gap,
        }


def served(codes: list[str], year: int, type_ids: list[int], quarter: int = 4) -> dict:
    """(region code, type id) → people served to standard by the end of ``quarter``."""
    rows = (
        AchievementCount.objects.filter(
            region_code__in=codes, year=year, service_type_id__in=type_ids, quarter__lte=quarter
        )
        .values("region_code", "service_type_id")
        .annotate(n=Sum("served"))
    )
    return {(r["region_code"], r["service_type_id"]): r["n"] for r in rows}


def target_rows(year: int, type_ids: list[int] | None = None) -> list[tuple]:
    """A year's (region code, type id, target) rows, of the given types or all: what
    targets() reads. A page that asks for several figures of one year fetches them once
    and passes them on (``rows=``), instead of one query per figure."""
    query = Target.objects.filter(year=year)
    if type_ids is not None:
        query = query.filter(service_type_id__in=type_ids)
    # No ORDER BY: the rows are looked up and summed, never shown in order.
    return list(query.order_by().values_list("region_id", "service_type_id", "target"))


def targets(
    codes: list[str], year: int, type_ids: list[int], *, rows: list[tuple] | None = None
) -> dict:
    """(region code, type id) → target: the region's own, else the sum of its children's,
    else of its grandchildren's, else None. One query (none with ``rows`` from
    target_rows() for the year, which may hold other types too): a year's targets are few."""
    if rows is None:
        rows = target_rows(year, type_ids)
    return _targets_from(rows, codes, type_ids)


def _targets_from(rows: list[tuple], codes: list[str], type_ids: list[int]) -> dict:
    """targets() for one year's (region, type, target) rows."""
    explicit = {(code, type_id): n for code, type_id, n in rows}
    result = {}
    for code in codes:
        depth = len(code.split(".")) if code else 0
        prefix = f"{code}." if code else ""
        for type_id in type_ids:
            if (code, type_id) in explicit:
                result[(code, type_id)] = explicit[(code, type_id)]
                continue
            result[(code, type_id)] = None
            for below in (depth + 1, depth + 2):
                parts = [
                    n
                    for c, t, n in rows
                    if t == type_id and c.startswith(prefix) and len(c.split(".")) == below
                ]
                if parts:
                    result[(code, type_id)] = sum(parts)
                    break
    return result


def breakdown(
    parent: Region | None,
    year: int,
    service_type: SpmServiceType,
    quarter: int = 4,
    *,
    target_rows: list[tuple] | None = None,
) -> tuple[Cell, list[Cell]]:
    """The parent's total and one row per child region, plus people served in the
    parent but not located in any child (so the rows always add up to the total)."""
    children = list(
        Region.objects.filter(level=RegionLevel.PROVINCE)
        if parent is None
        else parent.children.all()
    )
    parent_code = parent.code if parent else ""
    codes = [parent_code, *(c.code for c in children)]
    got = served(codes, year, [service_type.pk], quarter)
    aims = targets(codes, year, [service_type.pk], rows=target_rows)
    rows = [
        Cell(
            c.code,
            c.name,
            aims.get((c.code, service_type.pk)),
            got.get((c.code, service_type.pk), 0),
            c.level,
        )
        for c in children
    ]
    total = Cell(
        parent_code,
        parent.name if parent else "Indonesia",
        aims.get((parent_code, service_type.pk)),
        got.get((parent_code, service_type.pk), 0),
        parent.level if parent else "national",
    )
    unlocated = total.served - sum(r.served for r in rows)
    if unlocated:
        rows.append(Cell("~", "", None, unlocated, "unlocated"))
    return total, rows


def spm_level(region: Region | None) -> str | None:
    """The SPM level a region answers for: a province its provincial service types
    (inside institutions), a regency or city — and the districts and villages in it —
    the regency/city ones. ``None`` (the whole country) answers for every type."""
    if region is None:
        return None
    return SpmLevel.PROVINCE if region.level == RegionLevel.PROVINCE else SpmLevel.REGENCY


def region_summary(
    region: Region | None,
    year: int,
    quarter: int = 4,
    *,
    own_level: bool = False,
    target_rows: list[tuple] | None = None,
    active_types: list[SpmServiceType] | None = None,
) -> list[tuple]:
    """(service type, cell) for every active type, for one region and year; with
    ``own_level`` only the types of the region's own level (a regency's report lists
    no province-only type). ``active_types``: the active types in their order, when the
    caller has fetched them already (with their groups)."""
    level = spm_level(region) if own_level else None
    if active_types is not None:
        types = [t for t in active_types if level is None or t.level == level]
    else:
        types = SpmServiceType.objects.filter(is_active=True).select_related("spm_group")
        if level is not None:
            types = types.filter(level=level)
        types = list(types)
    code = region.code if region else ""
    got = served([code], year, [t.pk for t in types], quarter)
    aims = targets([code], year, [t.pk for t in types], rows=target_rows)
    name = region.name if region else "Indonesia"
    return [(t, Cell(code, name, aims.get((code, t.pk)), got.get((code, t.pk), 0))) for t in types]


def targeted_types(
    region: Region | None,
    year: int,
    types: list[SpmServiceType],
    *,
    target_rows: list[tuple] | None = None,
) -> list:
    """The types, of those given, with a target in the region and year (its own or its
    regions' sum): the ones worth opening a dashboard on. Types of the region's own
    level come first, each group in the given order."""
    code = region.code if region else ""
    aims = targets([code], year, [t.pk for t in types], rows=target_rows)
    found = [t for t in types if aims.get((code, t.pk)) is not None]
    level = spm_level(region)
    return sorted(found, key=lambda t: level is not None and t.level != level)


def trend(region: Region | None, service_type: SpmServiceType, years: list[int]) -> list[Cell]:
    """One cell per year: the same figures as served() and targets(), in two queries for
    all the years rather than two per year."""
    code = region.code if region else ""
    served_by_year = dict(
        AchievementCount.objects.filter(
            region_code=code, year__in=years, service_type_id=service_type.pk, quarter__lte=4
        )
        .values("year")
        .annotate(n=Sum("served"))
        .values_list("year", "n")
    )
    rows_by_year: dict[int, list[tuple]] = {year: [] for year in years}
    for year, *row in Target.objects.filter(
        year__in=years, service_type_id=service_type.pk
    ).values_list("year", "region_id", "service_type_id", "target"):
        rows_by_year[year].append(tuple(row))
    out = []
    for year in years:
        aims = _targets_from(rows_by_year[year], [code], [service_type.pk])
        out.append(
            Cell(
                code,
                str(year),
                aims.get((code, service_type.pk)),
                served_by_year.get(year) or 0,
            )
        )
    return out


@dataclass
class NeedLine:
    service: str
    unit_cost: int | None
    people: int
    amount: int | None


def standard_for(service_type: SpmServiceType, year: int):
    """The minimum standard in force for the type in the year (None before the first)."""
    from .models import SpmStandard

    return (
        SpmStandard.objects.filter(service_type=service_type, valid_from__lte=year)
        .order_by("-valid_from")
        .first()
    )


# "Not given": look the standard up (None is a real answer: no standard yet).
UNKNOWN = object()


def needs(
    region: Region | None,
    year: int,
    service_type: SpmServiceType,
    *,
    target_rows: list[tuple] | None = None,
    standard=UNKNOWN,
) -> list[NeedLine]:
    """Planning step: people still to serve × each basic service × its unit cost."""
    from .models import UnitCost

    if standard is UNKNOWN:
        standard = standard_for(service_type, year)
    if standard is None:
        return []
    code = region.code if region else ""
    gap = (
        Cell(
            code,
            "",
            targets([code], year, [service_type.pk], rows=target_rows).get((code, service_type.pk)),
            served([code], year, [service_type.pk]).get((code, service_type.pk), 0),
        ).gap
        or 0
    )
    costs = {u.service_id: int(u.amount) for u in UnitCost.objects.filter(year=year)}
    return [
        NeedLine(s.name, costs.get(s.pk), gap, costs[s.pk] * gap if s.pk in costs else None)
        for s in standard.basic_services.order_by("sort_order")
    ]


def service_breakdown(region: Region, year: int, service_type: SpmServiceType) -> list[tuple]:
    """Services of the type's group delivered in the region and year, per basic service:
    (service name, services delivered, of which to standard). Regency level and below:
    nationally the dashboard keeps to the precomputed counts."""
    from django.db.models import Count, Q

    from jejaring.cases.models import Service
    from jejaring.core.scoping import region_subtree

    rows = (
        Service.objects.filter(
            region_subtree("region__code", region.code),
            delivered_on__year=year,
            case__category__spm_group=service_type.spm_group_id,
        )
        .values("service_type__name")
        .annotate(n=Count("id"), standard=Count("id", filter=Q(met_standard=True)))
        .order_by("-n")
    )
    return [(r["service_type__name"], r["n"], r["standard"]) for r in rows]


def gap_people(
    region: Region | None,
    year: int,
    service_type: SpmServiceType,
    user,
    limit: int = 50,
    *,
    standard=UNKNOWN,
) -> list[tuple]:
    """People who received some but not all of what the standard asks, with the basic
    services they still lack — only those the user may see, masked as usual."""
    from jejaring.core.scoping import region_subtree
    from jejaring.registry.actions import present_on
    from jejaring.registry.models import Person
    from jejaring.registry.presenters import present_many

    from .models import PersonAchievement

    if standard is UNKNOWN:
        standard = standard_for(service_type, year)
    if standard is None:
        return []
    # Who moved away or died by the year's end (or today) is no longer waiting to be served.
    day = min(datetime.date(year, 12, 31), clock.localdate())
    standings = present_on(
        PersonAchievement.objects.filter(
            year=year,
            service_type=service_type,
            reached_on__isnull=True,
            person__in=Person.objects.restrict(user),
        ),
        day,
        "person__",
    )
    if region is not None:
        standings = standings.filter(region_subtree("region_code", region.code))
    standings = list(standings.select_related("person")[:limit])
    basic = list(standard.basic_services.all())
    received = _received(standings, year, {b.pk for b in basic})
    views = present_many([s.person for s in standings], user)
    return [
        (
            view,
            s.services_received,
            standard.min_services,
            [b.name for b in basic if b.pk not in received.get(s.person_id, set())],
        )
        for view, s in zip(views, standings, strict=True)
    ]


def _received(standings, year: int, basic_ids: set[int]) -> dict[int, set[int]]:
    from jejaring.cases.models import Service

    out: dict[int, set[int]] = {}
    for person_id, type_id in Service.objects.filter(
        person_id__in=[s.person_id for s in standings],
        delivered_on__year=year,
        met_standard=True,
        service_type_id__in=basic_ids,
    ).values_list("person_id", "service_type_id"):
        out.setdefault(person_id, set()).add(type_id)
    return out
