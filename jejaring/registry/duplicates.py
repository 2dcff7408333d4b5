"""The duplicate guard: likely existing records of the person about to be created.

Exact NIK first; otherwise a similar name (spelling variants folded, ``names.py``) with
a compatible birth date — same date, day and month swapped, or the same year when only
the year is known — or, without any birth data, the same regency. Candidates are
blocked by birth year or regency so the cost stays small on a large registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Person
from .names import name_key, similarity

NAME_THRESHOLD = 85.0
MAX_SCANNED = 5000


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


def _birth_compatible(a: Person, birth_date, birth_year) -> tuple[bool, str]:
    if birth_date and a.birth_date:
        if a.birth_date == birth_date:
            return True, _("same birth date")
        swapped = a.birth_date.year == birth_date.year and (
            a.birth_date.day == birth_date.month and a.birth_date.month == birth_date.day
        )
        if swapped:
            return True, _("birth date with day and month swapped")
    year = birth_year or (birth_date.year if birth_date else None)
    if year and a.birth_year and abs(a.birth_year - year) <= 1:
        return True, _("birth year within one year")
    return False, ""


def find_candidates(
    *,
    full_name: str,
    nik: str = "",
    birth_date: datetime.date | None = None,
    birth_year: int | None = None,
    region_code: str | None = None,
    exclude_pk: int | None = None,
    limit: int = 10,
) -> list[Candidate]:
    base = Person.objects.filter(merged_into__isnull=True)
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    found: dict[int, Candidate] = {}
    if nik:
        for person in base.filter(nik=nik):
            found[person.pk] = Candidate(person, 100.0, [_("same NIK")])

    key = name_key(full_name)
    year = birth_year or (birth_date.year if birth_date else None)
    if year:
        block = Q(birth_year__range=(year - 1, year + 1)) | Q(birth_year__isnull=True)
    elif region_code:
        block = Q(region__code__startswith=".".join(region_code.split(".")[:2]))
    else:
        block = Q(name_key__startswith=key.split(" ")[0]) if key else Q(pk__in=[])
    scanned = base.filter(block).prefetch_related("aliases")[:MAX_SCANNED]
    for person in scanned:
        keys = [person.name_key, *(a.name_key for a in person.aliases.all())]
        score = max(similarity(key, k) for k in keys)
        if score < NAME_THRESHOLD:
            continue
        compatible, why = _birth_compatible(person, birth_date, year)
        if year and not compatible and person.birth_year is not None:
            continue
        reasons = [_("similar name (%(score)d%%)") % {"score": round(score)}]
        if why:
            reasons.append(why)
        if person.pk in found:
            found[person.pk].reasons.extend(reasons)
        else:
            found[person.pk] = Candidate(person, score, reasons)
    return sorted(found.values(), key=lambda c: -c.score)[:limit]
