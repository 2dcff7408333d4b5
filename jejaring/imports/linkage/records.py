"""What linkage compares, and what it hands back.

``LinkRecord`` is the one shape every caller builds (an import row, a registry person, a
benchmark line). ``Prepared`` turns a list of them into numpy columns once, so the
comparisons and the blocking work on arrays rather than on one Python object per pair.
Everything derived from a name is computed once per distinct name, not once per record:
a district file repeats its common names thousands of times.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import islice

import numpy as np


@dataclass(slots=True)
class LinkRecord:
    """What linkage compares of a person: folded names, identity numbers, birth, place."""

    ref: int  # a row number or a person id: whatever the caller needs back
    name_key: str
    sex: str = ""  # "M" / "F" / ""
    nik: str = ""  # passed every structure and consistency rule: "verified" for linkage
    nik_unverified: str = ""  # digits of a NIK that failed a rule: compared softly only
    kk: str = ""
    birth_date: datetime.date | None = None
    year_only: bool = False  # the source gave only the year
    region: str = ""  # dotted Kemendagri code, village or coarser
    mother_key: str = ""
    father_key: str = ""


@dataclass(slots=True)
class Part:
    """One comparison's share of a match weight: a bar of the waterfall."""

    comparison: str  # "prior" | "name" | "birth" | "sex" | "nik" | "geo" | "mother" | "father"
    level: str
    weight: float  # log2 Bayes factor (term-frequency adjusted where it applies)


@dataclass(slots=True)
class Match:
    a: int  # index into the records compared (or the incoming record's index)
    b: int  # index, or the existing record's ``ref`` in ``link_against``
    score: float  # match weight: log2 posterior odds, prior included (the sum of parts)
    reasons: tuple[str, ...]  # "comparison:level" of the parts that weigh for the link
    parts: tuple[Part, ...] = ()
    link: bool = False  # linked without a person (``AUTO_LINK`` and the name rule)


# Days a clerk types when only the year is known. Compared as year-only: two people
# "born 1 January 1960" share a habit of the office, not a birthday.
PLACEHOLDER_DAYS = frozenset({(1, 1), (7, 1), (12, 31)})


class Interner:
    """Strings to small ints (0 is "none"), so equality is an array comparison."""

    __slots__ = ("ids", "values")

    def __init__(self) -> None:
        self.ids: dict = {"": 0}
        self.values: list = [""]

    def __call__(self, value) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found

    def column(self, values: list) -> np.ndarray:
        """The ids of a whole column at once (new values are added)."""
        ids = self.ids
        add = ids.setdefault
        # ``len(ids)`` is evaluated before ``setdefault`` inserts: the next free id.
        out = np.fromiter((add(v, len(ids)) for v in values), dtype=np.int32, count=len(values))
        if len(ids) > len(self.values):
            self.values.extend(islice(ids, len(self.values), None))
        return out


@dataclass(slots=True)
class NameInfo:
    """Per distinct folded name: what the comparisons and the blocking need."""

    words: tuple[str, ...]
    word_set: frozenset[str]
    sorted_id: int
    has_initial: bool  # a one-letter word: "heru w"


