"""Record linkage: is this incoming record a person we already know?

Exact NIK first. Otherwise a Fellegi–Sunter style score: each compared field adds
evidence for "same person" or takes it away, and the sum decides between three
outcomes (``AUTO_LINK`` and ``REVIEW`` thresholds):

- linked automatically — the evidence is overwhelming;
- sent to the data officer's review queue — likely, but a person must decide;
- a new person.

Names are compared after folding the Indonesian spelling variants (``registry.names``);
birth dates tolerate day/month swaps and year-only dates; region and parents' names
add weight. Comparing every record with every other is quadratic, so candidates come
from *blocks*: records sharing a blocking key (same NIK; same birth date with day and
month in either order and the same first letters of the first or last name word; same
birth year and name initials; same folded name in the same regency; same folded name
and mother). Every record has a handful of keys, so the work grows about linearly with
the data. Oversized blocks (a very common name on one date) are cut at ``MAX_BLOCK``.

The engine works on plain ``LinkRecord`` values, so the import, the on-demand registry
check and the benchmark all run the very same code.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import token_set_ratio, token_sort_ratio

AUTO_LINK = 9.0
REVIEW = 5.0
MAX_BLOCK = 60
# The name similarity under which two records with one NIK are not taken as one person:
# the import rejects such a row (``pipeline.reject_nik_conflicts``).
NIK_NAME_AGREEMENT = 70


@dataclass(slots=True)
class LinkRecord:
    """What linkage compares of a person: folded names, identity numbers, birth, place."""

    ref: int  # a row number or a person id: whatever the caller needs back
    name_key: str
    sex: str = ""
    nik: str = ""
    kk: str = ""
    birth_date: datetime.date | None = None
    year_only: bool = False
    region: str = ""  # Kemendagri village code, or a coarser one
    mother_key: str = ""
    father_key: str = ""


@dataclass(slots=True)
class Match:
    a: int  # index into the records compared (or the incoming record's index)
    b: int
    score: float
    reasons: tuple[str, ...]


def _initials(word: str) -> str:
    return word[:3]


def blocking_keys(r: LinkRecord) -> list[tuple]:
    words = r.name_key.split()
    if not words:
        return [("nik", r.nik)] if r.nik else []
    first, last = words[0], words[-1]
    # Middle names ("Muhammad Rizki Saputra") often drop out; the first and last words stay.
    sorted_name = " ".join(sorted(words))
    keys: list[tuple] = []
    if r.nik:
        keys.append(("nik", r.nik))
    if r.birth_date is not None:
        year = r.birth_date.year
        if not r.year_only:
            day, month = r.birth_date.day, r.birth_date.month
            # Day and month in either order: 03/04 and 04/03 land in one block.
            canon = (year, min(day, month), max(day, month))
            keys.append(("df", canon, _initials(first)))
            if last != first:
                keys.append(("dl", canon, _initials(last)))
            if r.region:
                # A typo in a one-word name: the same birth date in the same village.
                keys.append(("dv", canon, r.region))
        # Within a regency: year and initials alone would make blocks grow with the
        # whole country's population.
        keys.append(("y", year, first[:2], last[:2], r.region[:5]))
    else:
        keys.append(("nb", sorted_name))
    if r.region:
        keys.append(("r", r.region[:5], sorted_name))
    if r.kk:
        # A family card holds a handful of people: a cheap block that finds a member
        # listed twice with a misspelt name and no birth date.
        keys.append(("kk", r.kk))
    if r.mother_key:
        keys.append(("m", _initials(first), r.mother_key.split()[0], r.region[:5]))
    return keys


def name_score(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    return max(token_sort_ratio(a, b), token_set_ratio(a, b) - 5)


def score(a: LinkRecord, b: LinkRecord) -> tuple[float, list[str]]:
    """Evidence that ``a`` and ``b`` are one person, with the reasons (no names)."""
    total = 0.0
    reasons: list[str] = []
    if a.nik and b.nik:
        if a.nik == b.nik:
            total += 12
            reasons.append("nik")
        elif Levenshtein.distance(a.nik, b.nik) == 1:
            total += 1
            reasons.append("nik_typo")
        else:
            # Two different valid NIKs are almost always two people.
            total -= 10
    names = name_score(a.name_key, b.name_key)
    if names >= 97:
        total += 6
        reasons.append("name")
    elif names >= 90:
        total += 4.5
        reasons.append("name_similar")
    elif names >= 82:
        total += 2
        reasons.append("name_close")
    elif names >= 70:
        total -= 1
    else:
        total -= 7
    if a.birth_date is not None and b.birth_date is not None:
        da, db = a.birth_date, b.birth_date
        if a.year_only or b.year_only:
            if da.year == db.year:
                total += 1.5
                reasons.append("birth_year")
            else:
                total -= 3
        elif da == db:
            total += 5
            reasons.append("birth_date")
        elif da.year == db.year and da.day == db.month and da.month == db.day:
            total += 3.5
            reasons.append("birth_date_swapped")
        elif da.year == db.year and (da.month == db.month or da.day == db.day):
            total += 0.5
        else:
            total -= 5
    if a.sex and b.sex:
        total += 0.5 if a.sex == b.sex else -4
    if a.region and b.region:
        if a.region == b.region:
            total += 1.5
            reasons.append("village")
        elif a.region[:5] == b.region[:5]:
            total += 0.5
            reasons.append("regency")
    if a.mother_key and b.mother_key:
        mother = name_score(a.mother_key, b.mother_key)
        if mother >= 88:
            total += 3
            reasons.append("mother")
        elif mother < 60:
            total -= 3
    if a.father_key and b.father_key:
        father = name_score(a.father_key, b.father_key)
        if father >= 88:
            total += 1.5
            reasons.append("father")
        elif father < 60:
            total -= 1.5
    if a.kk and b.kk and a.kk == b.kk:
        # Family members share a KK too: some evidence, far from proof.
        total += 1
        reasons.append("kk")
    same_nik = a.nik and a.nik == b.nik and names >= NIK_NAME_AGREEMENT
    if same_nik:
        # One NIK is one person: with a compatible name, a typo elsewhere does not matter.
        total = max(total, AUTO_LINK + 3)
    elif names < 82:
        # Without a shared NIK, names this different (twins, a father and son, a NIK
        # under another name) are never merged automatically: a person decides.
        total = min(total, AUTO_LINK - 0.5)
    return total, reasons


def candidate_pairs(records: list[LinkRecord]) -> Iterator[tuple[int, int]]:
    """Index pairs sharing a block, each pair once."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        for key in blocking_keys(record):
            blocks[key].append(i)
    seen: set[int] = set()
    n = len(records)
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) > MAX_BLOCK:
            members = members[:MAX_BLOCK]
        for x in range(len(members)):
            i = members[x]
            for y in range(x + 1, len(members)):
                j = members[y]
                pair = i * n + j if i < j else j * n + i
                if pair in seen:
                    continue
                seen.add(pair)
                yield (i, j) if i < j else (j, i)


