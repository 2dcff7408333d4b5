"""The health check's dimensions as data: what each component measures, with what
weight, and the one scorer that turns the gathered figures into scores.

Every component names the figures it reads (fields of ``figures.Figures``) and a
*measure* saying how they become a ratio in [0, 1] and the evidence shown beside it.
Adding or reweighting a component is a change to ``DIMENSION_SPECS`` only; the
scorer, the page, the API and the survey follow it. The table is written out in
docs/collaboration.md, and tests/test_health_dimensions.py pins it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

SURVEY_WEIGHT = 0.3
# Seed 003: multi-directional communication needs at least government, private and
# community parties at the table.
SECTORS_WANTED = 3
# Referral response time: full marks within 3 days, none after 14, linear between.
RESPONSE_FULL_HOURS = 72
RESPONSE_ZERO_HOURS = 336
OUTCOMES_WANTED = 4  # a small win a quarter


def _ratio(numerator, denominator, cap: float = 1.0) -> float | None:
    if not denominator:
        return None
    return min(cap, numerator / denominator)


# Measures: how a component's figures become (ratio or None for "no evidence", evidence).


@dataclass(frozen=True)
class Share:
    """numerator ÷ denominator, capped at 1; no evidence when the denominator is 0 or
    the numerator is unknown. The denominator is a figure's name or a constant."""

    numerator: str
    denominator: str | int
    numerator_places: int = 0  # decimals shown for a mean (sectors per meeting)

    def figures(self) -> tuple[str, ...]:
        names = (self.numerator, self.denominator)
        return tuple(name for name in names if isinstance(name, str))

    def measure(self, figures) -> tuple[float | None, str]:
        numerator = getattr(figures, self.numerator)
        denominator = self.denominator
        if isinstance(denominator, str):
            denominator = getattr(figures, denominator)
        if numerator is None:
            return None, "—"
        # In the reader's number format (Indonesian: "2,5 / 3"), like the points beside it.
        evidence = (
            f"{number_format(numerator, self.numerator_places)} / {number_format(denominator, 0)}"
        )
        return _ratio(numerator, denominator), evidence


@dataclass(frozen=True)
class AtLeastOne:
    """Full marks when the count is at least one, none otherwise (always evidence)."""

    count: str

    def figures(self) -> tuple[str, ...]:
        return (self.count,)

    def measure(self, figures) -> tuple[float | None, str]:
        count = getattr(figures, self.count)
        return (1.0 if count else 0.0), str(count)


@dataclass(frozen=True)
class FallingHours:
    """A duration in hours: full marks up to ``full``, none from ``zero``, linear between;
    no evidence when there is no duration."""

    hours: str
    full: float
    zero: float

    def figures(self) -> tuple[str, ...]:
        return (self.hours,)

    def measure(self, figures) -> tuple[float | None, str]:
        hours = getattr(figures, self.hours)
        if hours is None:
            return None, "—"
        ratio = max(0.0, min(1.0, (self.zero - hours) / (self.zero - self.full)))
        return ratio, str(_("median %(h)s h") % {"h": round(hours)})


@dataclass(frozen=True)
class ComponentSpec:
    label: str  # lazy; also the formula's wording
    weight: int  # points out of the dimension's 100
    measure: Share | AtLeastOne | FallingHours


@dataclass(frozen=True)
class DimensionSpec:
    """One of Ansell & Gash's process dimensions, and the survey statement for it."""

    code: str
    name: str
    question: str
    components: tuple[ComponentSpec, ...]


