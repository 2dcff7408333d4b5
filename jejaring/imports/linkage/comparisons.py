"""Comparison levels: how far apart two records are, field by field, as small ints.

Each comparison has ordered level codes ending in ``null`` (a side is missing: no
evidence either way). A pair's levels are one row of an int8 matrix, so the model can
count, weigh and learn over millions of pairs with numpy. Levels are assigned in the
order listed: the first that applies wins. String similarity runs once per distinct
pair of names (rapidfuzz, in C), not once per pair of records.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from .records import Prepared

NAME_LEVELS = (
    "exact",
    "reordered",  # the same words in another order
    "edit1",  # one letter apart: a typo, also in a one-word name
    "contained",  # one name is the other less one word (a dropped middle name)
    "initials",  # words against their initials: "heru w" / "heru wibowo"
    "edit2",
    "contained_more",  # less two words or more, or one word inside a longer name
    "fragment",  # a one-word name inside a word of the other: "Lastri" / "Sulastri Mulyani"
    "similar",  # Jaro-Winkler high band
    "else",
    "null",
)
BIRTH_LEVELS = (
    "exact",
    "swapped",  # day and month swapped
    "days",  # within 3 days
    "year_pm1",  # the same day and month, the year one apart
    "year_only",  # a year-only (or placeholder) date on a side, the same year
    "year_only_pm1",  # a year-only date on a side, the year one apart
    "far",
    "null",
)
SEX_LEVELS = ("equal", "differ", "null")
NIK_LEVELS = (
    "equal",  # the same digits, verified or not
    "loss15",  # one unverified; the first 15 digits agree, one ends in 0 or has 15 (Excel)
    "edit1",  # one unverified, one digit apart
    "conflict",  # two different verified NIKs: two people (also a cannot-link)
    "near",  # one unverified, the same region digits, at most 4 of 16 apart (damaged)
    "differ",  # different, one of them unverified
    "null",
)
EDIT1, CONTAINED, INITIALS, EDIT2, CONTAINED_MORE, FRAGMENT, SIMILAR, APART = (
    NAME_LEVELS.index(code)
    for code in ("edit1", "contained", "initials", "edit2", "contained_more", "fragment",
                 "similar", "else")
)  # fmt: skip
GEO_LEVELS = ("village", "district", "regency", "province", "elsewhere", "null")
PARENT_LEVELS = ("exact", "close", "else", "null")

COMPARISONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name", NAME_LEVELS),
    ("birth", BIRTH_LEVELS),
    ("sex", SEX_LEVELS),
    ("nik", NIK_LEVELS),
    ("geo", GEO_LEVELS),
    ("mother", PARENT_LEVELS),
    ("father", PARENT_LEVELS),
)
NAMES = tuple(name for name, _levels in COMPARISONS)
INDEX = {name: k for k, name in enumerate(NAMES)}


def level(comparison: str, code: str) -> int:
    return dict(COMPARISONS)[comparison].index(code)


CHUNK = 1_000_000  # pairs per pass: bounds the temporary arrays


def compare(a: Prepared, ia: np.ndarray, b: Prepared, ib: np.ndarray) -> np.ndarray:
    """(pairs, comparisons) int8 levels of the pairs ``(a[ia[p]], b[ib[p]])``."""
    out = np.empty((len(ia), len(COMPARISONS)), dtype=np.int8)
    for start in range(0, len(ia), CHUNK):
        x, y = ia[start : start + CHUNK], ib[start : start + CHUNK]
        block = out[start : start + CHUNK]
        block[:, 0] = _names(a, x, b, y)
        block[:, 1] = _births(a, x, b, y)
        block[:, 2] = _sexes(a, x, b, y)
        block[:, 3] = _niks(a, x, b, y)
        block[:, 4] = _geo(a, x, b, y)
        block[:, 5] = _parents(a, a.mother_id[x], b.mother_id[y])
        block[:, 6] = _parents(a, a.father_id[x], b.father_id[y])
    return out


def _select(default: int, n: int, rules: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """The level of the first rule that holds (rules in order of precedence)."""
    out = np.full(n, default, dtype=np.int8)
    for mask, value in reversed(rules):
        out[mask] = value
    return out


def _unique_pairs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, y) id pairs and, per input pair, the index of its distinct pair."""
    codes = x.astype(np.int64) << 32 | y.astype(np.int64)
    unique, inverse = np.unique(codes, return_inverse=True)
    return (unique >> 32).astype(np.int64), (unique & 0xFFFFFFFF).astype(np.int64), inverse


def name_level(x: str, y: str, words_x=None, words_y=None) -> str:
    """The level of two folded names (one pair; ``_names`` does the same in bulk)."""
    if not x or not y:
        return "null"
    if x == y:
        return "exact"
    wx, wy = words_x or tuple(x.split()), words_y or tuple(y.split())
    if sorted(wx) == sorted(wy):
        return "reordered"
    distance = Levenshtein.distance(x, y, score_cutoff=3)
    return _string_level(wx, wy, distance, JaroWinkler.normalized_similarity(x, y))


