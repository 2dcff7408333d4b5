"""What happens to a complaint (pengaduan): sent, verified, followed up, answered, rated
and closed, or rejected with a reason; a stage past its deadline goes to the office head.
One function per operation, one transaction each, the audit row inside.

As for reports, the audit rows keep the complaint's routing, stage and dates, never what
the complainant wrote nor who they are (``TRACED_FIELDS``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.core import clock, notifications
from jejaring.core.models import Notification
from jejaring.core.scoping import CHANGE
from jejaring.network.models import Organisation, OrganisationStatus, Sector

from .. import codes
from ..deadlines import due_after
from ..models import (
    OFFICE_STAGES,
    Complaint,
    ComplaintEvent,
    ComplaintStage,
)

CODE_PREFIX = "PG"
RATINGS = range(1, 6)

TRACED_FIELDS = (
    "category_id",
    "concerned_organisation_id",
    "handling_organisation_id",
    "stage",
    "stage_due",
    "escalated_stage",
    "answered_at",
    "answer_due",
    "closed_at",
    "rating",
)

# Which stage may follow which, and by whose hand (the handling office's, or the
# complainant's rating; the daily sweep closes an answer nobody replied to).
NEXT = {
    ComplaintStage.RECEIVED: {ComplaintStage.VERIFIED, ComplaintStage.REJECTED},
    ComplaintStage.VERIFIED: {ComplaintStage.IN_FOLLOW_UP, ComplaintStage.REJECTED},
    ComplaintStage.IN_FOLLOW_UP: {ComplaintStage.ANSWERED},
    ComplaintStage.ANSWERED: {ComplaintStage.CLOSED},
}


def normalise_code(typed: str) -> str:
    return codes.normalise_code(typed, CODE_PREFIX)


def find_by_code(typed: str) -> Complaint | None:
    """The complaint a tracking code names, as typed back (the status page and API)."""
    code = normalise_code(typed)
    if not code:
        return None
    return (
        Complaint.objects.select_related(
            "category", "concerned_organisation", "handling_organisation"
        )
        .filter(tracking_code=code)
        .first()
    )


def _trace(complaint: Complaint) -> dict:
    return {field: audit.json_value(getattr(complaint, field)) for field in TRACED_FIELDS}


def _record(complaint, action: str, before: dict | None, *, acting_user, message: str) -> None:
    audit.record(
        action,
        complaint,
        acting_user=acting_user,
        before=before,
        after=_trace(complaint),
        message=message,
    )


def _chain_offices(region_code: str):
    """Social offices governing ``region_code``, the nearest first."""
    parts = region_code.split(".")
    codes_up = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    offices = Organisation.objects.filter(
        home_region_id__in=codes_up,
        type__is_social_office=True,
        type__regional_jurisdiction=True,
        status=OrganisationStatus.ACTIVE,
    ).order_by("pk")
    by_region = {}
    for office in offices:
        by_region.setdefault(office.home_region_id, office)
    return [by_region[c] for c in codes_up if c in by_region]


def handling_office(concerned: Organisation) -> Organisation:
    """The office that answers a complaint about ``concerned``: a government office
    answers for itself (UU 25/2009 Pasal 36: the provider manages complaints about it);
    a partner institution has no complaint desk of its own, so the social office that
    supervises partners in its region answers (it registered and verifies them)."""
    if concerned.type.regional_jurisdiction or concerned.sector == Sector.GOVERNMENT:
        return concerned
    supervising = _chain_offices(concerned.home_region_id)
    if supervising:
        return supervising[0]
    # No social office of its region is on the network: the ministry, which registers
    # social welfare institutions nationally, answers. Never the partner itself: it
    # would read who complained about it.
    national = (
        Organisation.objects.filter(
            type__is_social_office=True,
            type__regional_jurisdiction=False,
            status=OrganisationStatus.ACTIVE,
        )
        .order_by("pk")
        .first()
    )
    if national is None:
        raise ValidationError(
            _(
                "No social office on the network supervises this institution yet, so the "
                "complaint cannot be handled here. Please send it through SP4N-LAPOR! "
                "(lapor.go.id or SMS 1708)."
            ),
            code="no_handling_office",
        )
    return national


def office_heads(organisation: Organisation) -> list:
    """Who a late complaint goes to: the handling office's heads, or, where it has none
    on the network, the heads of the social offices governing it, nearest first."""
    for office in [organisation, *_chain_offices(organisation.home_region_id)]:
        heads = list(
            User.objects.filter(
                organisation=office, is_active=True, roles__role=Role.OFFICE_HEAD
            ).distinct()
        )
        if heads:
            return heads
    return []


def _enter(complaint: Complaint, stage: str, now: datetime.datetime, acting_user) -> None:
    complaint.stage = stage
    complaint.stage_due = (
        due_after(now, stage) if stage in (*OFFICE_STAGES, ComplaintStage.ANSWERED) else None
    )
    if stage == ComplaintStage.IN_FOLLOW_UP:
        complaint.answer_due = complaint.stage_due
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.STAGE,
        stage=stage,
        due=complaint.stage_due,
        by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        at=now,
    )


def _tell(users, kind: str, complaint: Complaint, url: str, **params) -> None:
    notifications.notify(
        users,
        kind,
        {
            "complaint": complaint.pk,
            "category": complaint.category.name,
            "organisation": str(complaint.concerned_organisation),
            **params,
        },
        url=url,
        key=f"complaint:{complaint.pk}:{kind}:{complaint.stage}",
    )


def _desk_url(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


def submit_complaint(data: dict, *, sender_address: str, acting_user=None) -> Complaint:
    """A complaint about a service, an office or a partner. ``data``: category,
    concerned_organisation, subject, description, happened_on, complainant_name,
    complainant_contact."""
    concerned = data["concerned_organisation"]
    if concerned.status != OrganisationStatus.ACTIVE:
        raise ValidationError({"concerned_organisation": _("Choose an office or institution.")})
    key = codes.check_sender(Complaint, sender_address, settings.PUBLIC_COMPLAINTS_PER_HOUR)
    signed_in = acting_user if acting_user is not None and acting_user.is_authenticated else None
    now = clock.now()
    with transaction.atomic():
        complaint = Complaint(
            tracking_code=codes.unused_code(Complaint, CODE_PREFIX),
            category=data["category"],
            concerned_organisation=concerned,
            handling_organisation=handling_office(concerned),
            subject=data["subject"],
            description=data["description"],
            happened_on=data.get("happened_on"),
            complainant_name=data.get("complainant_name") or "",
            complainant_contact=data.get("complainant_contact") or "",
            filed_by=signed_in,
            sender_key=key,
            submitted_at=now,
        )
        complaint.save()
        _enter(complaint, ComplaintStage.RECEIVED, now, signed_in)
        complaint.save()
        _record(complaint, AuditAction.CREATE, None, acting_user=signed_in, message="sent")
        _tell(
            notifications.case_staff([complaint.handling_organisation_id]),
            Notification.Kind.COMPLAINT_RECEIVED,
            complaint,
            _desk_url(complaint),
            on=timezone.localtime(complaint.stage_due).date().isoformat()
            if complaint.stage_due
            else "",
        )
    return complaint


def _locked(complaint: Complaint, acting_user) -> Complaint:
    current = (
        Complaint.objects.restrict(acting_user, CHANGE)
        .select_for_update(of=("self",))
        .select_related("category", "concerned_organisation")
        .filter(pk=complaint.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied(_("Only the office handling this complaint may do this."))
    return current


def _move(complaint: Complaint, stage: str, *, acting_user, message: str, **changes) -> Complaint:
    with transaction.atomic():
        current = _locked(complaint, acting_user)
        if stage not in NEXT.get(current.stage, set()):
            raise ValidationError(
                _("A complaint that is %(now)s cannot be moved to %(next)s.")
                % {
                    "now": ComplaintStage(current.stage).label,
                    "next": ComplaintStage(stage).label,
                }
            )
        before = _trace(current)
        now = clock.now()
        for name, value in changes.items():
            setattr(current, name, value)
        if stage == ComplaintStage.ANSWERED:
            current.answered_at = now
        if stage in (ComplaintStage.CLOSED, ComplaintStage.REJECTED):
            current.closed_at = now
        _enter(current, stage, now, acting_user)
        current.save()
        _record(current, AuditAction.UPDATE, before, acting_user=acting_user, message=message)
        if stage == ComplaintStage.ANSWERED and current.filed_by_id:
            _tell(
                [current.filed_by],
                Notification.Kind.COMPLAINT_ANSWERED,
                current,
                reverse("pengaduan:status") + f"?kode={current.tracking_code}",
            )
    return current


def verify_complaint(complaint: Complaint, *, acting_user) -> Complaint:
    """The desk checked the complaint is one it handles, complete enough to act on."""
    return _move(complaint, ComplaintStage.VERIFIED, acting_user=acting_user, message="verified")


def start_follow_up(complaint: Complaint, *, acting_user) -> Complaint:
    """The unit concerned works on it (disposisi); the answer's deadline starts."""
    return _move(
        complaint, ComplaintStage.IN_FOLLOW_UP, acting_user=acting_user, message="in follow-up"
    )