class Context:
    """Interned values shared by every ``Prepared`` of one linkage run, so that ids
    from the incoming and the existing records of ``link_against`` are comparable."""

    def __init__(self) -> None:
        self.names = Interner()
        self.sorted_names = Interner()
        self.people = Interner()  # parents' names
        self.niks = Interner()
        self.kks = Interner()
        self.places = Interner()
        self.words = Interner()  # name words and their prefixes, for blocking keys
        self.name_table: list[NameInfo] = [NameInfo((), frozenset(), 0, False)]
        self._digits: list[np.ndarray] = [np.full((1, 16), 11, dtype=np.int8)]
        self._digits_done = 1

    def update_names(self) -> None:
        for value in self.names.values[len(self.name_table) :]:
            words = tuple(value.split())
            self.name_table.append(
                NameInfo(
                    words=words,
                    word_set=frozenset(words),
                    sorted_id=self.sorted_names(" ".join(sorted(words))),
                    has_initial=any(len(w) == 1 for w in words),
                )
            )

    def word_counts(self) -> np.ndarray:
        return np.fromiter((len(i.words) for i in self.name_table), np.int16, len(self.name_table))

    def initial_flags(self) -> np.ndarray:
        table = self.name_table
        return np.fromiter((i.has_initial for i in table), bool, len(table))

    def nik_digits(self) -> np.ndarray:
        """(distinct NIKs, 16) digits. A 15-digit NIK (Excel or a clerk dropped the last
        digit) gets the marker 10 in the last place; other lengths only take part by
        equality (11 everywhere)."""
        new = self.niks.values[self._digits_done :]
        if new:
            block = np.full((len(new), 16), 11, dtype=np.int8)
            for row, value in enumerate(new):
                if value.isdigit() and len(value) in (15, 16):
                    block[row, : len(value)] = np.frombuffer(value.encode(), np.uint8) - 48
                    if len(value) == 15:
                        block[row, 15] = 10
            self._digits.append(block)
            self._digits_done = len(self.niks.values)
            self._digits = [np.concatenate(self._digits)]
        return self._digits[0]


class Prepared:
    """Columns derived from a list of records, shared by comparisons and blocking.

    Each column is read once from the records and interned; what derives from a value
    (a date's parts, a code's levels) is computed once per distinct value."""

    def __init__(self, records: list[LinkRecord], context: Context | None = None):
        self.records = records
        self.context = context = context if context is not None else Context()
        n = self.n = len(records)
        self.name_id = context.names.column([r.name_key for r in records])
        self.mother_id = context.people.column([r.mother_key for r in records])
        self.father_id = context.people.column([r.father_key for r in records])
        sex_code = {"M": 1, "F": 2}
        self.sex = np.fromiter((sex_code.get(r.sex, 0) for r in records), np.int8, n)
        self.nik_id = context.niks.column([r.nik or r.nik_unverified for r in records])
        self.nik_verified = np.fromiter((bool(r.nik) for r in records), bool, n)
        self.kk_id = context.kks.column([r.kk for r in records])
        # Dates: per distinct date, its ordinal and parts.
        dates = Interner()
        date_id = dates.column([r.birth_date or "" for r in records])
        parts = np.zeros((len(dates.values), 5), dtype=np.int32)
        for i, day in enumerate(dates.values[1:], start=1):
            parts[i] = (day.toordinal(), day.year, day.month, day.day,
                        (day.month, day.day) in PLACEHOLDER_DAYS)  # fmt: skip
        self.ordinal = parts[date_id, 0]  # 0: no date
        self.year = parts[date_id, 1].astype(np.int16)
        self.month = parts[date_id, 2].astype(np.int8)
        self.day = parts[date_id, 3].astype(np.int8)
        said = np.fromiter((r.year_only for r in records), bool, n)
        # Year-only when the source said so, or on a placeholder day.
        self.year_only = (said | (parts[date_id, 4] == 1)) & (self.ordinal > 0)
        # Regions: per distinct code, the ids of its province, regency, district, village.
        regions = Interner()
        region_id = regions.column([r.region for r in records])
        geo = np.zeros((len(regions.values), 5), dtype=np.int32)
        places = context.places
        for i, code in enumerate(regions.values[1:], start=1):
            levels = code.split(".")
            depth = min(len(levels), 4)
            geo[i, 4] = depth
            for level in range(depth):
                geo[i, level] = places(".".join(levels[: level + 1]))
        self.geo = geo[region_id, :4]  # province, regency, district, village
        self.depth = geo[region_id, 4].astype(np.int8)
        context.update_names()
        self.full_date = (self.ordinal > 0) & ~self.year_only
