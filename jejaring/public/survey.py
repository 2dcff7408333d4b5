"""The Indeks Kepuasan Masyarakat of PermenPANRB 14/2017 (docs/public.md):

1. per element, NRR = the sum of its scores / the respondents who answered it;
2. each NRR weighted by 1/9 (equal weights summing to 1; ``SKM_WEIGHT`` may set the
   0.111 or 0.11 that some offices print, and the report says which); an element
   nobody answered is left out and the equal weights shared among the others;
3. the index = the sum of the weighted NRRs, and IKM = index × 25 (25-100), rounded
   half-up to two decimals, then graded: A ≥ 88.31 (Sangat baik), B ≥ 76.61 (Baik),
   C ≥ 65.00 (Kurang baik), D below (Tidak baik). An element's NRR is graded on the
   same bands before conversion (3.5324, 3.0644, 2.60).

Figures are shown only from ``SKM_MIN_RESPONSES`` answers: fewer could be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

GRADES = [
    (Decimal("88.31"), "A", _("Very good")),
    (Decimal("76.61"), "B", _("Good")),
    (Decimal("65.00"), "C", _("Not good enough")),
    (Decimal("25.00"), "D", _("Poor")),
]
ELEMENT_GRADES = [
    (Decimal("3.5324"), "A"),
    (Decimal("3.0644"), "B"),
    (Decimal("2.60"), "C"),
    (Decimal("1.00"), "D"),
]


def weight(element_count: int) -> Decimal:
    chosen = getattr(settings, "SKM_WEIGHT", "exact")
    if chosen in ("0.111", "0.11"):
        return Decimal(chosen)
    return Decimal(1) / Decimal(element_count)


def _two(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade(ikm: Decimal) -> tuple[str, str]:
    for floor, letter, label in GRADES:
        if ikm >= floor:
            return letter, str(label)
    return "D", str(GRADES[-1][2])


def element_grade(nrr: Decimal) -> str:
    for floor, letter in ELEMENT_GRADES:
        if nrr >= floor:
            return letter
    return "D"


@dataclass(frozen=True)
class ElementResult:
    code: str
    name: str
    answered: int
    nrr: Decimal
    weighted: Decimal
    grade: str


@dataclass(frozen=True)
class SurveyResult:
    respondents: int
    elements: list[ElementResult]
    index: Decimal
    ikm: Decimal
    grade: str
    label: str
    weight_rule: str


def compute(score_rows, elements) -> SurveyResult | None:
    """The IKM of ``score_rows`` (each a dict element code → 1..4) over ``elements``
    (the active survey elements, in order). None without any answer."""
    rows = list(score_rows)
    if not rows:
        return None
    averages = []
    for element in elements:
        given = [int(r[element.code]) for r in rows if r.get(element.code) in (1, 2, 3, 4)]
        averages.append((element, given))
    # An element nobody answered is left out of the index, not counted as zero: the
    # weights are shared among the elements answered.
    w = weight(sum(1 for _element, given in averages if given) or 1)
    results = [
        ElementResult(
            code=element.code,
            name=element.name,
            answered=len(given),
            nrr=(nrr := Decimal(sum(given)) / Decimal(len(given)) if given else Decimal(0)),
            weighted=nrr * w,
            grade=element_grade(nrr) if given else "",
        )
        for element, given in averages
    ]
    index = sum((r.weighted for r in results), Decimal(0))
    ikm = _two(index * 25)
    letter, label = grade(ikm)
    return SurveyResult(
        respondents=len(rows),
        elements=results,
        index=index,
        ikm=ikm,
        grade=letter,
        label=label,
        weight_rule=getattr(settings, "SKM_WEIGHT", "exact"),
    )


def shown(result: SurveyResult | None) -> bool:
    """Whether a result has enough answers to be shown at all."""
    return result is not None and result.respondents >= settings.SKM_MIN_RESPONSES
