"""The Fellegi–Sunter model: parameters learnt from the records being linked.

For each comparison level, ``m`` is the probability of the level when the two records
are one person, ``u`` when they are two. A pair's match weight is the log2 prior odds
plus, per comparison, log2(m/u) of its level (its Bayes factor); ``probability`` turns
it into the posterior probability of one person.

- **u** comes from random pairs, nearly all of two people: every pair of a small set,
  otherwise ``U_SAMPLE`` pairs drawn with a fixed seed (as Splink's
  ``estimate_u_using_random_sampling``).
- **m** and the prior come from expectation maximisation over the blocked candidate
  pairs. Inside the blocks, two different people agree far more often than random pairs
  do (the blocks are built on agreement), so EM estimates its own u for the blocked pairs
  alongside m; only m and the share of matches are kept. Scoring uses the random-pair u.
  Pairs a person decided (``confirmed`` / ``rejected`` reviews) enter EM with their
  answer fixed.
- **Term frequency**: an exact name, birth date or NIK is weighed by how common that
  value is among the records being linked (Splink's term-frequency adjustment): "Muhammad Rizki"
  shared is weaker evidence than a rare name shared. The frequency is shrunk toward the
  model's average (``TF_PRIOR`` occurrences), so a name seen twice in a 20-row file is
  not taken for a name seen twice in a million.
- **Small data**: every parameter is a posterior mean under a weak prior — a Dirichlet
  worth ``M_PRIOR`` matches for m, ``U_PRIOR`` random pairs for u, ``RHO_PRIOR`` records
  for the rate of duplicates. With a million records the data outweighs it entirely; a
  20-row file stays close to it instead of producing wild weights. The prior is the
  registry's own last model when there is one (``prior=``), else ``DEFAULT_PRIOR``
  below: the shape of a district registry, written down once.

The prior scales with the size of the set linked: a person has about the same number of
duplicates in a file of a hundred rows as of a million, so the chance that two records
chosen at random are one person is ``2·rho / (n − 1)``, with ``rho`` the duplicate pairs
per record, and ``n`` at least ``MIN_POPULATION``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .comparisons import COMPARISONS, INDEX, compare
from .records import Prepared

U_SAMPLE = 1_000_000
M_PRIOR = 20.0
U_PRIOR = 10_000.0
RHO_PRIOR = 100.0
TF_PRIOR = 10.0
# The smallest population the prior is taken over. A 2-row file does not change who is
# out there: two different people look alike as easily as in the thousands an office
# serves, so a tiny file or registry is not a licence to link on thin evidence.
MIN_POPULATION = 10_000
EM_MAX_ITERATIONS = 200
EM_TOLERANCE = 1e-5

# Weak prior: (m, u) per non-null level, in level order (comparisons.py). Only the shape
# matters where the data are scarce: ``M_PRIOR`` matches' and ``U_PRIOR`` pairs' worth.
DEFAULT_PRIOR: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    # exact reordered edit1 contained initials edit2 contained_more fragment similar else
    "name": (
        (0.73, 0.02, 0.07, 0.04, 0.02, 0.03, 0.02, 0.01, 0.05, 0.01),
        (2e-4, 1e-5, 3e-4, 2e-4, 5e-5, 5e-4, 2e-3, 1e-3, 5e-3, 0),
    ),
    # exact swapped days year_pm1 year_only year_only_pm1 far
    "birth": ((0.70, 0.03, 0.04, 0.03, 0.12, 0.02, 0.06), (5e-5, 5e-5, 3e-4, 1e-4, 3e-3, 6e-3, 0)),
    "sex": ((0.98, 0.02), (0.5, 0)),
    # equal loss15 edit1 conflict near differ
    "nik": ((0.70, 0.05, 0.05, 0.005, 0.1, 0.095), (1e-7, 1e-7, 1e-6, 0.6, 1e-5, 0)),
    # village district regency province elsewhere
    "geo": ((0.60, 0.15, 0.10, 0.08, 0.07), (0.01, 0.05, 0.2, 0.3, 0)),
    "mother": ((0.75, 0.15, 0.10), (1e-3, 5e-3, 0)),
    "father": ((0.75, 0.15, 0.10), (1e-3, 5e-3, 0)),
}
DEFAULT_RHO = 0.05


def _complete(values: tuple[float, ...]) -> np.ndarray:
    """The last level (the "else" of each comparison) takes what the others leave."""
    out = np.array(values, dtype=np.float64)
    out[-1] = max(1.0 - out[:-1].sum(), 1e-6) if out[-1] == 0 else out[-1]
    return out / out.sum()


def probability(weight: float) -> float:
    """Posterior probability of one person for a match weight (log2 odds)."""
    if weight > 60:
        return 1.0
    return 2.0**weight / (1.0 + 2.0**weight)


@dataclass
class Model:
    """Fellegi–Sunter parameters estimated from the data (see the module docstring)."""

    m: dict[str, np.ndarray]  # per comparison, over its non-null levels
    u: dict[str, np.ndarray]
    rho: float = DEFAULT_RHO  # expected duplicate pairs per record
    records: int = 0
    pairs: int = 0  # candidate pairs EM saw
    sampled: int = 0  # random pairs u came from
    labelled: int = 0
    iterations: int = 0
    converged: bool = False
    _table: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def default(cls) -> Model:
        return cls(
            m={name: _complete(mu[0]) for name, mu in DEFAULT_PRIOR.items()},
            u={name: _complete(mu[1]) for name, mu in DEFAULT_PRIOR.items()},
        )

    def lam(self, n: int | None = None) -> float:
        """Probability that two records drawn at random from ``n`` are one person."""
        n = max(self.records if n is None else n, MIN_POPULATION)
        return 2.0 * self.rho / (n - 1)

    def prior_weight(self, n: int | None = None) -> float:
        lam = self.lam(n)
        return math.log2(lam / (1.0 - lam))

    def table(self) -> np.ndarray:
        """(comparisons, levels) log2 Bayes factors; the null level weighs 0."""
        if self._table is None:
            width = max(len(levels) for _name, levels in COMPARISONS)
            table = np.zeros((len(COMPARISONS), width))
            for k, (name, _levels) in enumerate(COMPARISONS):
                table[k, : len(self.m[name])] = np.log2(self.m[name] / self.u[name])
            self._table = table
        return self._table

    def to_dict(self) -> dict:
        def short(values) -> list[float]:
            return [float(f"{v:.6g}") for v in values]

        return {
            "method": "fellegi-sunter",
            "version": 1,
            "rho": float(f"{self.rho:.6g}"),
            "lambda": float(f"{self.lam():.6g}"),
            "records": self.records,
            "pairs": self.pairs,
            "sampled": self.sampled,
            "labelled": self.labelled,
            "iterations": self.iterations,
            "converged": self.converged,
            "comparisons": {
                name: {
                    "levels": list(levels[:-1]),
                    "m": short(self.m[name]),
                    "u": short(self.u[name]),
                }
                for name, levels in COMPARISONS
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        base = cls.default()
        comparisons = data.get("comparisons", {})
        for name, levels in COMPARISONS:
            stored = comparisons.get(name)
            # A model stored before a level was added keeps the default for that comparison.
            if stored and stored.get("levels") == list(levels[:-1]):
                base.m[name] = np.array(stored["m"], dtype=np.float64)
                base.u[name] = np.array(stored["u"], dtype=np.float64)
        base.rho = float(data.get("rho", DEFAULT_RHO))
        for key in ("records", "pairs", "sampled", "labelled", "iterations"):
            setattr(base, key, int(data.get(key, 0)))
        base.converged = bool(data.get("converged", False))
        return base


# --- training ---------------------------------------------------------------------------


def _level_counts(levels: np.ndarray, weights: np.ndarray | None = None) -> list[np.ndarray]:
    """Per comparison, the (weighted) count of each non-null level."""
    out = []
    for k, (_name, names) in enumerate(COMPARISONS):
        counts = np.bincount(levels[:, k], weights=weights, minlength=len(names))
        out.append(counts[: len(names) - 1].astype(np.float64))
    return out


def sample_pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of a small set, else ``U_SAMPLE`` random pairs (fixed seed)."""
    if n * (n - 1) // 2 <= U_SAMPLE:
        i, j = np.triu_indices(n, k=1)
        return i.astype(np.int64), j.astype(np.int64)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size=U_SAMPLE)
    j = rng.integers(0, n - 1, size=U_SAMPLE)
    j = j + (j >= i)
    return i, j


