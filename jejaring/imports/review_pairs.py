"""How a pair of the review queue is shown, on the page and in the API alike: both
records through the registry presenter, and the evidence (match weight, probability,
each comparison's part) only where it tells nothing the reviewer may not see. Which
pairs, in which order: the FilterSet in ``imports.filters``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jejaring.registry import nik as nik_rules
from jejaring.registry.models import Person
from jejaring.registry.presenters import PersonView, audit_shown, present_many

from . import linkage
from .models import ImportedRow, LinkReview

# How a pair is shown -------------------------------------------------------------------


def nik_state(view: PersonView) -> tuple[str, str]:
    """(state code, text): a verified NIK, an unverified one, or none — each masked as
    the presenter masks the NIK for this reader."""
    person = view.person
    if person.nik:
        return "verified", _("%(nik)s (verified)") % {"nik": view.nik}
    unverified = person.nik_unverified
    if unverified:
        shown = unverified if view.full_nik else nik_rules.mask_unverified(unverified)
        return "unverified", _("%(nik)s (unverified)") % {"nik": shown}
    return "none", _("no NIK yet")


def percent(weight: float) -> str:
    """The match probability for people, "97,3%"; never a rounded "100%" or "0%"."""
    value = linkage.probability(weight) * 100
    if value >= 99.95:
        return _("over %(p)s%%") % {"p": number_format(99.9, 1)}
    if value < 0.05:
        return _("under %(p)s%%") % {"p": number_format(0.1, 1)}
    return f"{one_decimal(value)}%"


def one_decimal(value: float) -> str:
    """One decimal in the reader's locale ("37,3"), rounded here: number_format cuts
    the digits off."""
    return number_format(round(value, 1), 1)


@dataclass
class Part:
    comparison: str
    level: str
    weight: float
    comparison_label: str
    level_label: str
    # Bar length as a share of the largest part of this pair (CSS classes pct-0…pct-100:
    # the Content-Security-Policy refuses style attributes).
    pct: int

    @property
    def side(self) -> str:
        return "for" if self.weight > 0 else "against" if self.weight < 0 else "none"

    @property
    def signed(self) -> str:
        return signed(self.weight)


def signed(weight: float) -> str:
    """ "+3,2" / "−1,5": the sign is the point of a part, so it is always written (the
    minus as U+2212, which screen readers say as "minus")."""
    text = one_decimal(abs(weight))
    return f"+{text}" if weight > 0 else f"\u2212{text}" if weight < 0 else text


def waterfall_parts(evidence) -> list[Part]:
    """Stored evidence ``[[comparison, level, weight]]`` as the waterfall's parts, in words."""
    rows = [(str(c), str(level), float(w)) for c, level, w in evidence]
    largest = max((abs(w) for _c, _l, w in rows), default=0.0) or 1.0
    return [
        Part(
            comparison=c,
            level=level,
            weight=w,
            comparison_label=str(linkage.COMPARISON_LABELS.get(c, c)),
            level_label=str(linkage.LEVEL_LABELS.get((c, level), level)),
            pct=round(abs(w) / largest * 100),
        )
        for c, level, w in rows
    ]


@dataclass
class LinkedRow:
    """One imported row's link, for the page that explains it (the waterfall's context)."""

    row: ImportedRow

    @property
    def signed_weight(self) -> str:
        return signed(self.row.weight or 0.0)

    @property
    def probability(self) -> str:
        return percent(self.row.weight or 0.0)

    def parts(self) -> list[Part]:
        return waterfall_parts(self.row.evidence)


def linked_people(rows, user) -> dict[int, PersonView]:
    """The people these imported rows went to, each as ``user`` may see them (the
    registry's identity rule: masked where the identity is not theirs to see), keyed
    by person id. A person out of the user's sight entirely is left out, so a page shows
    neither a name nor a link that would answer 404. Two queries however many rows."""
    wanted = {r.person_id for r in rows if r.person_id}
    if not wanted:
        return {}
    people = Person.objects.restrict(user).filter(pk__in=wanted)
    return {view.pk: view for view in present_many(people, user)}


