"""Blocking: which pairs are worth comparing at all.

Comparing every record with every other is quadratic. Each rule below gives a record a
key; records sharing a key are candidates. The rules are chosen so that every level the
model rewards can be found: the same NIK or its first 15 digits (Excel's loss); the
birth date with day and month in either order and the first letters of a name word, or
the village (a typo in a one-word name); the day and month with the name's initials
(the year one apart); a week window with the initials (a date a few days off); the year,
the initials and the regency (year-only dates, "Heru W."); the sorted name words and a
two-year window in the province (a move across regencies); the name in the regency; the
family card; the mother's name. Keys without a place are taken within a province, so
that a block does not grow with the whole country's population.

A key shared by more than ``MAX_BLOCK`` records (a very common name on one day) is not
compared all against all: its records are sorted by name (or by birth date, for the
name rules) and each is compared with its ``WINDOW`` neighbours — the sorted
neighbourhood method. Every record takes part and the work stays linear.
"""

from __future__ import annotations

import numpy as np

from .records import Context, Prepared

MAX_BLOCK = 40
WINDOW = 10

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _key(*columns: np.ndarray) -> np.ndarray:
    """One int64 key from several int columns; -1 where a column is missing (< 0).
    A hash: a rare collision only adds a few candidate pairs."""
    out = np.zeros(len(columns[0]), dtype=np.uint64)
    missing = np.zeros(len(columns[0]), dtype=bool)
    with np.errstate(over="ignore"):
        for column in columns:
            missing |= column < 0
            out = (out ^ column.astype(np.uint64)) * _MIX
            out ^= out >> np.uint64(29)
    key = (out >> np.uint64(1)).astype(np.int64)
    key[missing] = -1
    return key


class NameColumns:
    """Per distinct name id: word prefixes as ids (-1 when the name is empty)."""

    def __init__(self, context: Context):
        table = context.name_table
        words = context.words
        size = len(table)
        self.first3 = np.full(size, -1, np.int64)
        self.last3 = np.full(size, -1, np.int64)
        self.first2 = np.full(size, -1, np.int64)
        self.last2 = np.full(size, -1, np.int64)
        self.first1 = np.full(size, -1, np.int64)
        self.last1 = np.full(size, -1, np.int64)
        self.sorted = np.full(size, -1, np.int64)
        values = context.names.values
        for i in range(1, size):
            info = table[i]
            if not info.words:
                continue
            first, last = info.words[0], info.words[-1]
            self.first3[i], self.last3[i] = words(first[:3]), words(last[:3])
            self.first2[i], self.last2[i] = words(first[:2]), words(last[:2])
            self.first1[i], self.last1[i] = words(first[:1]), words(last[:1])
            self.sorted[i] = info.sorted_id
        # Alphabetical rank: the secondary order inside an oversized block.
        self.rank = np.zeros(size, np.int64)
        order = sorted(range(size), key=values.__getitem__)
        self.rank[order] = np.arange(size)