def estimate_u(prep: Prepared, prior: Model, seed: int) -> tuple[dict[str, np.ndarray], int]:
    i, j = sample_pairs(prep.n, seed)
    counts = _level_counts(compare(prep, i, prep, j)) if len(i) else None
    u = {}
    for k, (name, _levels) in enumerate(COMPARISONS):
        observed = counts[k] if counts is not None else np.zeros(len(prior.u[name]))
        u[name] = (observed + U_PRIOR * prior.u[name]) / (observed.sum() + U_PRIOR)
    return u, len(i)


def _seed_pairs(levels: np.ndarray) -> np.ndarray:
    """Pairs surely one person, to start EM from: the same NIK, or the same name and
    birth date. EM is free to move away from them."""
    return (levels[:, INDEX["nik"]] == 0) | (
        (levels[:, INDEX["name"]] == 0) & (levels[:, INDEX["birth"]] == 0)
    )


def estimate_m(
    levels: np.ndarray,
    prior: Model,
    *,
    confirmed: np.ndarray | None = None,
    rejected: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], float, int, bool]:
    """EM over the candidate pairs' levels: (m, expected matches, iterations, converged).

    The pairs are folded into their distinct level patterns first: a million pairs show a
    few thousand patterns, so each iteration is a handful of small array operations."""
    sizes = [len(names) for _name, names in COMPARISONS]
    radix = np.cumprod([1] + sizes[:-1]).astype(np.int64)
    codes = levels.astype(np.int64) @ radix
    unique, counts = np.unique(codes, return_counts=True)
    patterns = np.stack([(unique // r) % s for r, s in zip(radix, sizes, strict=True)], axis=1)
    counts = counts.astype(np.float64)
    total = counts.sum()
    known_m = _level_counts(confirmed) if confirmed is not None and len(confirmed) else None
    known_u = _level_counts(rejected) if rejected is not None and len(rejected) else None
    names = [name for name, _levels in COMPARISONS]

    def m_step(r: np.ndarray):
        wm, wu = counts * r, counts * (1.0 - r)
        m, ub = {}, {}
        cm, cu = _level_counts(patterns, wm), _level_counts(patterns, wu)
        for k, name in enumerate(names):
            if known_m is not None:
                cm[k] = cm[k] + known_m[k]
            if known_u is not None:
                cu[k] = cu[k] + known_u[k]
            m[name] = (cm[k] + M_PRIOR * prior.m[name]) / (cm[k].sum() + M_PRIOR)
            # The blocked non-matches' own u: half a pair per level keeps logs finite.
            ub[name] = (cu[k] + 0.5) / (cu[k].sum() + 0.5 * len(cu[k]))
        lam = min(max(wm.sum() / total, 1e-9), 1 - 1e-9)
        return m, ub, lam

    def e_step(m, ub, lam) -> np.ndarray:
        logit = np.full(len(patterns), math.log(lam / (1 - lam)))
        for k, name in enumerate(names):
            ratio = np.append(np.log(m[name] / ub[name]), 0.0)  # null: no evidence
            logit += ratio[patterns[:, k]]
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))

    seeds = _seed_pairs(patterns)
    if seeds.any():
        r = np.where(seeds, 0.95, 0.01)
    else:
        whole = _level_counts(patterns, counts)
        ub0 = {n: (c + 0.5) / (c.sum() + 0.5 * len(c)) for n, c in zip(names, whole, strict=True)}
        r = e_step(prior.m, ub0, 0.1)
    m, ub, lam = m_step(r)
    converged, iterations = False, 0
    while iterations < EM_MAX_ITERATIONS:
        iterations += 1
        r = e_step(m, ub, lam)
        new_m, ub, new_lam = m_step(r)
        change = max(abs(new_lam - lam), *(np.abs(new_m[n] - m[n]).max() for n in names))
        m, lam = new_m, new_lam
        if change < EM_TOLERANCE:
            converged = True
            break
    return m, lam * total, iterations, converged


def fit(
    prep: Prepared,
    levels: np.ndarray,
    *,
    prior: Model | None = None,
    confirmed: np.ndarray | None = None,
    rejected: np.ndarray | None = None,
    seed: int = 0,
) -> Model:
    """The model of ``prep``'s records, from their candidate pairs' ``levels``."""
    prior = prior or Model.default()
    u, sampled = estimate_u(prep, prior, seed)
    if len(levels) or (confirmed is not None and len(confirmed)):
        m, matches, iterations, converged = estimate_m(
            levels if len(levels) else np.zeros((0, len(COMPARISONS)), np.int8),
            prior,
            confirmed=confirmed,
            rejected=rejected,
        )
    else:
        m, matches, iterations, converged = dict(prior.m), 0.0, 0, True
    labelled = (0 if confirmed is None else len(confirmed)) + (
        0 if rejected is None else len(rejected)
    )
    rho = (matches + RHO_PRIOR * prior.rho) / (prep.n + RHO_PRIOR)
    return Model(
        m=m,
        u=u,
        rho=rho,
        records=prep.n,
        pairs=len(levels),
        sampled=sampled,
        labelled=labelled,
        iterations=iterations,
        converged=converged,
    )


# --- scoring ----------------------------------------------------------------------------


class TermFrequencies:
    """How common each name and birth date is among the records being linked."""

    def __init__(self, prep: Prepared, model: Model):
        self.name = self._shrunk(prep.name_id, model.u["name"][0])
        full = np.where(prep.full_date, prep.ordinal, 0)
        self.birth = self._shrunk(full, model.u["birth"][0])
        # A NIK shared by many records (a placeholder typed for everyone) proves little.
        self.nik = self._shrunk(prep.nik_id, model.u["nik"][0])

    @staticmethod
    def _shrunk(ids: np.ndarray, average: float) -> np.ndarray:
        # Posterior mean of a value's frequency: TF_PRIOR occurrences at the average
        # rate (u of the exact level), so a value seen twice in a small file is not
        # taken to be rare.
        counts = np.bincount(ids).astype(np.float64)
        n = float(np.count_nonzero(ids))
        return (counts + TF_PRIOR) / (n + TF_PRIOR / max(average, 1e-12))


def weigh(
    model: Model,
    prep: Prepared,
    ia: np.ndarray,
    ib: np.ndarray,
    levels: np.ndarray,
    tf: TermFrequencies | None,
    n: int,
) -> np.ndarray:
    """Match weights of the pairs: prior plus each comparison's part."""
    table = model.table()
    total = np.full(len(levels), model.prior_weight(n))
    for k in range(len(COMPARISONS)):
        total += table[k][levels[:, k]]
    if tf is not None:
        total += tf_adjustment(model, prep, ia, levels, tf)
    return total


def tf_adjustment(model, prep, ia, levels, tf) -> np.ndarray:
    """log2(u_exact / tf(value)) where the name, the birth date or the NIK is exact."""
    out = np.zeros(len(levels))
    name_exact = levels[:, INDEX["name"]] == 0
    if name_exact.any():
        values = tf.name[prep.name_id[ia[name_exact]]]
        out[name_exact] += np.log2(model.u["name"][0] / values)
    nik_equal = levels[:, INDEX["nik"]] == 0
    if nik_equal.any():
        values = tf.nik[prep.nik_id[ia[nik_equal]]]
        out[nik_equal] += np.log2(model.u["nik"][0] / values)
    birth_exact = levels[:, INDEX["birth"]] == 0
    if birth_exact.any():
        days = prep.ordinal[ia[birth_exact]]
        out[birth_exact] += np.log2(model.u["birth"][0] / tf.birth[days])
    return out
