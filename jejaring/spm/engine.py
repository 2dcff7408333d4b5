"""SPM achievement: who is served to standard, kept current as services are recorded.

The rules (docs/spm.md):
- A service counts for an SPM service type when it was delivered to standard
  (``met_standard``), within the calendar year, is one of the type's basic services, for
  a case whose PMKS category belongs to the type's target group, and in the type's
  setting (inside institutions = a panti provider; outside = any other provider).
- A person is served to standard when they received at least ``min_services`` different
  basic services that year (the version of the standard valid that year). The date the
  last needed one was first delivered is when they reached the standard (its quarter).
- A person counts once per type and year, in the region where they last received a
  qualifying service — so people who move are not counted twice, and every level's
  figures add up to the level above.

``evaluate`` is the one implementation of these rules; the incremental path
(``recompute_person``) and the bulk path (``rebuild``) both call it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from .models import AchievementCount, CareSetting, PersonAchievement, SpmStandard

ROW_FIELDS = (
    "id",
    "person_id",
    "service_type_id",
    "delivered_on",
    "met_standard",
    "region_id",
    "case__category__spm_group_id",
    "provider__type__is_institution",
)


@dataclass(frozen=True)
class Rule:
    type_id: int
    group_id: int
    setting: str
    basic: frozenset[int]
    min_services: int


@dataclass
class Standing:
    type_id: int
    services_received: int
    reached_on: datetime.date | None
    region_code: str


def rules_for(year: int) -> list[Rule]:
    """The standard valid in ``year`` for every active service type."""
    chosen: dict[int, SpmStandard] = {}
    standards = (
        SpmStandard.objects.filter(valid_from__lte=year, service_type__is_active=True)
        .select_related("service_type")
        .prefetch_related("basic_services")
        .order_by("service_type_id", "-valid_from")
    )
    for standard in standards:
        chosen.setdefault(standard.service_type_id, standard)
    return [
        Rule(
            type_id=s.service_type_id,
            group_id=s.service_type.spm_group_id,
            setting=s.service_type.setting,
            basic=frozenset(b.pk for b in s.basic_services.all()),
            min_services=s.min_services,
        )
        for s in chosen.values()
    ]


def _qualifies(row: dict, rule: Rule) -> bool:
    if not row["met_standard"] or row["service_type_id"] not in rule.basic:
        return False
    if row["case__category__spm_group_id"] != rule.group_id:
        return False
    inside = bool(row["provider__type__is_institution"])
    if rule.setting == CareSetting.INSIDE:
        return inside
    if rule.setting == CareSetting.OUTSIDE:
        return not inside
    return True


def evaluate(rows: list[dict], rules: list[Rule]) -> dict[int, Standing]:
    """One person's services in one year → their standing per service type."""
    rows = sorted(rows, key=lambda r: (r["delivered_on"], r["id"]))
    standings = {}
    for rule in rules:
        qualifying = [r for r in rows if _qualifies(r, rule)]
        if not qualifying:
            continue
        first_seen: dict[int, datetime.date] = {}
        for row in qualifying:
            first_seen.setdefault(row["service_type_id"], row["delivered_on"])
        dates = sorted(first_seen.values())
        reached = dates[rule.min_services - 1] if len(dates) >= rule.min_services else None
        standings[rule.type_id] = Standing(
            type_id=rule.type_id,
            services_received=len(dates),
            reached_on=reached,
            region_code=qualifying[-1]["region_id"] or "",
        )
    return standings


def region_chain(code: str) -> list[str]:
    """'14.71.01.1002' → ['', '14', '14.71', '14.71.01', '14.71.01.1002'] ('' = national)."""
    parts = code.split(".") if code else []
    return ["", *(".".join(parts[: i + 1]) for i in range(len(parts)))]


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def _adjust(region_code: str, year: int, type_id: int, reached: datetime.date, delta: int):
    quarter = quarter_of(reached)
    for code in region_chain(region_code):
        row, _ = AchievementCount.objects.get_or_create(
            region_code=code, year=year, service_type_id=type_id, quarter=quarter
        )
        AchievementCount.objects.filter(pk=row.pk).update(served=F("served") + delta)