def keys(prep: Prepared) -> list[tuple[np.ndarray, np.ndarray]]:
    """(key, secondary order) per blocking rule, one entry per record."""
    cols = NameColumns(prep.context)
    nid = prep.name_id
    f3, l3, f2, l2 = cols.first3[nid], cols.last3[nid], cols.first2[nid], cols.last2[nid]
    f1, l1, sorted_name = cols.first1[nid], cols.last1[nid], cols.sorted[nid]
    by_name = cols.rank[nid]
    ordinal = prep.ordinal.astype(np.int64)
    by_birth = ordinal
    full = prep.full_date
    born = prep.ordinal > 0
    year = np.where(born, prep.year.astype(np.int64), -1)
    month, day = prep.month.astype(np.int64), prep.day.astype(np.int64)
    low, high = np.minimum(day, month), np.maximum(day, month)
    canon = np.where(full, year * 10000 + low * 100 + high, -1)
    month_day = np.where(full, month * 100 + day, -1)
    week = np.where(full, ordinal // 7, -1)
    week_shifted = np.where(full, (ordinal + 3) // 7, -1)  # with ``week``: any ±3 days
    village = np.where(prep.depth >= 4, prep.geo[:, 3], -1).astype(np.int64)
    regency = np.where(prep.depth >= 2, prep.geo[:, 1], -1).astype(np.int64)
    # The province, 0 where unknown: keys without a place would grow with the country.
    province = prep.geo[:, 0].astype(np.int64)
    nik = np.where(prep.nik_id > 0, prep.nik_id, -1).astype(np.int64)
    digits = prep.context.nik_digits()[prep.nik_id]
    whole15 = (digits[:, :15] < 10).all(axis=1) & (prep.nik_id > 0)
    nik15 = np.where(whole15, digits[:, :15].astype(np.int64) @ (10 ** np.arange(14, -1, -1)), -1)
    kk = np.where(prep.kk_id > 0, prep.kk_id, -1).astype(np.int64)
    mother_first = np.full(prep.n, -1, np.int64)
    if prep.mother_id.any():
        people = prep.context.people.values
        words = prep.context.words
        firsts = np.array([words("m:" + people[i].split()[0]) if i else -1
                           for i in range(len(people))], dtype=np.int64)  # fmt: skip
        mother_first = firsts[prep.mother_id]
    no_birth = np.where(born, -1, 0)
    # Two windows of two years: any two years one apart share one of them.
    two_years = np.where(born, year // 2, -1)
    two_years_shifted = np.where(born, (year + 1) // 2, -1)
    rules = [
        (_key(nik), by_name),
        (_key(nik15), by_name),
        (_key(canon, f3), by_name),
        (_key(canon, l3), by_name),
        (_key(canon, village), by_name),
        (_key(month_day, f2, l2, province), by_name),
        (_key(week, f2, l2, province), by_name),
        (_key(week_shifted, f2, l2, province), by_name),
        (_key(year, f1, l1, regency), by_name),
        (_key(sorted_name, two_years, province), by_birth),
        (_key(sorted_name, two_years_shifted, province), by_birth),
        (_key(sorted_name, no_birth), by_name),
        (_key(sorted_name, regency), by_birth),
        (_key(kk), by_name),
        (_key(f3, mother_first, regency), by_birth),
    ]
    return rules


def _window_pairs(key: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """Pairs of records sharing ``key`` (all pairs in a block of at most ``MAX_BLOCK``,
    ``WINDOW`` neighbours in a larger one), as int64 codes ``low << 32 | high``."""
    valid = np.flatnonzero(key >= 0)
    if len(valid) < 2:
        return np.zeros(0, np.int64)
    order = valid[np.lexsort((secondary[valid], key[valid]))]
    sorted_keys = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    size_at = np.repeat(sizes, sizes)
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    reach = np.where(size_at <= MAX_BLOCK, size_at - 1, WINDOW)
    active = np.flatnonzero(reach > 0)
    found = []
    d = 1
    while len(active):
        ok = (rank[active] + d < size_at[active]) & (d <= reach[active])
        active = active[ok]
        if not len(active):
            break
        x, y = order[active], order[active + d]
        low, high = np.minimum(x, y), np.maximum(x, y)
        found.append(low.astype(np.int64) << 32 | high.astype(np.int64))
        d += 1
    return np.concatenate(found) if found else np.zeros(0, np.int64)


def candidate_codes(prep: Prepared) -> np.ndarray:
    """Sorted distinct candidate pair codes (``low << 32 | high``)."""
    found = [_window_pairs(key, secondary) for key, secondary in keys(prep)]
    if not found:
        return np.zeros(0, np.int64)
    return np.unique(np.concatenate(found))


def candidate_arrays(prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
    codes = candidate_codes(prep)
    return (codes >> 32).astype(np.int64), (codes & 0xFFFFFFFF).astype(np.int64)