def _string_level(wx, wy, distance: int, jaro: float) -> str:
    if distance == 1:
        return "edit1"
    contained = _containment(wx, wy)
    if contained == 1:
        return "contained"
    if _initials(wx, wy):
        return "initials"
    if distance == 2:
        return "edit2"
    if contained == 2:
        return "contained_more"
    if _fragment(wx, wy):
        return "fragment"
    return "similar" if jaro >= 0.92 else "else"


def _fragment(wx: tuple[str, ...], wy: tuple[str, ...]) -> bool:
    """A call-name cut from a longer name ("Lastri" from "Sulastri", "Yani" from
    "Handayani"): a one-word name of three letters or more inside a word of the other."""
    short, long = (wx, wy) if len(wx) <= len(wy) else (wy, wx)
    if len(short) != 1 or len(short[0]) < 3:
        return False
    word = short[0]
    return any(word in other and word != other for other in long)


def _containment(wx: tuple[str, ...], wy: tuple[str, ...]) -> int:
    """0: neither name's words are inside the other's; 1: one word missing; 2: more
    missing, or a one-word name inside a longer one ("Eko" in "Eko Aep" is a weak clue:
    many people share a first name)."""
    short, long = (wx, wy) if len(wx) <= len(wy) else (wy, wx)
    if len(short) == len(long) or not set(short) <= set(long):
        return 0
    return 1 if len(long) - len(short) == 1 and len(short) >= 2 else 2


def _initials(wx: tuple[str, ...], wy: tuple[str, ...]) -> bool:
    """Word by word in order, each equal or an initial of the other ("m rizki" /
    "muhammad rizki"; "heru w" / "heru wibowo"), at least one initial, and at most one
    word of the longer name left over."""
    short, long = (wx, wy) if len(wx) <= len(wy) else (wy, wx)
    extra = len(long) - len(short)
    if extra > 1:
        return False
    j = skipped = 0
    used = False
    for word in short:
        while j < len(long):
            other = long[j]
            j += 1
            if word == other:
                break
            if (len(word) == 1 and other[0] == word) or (len(other) == 1 and word[0] == other):
                used = True
                break
            skipped += 1
            if skipped > extra:
                return False
        else:
            return False
    return used


def _names(a: Prepared, x: np.ndarray, b: Prepared, y: np.ndarray) -> np.ndarray:
    ctx = a.context
    na, nb = a.name_id[x], b.name_id[y]
    table = ctx.name_table
    sorted_ids = np.fromiter((info.sorted_id for info in table), dtype=np.int64, count=len(table))
    null = (na == 0) | (nb == 0)
    exact = (na == nb) & ~null
    reordered = ~exact & ~null & (sorted_ids[na] == sorted_ids[nb])
    out = _select(NAME_LEVELS.index("else"), len(x), [
        (null, NAME_LEVELS.index("null")),
        (exact, 0),
        (reordered, 1),
    ])  # fmt: skip
    rest = ~(null | exact | reordered)
    if rest.any():
        ua, ub, inverse = _unique_pairs(na[rest], nb[rest])
        values = ctx.names.values
        left = [values[i] for i in ua]
        right = [values[i] for i in ub]
        distance = cpdist(left, right, scorer=Levenshtein.distance, score_cutoff=3)
        jaro = cpdist(left, right, scorer=JaroWinkler.normalized_similarity)
        # The string bands, for all at once; containment and initials only where they
        # can hold (word counts differ, or a one-letter word), in Python.
        codes = np.where(distance == 1, EDIT1, np.where(distance == 2, EDIT2, np.where(
            jaro >= 0.92, SIMILAR, APART))).astype(np.int8)  # fmt: skip
        count, initial = ctx.word_counts(), ctx.initial_flags()
        maybe = (distance != 1) & ((count[ua] != count[ub]) | initial[ua] | initial[ub])
        maybe |= (distance > 2) & ((count[ua] == 1) | (count[ub] == 1))  # fragments
        for p in np.flatnonzero(maybe).tolist():
            ix, iy = table[ua[p]], table[ub[p]]
            nx, ny = len(ix.words), len(iy.words)
            contained = 0
            if nx != ny and (ix.word_set <= iy.word_set or iy.word_set <= ix.word_set):
                # One name is the other less some words. A one-word name inside a longer
                # one ("Eko" in "Eko Aep") is weak: many people share a first name.
                contained = 1 if abs(nx - ny) == 1 and min(nx, ny) >= 2 else 2
            if contained == 1:
                codes[p] = CONTAINED
            elif (ix.has_initial or iy.has_initial) and _initials(ix.words, iy.words):
                codes[p] = INITIALS
            elif codes[p] == EDIT2:
                continue
            elif contained == 2:
                codes[p] = CONTAINED_MORE
            elif (nx == 1 or ny == 1) and _fragment(ix.words, iy.words):
                codes[p] = FRAGMENT
        out[rest] = codes[inverse]
    return out


