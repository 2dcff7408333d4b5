"""The collaboration health check: Ansell & Gash's process, scored from what the
product holds (domain.md §6).

Each dimension is a weighted sum of components, each a ratio in [0, 1] computed from
records of the last twelve months. A component without evidence (no referrals yet,
no goals set…) is left out and the others are reweighted, so a young forum is not
punished for what it has not had the chance to do; a dimension with no evidence at
all shows "no evidence" instead of a score. The formulas are shown on the page next
to the figures they used, and written out in docs/collaboration.md.

An optional anonymous survey (Likert 1–5 per dimension) is shown beside the data
score and, once at least ``SURVEY_MIN_RESPONSES`` members answered (fewer would not be
anonymous), combined with it: 70 % data, 30 % survey.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    Agreement,
    AgreementState,
    Commitment,
    CommitmentState,
    CoordinatorTerm,
    Exchange,
    Forum,
    ForumGoal,
    ForumMembership,
    GroundRule,
    IntermediateOutcome,
    Meeting,
    MeetingParticipant,
    MeetingState,
    Proposal,
    ProposalState,
    SurveyResponse,
)

WINDOW_DAYS = 365
SURVEY_MIN_RESPONSES = 3
SURVEY_WEIGHT = 0.3
# Seed 003: multi-directional communication needs at least government, private and
# community parties at the table.
SECTORS_WANTED = 3
# Referral response time: full marks within 3 days, none after 14, linear between.
RESPONSE_FULL_HOURS = 72
RESPONSE_ZERO_HOURS = 336
OUTCOMES_WANTED = 4  # a small win a quarter

DIMENSIONS = [
    ("face_to_face", _("Face-to-face dialogue")),
    ("trust", _("Trust building")),
    ("commitment", _("Commitment to process")),
    ("understanding", _("Shared understanding")),
    ("outcomes", _("Intermediate outcomes")),
    ("design", _("Institutional design")),
    ("leadership", _("Facilitative leadership")),
]

SURVEY_QUESTIONS = {
    "face_to_face": _("We meet often enough, and the right organisations are at the table."),
    "trust": _("I can rely on the other members to do what they say."),
    "commitment": _("My organisation sees the forum's work as its own work."),
    "understanding": _("The members share a clear view of the problem and the mission."),
    "outcomes": _("The forum has achieved concrete results in the past year."),
    "design": _("The forum's rules are clear, fair and followed."),
    "leadership": _("The coordinator keeps the process open, prepared and moving."),
}


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


@dataclass
class HealthReport:
    subject: str
    since: datetime.date
    until: datetime.date
    dimensions: list[Dimension]
    survey_responses: int = 0
    forum_id: int | None = None
    facts: dict = field(default_factory=dict)

    @property
    def overall(self) -> int | None:
        scores = [d.score for d in self.dimensions if d.score is not None]
        return round(sum(scores) / len(scores)) if scores else None


def _ratio(numerator, denominator, cap: float = 1.0) -> float | None:
    if not denominator:
        return None
    return min(cap, numerator / denominator)


def _pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{round(100 * ratio)}%"


@dataclass
class _Inputs:
    """The records one health check reads: a forum's, or every forum a user sees."""

    forums: list
    member_ids: set
    member_sectors: set
    referrals: object  # queryset
    exchanges: object
    agreements: object
    rules_in_force: int


def _meetings_in_window(forums, since, until):
    return Meeting.objects.filter(
        forum__in=forums,
        state=MeetingState.HELD,
        starts_at__date__gte=since,
        starts_at__date__lte=until,
    )


