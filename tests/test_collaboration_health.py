"""The health check's numbers against a small forum whose expected scores are worked
out by hand below (formulas in jejaring/collaboration/health/dimensions.py and
docs/collaboration.md).

The forum uses Kabupaten Bandung organisations, which the demo's Pekanbaru story does
not touch, so nothing else leaks into its figures."""

import datetime

import pytest
from django.utils import timezone

from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case
from jejaring.collaboration import actions
from jejaring.collaboration.health import health_for_forum
from jejaring.collaboration.models import Meeting, Stance, SurveyResponse
from jejaring.network.models import Organisation
from jejaring.regions.models import Region

TODAY = timezone.localdate()


def org(code):
    return Organisation.objects.get(code=code)


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def meeting(forum, n_days_ago, present, minutes):
    start = timezone.now() - datetime.timedelta(days=n_days_ago)
    m = actions.schedule_meeting(
        forum,
        title=f"Rapat {n_days_ago}",
        mode="online",
        online_link="https://meet.example.org/uji",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        acting_user=None,
    )
    actions.record_attendance(m, {org(code).pk: "wakil" for code in present}, acting_user=None)
    if minutes:
        actions.record_minutes(m, "Notulen.", acting_user=None)
    return m


@pytest.fixture
def forum(db):
    dinsos, yayasan, bpbd, prov = (
        org("dinsos-kab-bandung"),
        org("yayasan-peduli-anak-priangan"),
        org("bpbd-kab-bandung"),
        org("dinsos-prov-jabar"),
    )
    forum = actions.create_forum(
        name="Forum Uji Kesehatan Kolaborasi",
        region=Region.objects.get(code="32.04"),
        convened_by=dinsos,
        members=[yayasan, bpbd, prov],
        mission="Lansia terlantar terlayani.",
        meets_every_days=73,  # 365 / 73 = 5 meetings expected a year
        acting_user=None,
    )
    # Face-to-face: 2 meetings held; sectors present 2 (government + civil society) and 1.
    first = meeting(forum, 60, ["dinsos-kab-bandung", "yayasan-peduli-anak-priangan"], True)
    meeting(forum, 20, ["dinsos-kab-bandung", "bpbd-kab-bandung", "dinsos-prov-jabar"], False)
    # The first was announced five days ahead. send_invitations refuses past meetings,
    # so the test moves the stamp back, as the demo does.
    Meeting.objects.filter(pk=first.pk).update(
        invitations_sent_at=first.starts_at - datetime.timedelta(days=5)
    )
    # Commitments: due in the window 2 (one fulfilled on time, one overdue), one not yet
    # due but already fulfilled (counts), one not yet due (does not count).
    c1 = actions.create_commitment(
        forum, title="C1", owner=yayasan, due_on=days_ago(30), acting_user=None
    )
    actions.fulfil_commitment(c1, evidence="ok", on=days_ago(35), acting_user=None)
    actions.create_commitment(forum, title="C2", owner=bpbd, due_on=days_ago(10), acting_user=None)
    actions.create_commitment(forum, title="C3", owner=prov, due_on=days_ago(-10), acting_user=None)
    c4 = actions.create_commitment(
        forum, title="C4", owner=dinsos, due_on=days_ago(-5), acting_user=None
    )
    actions.fulfil_commitment(c4, evidence="ok", acting_user=None)
    # Trust: one referral between members, accepted at once; two exchanges.
    case = Case.objects.get(person__full_name="Eni Suryani", organisation=dinsos)
    referral = case_actions.send_referral(case, prov, reason="Panti provinsi", acting_user=None)
    case_actions.accept_referral(referral, acting_user=None)
    actions.record_exchange(
        kind="training", giver=dinsos, receiver=yayasan, description="Bimtek", acting_user=None
    )
    actions.record_exchange(
        kind="equipment", giver=bpbd, receiver=dinsos, description="Tenda", acting_user=None
    )
    # Shared understanding: one consensus, one blocked.
    deadline = TODAY + datetime.timedelta(days=5)
    members = [dinsos, yayasan, bpbd, prov]
    for title, blocker in [("P1", None), ("P2", bpbd)]:
        p = actions.open_proposal(
            forum, title=title, text="…", deadline=deadline, proposed_by=dinsos, acting_user=None
        )
        for member in members:
            stance = Stance.BLOCK if member == blocker else Stance.AGREE
            actions.state_position(p, member, stance, reason="alasan", acting_user=None)
        actions.close_proposal(p, acting_user=None)
    # Outcomes: two goals, one outcome against the first.
    g1 = actions.add_goal(forum, title="G1", acting_user=None)
    actions.add_goal(forum, title="G2", acting_user=None)
    actions.record_outcome(forum, title="O1", goal=g1, achieved_on=days_ago(30), acting_user=None)
    # Institutional design: a rule in force; agreements among members: 1 active, 1 draft.
    actions.add_ground_rule(
        forum, title="Tata tertib", text="Mufakat.", kind="rule", acting_user=None
    )
    active = actions.draft_agreement(
        kind="pks",
        title="PKS uji",
        drafted_by=dinsos,
        parties=[(dinsos, ""), (yayasan, "")],
        clauses=[("Ruang lingkup", "Uji.")],
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=365),
        acting_user=None,
    )
    actions.move_agreement(active, "awaiting_signatures", acting_user=None)
    for party in (dinsos, yayasan):
        actions.sign_agreement(
            active, party, signatory_name="N", signatory_position="K", acting_user=None
        )
    actions.draft_agreement(
        kind="mou",
        title="MoU uji",
        drafted_by=bpbd,
        parties=[(bpbd, ""), (dinsos, "")],
        acting_user=None,
    )
    return forum


