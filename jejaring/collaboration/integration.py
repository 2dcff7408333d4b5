"""Who works with whom: the Whole-of-Government integration level of each pair of
organisations (seed 002's ladder) and the network graph, both inferred from records.

Evidence per pair over the last twelve months:
- sitting in the same forum, attending the same meetings, referring people to each
  other, joint planning → **coordination** (taking into account, dialogue, joint
  planning);
- an active agreement between them, or at least two resource exchanges (training,
  equipment, technical assistance, grant management) → **integration** (joint
  working);
- an active agreement *and* at least three resource exchanges, one of them grant
  management or a mutual-aid arrangement → **closeness and involvement** (strategic
  alliance).

The edge weight in the graph counts activity: 1 per shared forum, 1 per meeting both
attended, 1 per referral, 1 per exchange, 3 per active agreement.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jejaring.network.models import Organisation

from .models import (
    Agreement,
    AgreementState,
    Exchange,
    ExchangeKind,
    Forum,
    ForumMembership,
    MeetingParticipant,
    MeetingState,
)

WINDOW_DAYS = 365

COORDINATION, INTEGRATION, CLOSENESS = "coordination", "integration", "closeness"
LEVELS = {
    COORDINATION: _("Coordination"),
    INTEGRATION: _("Integration"),
    CLOSENESS: _("Closeness and involvement"),
}
RESOURCE_KINDS = {
    ExchangeKind.TRAINING,
    ExchangeKind.EQUIPMENT,
    ExchangeKind.TECHNICAL_ASSISTANCE,
    ExchangeKind.GRANT_MANAGEMENT,
}
DEEP_KINDS = {ExchangeKind.GRANT_MANAGEMENT, ExchangeKind.MUTUAL_AID}


@dataclass
class PairEvidence:
    forums: int = 0
    meetings: int = 0
    referrals: int = 0
    exchanges: int = 0
    resource_exchanges: int = 0
    deep_exchanges: int = 0
    joint_planning: int = 0
    active_agreements: int = 0
    agreement_titles: list = field(default_factory=list)

    @property
    def weight(self) -> int:
        return (
            self.forums
            + self.meetings
            + self.referrals
            + self.exchanges
            + 3 * self.active_agreements
        )

    @property
    def level(self) -> str:
        if (
            self.active_agreements
            and self.resource_exchanges + self.deep_exchanges >= 3
            and (self.deep_exchanges)
        ):
            return CLOSENESS
        if self.active_agreements or self.resource_exchanges >= 2:
            return INTEGRATION
        return COORDINATION

    def reasons(self) -> list[str]:
        parts = []
        if self.active_agreements:
            parts.append(str(_("%(n)s active agreement(s)") % {"n": self.active_agreements}))
        if self.exchanges:
            parts.append(str(_("%(n)s exchange(s)") % {"n": self.exchanges}))
        if self.referrals:
            parts.append(str(_("%(n)s referral(s)") % {"n": self.referrals}))
        if self.meetings:
            parts.append(str(_("%(n)s meeting(s) together") % {"n": self.meetings}))
        if self.forums:
            parts.append(str(_("%(n)s shared forum(s)") % {"n": self.forums}))
        return parts


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def collect(user, *, today: datetime.date | None = None) -> dict[tuple[int, int], PairEvidence]:
    """Evidence per pair of organisations, from the records the user can see."""
    from jejaring.cases.models import Referral

    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    pairs: dict[tuple[int, int], PairEvidence] = defaultdict(PairEvidence)

    def each_pair(ids):
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                yield a, b

    forums = Forum.objects.restrict(user).filter(is_active=True)
    by_forum = defaultdict(list)
    for forum_id, org_id in ForumMembership.objects.filter(
        forum__in=forums, left_on__isnull=True
    ).values_list("forum_id", "organisation_id"):
        by_forum[forum_id].append(org_id)
    for members in by_forum.values():
        for a, b in each_pair(members):
            pairs[(a, b)].forums += 1

    by_meeting = defaultdict(list)
    for meeting_id, org_id in MeetingParticipant.objects.filter(
        meeting__forum__in=forums,
        meeting__state=MeetingState.HELD,
        meeting__starts_at__date__gte=since,
        attended=True,
    ).values_list("meeting_id", "organisation_id"):
        by_meeting[meeting_id].append(org_id)
    for attendees in by_meeting.values():
        for a, b in each_pair(attendees):
            pairs[(a, b)].meetings += 1

    for a, b in (
        Referral.objects.restrict(user)
        .filter(sent_at__date__gte=since)
        .values_list("from_organisation_id", "to_organisation_id")
    ):
        if a != b:
            pairs[_key(a, b)].referrals += 1

    for a, b, kind in (
        Exchange.objects.restrict(user)
        .filter(occurred_on__gte=since)
        .values_list("giver_id", "receiver_id", "kind")
    ):
        evidence = pairs[_key(a, b)]
        evidence.exchanges += 1
        evidence.resource_exchanges += kind in RESOURCE_KINDS and kind not in DEEP_KINDS
        evidence.deep_exchanges += kind in DEEP_KINDS
        evidence.joint_planning += kind == ExchangeKind.JOINT_PLANNING

    agreements = (
        Agreement.objects.restrict(user)
        .filter(state=AgreementState.ACTIVE)
        .prefetch_related("parties")
    )
    for agreement in agreements:
        for a, b in each_pair(p.organisation_id for p in agreement.parties.all()):
            pairs[(a, b)].active_agreements += 1
            pairs[(a, b)].agreement_titles.append(agreement.title)
    # Only organisations the user may see in the directory appear, by the same scope.
    visible = set(
        Organisation.objects.restrict(user)
        .filter(pk__in={i for pair in pairs for i in pair})
        .values_list("pk", flat=True)
    )
    return {pair: e for pair, e in pairs.items() if pair[0] in visible and pair[1] in visible}


def pair_levels(user, *, today: datetime.date | None = None) -> list[dict]:
    pairs = collect(user, today=today)
    names = _names({i for pair in pairs for i in pair})
    rows = [
        {
            "a": a,
            "a_name": names.get(a, str(a)),
            "b": b,
            "b_name": names.get(b, str(b)),
            "level": evidence.level,
            "level_label": str(LEVELS[evidence.level]),
            "weight": evidence.weight,
            "reasons": evidence.reasons(),
        }
        for (a, b), evidence in pairs.items()
    ]
    order = {CLOSENESS: 0, INTEGRATION: 1, COORDINATION: 2}
    return sorted(rows, key=lambda r: (order[r["level"]], -r["weight"], r["a_name"], r["b_name"]))


def _names(ids) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def graph(user, *, today: datetime.date | None = None) -> dict:
    """Nodes (organisations, sized by activity, coloured by sector) and weighted edges."""
    pairs = collect(user, today=today)
    ids = {i for pair in pairs for i in pair}
    organisations = {
        o["pk"]: o
        for o in Organisation.objects.filter(pk__in=ids).values("pk", "name", "code", "sector")
    }
    activity: dict[int, int] = defaultdict(int)
    for (a, b), evidence in pairs.items():
        activity[a] += evidence.weight
        activity[b] += evidence.weight
    return {
        "nodes": [
            {
                "id": pk,
                "label": o["name"],
                "code": o["code"],
                "sector": o["sector"],
                "activity": activity[pk],
            }
            for pk, o in sorted(organisations.items(), key=lambda item: item[1]["name"])
        ],
        "edges": [
            {
                "source": a,
                "target": b,
                "weight": evidence.weight,
                "level": evidence.level,
                "level_label": str(LEVELS[evidence.level]),
                "reasons": evidence.reasons(),
            }
            for (a, b), evidence in sorted(pairs.items())
        ],
        "levels": {code: str(label) for code, label in LEVELS.items()},
    }
