"""Record linkage: is this record a person we already know?

A Fellegi–Sunter model learnt from the data being linked (``model.py``): each compared
field (``comparisons.py``) adds or takes away evidence, measured in bits, and the sum —
the match weight, prior included — is the log2 odds that two records are one person.
Three outcomes follow from the posterior probability, by principle rather than fitted
to any benchmark:

- ``AUTO_LINK``: linked without a person when the model puts the odds of one person at
  19:1 or more (p ≥ 0.95) — and the names agree at some level: twins and siblings share
  everything else, so a pair whose names disagree goes to a person whatever its weight,
  unless both records carry the same NIK and their sexes do not contradict it;
- ``REVIEW``: the review queue while neither answer has those odds (0.05 < p < 0.95);
- below that, two people: at odds of 19:1 against, a reviewer's time is better spent
  elsewhere.

Candidates come from blocks (``blocking.py``); clusters never join two different
verified NIKs (``clustering.py``). The engine works on plain ``LinkRecord`` values, so
the import, the on-demand registry check, the entry guard and the benchmark all run the
very same code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from django.utils.translation import gettext_lazy as _
from rapidfuzz.fuzz import token_set_ratio, token_sort_ratio

from .blocking import MAX_BLOCK, WINDOW, candidate_arrays, candidate_codes
from .clustering import cluster
from .comparisons import COMPARISONS, INDEX, compare, name_level, parent_level
from .model import Model, TermFrequencies, fit, probability, weigh
from .records import Context, LinkRecord, Match, Part, Prepared

__all__ = [
    "AUTO_LINK",
    "COMPARISONS",
    "COMPARISON_LABELS",
    "LEVEL_LABELS",
    "MAX_BLOCK",
    "NIK_NAME_AGREEMENT",
    "REVIEW",
    "WINDOW",
    "LinkRecord",
    "Match",
    "Model",
    "Part",
    "candidate_pairs",
    "deduplicate",
    "explain_pairs",
    "link_against",
    "link_within",
    "links",
    "name_level",
    "name_score",
    "parent_level",
    "probability",
    "score_pair",
    "train",
]

AUTO_LINK = math.log2(0.95 / 0.05)
REVIEW = -AUTO_LINK
# The name similarity under which two records with one NIK are not taken as one person
# (``pipeline`` and the registry's entry check).
NIK_NAME_AGREEMENT = 70

_NAME, _NIK = INDEX["name"], INDEX["nik"]
_NAME_APART = (COMPARISONS[_NAME][1].index("else"), COMPARISONS[_NAME][1].index("null"))
_NIK_CONFLICT = COMPARISONS[_NIK][1].index("conflict")
_NIK_EQUAL = COMPARISONS[_NIK][1].index("equal")


def name_score(a: str, b: str) -> float:
    """0–100 similarity of two folded names (for the NIK agreement check)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    return max(token_sort_ratio(a, b), token_set_ratio(a, b) - 5)


# --- training ---------------------------------------------------------------------------


def _labelled(pairs: Iterable[tuple[LinkRecord, LinkRecord]], context: Context) -> np.ndarray:
    flat = [r for pair in pairs for r in pair]
    if not flat:
        return np.zeros((0, len(COMPARISONS)), np.int8)
    prep = Prepared(flat, context)
    index = np.arange(0, len(flat), 2)
    return compare(prep, index, prep, index + 1)


def train(
    records: list[LinkRecord],
    *,
    confirmed: Iterable[tuple[LinkRecord, LinkRecord]] = (),
    rejected: Iterable[tuple[LinkRecord, LinkRecord]] = (),
    seed: int = 0,
    prior: Model | None = None,
) -> Model:
    """The model of ``records``: u from their random pairs, m and the prior by EM over
    their candidate pairs; decided reviews enter as labelled pairs. ``prior``: the
    model that small data lean on (the registry's last one), else the default."""
    prep = Prepared(records)
    ia, ib = candidate_arrays(prep)
    levels = compare(prep, ia, prep, ib)
    return fit(
        prep,
        levels,
        prior=prior,
        confirmed=_labelled(confirmed, prep.context),
        rejected=_labelled(rejected, prep.context),
        seed=seed,
    )