def _score(inputs: _Inputs, since: datetime.date, today: datetime.date) -> tuple[list, dict]:
    forums = inputs.forums
    members = len(inputs.member_ids)
    meetings = list(_meetings_in_window(forums, since, today))
    expected = sum(WINDOW_DAYS / max(f.meets_every_days, 1) for f in forums)
    attended_rows = list(
        MeetingParticipant.objects.filter(meeting__in=meetings, attended=True).values(
            "meeting_id", "organisation__sector"
        )
    )
    sectors_by_meeting: dict[int, set] = {m.pk: set() for m in meetings}
    for row in attended_rows:
        sectors_by_meeting[row["meeting_id"]].add(row["organisation__sector"])
    avg_sectors = statistics.mean(len(s) for s in sectors_by_meeting.values()) if meetings else None
    member_rows = MeetingParticipant.objects.filter(
        meeting__in=meetings, organisation_id__in=inputs.member_ids
    )
    member_rows_total = member_rows.count()
    member_rows_attended = member_rows.filter(attended=True).count()

    referrals = list(
        inputs.referrals.filter(sent_at__date__gte=since, decided_at__isnull=False).values(
            "state", "sent_at", "decided_at"
        )
    )
    accepted = sum(1 for r in referrals if r["state"] in ("accepted", "completed"))
    declined = sum(1 for r in referrals if r["state"] == "declined")
    hours = [(r["decided_at"] - r["sent_at"]).total_seconds() / 3600 for r in referrals]
    median_hours = statistics.median(hours) if hours else None
    response = (
        None
        if median_hours is None
        else max(
            0.0,
            min(
                1.0,
                (RESPONSE_ZERO_HOURS - median_hours) / (RESPONSE_ZERO_HOURS - RESPONSE_FULL_HOURS),
            ),
        )
    )
    exchanges = inputs.exchanges.filter(occurred_on__gte=since, occurred_on__lte=today).count()

    commitments = Commitment.objects.filter(forum__in=forums).exclude(
        state=CommitmentState.CANCELLED
    )
    due = commitments.filter(
        Q(due_on__gte=since, due_on__lt=today) | Q(fulfilled_on__gte=since)
    ).distinct()
    due_count = due.count()
    fulfilled = due.filter(state=CommitmentState.FULFILLED).count()

    decided = Proposal.objects.filter(forum__in=forums, closed_at__date__gte=since).exclude(
        state__in=(ProposalState.OPEN, ProposalState.WITHDRAWN)
    )
    decided_count = decided.count()
    consensus = decided.filter(state=ProposalState.CONSENSUS).count()
    with_mission = sum(1 for f in forums if f.mission.strip())
    with_problem = sum(1 for f in forums if f.problem_statement.strip())

    outcomes = IntermediateOutcome.objects.filter(forum__in=forums, achieved_on__gte=since)
    outcome_count = outcomes.count()
    goals = ForumGoal.objects.filter(forum__in=forums).count()
    goals_with_outcome = outcomes.exclude(goal__isnull=True).values("goal_id").distinct().count()

    agreements = inputs.agreements.exclude(
        state__in=(AgreementState.TERMINATED, AgreementState.RENEWED)
    )
    agreements_total = agreements.count()
    agreements_active = agreements.filter(state=AgreementState.ACTIVE).count()

    coordinated = (
        CoordinatorTerm.objects.filter(forum__in=forums, ends_on__isnull=True)
        .values("forum_id")
        .distinct()
        .count()
    )
    with_minutes = sum(1 for m in meetings if m.minutes.strip())
    announced_ahead = sum(
        1
        for m in meetings
        if m.invitations_sent_at
        and m.invitations_sent_at <= m.starts_at - datetime.timedelta(days=1)
    )

    n_forums = len(forums) or None
    held = len(meetings)
    dimensions = [
        Dimension(
            "face_to_face",
            str(DIMENSIONS[0][1]),
            [
                Component(
                    str(_("meetings held ÷ meetings planned")),
                    50,
                    _ratio(held, expected),
                    f"{held} / {expected:.0f}",
                ),
                Component(
                    str(_("sectors present per meeting ÷ 3")),
                    50,
                    _ratio(avg_sectors or 0, SECTORS_WANTED) if meetings else None,
                    "—" if avg_sectors is None else f"{avg_sectors:.1f} / {SECTORS_WANTED}",
                ),
            ],
        ),
        Dimension(
            "trust",
            str(DIMENSIONS[1][1]),
            [
                Component(
                    str(_("referrals accepted ÷ referrals decided")),
                    50,
                    _ratio(accepted, accepted + declined),
                    f"{accepted} / {accepted + declined}",
                ),
                Component(
                    str(_("response time (3 days = 1, 14 days = 0)")),
                    25,
                    response,
                    "—"
                    if median_hours is None
                    else str(_("median %(h)s h") % {"h": round(median_hours)}),
                ),
                Component(
                    str(_("resource exchanges ÷ member organisations")),
                    25,
                    _ratio(exchanges, members),
                    f"{exchanges} / {members}",
                ),
            ],
        ),
        Dimension(
            "commitment",
            str(DIMENSIONS[2][1]),
            [
                Component(
                    str(_("commitments fulfilled ÷ commitments due")),
                    60,
                    _ratio(fulfilled, due_count),
                    f"{fulfilled} / {due_count}",
                ),
                Component(
                    str(_("members present ÷ members invited")),
                    40,
                    _ratio(member_rows_attended, member_rows_total),
                    f"{member_rows_attended} / {member_rows_total}",
                ),
            ],
        ),
        Dimension(
            "understanding",
            str(DIMENSIONS[3][1]),
            [
                Component(
                    str(_("decisions by consensus ÷ decisions")),
                    60,
                    _ratio(consensus, decided_count),
                    f"{consensus} / {decided_count}",
                ),
                Component(
                    str(_("mission written down")),
                    20,
                    _ratio(with_mission, n_forums),
                    f"{with_mission} / {len(forums)}",
                ),
                Component(
                    str(_("common problem defined")),
                    20,
                    _ratio(with_problem, n_forums),
                    f"{with_problem} / {len(forums)}",
                ),
            ],
        ),
        Dimension(
            "outcomes",
            str(DIMENSIONS[4][1]),
            [
                Component(
                    str(_("small wins ÷ 4 a year")),
                    60,
                    _ratio(outcome_count, OUTCOMES_WANTED * len(forums)),
                    f"{outcome_count} / {OUTCOMES_WANTED * len(forums)}",
                ),
                Component(
                    str(_("goals with a recorded outcome ÷ goals")),
                    40,
                    _ratio(goals_with_outcome, goals),
                    f"{goals_with_outcome} / {goals}",
                ),
            ],
        ),
        Dimension(
            "design",
            str(DIMENSIONS[5][1]),
            [
                Component(
                    str(_("ground rules or SOPs in force (at least one)")),
                    40,
                    1.0 if inputs.rules_in_force else 0.0,
                    str(inputs.rules_in_force),
                ),
                Component(
                    str(_("agreements active ÷ agreements")),
                    40,
                    _ratio(agreements_active, agreements_total),
                    f"{agreements_active} / {agreements_total}",
                ),
                Component(
                    str(_("sectors among members ÷ 3")),
                    20,
                    _ratio(len(inputs.member_sectors), SECTORS_WANTED),
                    f"{len(inputs.member_sectors)} / {SECTORS_WANTED}",
                ),
            ],
        ),
        Dimension(
            "leadership",
            str(DIMENSIONS[6][1]),
            [
                Component(
                    str(_("coordinator in office")),
                    30,
                    _ratio(coordinated, n_forums),
                    f"{coordinated} / {len(forums)}",
                ),
                Component(
                    str(_("meetings with minutes ÷ meetings held")),
                    40,
                    _ratio(with_minutes, held),
                    f"{with_minutes} / {held}",
                ),
                Component(
                    str(_("meetings announced a day ahead ÷ meetings held")),
                    30,
                    _ratio(announced_ahead, held),
                    f"{announced_ahead} / {held}",
                ),
            ],
        ),
    ]
    facts = {
        "members": members,
        "meetings_held": held,
        "commitments_due": due_count,
        "commitments_fulfilled": fulfilled,
        "decisions": decided_count,
        "consensus": consensus,
        "exchanges": exchanges,
        "referrals_decided": accepted + declined,
        "agreements_active": agreements_active,
        "agreements": agreements_total,
        "outcomes": outcome_count,
    }
    return dimensions, facts


