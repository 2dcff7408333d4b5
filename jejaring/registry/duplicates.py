"""The duplicate guard: likely existing records of the person about to be created.

Candidates are fetched by blocking — the same NIK (verified or not), otherwise a birth
year within one, or without birth data the same regency, or else the first name word —
bounded by ``MAX_SCANNED`` so the cost stays small on a large registry. Each is then
scored by the same Fellegi–Sunter model the imports and the duplicate scan use
(``linkage.score_pair``): the newest stored ``imports.LinkageModel`` (a registry model
first), or, before any exists, one learnt from a random sample of the registry. A
candidate is listed when its match weight reaches ``linkage.REVIEW``, or when it holds
the very NIK typed.

What the guard may tell a user is only what that user may see anyway: it searches
the user's ``identity_scope``, so neither the list nor its length depends on records
hidden from them, and the guard is no oracle for those. Strong matches among the hidden
records (``find_hidden_matches``) are told to their handling organisation instead
(``actions.note_hidden_matches``).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Max, Min, Q, When
from django.utils.translation import gettext as _

from jejaring.core.scoping import VIEW_IDENTITY

from .models import Person
from .names import name_key, similarity

NAME_THRESHOLD = 85.0  # hidden matches: told to their handlers only when this close
MAX_SCANNED = 5000
# Records the fallback model is trained on, at most (the incoming one included): 500
# train in about 0.1 s, 2,000 in over 1 s — too long for a registration.
MAX_TRAINING = 500
# The registry sample a first model is learnt from, and the least worth learning from.
REGISTRY_SAMPLE = 20_000
MIN_TRAINING = 200


@dataclass
class Candidate:
    person: Person
    score: float  # the match weight (log2 odds) under the guard's model
    reasons: list[str] = field(default_factory=list)
    same_nik: bool = False
    # The same NIK, or a match weight the import would link without a person
    # (``linkage.AUTO_LINK``): worth telling a hidden record's handlers.
    strong: bool = False


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
    nik_unverified: str = "",
) -> list[Candidate]:
    """Likely earlier records of this person among ``within`` (a queryset; by default
    every record). The guard passes the user's ``identity_scope``, so that neither the
    list, nor its length, nor what the scan cap leaves out — nor the fallback model's
    weights — depends on hidden records. ``nik_unverified``: digits typed that failed a
    NIK rule, compared softly (never a reason to refuse)."""
    from jejaring.imports import linkage

    base = (Person.objects.all() if within is None else within).filter(merged_into__isnull=True)
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    year = birth_year or (birth_date.year if birth_date else None)
    incoming = linkage.LinkRecord(
        ref=0,
        name_key=name_key(full_name),
        nik=nik,
        nik_unverified=nik_unverified,
        birth_date=birth_date or (datetime.date(year, 1, 1) if year else None),
        year_only=birth_date is None and year is not None,
        region=region_code or "",
    )
    people: dict[int, Person] = {}
    digits = [d for d in (nik, nik_unverified) if d]
    if digits:
        # An unverified NIK is no hard key, but the same digits are strong evidence.
        same_digits = Q(nik__in=digits) | Q(nik_unverified__in=digits)
        for person in base.filter(same_digits).prefetch_related("aliases")[:MAX_SCANNED]:
            people[person.pk] = person
    key = incoming.name_key
    if year:
        block = Q(birth_year__range=(year - 1, year + 1)) | Q(birth_year__isnull=True)
    elif region_code:
        block = Q(region__code__startswith=".".join(region_code.split(".")[:2]))
    else:
        block = Q(name_key__startswith=key.split(" ")[0]) if key else Q(pk__in=[])
    fetched = list(base.filter(block).prefetch_related("aliases")[:MAX_SCANNED])
    for person in fetched:
        # A cheap first cut with the model's own name comparison (5 µs a pair, against
        # 0.7 ms for a whole score): names that disagree weigh so heavily against a link
        # that no birth date or village brings it to REVIEW; only the NIK could, and
        # those records were fetched above.
        if person.pk not in people and _names_agree(key, person):
            people[person.pk] = person
    if not people:
        return []
    model = guard_model(fetched, incoming)
    found: list[Candidate] = []
    for person in people.values():
        match = _best_match(model, incoming, _link_record(person), person)
        same_nik = bool(nik) and person.nik == nik
        if match.score < linkage.REVIEW and not same_nik:
            continue
        reasons = [part_label(p.comparison, p.level) for p in match.parts if p.weight > 0]
        if same_nik and not any(p.comparison == "nik" and p.weight > 0 for p in match.parts):
            reasons.insert(0, _("same NIK"))
        found.append(
            Candidate(
                person,
                round(match.score, 2),
                reasons,
                same_nik=same_nik,
                # What the import would link without asking anyone.
                strong=same_nik or linkage.links(match),
            )
        )
    return sorted(found, key=lambda c: (not c.same_nik, -c.score, c.person.pk))[:limit]


def part_label(comparison: str, level: str) -> str:
    """A part of the match weight in words, "birth date: day and month swapped"."""
    from jejaring.imports import linkage

    return _("%(comparison)s: %(level)s") % {
        "comparison": linkage.COMPARISON_LABELS.get(comparison, comparison),
        "level": linkage.LEVEL_LABELS.get((comparison, level), level),
    }


def _names_agree(key: str, person: Person) -> bool:
    from jejaring.imports import linkage

    keys = [person.name_key, *(a.name_key for a in person.aliases.all())]
    return any(k and linkage.name_level(key, k) != "else" for k in keys)


def _link_record(person: Person):
    """A person as linkage sees them, built the way the import builds registry records."""
    from jejaring.imports.pipeline import PERSON_LINK_FIELDS, link_record_from_person

    return link_record_from_person(*(getattr(person, f) for f in PERSON_LINK_FIELDS))


def _best_match(model, incoming, record, person: Person):
    """The best of the record's names: an alias ("Iki" for Rizki) counts as its name."""
    from jejaring.imports import linkage

    best = linkage.score_pair(model, incoming, record)
    for alias in person.aliases.all():
        if alias.name_key and alias.name_key != record.name_key:
            match = linkage.score_pair(
                model, incoming, dataclasses.replace(record, name_key=alias.name_key)
            )
            if match.score > best.score:
                best = match
    return best


