"""What happens to a public report: sent, routed, escalated, picked up, turned into a
case, closed. One function per operation, one transaction each, the audit row inside.

The audit rows of a report carry its routing and its state, never what the citizen
wrote nor who they are: the audit log is read by network administrators, and neither
the reporter's identity nor a child's description is theirs to read (``policies``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.cases.actions import open_case
from jejaring.cases.models import CaseState
from jejaring.core import clock, notifications
from jejaring.core.files import check_upload
from jejaring.core.models import Notification
from jejaring.core.scoping import CHANGE
from jejaring.regions.models import RegionLevel
from jejaring.registry.actions import create_person

from .. import codes
from ..models import (
    OPEN_REPORT_STATES,
    ClosingOutcome,
    PublicReport,
    ReportEvent,
    ReportPhoto,
    ReportState,
)
from ..routing import Route, responsible_office

CODE_PREFIX = "LM"

# What the audit log keeps of a report: how it was routed and how it went.
TRACED_FIELDS = (
    "topic_id",
    "region_id",
    "state",
    "is_sensitive",
    "handling_organisation_id",
    "handling_region_id",
    "pickup_due",
    "escalations",
    "case_id",
    "outcome",
)


def normalise_code(typed: str) -> str:
    return codes.normalise_code(typed, CODE_PREFIX)


def find_by_code(typed: str) -> PublicReport | None:
    """The report a tracking code names, as typed back (the status page and API)."""
    code = normalise_code(typed)
    if not code:
        return None
    return (
        PublicReport.objects.select_related("topic", "region", "handling_organisation")
        .filter(tracking_code=code)
        .first()
    )


def _trace(report: PublicReport) -> dict:
    return {field: audit.json_value(getattr(report, field)) for field in TRACED_FIELDS}


def _record(report, action: str, before: dict | None, *, acting_user, message="", parent=None):
    audit.record(
        action,
        report,
        acting_user=acting_user,
        before=before,
        after=_trace(report),
        parent=parent,
        message=message,
    )


def _notify_office(report: PublicReport, kind: str, **params) -> None:
    """Tell the handling office's workers; the notification names the topic and the
    village, never what was written about the person."""
    if report.handling_organisation_id is None:
        return
    notifications.notify(
        notifications.case_staff([report.handling_organisation_id]),
        kind,
        {
            "report": report.pk,
            "topic": report.topic.name,
            "village": report.region.name,
            "hours": report.topic.pickup_hours,
            "on": clock.localdate().isoformat(),
            **params,
        },
        url=reverse("reports:detail", args=[report.pk]),
        key=f"public-report:{report.pk}:{kind}:{report.escalations}",
    )


def _schedule_escalation(report: PublicReport) -> None:
    if report.pickup_due is None:
        return
    from ..tasks import escalate_report_task

    task = escalate_report_task.using(run_after=report.pickup_due)
    if not task.get_backend().supports_defer:
        return  # the daily sweep (escalate_overdue_reports) escalates it
    report_id = report.pk
    transaction.on_commit(lambda: task.enqueue(report_id))


def _route(report: PublicReport, route: Route | None, now: datetime.datetime) -> None:
    if route is None:
        report.handling_organisation = None
        report.handling_region = None
        report.pickup_due = None
        return
    report.handling_organisation = route.organisation
    report.handling_region = route.region
    # The province has nobody above it in the region chain: no time limit to escalate.
    if route.region.level == RegionLevel.PROVINCE:
        report.pickup_due = None
    else:
        report.pickup_due = now + datetime.timedelta(hours=report.topic.pickup_hours)


def check_photos(photos) -> list[tuple[object, str]]:
    """Each photo checked like every other upload (type, size, first bytes)."""
    if len(photos) > ReportPhoto.MAX_COUNT:
        raise ValidationError(
            {"photos": _("At most %(count)s photos.") % {"count": ReportPhoto.MAX_COUNT}}
        )
    checked = []
    for photo in photos:
        try:
            kind = check_upload(photo, allowed=ReportPhoto.TYPES, max_bytes=ReportPhoto.MAX_BYTES)
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from None
        checked.append((photo, kind))
    return checked


def submit_report(data: dict, photos=(), *, sender_address: str, acting_user=None) -> PublicReport:
    """A citizen's report: routed to the responsible office, whose workers are told at
    once; not picked up in time, it goes one level up (:func:`escalate_report`).

    ``data`` holds the form's fields (topic, region — a village —, place, description,
    person_name, reporter_name, reporter_contact, latitude, longitude). Anyone may send
    one, signed in or not; a signed-in sender is in the audit row, a citizen is not."""
    region = data["region"]
    if region.level != RegionLevel.VILLAGE:
        raise ValidationError({"region": _("Choose the village or kelurahan.")})
    key = codes.check_sender(PublicReport, sender_address, settings.PUBLIC_REPORTS_PER_HOUR)
    checked = check_photos(list(photos))
    # The files are written before the transaction, which then only records them.
    folder = f"reports/{clock.localdate():%Y/%m}"
    stored = [
        (default_storage.save(f"{folder}/photo.{kind.split('/')[-1]}", upload), kind, upload.size)
        for upload, kind in checked
    ]
    now = clock.now()
    topic = data["topic"]
    with transaction.atomic():
        report = PublicReport(
            tracking_code=codes.unused_code(PublicReport, CODE_PREFIX),
            topic=topic,
            region=region,
            place=data["place"],
            description=data["description"],
            person_name=data.get("person_name") or "",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            reporter_name=data.get("reporter_name") or "",
            reporter_contact=data.get("reporter_contact") or "",
            is_sensitive=topic.category.is_child or topic.category.is_sensitive,
            sender_key=key,
            submitted_at=now,
        )
        _route(report, responsible_office(topic.category, region), now)
        report.save()
        ReportPhoto.objects.bulk_create(
            ReportPhoto(report=report, file=name, content_type=kind, size=size)
            for name, kind, size in stored
        )
        ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.ROUTED,
            organisation=report.handling_organisation,
            at=now,
        )
        _record(report, AuditAction.CREATE, None, acting_user=acting_user, message="sent")
        _notify_office(report, Notification.Kind.PUBLIC_REPORT_ROUTED)
        _schedule_escalation(report)
    return report


def escalate_report(report_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Send a report nobody picked up in time one level up. False when it was picked up
    meanwhile, is not due yet, or has no level left above it."""
    now = now or clock.now()
    with transaction.atomic():
        report = (
            PublicReport.objects.select_for_update(of=("self",))
            .select_related("topic__category", "region", "handling_region", "handling_organisation")
            .filter(pk=report_id)
            .first()
        )
        if (
            report is None
            or report.state != ReportState.RECEIVED
            or report.pickup_due is None
            or report.pickup_due > now
        ):
            return False
        before = _trace(report)
        previous = report.handling_organisation
        route = responsible_office(
            report.topic.category, report.region, above=report.handling_region
        )
        if route is None:
            # Nobody above: it stays with the office it is with, without a time limit.
            report.pickup_due = None
            report.save(update_fields=["pickup_due", "updated_at"])
            _record(report, AuditAction.UPDATE, before, acting_user=None, message="no level above")
            return False
        _route(report, route, now)
        report.escalations += 1
        report.save()
        ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.ESCALATED, organisation=route.organisation, at=now
        )
        _record(report, AuditAction.UPDATE, before, acting_user=None, message="escalated")
        _notify_office(
            report,
            Notification.Kind.PUBLIC_REPORT_ESCALATED,
            previous=str(previous) if previous else "",
        )
        _schedule_escalation(report)
    return True