def audit_linked(views, *, acting_user, what: str, filters=()) -> None:
    """A page that names the people rows went to is a read of them: one audit row."""
    if views:
        audit_shown(list(views), acting_user=acting_user, what=what, filters=filters)


@dataclass
class Pair:
    review: LinkReview
    record: PersonView
    candidate: PersonView

    @property
    def title(self) -> str:
        """The pair in words, "Mochamad Riski dan Muhammad Rizki": both people by the
        registry's identity rule (initials where the reader may not see who it is),
        never their record numbers."""
        return _("%(new)s and %(existing)s") % {
            "new": self.record.name,
            "existing": self.candidate.name,
        }

    @property
    def identity(self) -> bool:
        """Both identities visible: only then may the evidence be shown, since "same
        village" or "same mother" tells a masked record's facts through the other one."""
        return self.record.identity and self.candidate.identity

    @property
    def weight(self) -> float:
        return self.review.score

    @property
    def probability(self) -> float:
        return linkage.probability(self.review.score)

    @property
    def percent(self) -> str:
        return percent(self.review.score)

    @property
    def signed_weight(self) -> str:
        return signed(self.review.score)

    @property
    def has_evidence(self) -> bool:
        return bool(self.review.evidence)

    def sides(self) -> list[dict]:
        """Both records for the queue's card: what the presenter shows of each."""
        return [
            {"label": label, "view": view, "nik_state": nik_state(view)}
            for label, view in (
                (_("New record"), self.record),
                (_("Existing record"), self.candidate),
            )
        ]

    def parts(self) -> list[Part]:
        return waterfall_parts(self.review.evidence) if self.identity else []

    def reason_labels(self) -> list[str]:
        """The reasons of a pair proposed before the evidence was kept."""
        return self.review.reason_labels if self.identity else []

    def as_dict(self) -> dict:
        review = self.review
        return {
            "id": review.pk,
            "record": review.record_id,
            "candidate": review.candidate_id,
            "score": review.score,
            "weight": review.score,
            "probability": round(self.probability, 4),
            "reasons": list(review.reasons) if self.identity else [],
            "evidence": [
                {
                    "comparison": p.comparison,
                    "level": p.level,
                    "label": p.level_label,
                    "weight": p.weight,
                }
                for p in self.parts()
            ],
            "new_record": person_dict(self.record),
            "existing_record": person_dict(self.candidate),
            "job": review.job_id,
            "status": review.status,
            "decided_at": review.decided_at,
        }


def person_dict(view: PersonView) -> dict:
    state, text = nik_state(view)
    return {
        "id": view.pk,
        "name": view.name,
        "identity_protected": not view.identity,
        "birth": view.birth,
        # None, not "": "not shown" (the masked record), as the person API says it.
        "sex": view.person.sex if view.identity else None,
        "place": view.place,
        "nik": text,
        "nik_state": state,
    }


def present_pairs(reviews, user, *, full_nik_allowed: bool = False) -> list[Pair]:
    """Each pair's two records as ``user`` may see them, with one query for who may see
    whose identity (``present_many``)."""
    reviews = list(reviews)
    people = {}
    for review in reviews:
        people.setdefault(review.record_id, review.record)
        people.setdefault(review.candidate_id, review.candidate)
    views = {
        v.pk: v for v in present_many(people.values(), user, full_nik_allowed=full_nik_allowed)
    }
    return [Pair(r, views[r.record_id], views[r.candidate_id]) for r in reviews]


def audit_pairs(pairs: list[Pair], *, acting_user, what: str, filters=()) -> None:
    """The queue shows people: one audit row naming every record a page showed."""
    views = {}
    for pair in pairs:
        views.setdefault(pair.record.pk, pair.record)
        views.setdefault(pair.candidate.pk, pair.candidate)
    if views:
        audit_shown(list(views.values()), acting_user=acting_user, what=what, filters=filters)