def _apply_survey(dimensions, forum, today) -> int:
    responses = list(
        SurveyResponse.objects.filter(
            forum=forum, submitted_on__gte=today - datetime.timedelta(days=WINDOW_DAYS)
        ).values_list("answers", flat=True)
    )
    if len(responses) < SURVEY_MIN_RESPONSES:
        return len(responses)
    for dimension in dimensions:
        answers = [a[dimension.code] for a in responses if a.get(dimension.code)]
        if answers:
            dimension.survey = round(100 * (statistics.mean(answers) - 1) / 4)
    return len(responses)


def health_for_forum(forum: Forum, *, today: datetime.date | None = None) -> HealthReport:
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    from jejaring.cases.models import Referral

    memberships = ForumMembership.objects.filter(forum=forum, left_on__isnull=True)
    member_ids = set(memberships.values_list("organisation_id", flat=True))
    sectors = set(memberships.values_list("organisation__sector", flat=True))
    agreements = Agreement.objects.filter(Q(forum=forum) | _shared_by_two(member_ids)).distinct()
    inputs = _Inputs(
        forums=[forum],
        member_ids=member_ids,
        member_sectors=sectors,
        referrals=Referral.objects.filter(
            from_organisation_id__in=member_ids, to_organisation_id__in=member_ids
        ),
        exchanges=Exchange.objects.filter(
            Q(forum=forum) | Q(giver_id__in=member_ids, receiver_id__in=member_ids)
        ).distinct(),
        agreements=agreements,
        rules_in_force=GroundRule.objects.filter(
            Q(forum=forum) | Q(forum__isnull=True), in_force=True
        ).count(),
    )
    dimensions, facts = _score(inputs, since, today)
    responses = _apply_survey(dimensions, forum, today)
    return HealthReport(
        subject=forum.name,
        since=since,
        until=today,
        dimensions=dimensions,
        survey_responses=responses,
        forum_id=forum.pk,
        facts=facts,
    )