def _services(person_ids, year: int):
    from jejaring.cases.models import Service

    return Service.objects.filter(person_id__in=person_ids, delivered_on__year=year).values(
        *ROW_FIELDS
    )


@transaction.atomic
def recompute_person(person_id: int, year: int) -> dict[int, Standing]:
    """Bring one person's standing and the regional counts up to date for one year."""
    new = evaluate(list(_services([person_id], year)), rules_for(year))
    old = {
        a.service_type_id: a
        for a in PersonAchievement.objects.select_for_update().filter(
            person_id=person_id, year=year
        )
    }
    for type_id in set(old) | set(new):
        before, after = old.get(type_id), new.get(type_id)
        if before and before.reached_on:
            _adjust(before.region_code, year, type_id, before.reached_on, -1)
        if after and after.reached_on:
            _adjust(after.region_code, year, type_id, after.reached_on, +1)
        if after is None:
            before.delete()
        else:
            PersonAchievement.objects.update_or_create(
                person_id=person_id,
                year=year,
                service_type_id=type_id,
                defaults={
                    "region_code": after.region_code,
                    "services_received": after.services_received,
                    "reached_on": after.reached_on,
                },
            )
    return new


def after_service(service) -> None:
    recompute_person(service.person_id, service.delivered_on.year)


def after_merge(survivor, merged) -> None:
    from jejaring.cases.models import Service

    years = set(
        Service.objects.filter(person_id__in=[survivor.pk, merged.pk]).values_list(
            "delivered_on__year", flat=True
        )
    ) | set(
        PersonAchievement.objects.filter(person_id__in=[survivor.pk, merged.pk]).values_list(
            "year", flat=True
        )
    )
    for year in years:
        recompute_person(survivor.pk, year)
        recompute_person(merged.pk, year)


BATCH = 5000


@transaction.atomic
def rebuild(year: int) -> dict[str, int]:
    """Recompute a whole year from the services (after an import, or to check drift).

    Streams the year's services ordered by person, evaluates each person once and writes
    standings and counts in bulk: the same rules as the incremental path.
    """
    from jejaring.cases.models import Service

    rules = rules_for(year)
    PersonAchievement.objects.filter(year=year).delete()
    AchievementCount.objects.filter(year=year).delete()
    counts: dict[tuple[str, int, int], int] = defaultdict(int)
    pending: list[PersonAchievement] = []
    people = 0

    def flush_person(person_id, rows):
        nonlocal people
        people += 1
        for standing in evaluate(rows, rules).values():
            pending.append(
                PersonAchievement(
                    person_id=person_id,
                    year=year,
                    service_type_id=standing.type_id,
                    region_code=standing.region_code,
                    services_received=standing.services_received,
                    reached_on=standing.reached_on,
                )
            )
            if standing.reached_on:
                quarter = quarter_of(standing.reached_on)
                for code in region_chain(standing.region_code):
                    counts[(code, standing.type_id, quarter)] += 1
        if len(pending) >= BATCH:
            PersonAchievement.objects.bulk_create(pending)
            pending.clear()

    rows = (
        Service.objects.filter(delivered_on__year=year)
        .order_by("person_id")
        .values(*ROW_FIELDS)
        .iterator(chunk_size=BATCH)
    )
    current, batch = None, []
    for row in rows:
        if row["person_id"] != current and batch:
            flush_person(current, batch)
            batch = []
        current = row["person_id"]
        batch.append(row)
    if batch:
        flush_person(current, batch)
    PersonAchievement.objects.bulk_create(pending)
    AchievementCount.objects.bulk_create(
        [
            AchievementCount(
                region_code=code, year=year, service_type_id=type_id, quarter=q, served=n
            )
            for (code, type_id, q), n in counts.items()
        ],
        batch_size=BATCH,
    )
    return {"people": people, "cells": len(counts)}
