"""The figures a health check scores: counts over a forum's (or the visible network's)
records of the last twelve months, gathered in a fixed number of queries."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Q

from ..models import (
    AgreementState,
    Commitment,
    CommitmentState,
    CoordinatorTerm,
    ForumGoal,
    IntermediateOutcome,
    Meeting,
    MeetingParticipant,
    MeetingState,
    Proposal,
    ProposalState,
)
from .dimensions import OUTCOMES_WANTED

WINDOW_DAYS = 365

# The figures also shown as plain facts (the API's "facts", under these names).
FACTS = (
    "members",
    "meetings_held",
    "commitments_due",
    "commitments_fulfilled",
    "decisions",
    "consensus",
    "exchanges",
    "referrals_decided",
    "agreements_active",
    "agreements",
    "outcomes",
)


@dataclass
class Inputs:
    """The records one health check reads: a forum's, or every forum a user sees."""

    forums: list
    member_ids: set
    member_sectors: set
    referrals: object  # queryset
    exchanges: object
    agreements: object
    rules_in_force: int


@dataclass
class Figures:
    """What the dimension specifications read, by name (``dimensions.DIMENSION_SPECS``)."""

    forums: int
    members: int
    member_sectors: int
    meetings_planned: float
    meetings_held: int
    sectors_per_meeting: float | None  # None: no meeting held
    member_seats_invited: int
    member_seats_present: int
    meetings_with_minutes: int
    meetings_announced: int  # invitations sent at least a day ahead
    referrals_accepted: int
    referrals_decided: int
    median_response_hours: float | None  # None: no referral decided
    exchanges: int
    commitments_due: int
    commitments_fulfilled: int
    decisions: int
    consensus: int
    forums_with_mission: int
    forums_with_problem: int
    outcomes: int
    outcomes_wanted: int
    goals: int
    goals_with_outcome: int
    rules_in_force: int
    agreements: int
    agreements_active: int
    forums_coordinated: int

    def facts(self) -> dict:
        return {name: getattr(self, name) for name in FACTS}


def meetings_in_window(forums, since, until):
    return Meeting.objects.filter(
        forum__in=forums,
        state=MeetingState.HELD,
        starts_at__date__gte=since,
        starts_at__date__lte=until,
    )


def _meeting_figures(inputs: Inputs, since, today) -> dict:
    meetings = list(meetings_in_window(inputs.forums, since, today))
    attended_rows = list(
        MeetingParticipant.objects.filter(meeting__in=meetings, attended=True).values(
            "meeting_id", "organisation__sector"
        )
    )
    sectors_by_meeting: dict[int, set] = {m.pk: set() for m in meetings}
    for row in attended_rows:
        sectors_by_meeting[row["meeting_id"]].add(row["organisation__sector"])
    member_rows = MeetingParticipant.objects.filter(
        meeting__in=meetings, organisation_id__in=inputs.member_ids
    )
    return {
        "meetings_planned": sum(WINDOW_DAYS / max(f.meets_every_days, 1) for f in inputs.forums),
        "meetings_held": len(meetings),
        "sectors_per_meeting": (
            statistics.mean(len(s) for s in sectors_by_meeting.values()) if meetings else None
        ),
        "member_seats_invited": member_rows.count(),
        "member_seats_present": member_rows.filter(attended=True).count(),
        "meetings_with_minutes": sum(1 for m in meetings if m.minutes.strip()),
        "meetings_announced": sum(
            1
            for m in meetings
            if m.invitations_sent_at
            and m.invitations_sent_at <= m.starts_at - datetime.timedelta(days=1)
        ),
    }


def _referral_figures(inputs: Inputs, since) -> dict:
    referrals = list(
        inputs.referrals.filter(sent_at__date__gte=since, decided_at__isnull=False).values(
            "state", "sent_at", "decided_at"
        )
    )
    accepted = sum(1 for r in referrals if r["state"] in ("accepted", "completed"))
    declined = sum(1 for r in referrals if r["state"] == "declined")
    hours = [(r["decided_at"] - r["sent_at"]).total_seconds() / 3600 for r in referrals]
    return {
        "referrals_accepted": accepted,
        "referrals_decided": accepted + declined,
        "median_response_hours": statistics.median(hours) if hours else None,
    }


def gather(inputs: Inputs, since: datetime.date, today: datetime.date) -> Figures:
    forums = inputs.forums
    commitments = Commitment.objects.filter(forum__in=forums).exclude(
        state=CommitmentState.CANCELLED
    )
    due = commitments.filter(
        Q(due_on__gte=since, due_on__lt=today) | Q(fulfilled_on__gte=since)
    ).distinct()
    decided = Proposal.objects.filter(forum__in=forums, closed_at__date__gte=since).exclude(
        state__in=(ProposalState.OPEN, ProposalState.WITHDRAWN)
    )
    outcomes = IntermediateOutcome.objects.filter(forum__in=forums, achieved_on__gte=since)
    agreements = inputs.agreements.exclude(
        state__in=(AgreementState.TERMINATED, AgreementState.RENEWED)
    )
    return Figures(
        forums=len(forums),
        members=len(inputs.member_ids),
        member_sectors=len(inputs.member_sectors),
        **_meeting_figures(inputs, since, today),
        **_referral_figures(inputs, since),
        exchanges=inputs.exchanges.filter(occurred_on__gte=since, occurred_on__lte=today).count(),
        commitments_due=due.count(),
        commitments_fulfilled=due.filter(state=CommitmentState.FULFILLED).count(),
        decisions=decided.count(),
        consensus=decided.filter(state=ProposalState.CONSENSUS).count(),
        forums_with_mission=sum(1 for f in forums if f.mission.strip()),
        forums_with_problem=sum(1 for f in forums if f.problem_statement.strip()),
        outcomes=outcomes.count(),
        outcomes_wanted=OUTCOMES_WANTED * len(forums),
        goals=ForumGoal.objects.filter(forum__in=forums).count(),
        goals_with_outcome=outcomes.exclude(goal__isnull=True).values("goal_id").distinct().count(),
        rules_in_force=inputs.rules_in_force,
        agreements=agreements.count(),
        agreements_active=agreements.filter(state=AgreementState.ACTIVE).count(),
        forums_coordinated=CoordinatorTerm.objects.filter(forum__in=forums, ends_on__isnull=True)
        .values("forum_id")
        .distinct()
        .count(),
    )