def escalate_overdue_reports(now: datetime.datetime | None = None) -> int:
    """Every report past its time to be picked up, one level up: the daily sweep behind
    the task each report schedules, so a worker that was down misses none."""
    now = now or clock.now()
    due = list(
        PublicReport.objects.filter(state=ReportState.RECEIVED, pickup_due__lte=now).values_list(
            "pk", flat=True
        )
    )
    return sum(escalate_report(pk, now=now) for pk in due)


def _check_may_change(report: PublicReport, acting_user, *, lock: bool) -> PublicReport:
    queryset = PublicReport.objects.restrict(acting_user, CHANGE).select_related(
        "topic__category", "region"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    current = queryset.filter(pk=report.pk).first()
    if current is None:
        raise PermissionDenied(_("Only the office handling this report may do this."))
    if current.state not in OPEN_REPORT_STATES:
        raise ValidationError(_("This report is already finished."))
    return current


def _step(report, kind, acting_user) -> None:
    ReportEvent.objects.create(
        report=report, kind=kind, organisation=report.handling_organisation, by=acting_user
    )


@transaction.atomic
def pick_up_report(report: PublicReport, *, acting_user) -> PublicReport:
    """A worker of the handling office takes the report: it stops escalating."""
    report = _check_may_change(report, acting_user, lock=True)
    if report.state != ReportState.RECEIVED:
        raise ValidationError(_("This report was already picked up."))
    before = _trace(report)
    report.state = ReportState.IN_PROGRESS
    report.picked_up_by = acting_user
    report.pickup_due = None
    report.save()
    _step(report, ReportEvent.Kind.PICKED_UP, acting_user)
    _record(report, AuditAction.UPDATE, before, acting_user=acting_user, message="picked up")
    return report


def open_case_from_report(
    report: PublicReport,
    *,
    acting_user,
    person=None,
    person_data: dict | None = None,
    categories=(),
    aliases=(),
    confirmed_new: bool = False,
):
    """A case for the person reported, at the acting worker's office.

    With ``person`` the case is opened on a record already in the registry (the one the
    duplicate guard offered). Otherwise the person is registered from ``person_data``
    through the registry's own action, so its duplicate guard runs: a likely match
    raises ``DuplicateSuspected`` and the worker chooses. The registration is its own
    transaction on purpose: the guard's audit row must stay when it refuses."""
    _check_may_change(report, acting_user, lock=False)
    if person is None:
        person = create_person(
            person_data or {},
            organisation=acting_user.organisation,
            acting_user=acting_user,
            categories=list(categories),
            aliases=list(aliases),
            confirmed_new=confirmed_new,
        )
    with transaction.atomic():
        report = _check_may_change(report, acting_user, lock=True)
        before = _trace(report)
        case = open_case(
            person,
            report.topic.category,
            organisation=acting_user.organisation,
            acting_user=acting_user,
            state=CaseState.REGISTERED,
            summary=_("From public report %(code)s.") % {"code": report.tracking_code},
        )
        report.case = case
        report.state = ReportState.HANDLED
        report.picked_up_by = report.picked_up_by or acting_user
        report.pickup_due = None
        report.save()
        _step(report, ReportEvent.Kind.CASE_OPENED, acting_user)
        _record(
            report,
            AuditAction.UPDATE,
            before,
            acting_user=acting_user,
            message="case opened",
            parent=person,
        )
    return case


@transaction.atomic
def close_report(report: PublicReport, outcome: str, *, acting_user) -> PublicReport:
    """The report ends without a case, for a reason the reporter is told."""
    if outcome not in ClosingOutcome.values:
        raise ValidationError({"outcome": _("Choose why the report ends.")})
    report = _check_may_change(report, acting_user, lock=True)
    before = _trace(report)
    report.state = ReportState.CLOSED
    report.outcome = outcome
    report.pickup_due = None
    report.save()
    _step(report, ReportEvent.Kind.CLOSED, acting_user)
    _record(report, AuditAction.UPDATE, before, acting_user=acting_user, message="closed")
    return report


@transaction.atomic
def mark_spam(report: PublicReport, *, acting_user) -> PublicReport:
    """Not a real report (advertising, abuse, a test): out of the queue, kept in the log."""
    report = _check_may_change(report, acting_user, lock=True)
    before = _trace(report)
    report.state = ReportState.SPAM
    report.pickup_due = None
    report.save()
    _step(report, ReportEvent.Kind.SPAM, acting_user)
    _record(report, AuditAction.UPDATE, before, acting_user=acting_user, message="marked as spam")
    return report


def record_contents_read(report: PublicReport, *, acting_user) -> None:
    """Reading what was reported about a person is logged, as reading a person is."""
    audit.record(AuditAction.READ, report, acting_user=acting_user, message="read")