def guard_model(fetched: list[Person], incoming):
    """The model the guard scores with: the newest one learnt from the registry (the
    duplicate scan) or from an import, so that entry, import and scan weigh alike.

    Before any exists, one is learnt from a random sample of the whole registry and kept
    as the registry's model — never from the blocked candidates alone: those resemble
    the incoming record by construction, and their agreement rates would say nothing
    about two people taken at random (the u of the model). Parameters only: no name or
    NIK is stored, so the sample is not a read of anyone's record."""
    from jejaring.imports import linkage
    from jejaring.imports.models import LinkageModel, LinkageModelSource

    params = (
        LinkageModel.objects.order_by(
            # A registry model first: it was learnt from the people entry compares with.
            Case(When(source=LinkageModelSource.REGISTRY, then=0), default=1),
            "-created_at",
            "-id",
        )
        .values_list("params", flat=True)
        .first()
    )
    if params:
        return linkage.Model.from_dict(params)
    sample = _registry_sample()
    if len(sample) < MIN_TRAINING:
        # A nearly empty registry: the engine's documented default weights.
        step = max(1, -(-len(fetched) // (MAX_TRAINING - 1)))
        return linkage.train([*sample, *(_link_record(p) for p in fetched[::step]), incoming])
    model = linkage.train(sample)
    LinkageModel.objects.create(
        source=LinkageModelSource.REGISTRY,
        params=model.to_dict(),
        records=model.records,
        pairs=model.pairs,
    )
    return model


def _registry_sample() -> list:
    """Up to ``REGISTRY_SAMPLE`` living registry people, drawn evenly over the ids."""
    import random

    from jejaring.imports.pipeline import PERSON_LINK_FIELDS, link_record_from_person

    living = Person.objects.filter(merged_into__isnull=True)
    bounds = living.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    low, high = bounds["low"], bounds["high"]
    fields = PERSON_LINK_FIELDS
    if high - low < REGISTRY_SAMPLE * 2:
        rows = living.values_list(*fields)[:REGISTRY_SAMPLE]
    else:
        # Random ids, not ORDER BY random(): the cost stays flat on a national registry.
        ids = random.Random(0).sample(  # noqa: S311 - a sample, not a secret
            range(low, high + 1), REGISTRY_SAMPLE * 2
        )
        rows = list(living.filter(pk__in=ids).values_list(*fields)[:REGISTRY_SAMPLE])
        if len(rows) < min(MIN_TRAINING, REGISTRY_SAMPLE):
            # Ids far sparser than the range (many deleted or merged, or a sequence that
            # jumped): the random draw found too few. A plain read, still bounded, rather
            # than falling back to training on the handful of candidates.
            rows = living.order_by("pk").values_list(*fields)[:REGISTRY_SAMPLE]
    return [link_record_from_person(*row) for row in rows]


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