def link_within(records: list[LinkRecord]) -> list[Match]:
    """Every candidate pair scoring at least ``REVIEW``, within one set of records."""
    matches = []
    for i, j in candidate_pairs(records):
        total, reasons = score(records[i], records[j])
        if total >= REVIEW:
            matches.append(Match(i, j, total, tuple(reasons)))
    return matches


def link_against(
    incoming: list[LinkRecord], existing: Iterable[LinkRecord]
) -> dict[int, list[Match]]:
    """incoming index → matches among ``existing`` (b is the existing record's ``ref``),
    best first."""
    blocks: dict[tuple, list[LinkRecord]] = defaultdict(list)
    for record in existing:
        for key in blocking_keys(record):
            bucket = blocks[key]
            if len(bucket) < MAX_BLOCK:
                bucket.append(record)
    found: dict[int, list[Match]] = {}
    for i, record in enumerate(incoming):
        compared: set[int] = set()
        matches = []
        for key in blocking_keys(record):
            for other in blocks.get(key, ()):
                if other.ref in compared:
                    continue
                compared.add(other.ref)
                total, reasons = score(record, other)
                if total >= REVIEW:
                    matches.append(Match(i, other.ref, total, tuple(reasons)))
        if matches:
            found[i] = sorted(matches, key=lambda m: -m.score)
    return found


def clusters(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Union–find: each index's cluster representative (the smallest index in it)."""
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    return [find(i) for i in range(n)]


def deduplicate(records: list[LinkRecord]) -> tuple[list[int], list[Match]]:
    """(cluster representative per record, pairs for review) for one set of records."""
    matches = link_within(records)
    auto = [(m.a, m.b) for m in matches if m.score >= AUTO_LINK]
    representative = clusters(len(records), auto)
    review = [
        m for m in matches if m.score < AUTO_LINK and representative[m.a] != representative[m.b]
    ]
    return representative, review