def _shared_by_two(member_ids: set) -> Q:
    """Agreements with at least two parties among the members."""
    if not member_ids:
        return Q(pk__in=[])
    return Q(
        pk__in=Agreement.objects.filter(parties__organisation_id__in=member_ids)
        .annotate(member_parties=Count("parties"))
        .filter(member_parties__gte=2)
        .values("pk")
    )


def health_for_network(user, *, today: datetime.date | None = None) -> HealthReport:
    """Every active forum the user can see, with the referrals, exchanges and
    agreements the user can see."""
    from jejaring.cases.models import Referral

    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    forums = list(Forum.objects.restrict(user).filter(is_active=True))
    memberships = ForumMembership.objects.filter(forum__in=forums, left_on__isnull=True)
    inputs = _Inputs(
        forums=forums,
        member_ids=set(memberships.values_list("organisation_id", flat=True)),
        member_sectors=set(memberships.values_list("organisation__sector", flat=True)),
        referrals=Referral.objects.restrict(user),
        exchanges=Exchange.objects.restrict(user),
        agreements=Agreement.objects.restrict(user),
        rules_in_force=GroundRule.objects.filter(
            Q(forum__in=forums) | Q(forum__isnull=True), in_force=True
        ).count(),
    )
    dimensions, facts = _score(inputs, since, today)
    responses = _apply_survey(dimensions, None, today)
    return HealthReport(
        subject=str(_("The whole network")),
        since=since,
        until=today,
        dimensions=dimensions,
        survey_responses=responses,
        facts=facts,
    )


def report_as_dict(report: HealthReport) -> dict:
    return {
        "subject": report.subject,
        "forum": report.forum_id,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "overall": report.overall,
        "survey_responses": report.survey_responses,
        "facts": report.facts,
        "dimensions": [
            {
                "code": d.code,
                "name": d.name,
                "score": d.score,
                "data_score": d.data_score,
                "survey_score": d.survey,
                "formula": d.formula,
                "components": [
                    {
                        "label": c.label,
                        "weight": c.weight,
                        "ratio": None if c.ratio is None else round(c.ratio, 4),
                        "points": c.points,
                        "evidence": c.evidence,
                    }
                    for c in d.components
                ],
            }
            for d in report.dimensions
        ],
    }
