"""The public reports API.

``citizen_router`` needs no account (``auth=None``): send a report, read its status by
its code, list the topics. ``router`` is the staff queue, through the scope like every
other list: the routing for whoever sees the report, what was reported and who reported
it only where the policy allows (``None`` otherwise)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jejaring.core import request_context
from jejaring.core.api_helpers import Inputs, filtered_list, paged, scoped_or_404
from jejaring.core.scoping import CHANGE, VIEW_IDENTITY, VIEW_PRIVATE, can, get_scoped_or_404
from jejaring.registry import actions as registry_actions
from jejaring.registry.api import PersonIn, duplicate_answer, resolve_person_payload
from jejaring.registry.models import Person

from ..actions import reports as actions
from ..filters import ReportFilter
from ..models import ClosingOutcome, PublicReport, ReportState, ReportTopic
from ..presenters import public_status

citizen_router = Router(tags=["public reports (no account)"], auth=None)
router = Router(tags=["public reports"])


class TopicOut(Schema):
    code: str
    name: str
    category: str = Field(..., alias="category.code")
    pickup_hours: int


class ReportIn(Schema):
    topic: str = Field(..., description="A topic code from /public/report-topics")
    village: str = Field(..., description="The village's Kemendagri code, e.g. 14.71.01.1003")
    place: str = Field(..., min_length=3, max_length=300)
    description: str = Field(..., min_length=10, max_length=4000)
    person_name: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=200)
    reporter_contact: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class SentOut(Schema):
    tracking_code: str
    status_url: str


class StatusOut(Schema):
    code: str
    topic: str
    village: str
    sent_at: datetime.datetime
    step: str
    office: str
    outcome: str


class ErrorOut(Schema):
    detail: str


@citizen_router.get("/report-topics", response=list[TopicOut], summary="What can be reported")
def list_topics(request):
    return ReportTopic.objects.active().select_related("category")


@citizen_router.post(
    "/reports",
    response={201: SentOut, 429: ErrorOut},
    summary="Send a report of a person in need (no account)",
)
def send_report(request, payload: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    inputs = Inputs(request)
    village = inputs.region(payload.village, "village")
    topic = ReportTopic.objects.active().select_related("category").filter(code=payload.topic)
    topic = topic.first()
    if topic is None:
        inputs.refuse("topic", _("Unknown topic."))
    inputs.check()
    data = payload.dict()
    data.update(topic=topic, region=village)
    user = request.user if request.user.is_authenticated else None
    try:
        report = actions.submit_report(
            data,
            photos or [],
            sender_address=request_context.current().ip_address or "",
            acting_user=user,
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "rate_limited":
            return Status(429, {"detail": " ".join(exc.messages)})
        raise
    return Status(
        201,
        {
            "tracking_code": report.tracking_code,
            "status_url": f"/api/v1/public/reports/{report.tracking_code}",
        },
    )


@citizen_router.get(
    "/reports/{code}", response={200: StatusOut, 404: ErrorOut}, summary="A report's status"
)
def report_status(request, code: str):
    report = actions.find_by_code(code)
    if report is None:
        return Status(404, {"detail": _("No report has this code.")})
    status = public_status(report)
    return {
        "code": status.code,
        "topic": status.topic,
        "village": status.village,
        "sent_at": status.sent_at,
        "step": status.step,
        "office": status.office,
        "outcome": status.outcome,
    }


# --- Staff -----------------------------------------------------------------------------


def _shows_contents(obj, context) -> bool:
    return can(context["request"].auth, VIEW_IDENTITY, obj)


def _shows_reporter(obj, context) -> bool:
    return can(context["request"].auth, VIEW_PRIVATE, obj)


class ReportOut(Schema):
    id: int
    tracking_code: str
    topic: str = Field(..., alias="topic.code")
    village: str = Field(..., alias="region_id")
    is_sensitive: bool
    state: ReportState
    handling_organisation: int | None = Field(None, alias="handling_organisation_id")
    pickup_due: datetime.datetime | None
    escalations: int
    case: int | None = Field(None, alias="case_id")
    outcome: str
    submitted_at: datetime.datetime
    place: str | None = Field(None, description="None where the reader may not see it")
    description: str | None = None
    person_name: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    reporter_name: str | None = Field(None, description="The handling office's workers only")
    reporter_contact: str | None = None

    @staticmethod
    def resolve_place(obj, context):
        return obj.place if _shows_contents(obj, context) else None

    @staticmethod
    def resolve_description(obj, context):
        return obj.description if _shows_contents(obj, context) else None

    @staticmethod
    def resolve_person_name(obj, context):
        return obj.person_name if _shows_contents(obj, context) else None

    @staticmethod
    def resolve_latitude(obj, context):
        return obj.latitude if _shows_contents(obj, context) else None

    @staticmethod
    def resolve_longitude(obj, context):
        return obj.longitude if _shows_contents(obj, context) else None

    @staticmethod
    def resolve_reporter_name(obj, context):
        return obj.reporter_name if _shows_reporter(obj, context) else None

    @staticmethod
    def resolve_reporter_contact(obj, context):
        return obj.reporter_contact if _shows_reporter(obj, context) else None


class ReportQuery(Schema):
    box: str = Field("open", description="'open' (to do), 'ours' (with our office) or 'all'")
    state: ReportState | None = None
    topic: str | None = Field(None, description="A topic code")
    region: str | None = Field(None, description="Reports in this region's subtree")
    overdue: bool | None = Field(None, description="Only reports past their time to be picked up")


def _queryset(user):
    return (
        PublicReport.objects.select_related("topic")
        .restrict(user)
        .with_permissions(user, VIEW_IDENTITY, VIEW_PRIVATE, CHANGE)
    )


def _fetch(request, report_id: int, action=None) -> PublicReport:
    queryset = PublicReport.objects.select_related("topic", "region")
    if action is None:
        return scoped_or_404(queryset, request, may=(VIEW_IDENTITY, VIEW_PRIVATE), pk=report_id)
    return scoped_or_404(queryset, request, action, may=(VIEW_IDENTITY, VIEW_PRIVATE), pk=report_id)


@router.get("/", response=list[ReportOut], summary="Public reports the user may see")
@paged
def list_reports(request, filters: Query[ReportQuery]):
    return filtered_list(request, ReportFilter, _queryset(request.auth), filters)


@router.get("/{int:report_id}", response=ReportOut, summary="One public report")
def get_report(request, report_id: int):
    report = _fetch(request, report_id)
    if can(request.auth, VIEW_IDENTITY, report):
        actions.record_contents_read(report, acting_user=request.auth)
    return report


@router.post("/{int:report_id}/pick-up", response=ReportOut, summary="Pick a report up")
def pick_up(request, report_id: int):
    report = _fetch(request, report_id, CHANGE)
    actions.pick_up_report(report, acting_user=request.auth)
    return _fetch(request, report_id)


@router.post("/{int:report_id}/spam", response=ReportOut, summary="Mark a report as spam")
def spam(request, report_id: int):
    report = _fetch(request, report_id, CHANGE)
    actions.mark_spam(report, acting_user=request.auth)
    return _fetch(request, report_id)


class CloseIn(Schema):
    outcome: ClosingOutcome


@router.post("/{int:report_id}/close", response=ReportOut, summary="Close without a case")
def close(request, report_id: int, payload: CloseIn):
    report = _fetch(request, report_id, CHANGE)
    actions.close_report(report, payload.outcome, acting_user=request.auth)
    return _fetch(request, report_id)


class CaseFromReportIn(Schema):
    person: int | None = Field(
        None, description="A record already in the registry (e.g. a candidate of the 409)"
    )
    new_person: PersonIn | None = Field(
        None, description="Register the person (the duplicate guard runs: 409 with candidates)"
    )


class CaseOpenedOut(Schema):
    case: int
    person: int


@router.post(
    "/{int:report_id}/case",
    response={201: CaseOpenedOut, 409: dict},
    summary="Open a case from a report",
)
def open_case(request, report_id: int, payload: CaseFromReportIn):
    report = _fetch(request, report_id, CHANGE)
    inputs = Inputs(request)
    if (payload.person is None) == (payload.new_person is None):
        inputs.refuse("person", _("Send either person or new_person."))
    inputs.check()
    person = None
    data, categories, aliases, confirmed = None, [], [], False
    if payload.person is not None:
        person = get_scoped_or_404(Person, request.auth, VIEW_IDENTITY, pk=payload.person)
    else:
        data, categories, aliases, confirmed = resolve_person_payload(
            inputs, payload.new_person.dict()
        )
    try:
        case = actions.open_case_from_report(
            report,
            acting_user=request.auth,
            person=person,
            person_data=data,
            categories=categories,
            aliases=aliases,
            confirmed_new=confirmed,
        )
    except registry_actions.DuplicateSuspected as exc:
        return Status(409, duplicate_answer(exc, request.auth))
    return Status(201, {"case": case.pk, "person": case.person_id})
