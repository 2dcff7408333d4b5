"""The duplicate guard: likely existing records of the person about to be created.

Exact NIK first; otherwise a similar name (spelling variants folded, ``names.py``) with
a compatible birth date — same date, day and month swapped, or the same year when only
the year is known — or, without any birth data, the same regency. Candidates are
blocked by birth year or regency so the cost stays small on a large registry.

What the guard may tell a user is only what that user may see anyway: it searches
the user's ``identity_scope``, so neither the list nor its length depends on records
hidden from them, and the guard is no oracle for those. Strong matches among the hidden
records (``find_hidden_matches``) are told to their handling organisation instead
(``actions.note_hidden_matches``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from jejaring.core.scoping import VIEW_IDENTITY

from .models import Person
from .names import name_key, similarity

NAME_THRESHOLD = 85.0
MAX_SCANNED = 5000


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)
    same_nik: bool = False
    # The same NIK, or a similar name with the same (or day-month swapped) birth date:
    # worth telling a hidden record's handlers. A birth year alone is not.
    strong: bool = False


def _birth_compatible(a: Person, birth_date, birth_year) -> tuple[bool, str, bool]:
    """(compatible, why, the very day matches — the same date or day and month swapped)."""
    if birth_date and a.birth_date:
        if a.birth_date == birth_date:
            return True, _("same birth date"), True
        swapped = a.birth_date.year == birth_date.year and (
            a.birth_date.day == birth_date.month and a.birth_date.month == birth_date.day
        )
        if swapped:
            return True, _("birth date with day and month swapped"), True
    year = birth_year or (birth_date.year if birth_date else None)
    if year and a.birth_year and abs(a.birth_year - year) <= 1:
        return True, _("birth year within one year"), False
    return False, "", False


def _swapped(day: datetime.date) -> datetime.date | None:
    try:
        return day.replace(day=day.month, month=day.day)
    except ValueError:
        return None


def identity_scope(user):
    """The records ``user`` may see in full; None (everything) for the system itself —
    the demo, commands — which is no outsider."""
    if user is None:
        return None
    return Person.objects.restrict(user, VIEW_IDENTITY)


def find_candidates(
    *,
    full_name: str,
    nik: str = "",
    birth_date: datetime.date | None = None,
    birth_year: int | None = None,
    region_code: str | None = None,
    exclude_pk: int | None = None,
    limit: int = 10,
    within=None,
) -> list[Candidate]:
    """Likely earlier records of this person among ``within`` (a queryset; by default
    every record). The guard passes the user's ``identity_scope``, so that neither the
    list, nor its length, nor what the scan cap leaves out depends on hidden records."""
    base = (Person.objects.all() if within is None else within).filter(merged_into__isnull=True)
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    found: dict[int, Candidate] = {}
    if nik:
        for person in base.filter(nik=nik):
            found[person.pk] = Candidate(person, 100.0, [_("same NIK")], same_nik=True, strong=True)

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
        compatible, why, same_day = _birth_compatible(person, birth_date, year)
        if year and not compatible and person.birth_year is not None:
            continue
        reasons = [_("similar name (%(score)d%%)") % {"score": round(score)}]
        if why:
            reasons.append(why)
        if person.pk in found:
            found[person.pk].reasons.extend(reasons)
        else:
            found[person.pk] = Candidate(person, score, reasons, strong=same_day)
    return sorted(found.values(), key=lambda c: -c.score)[:limit]


def find_hidden_matches(
    *,
    user,
    full_name: str,
    nik: str = "",
    birth_date: datetime.date | None = None,
    exclude_pk: int | None = None,
) -> list[Candidate]:
    """Strong matches among the records ``user`` may not see in full: the same NIK, or
    a similar name born on the same day (or day and month swapped). Never shown to the
    user; their handlers are told. The queries are the same whether anything matches
    or not, so the answer's timing does not tell either."""
    scope = identity_scope(user)
    if scope is None:
        return []
    hidden = Person.objects.filter(merged_into__isnull=True).exclude(pk__in=scope.values("pk"))
    if exclude_pk is not None:
        hidden = hidden.exclude(pk=exclude_pk)
    found: dict[int, Candidate] = {}
    if nik:
        for person in hidden.filter(nik=nik):
            found[person.pk] = Candidate(person, 100.0, [], same_nik=True, strong=True)
    if birth_date:
        days = [d for d in (birth_date, _swapped(birth_date)) if d]
        key = name_key(full_name)
        for person in hidden.filter(birth_date__in=days).prefetch_related("aliases")[:MAX_SCANNED]:
            keys = [person.name_key, *(a.name_key for a in person.aliases.all())]
            score = max(similarity(key, k) for k in keys)
            if score >= NAME_THRESHOLD and person.pk not in found:
                found[person.pk] = Candidate(person, score, [], strong=True)
    return sorted(found.values(), key=lambda c: (not c.same_nik, -c.score, c.person.pk))
