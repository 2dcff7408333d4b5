"""A person's timeline: every case, service and referral the user may see, in order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Case, CaseTransition, Referral, Service


@dataclass
class Event:
    when: datetime.datetime
    kind: str
    organisation: str
    text: str
    case_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "when": self.when.isoformat(),
            "kind": self.kind,
            "organisation": self.organisation,
            "text": self.text,
            "case": self.case_id,
        }


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def person_timeline(person, user, cases=None) -> list[Event]:
    """``cases``: the list of the person's cases as ``user`` may see them, if the caller
    read them already (the person page lists them too); read here otherwise."""
    if cases is None:
        cases = list(Case.objects.restrict(user).filter(person=person))
    if not cases:
        # Nothing to show, and nothing to ask: every service and referral belongs to a
        # case of the same person (Service.case and Referral.from_case are required, and
        # the actions and the merge keep their person the case's), and whoever sees the
        # person sees all of the person's cases (CasePolicy), so a timeline with no case
        # in sight is empty. Most people in the registry, imported from DTKS, have none.
        # tests/test_timeline.py holds it against the policies for every persona.
        return []
    events: list[Event] = []
    transitions = CaseTransition.objects.filter(
        case__in=[case.pk for case in cases]
    ).select_related("case__organisation", "case__category")
    for t in transitions:
        label = (
            _("Case opened: %(category)s") % {"category": t.case.category.name}
            if not t.from_state
            else _("Case moved to “%(state)s”") % {"state": t.get_to_state_display()}
        )
        if t.to_state == "closed":
            label = _("Case closed: %(reason)s") % {"reason": t.case.get_closing_reason_display()}
        events.append(Event(t.at, "case", t.case.organisation.name, label, t.case_id))
    services = (
        Service.objects.restrict(user)
        .filter(person=person)
        .select_related("service_type", "provider")
    )
    for s in services:
        standard = "" if s.met_standard else " " + _("(below standard)")
        events.append(
            Event(
                _at(s.delivered_on),
                "service",
                s.provider.name,
                f"{s.service_type.name} × {s.quantity}{standard}",
                s.case_id,
            )
        )
    referrals = (
        Referral.objects.restrict(user)
        .filter(person=person)
        .select_related("from_organisation", "to_organisation")
    )
    for r in referrals:
        events.append(
            Event(
                r.sent_at,
                "referral",
                r.from_organisation.name,
                _("Referred (%(direction)s) to %(to)s: %(reason)s")
                % {
                    "direction": r.get_direction_display(),
                    "to": r.to_organisation.name,
                    "reason": r.reason,
                },
                r.from_case_id,
            )
        )
        if r.decided_at:
            events.append(
                Event(
                    r.decided_at,
                    "referral",
                    r.to_organisation.name,
                    _("Referral %(state)s") % {"state": r.get_state_display().lower()}
                    if r.state != "completed"
                    else _("Referral accepted"),
                    r.receiver_case_id,
                )
            )
        if r.completed_at:
            events.append(
                Event(
                    r.completed_at,
                    "referral",
                    r.to_organisation.name,
                    _("Referral completed"),
                    r.receiver_case_id,
                )
            )
    return sorted(events, key=lambda e: e.when)
