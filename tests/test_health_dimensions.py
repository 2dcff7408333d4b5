"""The health check's table of dimension specifications and its one scorer.

The figures and formulas themselves are checked end to end against a hand-worked
forum in tests/test_collaboration_health.py; these tests pin the table (every
dimension once, in the documented order, with its weights) and the scorer (each
component is measured with its own specification and no other)."""

import dataclasses
import re
from pathlib import Path

import pytest
from django.utils import translation

from jejaring.collaboration import health
from jejaring.collaboration.health import DIMENSION_SPECS, Figures
from jejaring.collaboration.health.dimensions import score
from jejaring.collaboration.models import Forum

ORDER = ["face_to_face", "trust", "commitment", "understanding", "outcomes", "design", "leadership"]

FIGURES = Figures(
    forums=2,
    members=8,
    member_sectors=2,
    meetings_planned=10.0,
    meetings_held=4,
    sectors_per_meeting=2.4,
    member_seats_invited=20,
    member_seats_present=15,
    meetings_with_minutes=3,
    meetings_announced=2,
    referrals_accepted=6,
    referrals_decided=8,
    median_response_hours=204.0,  # (336 − 204) ÷ (336 − 72) = 0.5
    exchanges=2,
    commitments_due=5,
    commitments_fulfilled=4,
    decisions=10,
    consensus=7,
    forums_with_mission=1,
    forums_with_problem=2,
    outcomes=6,
    outcomes_wanted=8,
    goals=3,
    goals_with_outcome=1,
    rules_in_force=2,
    agreements=4,
    agreements_active=3,
    forums_coordinated=1,
)

# Worked out by hand from the formulas in docs/collaboration.md:
# (dimension, label, weight, ratio, evidence) for every component, then each data score.
EXPECTED = [
    ("face_to_face", "meetings held ÷ meetings planned", 50, 0.4, "4 / 10"),
    ("face_to_face", "sectors present per meeting ÷ 3", 50, 0.8, "2.4 / 3"),
    ("trust", "referrals accepted ÷ referrals decided", 50, 0.75, "6 / 8"),
    ("trust", "response time (3 days = 1, 14 days = 0)", 25, 0.5, "median 204 h"),
    ("trust", "resource exchanges ÷ member organisations", 25, 0.25, "2 / 8"),
    ("commitment", "commitments fulfilled ÷ commitments due", 60, 0.8, "4 / 5"),
    ("commitment", "members present ÷ members invited", 40, 0.75, "15 / 20"),
    ("understanding", "decisions by consensus ÷ decisions", 60, 0.7, "7 / 10"),
    ("understanding", "mission written down", 20, 0.5, "1 / 2"),
    ("understanding", "common problem defined", 20, 1.0, "2 / 2"),
    ("outcomes", "small wins ÷ 4 a year", 60, 0.75, "6 / 8"),
    ("outcomes", "goals with a recorded outcome ÷ goals", 40, 1 / 3, "1 / 3"),
    ("design", "ground rules or SOPs in force (at least one)", 40, 1.0, "2"),
    ("design", "agreements active ÷ agreements", 40, 0.75, "3 / 4"),
    ("design", "sectors among members ÷ 3", 20, 2 / 3, "2 / 3"),
    ("leadership", "coordinator in office", 30, 0.5, "1 / 2"),
    ("leadership", "meetings with minutes ÷ meetings held", 40, 0.75, "3 / 4"),
    ("leadership", "meetings announced a day ahead ÷ meetings held", 30, 0.5, "2 / 4"),
]
DATA_SCORES = {
    "face_to_face": 60,  # 50 × 0.4 + 50 × 0.8
    "trust": 56,  # 37.5 + 12.5 + 6.25
    "commitment": 78,  # 48 + 30
    "understanding": 72,  # 42 + 10 + 20
    "outcomes": 58,  # 45 + 13.3
    "design": 83,  # 40 + 30 + 13.3
    "leadership": 60,  # 15 + 30 + 15
}


def flat(dimensions):
    return [
        (d.code, c.label, c.weight, c.ratio, c.evidence) for d in dimensions for c in d.components
    ]