# Worked out by hand:
#   face_to_face  50×(2/5) + 50×(1.5/3)                    = 20 + 25           = 45
#   trust         50×(1/1) + 25×1 (answered in minutes) + 25×(2 exchanges/4)   = 87.5 → 88
#   commitment    60×(2/3) + 40×(5 of 8 member seats present)  = 40 + 25      = 65
#   understanding 60×(1/2) + 20×(mission 1/1) + 20×(problem 0/1)              = 50
#   outcomes      60×(1/4) + 40×(1 goal of 2)                 = 15 + 20       = 35
#   design        40×(rule in force) + 40×(1 active/2) + 20×(2 sectors/3)     = 73.3 → 73
#   leadership    30×(coordinator) + 40×(minutes 1/2) + 30×(announced 1/2)    = 65
#   overall       (45+88+65+50+35+73+65) / 7 = 60.1                           → 60
EXPECTED = {
    "face_to_face": 45,
    "trust": 88,
    "commitment": 65,
    "understanding": 50,
    "outcomes": 35,
    "design": 73,
    "leadership": 65,
}


def test_scores_match_the_hand_computed_figures(forum):
    report = health_for_forum(forum)
    assert {d.code: d.score for d in report.dimensions} == EXPECTED
    assert report.overall == 60
    trust = next(d for d in report.dimensions if d.code == "trust")
    assert [c.evidence for c in trust.components][0] == "1 / 1"
    assert trust.formula.startswith("50 × ")


def test_survey_counts_only_from_three_answers_and_weighs_thirty_percent(forum):
    for n, answer in enumerate([5, 4]):
        SurveyResponse.objects.create(
            forum=forum, period="2026-11", respondent_hash=f"h{n}", answers={"trust": answer}
        )
    trust = lambda: next(d for d in health_for_forum(forum).dimensions if d.code == "trust")  # noqa: E731
    assert trust().score == 88  # two answers: not shown, not anonymous enough
    SurveyResponse.objects.create(
        forum=forum, period="2026-11", respondent_hash="h3", answers={"trust": 3}
    )
    # survey mean 4 → (4−1)/4 = 75; 0.7 × 88 + 0.3 × 75 = 84.1 → 84
    assert (trust().survey, trust().score) == (75, 84)


def test_a_forum_without_records_shows_no_evidence_rather_than_zero(db):
    forum = actions.create_forum(
        name="Forum Baru Tanpa Catatan",
        region=Region.objects.get(code="32.04"),
        convened_by=org("yayasan-peduli-anak-priangan"),
        acting_user=None,
    )
    scores = {d.code: d.score for d in health_for_forum(forum).dimensions}
    assert scores["face_to_face"] == 0  # five meetings were expected, none held
    assert scores["outcomes"] == 0
    assert scores["commitment"] is None  # nothing was due yet