# The dimensions in the order of the page, the API and docs/collaboration.md.
DIMENSION_SPECS: tuple[DimensionSpec, ...] = (
    DimensionSpec(
        "face_to_face",
        _("Face-to-face dialogue"),
        _("We meet often enough, and the right organisations are at the table."),
        (
            ComponentSpec(
                _("meetings held ÷ meetings planned"),
                50,
                Share("meetings_held", "meetings_planned"),
            ),
            ComponentSpec(
                _("sectors present per meeting ÷ 3"),
                50,
                Share("sectors_per_meeting", SECTORS_WANTED, numerator_places=1),
            ),
        ),
    ),
    DimensionSpec(
        "trust",
        _("Trust building"),
        _("I can rely on the other members to do what they say."),
        (
            ComponentSpec(
                _("referrals accepted ÷ referrals decided"),
                50,
                Share("referrals_accepted", "referrals_decided"),
            ),
            ComponentSpec(
                _("response time (3 days = 1, 14 days = 0)"),
                25,
                FallingHours("median_response_hours", RESPONSE_FULL_HOURS, RESPONSE_ZERO_HOURS),
            ),
            ComponentSpec(
                _("resource exchanges ÷ member organisations"), 25, Share("exchanges", "members")
            ),
        ),
    ),
    DimensionSpec(
        "commitment",
        _("Commitment to process"),
        _("My organisation sees the forum's work as its own work."),
        (
            ComponentSpec(
                _("commitments fulfilled ÷ commitments due"),
                60,
                Share("commitments_fulfilled", "commitments_due"),
            ),
            ComponentSpec(
                _("members present ÷ members invited"),
                40,
                Share("member_seats_present", "member_seats_invited"),
            ),
        ),
    ),
    DimensionSpec(
        "understanding",
        _("Shared understanding"),
        _("The members share a clear view of the problem and the mission."),
        (
            ComponentSpec(
                _("decisions by consensus ÷ decisions"), 60, Share("consensus", "decisions")
            ),
            ComponentSpec(_("mission written down"), 20, Share("forums_with_mission", "forums")),
            ComponentSpec(_("common problem defined"), 20, Share("forums_with_problem", "forums")),
        ),
    ),
    DimensionSpec(
        "outcomes",
        _("Intermediate outcomes"),
        _("The forum has achieved concrete results in the past year."),
        (
            ComponentSpec(_("small wins ÷ 4 a year"), 60, Share("outcomes", "outcomes_wanted")),
            ComponentSpec(
                _("goals with a recorded outcome ÷ goals"),
                40,
                Share("goals_with_outcome", "goals"),
            ),
        ),
    ),
    DimensionSpec(
        "design",
        _("Institutional design"),
        _("The forum's rules are clear, fair and followed."),
        (
            ComponentSpec(
                _("ground rules or SOPs in force (at least one)"),
                40,
                AtLeastOne("rules_in_force"),
            ),
            ComponentSpec(
                _("agreements active ÷ agreements"), 40, Share("agreements_active", "agreements")
            ),
            ComponentSpec(
                _("sectors among members ÷ 3"), 20, Share("member_sectors", SECTORS_WANTED)
            ),
        ),
    ),
    DimensionSpec(
        "leadership",
        _("Facilitative leadership"),
        _("The coordinator keeps the process open, prepared and moving."),
        (
            ComponentSpec(_("coordinator in office"), 30, Share("forums_coordinated", "forums")),
            ComponentSpec(
                _("meetings with minutes ÷ meetings held"),
                40,
                Share("meetings_with_minutes", "meetings_held"),
            ),
            ComponentSpec(
                _("meetings announced a day ahead ÷ meetings held"),
                30,
                Share("meetings_announced", "meetings_held"),
            ),
        ),
    ),
)

# The (code, name) pairs and survey statements the survey form and action use.
DIMENSIONS = [(spec.code, spec.name) for spec in DIMENSION_SPECS]
SURVEY_QUESTIONS = {spec.code: spec.question for spec in DIMENSION_SPECS}


@dataclass
class Component:
    label: str
    weight: int
    ratio: float | None  # None: no evidence
    evidence: str

    @property
    def points(self) -> float | None:
        return None if self.ratio is None else round(self.weight * self.ratio, 1)


@dataclass
class Dimension:
    code: str
    name: str
    components: list[Component]
    survey: float | None = None  # 0–100 from the anonymous survey, when shown

    @property
    def data_score(self) -> int | None:
        known = [c for c in self.components if c.ratio is not None]
        if not known:
            return None
        total = sum(c.weight for c in known)
        return round(100 * sum(c.weight * c.ratio for c in known) / total)

    @property
    def score(self) -> int | None:
        data = self.data_score
        if data is None or self.survey is None:
            return data
        return round((1 - SURVEY_WEIGHT) * data + SURVEY_WEIGHT * self.survey)

    @property
    def formula(self) -> str:
        return " + ".join(f"{c.weight} × {c.label}" for c in self.components)


def score(figures, specs: tuple[DimensionSpec, ...] = DIMENSION_SPECS) -> list[Dimension]:
    """The one scorer: every component of every dimension measured from ``figures``."""
    dimensions = []
    for spec in specs:
        components = []
        for component in spec.components:
            ratio, evidence = component.measure.measure(figures)
            components.append(Component(str(component.label), component.weight, ratio, evidence))
        dimensions.append(Dimension(spec.code, str(spec.name), components))
    return dimensions