def answer_complaint(complaint: Complaint, answer: str, *, acting_user) -> Complaint:
    """The answer the complainant reads with their code; they may rate it."""
    answer = (answer or "").strip()
    if len(answer) < 10:
        raise ValidationError({"answer": _("Write the answer the complainant will read.")})
    return _move(
        complaint,
        ComplaintStage.ANSWERED,
        acting_user=acting_user,
        message="answered",
        answer=answer,
    )


def close_complaint(complaint: Complaint, *, acting_user) -> Complaint:
    return _move(complaint, ComplaintStage.CLOSED, acting_user=acting_user, message="closed")


def reject_complaint(complaint: Complaint, reason: str, *, acting_user) -> Complaint:
    """Not this office's to handle, not a complaint, or too vague to act on: the
    complainant reads the reason."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Say why, in words the complainant understands.")})
    return _move(
        complaint,
        ComplaintStage.REJECTED,
        acting_user=acting_user,
        message="rejected",
        rejection_reason=reason[:300],
    )


def rate_answer(code: str, rating: int, comment: str = "") -> Complaint:
    """The complainant rates the answer (1 to 5), with their code: the complaint closes.
    Once only."""
    if rating not in RATINGS:
        raise ValidationError({"rating": _("Choose from 1 to 5.")})
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update()
            .select_related("category", "concerned_organisation")
            .filter(tracking_code=normalise_code(code))
            .first()
        )
        if complaint is None:
            raise ValidationError(_("No complaint has this code."))
        if complaint.stage not in (ComplaintStage.ANSWERED, ComplaintStage.CLOSED) or (
            complaint.rating is not None or not complaint.answered_at
        ):
            raise ValidationError(_("This complaint cannot be rated now."))
        before = _trace(complaint)
        now = clock.now()
        complaint.rating = rating
        complaint.rating_comment = (comment or "").strip()[:500]
        ComplaintEvent.objects.create(
            complaint=complaint, kind=ComplaintEvent.Kind.RATED, stage=complaint.stage, at=now
        )
        if complaint.stage == ComplaintStage.ANSWERED:
            complaint.closed_at = now
            _enter(complaint, ComplaintStage.CLOSED, now, None)
        complaint.save()
        _record(complaint, AuditAction.UPDATE, before, acting_user=None, message="rated")
    return complaint


def escalate_overdue_complaints(now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily sweep: a complaint whose office stage is past its deadline goes to the
    office head (once a stage); an answer the complainant left unanswered past their
    window closes by itself."""
    now = now or clock.now()
    escalated = closed = 0
    late = Complaint.objects.filter(stage__in=OFFICE_STAGES, stage_due__lt=now).values_list(
        "pk", flat=True
    )
    for pk in list(late):
        escalated += _escalate(pk, now)
    quiet = Complaint.objects.filter(stage=ComplaintStage.ANSWERED, stage_due__lt=now)
    for pk in list(quiet.values_list("pk", flat=True)):
        closed += _close_quiet(pk, now)
    return {"escalated": escalated, "closed": closed}