def test_every_dimension_once_in_the_documented_order():
    assert [spec.code for spec in DIMENSION_SPECS] == ORDER
    assert [code for code, _name in health.DIMENSIONS] == ORDER
    assert list(health.SURVEY_QUESTIONS) == ORDER
    assert [d.code for d in score(FIGURES)] == ORDER

    # docs/collaboration.md's table: the same dimensions, in the same order, with the
    # same weights component by component.
    text = (Path(__file__).parent.parent / "docs" / "collaboration.md").read_text()
    table = text.split("| dimension | formula (points out of 100) |")[1].split("\n\n")[0]
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:]]
    with translation.override("en"):
        assert [name.strip() for name, _f in rows] == [str(s.name) for s in DIMENSION_SPECS]
    for (_name, formula), spec in zip(rows, DIMENSION_SPECS, strict=True):
        documented = [int(w) for w in re.findall(r"(\d+) ×", formula)]
        assert documented == [c.weight for c in spec.components], spec.code


def test_weights_make_100_and_labels_are_unique():
    for spec in DIMENSION_SPECS:
        assert sum(c.weight for c in spec.components) == 100, spec.code
    labels = [str(c.label) for spec in DIMENSION_SPECS for c in spec.components]
    assert len(labels) == len(set(labels)) == 18


def test_specs_read_only_figures_that_exist_and_every_figure_is_read():
    fields = {f.name for f in dataclasses.fields(Figures)}
    read = {
        name for spec in DIMENSION_SPECS for c in spec.components for name in c.measure.figures()
    }
    assert read <= fields
    assert fields - read == set()


def test_the_scorer_applies_each_specification_as_worked_out_by_hand():
    with translation.override("en"):
        result = score(FIGURES)
        got = flat(result)
    assert [row[:3] for row in got] == [row[:3] for row in EXPECTED]
    for (*_head, ratio, evidence), (*_h, want_ratio, want_evidence) in zip(
        got, EXPECTED, strict=True
    ):
        assert ratio == pytest.approx(want_ratio)
        assert evidence == want_evidence
    assert {d.code: d.data_score for d in result} == DATA_SCORES
    assert result[0].formula == (
        "50 × meetings held ÷ meetings planned + 50 × sectors present per meeting ÷ 3"
    )


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Figures)])
def test_a_figure_moves_exactly_the_components_that_read_it(name):
    """Changing one figure changes the components whose specification reads it, and no
    other: a scorer that measured a component with another's specification, or a table
    entry pointing at the wrong figure, fails here."""
    before = flat(score(FIGURES))
    after = flat(score(dataclasses.replace(FIGURES, **{name: getattr(FIGURES, name) + 1})))
    changed = {i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
    readers = {
        i
        for i, component in enumerate(c for spec in DIMENSION_SPECS for c in spec.components)
        if name in component.measure.figures()
    }
    assert readers
    assert changed == readers


def test_no_evidence_is_left_out_not_scored_zero():
    empty = Figures(**{f.name: 0 for f in dataclasses.fields(Figures)})
    empty = dataclasses.replace(empty, sectors_per_meeting=None, median_response_hours=None)
    with translation.override("en"):
        result = {d.code: d for d in score(empty)}
    face = result["face_to_face"]
    assert [(c.ratio, c.evidence) for c in face.components] == [(None, "0 / 0"), (None, "—")]
    assert face.data_score is None
    assert [c.evidence for c in result["trust"].components][1] == "—"
    # A ground rule is a yes/no: none in force is evidence of 0, not "no evidence".
    design = result["design"]
    assert [c.ratio for c in design.components] == [0.0, None, 0.0]
    assert design.data_score == 0


def test_one_forum_health_check_costs_a_fixed_number_of_queries(db, django_assert_num_queries):
    forum = Forum.objects.order_by("pk").first()
    # 21: +1 with #15, the requests to leave each member provider (two more when any).
    with django_assert_num_queries(21):
        report = health.health_for_forum(forum)
    assert [d.code for d in report.dimensions] == ORDER
