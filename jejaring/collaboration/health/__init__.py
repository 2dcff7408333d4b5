"""The collaboration health check: Ansell & Gash's process, scored from what the
product holds (domain.md §6).

Each dimension is a weighted sum of components, each a ratio in [0, 1] computed from
records of the last twelve months. A component without evidence (no referrals yet,
no goals set…) is left out and the others are reweighted, so a young forum is not
punished for what it has not had the chance to do; a dimension with no evidence at
all shows "no evidence" instead of a score. The formulas are shown on the page next
to the figures they used, and written out in docs/collaboration.md.

The package keeps the three steps apart: ``figures`` gathers the counts (the queries),
``dimensions`` holds the table of dimension specifications and the one scorer, and
this module picks the records (one forum, or the network a user sees), adds the survey
and serialises the report.

An optional anonymous survey (Likert 1–5 per dimension) is shown beside the data
score and, once at least ``SURVEY_MIN_RESPONSES`` members answered (fewer would not be
anonymous), combined with it: 70 % data, 30 % survey.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock

from ..models import Agreement, Exchange, Forum, ForumMembership, GroundRule, SurveyResponse
from .dimensions import (
    DIMENSION_SPECS,
    DIMENSIONS,
    OUTCOMES_WANTED,
    RESPONSE_FULL_HOURS,
    RESPONSE_ZERO_HOURS,
    SECTORS_WANTED,
    SURVEY_QUESTIONS,
    SURVEY_WEIGHT,
    Component,
    Dimension,
    score,
)
from .figures import WINDOW_DAYS, Figures, Inputs, gather

__all__ = [
    "DIMENSION_SPECS",
    "DIMENSIONS",
    "OUTCOMES_WANTED",
    "RESPONSE_FULL_HOURS",
    "RESPONSE_ZERO_HOURS",
    "SECTORS_WANTED",
    "SURVEY_MIN_RESPONSES",
    "SURVEY_QUESTIONS",
    "SURVEY_WEIGHT",
    "WINDOW_DAYS",
    "Component",
    "Dimension",
    "Figures",
    "HealthReport",
    "health_for_forum",
    "health_for_network",
    "report_as_dict",
]

SURVEY_MIN_RESPONSES = 3


@dataclass
class HealthReport:
    subject: str
    since: datetime.date
    until: datetime.date
    dimensions: list[Dimension]
    survey_responses: int = 0
    forum_id: int | None = None
    facts: dict = field(default_factory=dict)
    # Exit (seed 000): per member provider, how many of the people it served asked for
    # another provider in the window, beside its cases opened then.
    exits: list[dict] = field(default_factory=list)

    @property
    def overall(self) -> int | None:
        scores = [d.score for d in self.dimensions if d.score is not None]
        return round(sum(scores) / len(scores)) if scores else None


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


def exits_by_provider(member_ids: set, since: datetime.date) -> list[dict]:
    """Requests for another provider per member whose cases they came from (two
    queries), the most left first: a provider people often ask to leave is worth a talk."""
    from jejaring.cases.models import Case
    from jejaring.network.models import Organisation
    from jejaring.public.models import ExitRequest

    asked = dict(
        ExitRequest.objects.filter(
            case__organisation_id__in=member_ids, requested_at__date__gte=since
        )
        .values_list("case__organisation_id")
        .annotate(n=Count("pk"))
    )
    if not asked:
        return []
    cases = dict(
        Case.objects.filter(organisation_id__in=asked, opened_at__date__gte=since)
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
    )
    names = dict(Organisation.objects.filter(pk__in=asked).values_list("pk", "name"))
    rows = [
        {"organisation": names[pk], "requests": n, "cases_opened": cases.get(pk, 0)}
        for pk, n in asked.items()
    ]
    return sorted(rows, key=lambda row: (-row["requests"], row["organisation"]))


def _report(subject, inputs: Inputs, forum, today) -> HealthReport:
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    figures = gather(inputs, since, today)
    dimensions = score(figures)
    return HealthReport(
        exits=exits_by_provider(inputs.member_ids, since),
        subject=subject,
        since=since,
        until=today,
        dimensions=dimensions,
        survey_responses=_apply_survey(dimensions, forum, today),
        forum_id=forum.pk if forum else None,
        facts=figures.facts(),
    )


def health_for_forum(forum: Forum, *, today: datetime.date | None = None) -> HealthReport:
    from jejaring.cases.models import Referral

    memberships = ForumMembership.objects.filter(forum=forum, left_on__isnull=True)
    member_ids = set(memberships.values_list("organisation_id", flat=True))
    inputs = Inputs(
        forums=[forum],
        member_ids=member_ids,
        member_sectors=set(memberships.values_list("organisation__sector", flat=True)),
        referrals=Referral.objects.filter(
            from_organisation_id__in=member_ids, to_organisation_id__in=member_ids
        ),
        exchanges=Exchange.objects.filter(
            Q(forum=forum) | Q(giver_id__in=member_ids, receiver_id__in=member_ids)
        ).distinct(),
        agreements=Agreement.objects.filter(Q(forum=forum) | _shared_by_two(member_ids)).distinct(),
        rules_in_force=GroundRule.objects.filter(
            Q(forum=forum) | Q(forum__isnull=True), in_force=True
        ).count(),
    )
    return _report(forum.name, inputs, forum, today or clock.localdate())


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

    forums = list(Forum.objects.restrict(user).filter(is_active=True))
    memberships = ForumMembership.objects.filter(forum__in=forums, left_on__isnull=True)
    inputs = Inputs(
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
    return _report(str(_("The whole network")), inputs, None, today or clock.localdate())


def report_as_dict(report: HealthReport) -> dict:
    return {
        "subject": report.subject,
        "forum": report.forum_id,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "overall": report.overall,
        "survey_responses": report.survey_responses,
        "facts": report.facts,
        "exits": report.exits,
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