def _escalate(pk: int, now: datetime.datetime) -> int:
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("category", "concerned_organisation", "handling_organisation")
            .filter(pk=pk, stage__in=OFFICE_STAGES, stage_due__lt=now)
            .first()
        )
        if complaint is None or complaint.escalated_stage == complaint.stage:
            return 0
        before = _trace(complaint)
        complaint.escalated_stage = complaint.stage
        complaint.save(update_fields=["escalated_stage", "updated_at"])
        ComplaintEvent.objects.create(
            complaint=complaint, kind=ComplaintEvent.Kind.ESCALATED, stage=complaint.stage, at=now
        )
        _record(complaint, AuditAction.UPDATE, before, acting_user=None, message="escalated")
        _tell(
            office_heads(complaint.handling_organisation),
            Notification.Kind.COMPLAINT_OVERDUE,
            complaint,
            _desk_url(complaint),
            stage=str(ComplaintStage(complaint.stage).label),
            on=timezone.localtime(complaint.stage_due).date().isoformat(),
        )
    return 1


def _close_quiet(pk: int, now: datetime.datetime) -> int:
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .filter(pk=pk, stage=ComplaintStage.ANSWERED, stage_due__lt=now)
            .first()
        )
        if complaint is None:
            return 0
        before = _trace(complaint)
        complaint.closed_at = now
        _enter(complaint, ComplaintStage.CLOSED, now, None)
        complaint.save()
        _record(complaint, AuditAction.UPDATE, before, acting_user=None, message="closed unrated")
    return 1
