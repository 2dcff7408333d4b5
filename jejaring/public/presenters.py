"""What a report shows to whom: the reporter's status page, and the staff page by the
policy's three levels (the routing, what was reported, who reported)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import CHANGE, VIEW_IDENTITY, VIEW_PRIVATE, can

from .models import ClosingOutcome, PublicReport, ReportState

RECEIVED = _("Received")
FOLLOWED_UP = _("Being followed up")
HANDLED = _("Being handled")
FINISHED = _("Finished")


@dataclass(frozen=True)
class PublicStatus:
    """The reporter's view: where the report is, never anything about the person (no
    description, no name, no case), since anyone holding the code reads it."""

    code: str
    topic: str
    village: str
    sent_at: object
    step: str
    office: str
    outcome: str
    steps: list[tuple[str, bool]]


def public_status(report: PublicReport) -> PublicStatus:
    state = report.state
    followed = state != ReportState.RECEIVED
    finished = state in (ReportState.CLOSED, ReportState.SPAM)
    if state == ReportState.SPAM:
        outcome = str(_("It could not be followed up."))
    elif state == ReportState.CLOSED:
        outcome = str(ClosingOutcome(report.outcome).label) if report.outcome else ""
    else:
        outcome = ""
    step = {
        ReportState.RECEIVED: RECEIVED,
        ReportState.IN_PROGRESS: FOLLOWED_UP,
        ReportState.HANDLED: HANDLED,
    }.get(state, FINISHED)
    last = (FINISHED, True) if finished else (HANDLED, state == ReportState.HANDLED)
    return PublicStatus(
        code=report.tracking_code,
        topic=report.topic.name,
        village=report.region.name,
        sent_at=report.submitted_at,
        step=str(step),
        office=str(report.handling_organisation or ""),
        outcome=outcome,
        steps=[(str(RECEIVED), True), (str(FOLLOWED_UP), followed), (str(last[0]), last[1])],
    )


@dataclass(frozen=True)
class StaffView:
    report: PublicReport
    contents: bool  # what was reported: description, name, place, photos
    reporter: bool  # who reported
    may_change: bool


def staff_view(report: PublicReport, user) -> StaffView:
    """Answered from the fetch (``with_permissions(user, VIEW_IDENTITY, VIEW_PRIVATE,
    CHANGE)``), so the page asks the database nothing more."""
    return StaffView(
        report=report,
        contents=can(user, VIEW_IDENTITY, report),
        reporter=can(user, VIEW_PRIVATE, report),
        may_change=can(user, CHANGE, report) and report.is_open,
    )


@dataclass(frozen=True)
class ComplaintStatus:
    """The complainant's view, for whoever holds the code: the stage, its deadline, the
    answer or the reason for rejecting — never who complained."""

    code: str
    category: str
    organisation: str
    office: str
    sent_at: object
    stage: str
    stage_code: str
    due: object
    answer: str
    rejection_reason: str
    rating: int | None
    may_rate: bool
    steps: list[tuple[str, bool]]


COMPLAINT_STEPS = ("received", "verified", "in_follow_up", "answered", "closed")


def complaint_status(complaint) -> ComplaintStatus:
    from .models import ComplaintStage

    reached = COMPLAINT_STEPS.index(complaint.stage) if complaint.stage in COMPLAINT_STEPS else 0
    rejected = complaint.stage == ComplaintStage.REJECTED
    steps = [
        (str(ComplaintStage(step).label), not rejected and index <= reached)
        for index, step in enumerate(COMPLAINT_STEPS)
    ]
    if rejected:
        steps = [
            (str(ComplaintStage.RECEIVED.label), True),
            (str(ComplaintStage.REJECTED.label), True),
        ]
    return ComplaintStatus(
        code=complaint.tracking_code,
        category=complaint.category.name,
        organisation=str(complaint.concerned_organisation),
        office=str(complaint.handling_organisation),
        sent_at=complaint.submitted_at,
        stage=str(ComplaintStage(complaint.stage).label),
        stage_code=complaint.stage,
        due=complaint.stage_due if complaint.is_open else None,
        answer=complaint.answer if complaint.answered_at else "",
        rejection_reason=complaint.rejection_reason if rejected else "",
        rating=complaint.rating,
        may_rate=bool(complaint.answered_at) and complaint.rating is None and not rejected,
        steps=steps,
    )


@dataclass(frozen=True)
class ExitStep:
    """How a request for another provider goes, for whoever holds the service code:
    the provider chosen and the referral's state, nothing about the person."""

    organisation: str
    requested_at: object
    state: str


def exit_steps(exit_request) -> ExitStep:
    from jejaring.cases.models import ReferralState

    referral = exit_request.referral
    if referral is None:
        state = _("Waiting: the office serving you records your consent to share first")
    elif referral.state == ReferralState.SENT:
        state = _("Sent: waiting for the provider's answer")
    elif referral.state in (ReferralState.ACCEPTED, ReferralState.COMPLETED):
        state = _("Accepted by the provider")
    elif referral.state == ReferralState.DECLINED:
        state = _("Declined by the provider: the office serving you will talk it over with you")
    else:
        state = _("Withdrawn")
    return ExitStep(
        organisation=exit_request.to_organisation.name,
        requested_at=exit_request.requested_at,
        state=str(state),
    )