def _births(a: Prepared, x: np.ndarray, b: Prepared, y: np.ndarray) -> np.ndarray:
    oa, ob = a.ordinal[x], b.ordinal[y]
    null = (oa == 0) | (ob == 0)
    full = a.full_date[x] & b.full_date[y]
    ya, yb = a.year[x].astype(np.int32), b.year[y].astype(np.int32)
    ma, mb, da, db = a.month[x], b.month[y], a.day[x], b.day[y]
    years = np.abs(ya - yb)
    coarse = ~full & ~null  # a year-only date on one side at least
    same_day = (ma == mb) & (da == db)
    return _select(BIRTH_LEVELS.index("far"), len(x), [
        (null, BIRTH_LEVELS.index("null")),
        (full & (oa == ob), 0),
        (full & (years == 0) & (ma == db) & (da == mb), 1),
        (full & (np.abs(oa - ob) <= 3), 2),
        (full & same_day & (years == 1), 3),
        (coarse & (years == 0), 4),
        (coarse & (years == 1), 5),
    ])  # fmt: skip


def _sexes(a: Prepared, x: np.ndarray, b: Prepared, y: np.ndarray) -> np.ndarray:
    sa, sb = a.sex[x], b.sex[y]
    return _select(1, len(x), [((sa == 0) | (sb == 0), 2), (sa == sb, 0)])


def _niks(a: Prepared, x: np.ndarray, b: Prepared, y: np.ndarray) -> np.ndarray:
    ka, kb = a.nik_id[x], b.nik_id[y]
    null = (ka == 0) | (kb == 0)
    equal = (ka == kb) & ~null
    digits = a.context.nik_digits()
    out = _select(NIK_LEVELS.index("differ"), len(x), [(null, len(NIK_LEVELS) - 1), (equal, 0)])
    rest = np.flatnonzero(~null & ~equal)
    if len(rest):
        da, db = digits[ka[rest]], digits[kb[rest]]
        digits_a, digits_b = da[:, 0] < 10, db[:, 0] < 10
        differ = da != db
        first15 = ~differ[:, :15].any(axis=1) & digits_a & digits_b
        last_a, last_b = da[:, 15], db[:, 15]
        loss = first15 & ((last_a == 0) | (last_b == 0) | (last_a == 10) | (last_b == 10))
        whole = (last_a < 10) & (last_b < 10) & digits_a & digits_b
        apart = differ.sum(axis=1)
        verified = a.nik_verified[x[rest]] & b.nik_verified[y[rest]]
        # A NIK damaged in the ways offices damage them (Excel's 0000, the day of a
        # woman's NIK, a date typed wrong) keeps its region (digits 1-6) and most other
        # digits. Another person born the same day nearby shares the date digits too, so
        # the region must agree: the date alone is the birth comparison's evidence.
        same_region = ~differ[:, :6].any(axis=1)
        # Two verified NIKs that differ are two people even one digit apart: twins and
        # children born the same day in one district get consecutive serial numbers.
        near = whole & same_region & (apart <= 4)
        out[rest] = _select(NIK_LEVELS.index("differ"), len(rest), [
            (verified, 3), (loss, 1), (whole & (apart == 1), 2), (near, 4),
        ])  # fmt: skip
    return out


def _geo(a: Prepared, x: np.ndarray, b: Prepared, y: np.ndarray) -> np.ndarray:
    # Codes are compared at the depth both have: a regency-only record and a village
    # record in that regency are "same regency", the most that can be said.
    depth = np.minimum(a.depth[x], b.depth[y])
    ga, gb = a.geo[x], b.geo[y]
    same = ga == gb
    return _select(GEO_LEVELS.index("elsewhere"), len(x), [
        (depth == 0, GEO_LEVELS.index("null")),
        ((depth >= 4) & same[:, 3], 0),
        ((depth >= 3) & same[:, 2], 1),
        ((depth >= 2) & same[:, 1], 2),
        (same[:, 0], 3),
    ])  # fmt: skip


def parent_level(x: str, y: str) -> str:
    if not x or not y:
        return "null"
    if x == y:
        return "exact"
    close = JaroWinkler.normalized_similarity(x, y) >= 0.9
    return "close" if close or Levenshtein.distance(x, y, score_cutoff=3) <= 2 else "else"


def _parents(a: Prepared, pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    null = (pa == 0) | (pb == 0)
    exact = (pa == pb) & ~null
    out = _select(2, len(pa), [(null, 3), (exact, 0)])
    rest = ~(null | exact)
    if rest.any():
        ua, ub, inverse = _unique_pairs(pa[rest], pb[rest])
        values = a.context.people.values
        left = [values[i] for i in ua]
        right = [values[i] for i in ub]
        distance = cpdist(left, right, scorer=Levenshtein.distance, score_cutoff=3)
        jaro = cpdist(left, right, scorer=JaroWinkler.normalized_similarity)
        codes = np.where((jaro >= 0.9) | (distance <= 2), 1, 2).astype(np.int8)
        out[rest] = codes[inverse]
    return out