# --- matches ----------------------------------------------------------------------------


def _auto(prep: Prepared, ia, ib, levels: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The pairs linked without a person: at least ``AUTO_LINK``, no two verified NIKs
    apart, and names that agree at some level — or one NIK, under names that still agree
    as a whole ("Mokhkmad Afrizal" / "Muhammad Afrizal") or with sexes that do not
    contradict each other."""
    name, nik = levels[:, _NAME], levels[:, _NIK]
    auto = (weight >= AUTO_LINK) & (nik != _NIK_CONFLICT)
    apart = auto & ((name == _NAME_APART[0]) | (name == _NAME_APART[1]))
    auto &= ~apart
    values = prep.context.names.values
    sex_differ = levels[:, INDEX["sex"]] == COMPARISONS[INDEX["sex"]][1].index("differ")
    # Only a verified NIK may overrule the names: unverified digits are often exactly what
    # went wrong (a NIK copied from another person's row, kept because it conflicted).
    both_verified = prep.nik_verified[ia] & prep.nik_verified[ib]
    birth_exact = levels[:, INDEX["birth"]] == COMPARISONS[INDEX["birth"]][1].index("exact")
    for p in np.flatnonzero(apart & (nik == _NIK_EQUAL)).tolist():
        x, y = values[prep.name_id[ia[p]]], values[prep.name_id[ib[p]]]
        if both_verified[p]:
            # One identity number is one person, whatever a call-name or a misspelt
            # surname says, unless the sexes contradict it too: then a person decides.
            auto[p] = bool(x and y) and (
                name_score(x, y) >= NIK_NAME_AGREEMENT or not sex_differ[p]
            )
        else:
            # The same sixteen digits, unverified, and the very birth date: a call-name
            # ("Ucok", "Butet") or a badly typed name, not twins (twins' NIKs differ).
            auto[p] = bool(x and y) and bool(birth_exact[p]) and not sex_differ[p]
    return auto


def links(match: Match) -> bool:
    """Whether ``match`` is linked without a person (see the module docstring)."""
    return match.link


def _matches(model, prep, ia, ib, levels, weights, tf, n, refs=None, auto=None) -> list[Match]:
    """Match objects, with their waterfall, for the chosen pairs."""
    prior = model.prior_weight(n)
    table = model.table()
    out = []
    for p in range(len(ia)):
        parts = [Part("prior", "prior", round(prior, 4))]
        reasons = []
        for k, (name, names) in enumerate(COMPARISONS):
            lv = int(levels[p, k])
            w = float(table[k][lv])
            if tf is not None and lv == 0 and name in ("name", "birth", "nik"):
                # An exact value weighs by how common it is (model.tf_adjustment).
                w += float(_tf_part(model, prep, int(ia[p]), name, tf))
            parts.append(Part(name, names[lv], round(w, 4)))
            if w > 0:
                reasons.append(f"{name}:{names[lv]}")
        b = int(ib[p]) if refs is None else refs[p]
        link = bool(auto[p]) if auto is not None else False
        out.append(Match(int(ia[p]), b, float(weights[p]), tuple(reasons), tuple(parts), link))
    return out


def _tf_part(model: Model, prep: Prepared, i: int, comparison: str, tf: TermFrequencies):
    if comparison == "name":
        return math.log2(model.u["name"][0] / tf.name[prep.name_id[i]])
    if comparison == "nik":
        return math.log2(model.u["nik"][0] / tf.nik[prep.nik_id[i]])
    return math.log2(model.u["birth"][0] / tf.birth[prep.ordinal[i]])


def _explain(model, prep, ia, ib, levels, tf, n, refs=None) -> list[Match]:
    weights = weigh(model, prep, ia, ib, levels, tf, n)
    auto = _auto(prep, ia, ib, levels, weights)
    return _matches(model, prep, ia, ib, levels, weights, tf, n, refs, auto)


def explain_pairs(
    records: list[LinkRecord], pairs: list[tuple[int, int]], model: Model
) -> list[Match]:
    """The match of each (index, index) pair of ``records`` under ``model``, with its
    waterfall — vectorised, for the many links of a large file (``score_pair`` is for one)."""
    if not pairs:
        return []
    prep = Prepared(records)
    ia = np.fromiter((a for a, _b in pairs), np.int64, len(pairs))
    ib = np.fromiter((b for _a, b in pairs), np.int64, len(pairs))
    levels = compare(prep, ia, prep, ib)
    tf = TermFrequencies(prep, model)
    return _explain(model, prep, ia, ib, levels, tf, len(records))


def candidate_pairs(records: list[LinkRecord]) -> list[tuple[int, int]]:
    """Index pairs sharing a block, each pair once (lower index first)."""
    ia, ib = candidate_arrays(Prepared(records))
    return list(zip(ia.tolist(), ib.tolist(), strict=True))


def link_within(records: list[LinkRecord], model: Model | None = None) -> list[Match]:
    """Every candidate pair of ``records`` scoring at least ``REVIEW``, best first, none
    holding two different verified NIKs (the on-demand scan: nothing is merged there,
    the strongest pairs are the first a person sees)."""
    prep = Prepared(records)
    ia, ib = candidate_arrays(prep)
    levels = compare(prep, ia, prep, ib)
    if model is None:
        model = fit(prep, levels)
    tf = TermFrequencies(prep, model)
    weights = weigh(model, prep, ia, ib, levels, tf, len(records))
    chosen = np.flatnonzero((weights >= REVIEW) & (levels[:, _NIK] != _NIK_CONFLICT))
    found = _explain(model, prep, ia[chosen], ib[chosen], levels[chosen], tf, len(records))
    found.sort(key=lambda m: -m.score)
    return found


def deduplicate(
    records: list[LinkRecord], model: Model | None = None, *, prior: Model | None = None
) -> tuple[list[int], list[Match]]:
    """(cluster representative per record — the smallest index in its cluster, the
    pairs for review). Without ``model``, one is trained on ``records``."""
    prep = Prepared(records)
    ia, ib = candidate_arrays(prep)
    levels = compare(prep, ia, prep, ib)
    if model is None:
        model = fit(prep, levels, prior=prior)
    tf = TermFrequencies(prep, model)
    n = len(records)
    weights = weigh(model, prep, ia, ib, levels, tf, n)
    auto = _auto(prep, ia, ib, levels, weights)
    verified = np.where(prep.nik_verified, prep.nik_id, 0)
    representative, refused = cluster(n, ia[auto], ib[auto], weights[auto], verified)
    # Between the thresholds, or linked but refused by the cannot-link rule; never a pair
    # holding two different verified NIKs: those are two people.
    doubtful = (weights >= REVIEW) & (levels[:, _NIK] != _NIK_CONFLICT) & ~auto
    doubtful[np.flatnonzero(auto)[refused]] = True
    rep = np.asarray(representative)
    doubtful &= rep[ia] != rep[ib]
    chosen = np.flatnonzero(doubtful)
    review = _explain(model, prep, ia[chosen], ib[chosen], levels[chosen], tf, n)
    review.sort(key=lambda m: -m.score)
    return representative, review


def link_against(
    incoming: list[LinkRecord],
    existing: Iterable[LinkRecord],
    model: Model | None = None,
    *,
    population: int | None = None,
) -> dict[int, list[Match]]:
    """incoming index → matches among ``existing`` scoring at least ``REVIEW`` (``b`` is
    the existing record's ``ref``), best first. ``population``: the size of the set
    ``existing`` was drawn from (the prior depends on it), by default their number."""
    existing = list(existing)
    combined = list(incoming) + existing
    prep = Prepared(combined)
    codes = candidate_codes(prep)
    ia, ib = (codes >> 32).astype(np.int64), (codes & 0xFFFFFFFF).astype(np.int64)
    if model is None:
        model = fit(prep, compare(prep, ia, prep, ib))
    split = len(incoming)
    cross = (ia < split) & (ib >= split)
    ia, ib = ia[cross], ib[cross]
    levels = compare(prep, ia, prep, ib)
    tf = TermFrequencies(prep, model)
    n = population if population is not None else len(combined)
    weights = weigh(model, prep, ia, ib, levels, tf, n)
    keep = np.flatnonzero((weights >= REVIEW) & (levels[:, _NIK] != _NIK_CONFLICT))
    refs = [existing[j - split].ref for j in ib[keep].tolist()]
    found: dict[int, list[Match]] = {}
    for match in _explain(model, prep, ia[keep], ib[keep], levels[keep], tf, n, refs):
        found.setdefault(match.a, []).append(match)
    for matches in found.values():
        matches.sort(key=lambda m: -m.score)
    return found


def score_pair(
    model: Model, a: LinkRecord, b: LinkRecord, *, population: int | None = None
) -> Match:
    """The match weight of one pair, explained (the entry guard). No term frequencies:
    there is no set of records to count them in."""
    prep = Prepared([a, b])
    ia, ib = np.array([0]), np.array([1])
    levels = compare(prep, ia, prep, ib)
    n = population if population is not None else max(model.records, 2)
    match = _explain(model, prep, ia, ib, levels, None, n)[0]
    return Match(a.ref, b.ref, match.score, match.reasons, match.parts, match.link)


# --- labels for pages -------------------------------------------------------------------

COMPARISON_LABELS = {
    "prior": _("how often two records are one person"),
    "name": _("name"),
    "birth": _("birth date"),
    "sex": _("sex"),
    "nik": _("NIK"),
    "geo": _("place"),
    "mother": _("mother's name"),
    "father": _("father's name"),
}

LEVEL_LABELS = {
    ("prior", "prior"): _("before comparing anything"),
    ("name", "exact"): _("the same name"),
    ("name", "reordered"): _("the same words in another order"),
    ("name", "edit1"): _("one letter apart"),
    ("name", "contained"): _("one word missing"),
    ("name", "initials"): _("initials against words"),
    ("name", "edit2"): _("two letters apart"),
    ("name", "contained_more"): _("several words missing, or one word inside a longer name"),
    ("name", "fragment"): _("a short form inside the other name"),
    ("name", "similar"): _("similar"),
    ("name", "else"): _("different"),
    ("name", "null"): _("missing on one side"),
    ("birth", "exact"): _("the same date"),
    ("birth", "swapped"): _("day and month swapped"),
    ("birth", "days"): _("within three days"),
    ("birth", "year_pm1"): _("same day and month, the year one apart"),
    ("birth", "year_only"): _("only the year known on one side, the same year"),
    ("birth", "year_only_pm1"): _("only the year known on one side, one year apart"),
    ("birth", "far"): _("far apart"),
    ("birth", "null"): _("missing on one side"),
    ("sex", "equal"): _("the same"),
    ("sex", "differ"): _("different"),
    ("sex", "null"): _("missing on one side"),
    ("nik", "equal"): _("the same NIK"),
    ("nik", "loss15"): _("the same first 15 digits (lost by Excel)"),
    ("nik", "edit1"): _("one digit apart"),
    ("nik", "conflict"): _("two different valid NIKs"),
    ("nik", "near"): _("a few digits apart, one not verified"),
    ("nik", "differ"): _("different, one not verified"),
    ("nik", "null"): _("missing on one side"),
    ("geo", "village"): _("the same village"),
    ("geo", "district"): _("the same district"),
    ("geo", "regency"): _("the same regency/city"),
    ("geo", "province"): _("the same province"),
    ("geo", "elsewhere"): _("another province"),
    ("geo", "null"): _("missing on one side"),
    ("mother", "exact"): _("the same name"),
    ("mother", "close"): _("a close name"),
    ("mother", "else"): _("different"),
    ("mother", "null"): _("missing on one side"),
    ("father", "exact"): _("the same name"),
    ("father", "close"): _("a close name"),
    ("father", "else"): _("different"),
    ("father", "null"): _("missing on one side"),
}
