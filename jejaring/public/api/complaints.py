"""The complaints API. ``citizen_router`` (no account): send a complaint, read its status
by its code, rate the answer, list the categories. ``router``: the desk, through the
scope; who complained only where the policy allows (``None`` otherwise)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jejaring.core import request_context
from jejaring.core.api_helpers import Inputs, filtered_list, paged, scoped_or_404
from jejaring.core.scoping import CHANGE, VIEW_PRIVATE, can
from jejaring.network.models import Organisation, OrganisationStatus

from ..actions import complaints as actions
from ..complaint_figures import office_figures
from ..filters import ComplaintFilter
from ..models import Complaint, ComplaintCategory, ComplaintStage
from ..presenters import complaint_status

citizen_router = Router(tags=["complaints (no account)"], auth=None)
router = Router(tags=["complaints"])


class CategoryOut(Schema):
    code: str
    name: str


class ComplaintIn(Schema):
    category: str = Field(..., description="A category code from /public/complaint-categories")
    organisation: int = Field(..., description="The id of the office or institution concerned")
    subject: str = Field(..., min_length=3, max_length=200)
    description: str = Field(..., min_length=10, max_length=4000)
    happened_on: datetime.date | None = None
    complainant_name: str = Field("", max_length=200)
    complainant_contact: str = Field("", max_length=200)


class SentOut(Schema):
    tracking_code: str
    status_url: str


class StatusOut(Schema):
    code: str
    category: str
    organisation: str
    office: str
    sent_at: datetime.datetime
    stage: str
    stage_code: str
    due: datetime.datetime | None
    answer: str
    rejection_reason: str
    rating: int | None
    may_rate: bool


class RatingIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class ErrorOut(Schema):
    detail: str


@citizen_router.get(
    "/complaint-categories", response=list[CategoryOut], summary="What a complaint can be about"
)
def list_categories(request):
    return ComplaintCategory.objects.active()


@citizen_router.post(
    "/complaints", response={201: SentOut, 429: ErrorOut}, summary="Send a complaint (no account)"
)
def send_complaint(request, payload: ComplaintIn):
    inputs = Inputs(request)
    category = ComplaintCategory.objects.active().filter(code=payload.category).first()
    if category is None:
        inputs.refuse("category", _("Unknown category."))
    concerned = (
        Organisation.objects.select_related("type")
        .filter(pk=payload.organisation, status=OrganisationStatus.ACTIVE)
        .first()
    )
    if concerned is None:
        inputs.refuse("organisation", _("Unknown organisation."))
    inputs.check()
    data = payload.dict()
    data.update(category=category, concerned_organisation=concerned)
    user = request.user if request.user.is_authenticated else None
    try:
        complaint = actions.submit_complaint(
            data, sender_address=request_context.current().ip_address or "", acting_user=user
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "rate_limited":
            return Status(429, {"detail": " ".join(exc.messages)})
        raise
    code = complaint.tracking_code
    return Status(201, {"tracking_code": code, "status_url": f"/api/v1/public/complaints/{code}"})


@citizen_router.get(
    "/complaints/{code}", response={200: StatusOut, 404: ErrorOut}, summary="A complaint's status"
)
def complaint_status_by_code(request, code: str):
    complaint = actions.find_by_code(code)
    if complaint is None:
        return Status(404, {"detail": _("No complaint has this code.")})
    return complaint_status(complaint).__dict__


@citizen_router.post(
    "/complaints/{code}/rating",
    response={200: StatusOut, 404: ErrorOut},
    summary="Rate the answer (closes the complaint)",
)
def rate(request, code: str, payload: RatingIn):
    if actions.find_by_code(code) is None:
        return Status(404, {"detail": _("No complaint has this code.")})
    complaint = actions.rate_answer(code, payload.rating, payload.comment)
    return complaint_status(actions.find_by_code(complaint.tracking_code)).__dict__


# --- The desk ---------------------------------------------------------------------------


class ComplaintOut(Schema):
    id: int
    tracking_code: str
    category: str = Field(..., alias="category.code")
    concerned_organisation: int = Field(..., alias="concerned_organisation_id")
    handling_organisation: int = Field(..., alias="handling_organisation_id")
    subject: str
    description: str
    happened_on: datetime.date | None
    stage: ComplaintStage
    stage_due: datetime.datetime | None
    escalated_stage: str
    answer: str
    rejection_reason: str
    rating: int | None
    submitted_at: datetime.datetime
    answered_at: datetime.datetime | None
    answer_due: datetime.datetime | None
    closed_at: datetime.datetime | None
    complainant_name: str | None = Field(None, description="The handling office's workers only")
    complainant_contact: str | None = None

    @staticmethod
    def resolve_complainant_name(obj, context):
        return obj.complainant_name if can(context["request"].auth, VIEW_PRIVATE, obj) else None

    @staticmethod
    def resolve_complainant_contact(obj, context):
        visible = can(context["request"].auth, VIEW_PRIVATE, obj)
        return obj.complainant_contact if visible else None


class ComplaintQuery(Schema):
    stage: ComplaintStage | None = None
    open: bool | None = None
    overdue: bool | None = Field(None, description="Only complaints past a stage's deadline")
    category: str | None = Field(None, description="A category code")
    organisation: int | None = Field(None, description="About this organisation")


class AnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=4000)


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class FiguresOut(Schema):
    organisation_id: int
    organisation: str
    received: int
    open: int
    overdue: int
    escalated: int
    answered: int
    within_deadline: int
    share_within_deadline: float | None
    rejected: int
    median_days_to_answer: float | None
    average_rating: float | None


def _queryset():
    return Complaint.objects.select_related("category")


def _fetch(request, complaint_id: int, action=None) -> Complaint:
    if action is None:
        return scoped_or_404(_queryset(), request, may=(VIEW_PRIVATE,), pk=complaint_id)
    return scoped_or_404(_queryset(), request, action, may=(VIEW_PRIVATE,), pk=complaint_id)


@router.get("/", response=list[ComplaintOut], summary="Complaints the user may see")
@paged
def list_complaints(request, filters: Query[ComplaintQuery]):
    queryset = _queryset().restrict(request.auth).with_permissions(request.auth, VIEW_PRIVATE)
    return filtered_list(request, ComplaintFilter, queryset, filters)


@router.get("/dashboard", response=list[FiguresOut], summary="Complaint figures per office")
def dashboard(request, year: int = Query(None, ge=2000, le=2100)):  # noqa: B008
    from jejaring.core import clock

    rows = office_figures(request.auth, year or clock.localdate().year)
    return [{**row.__dict__, "share_within_deadline": row.share_within_deadline} for row in rows]


@router.get("/{int:complaint_id}", response=ComplaintOut, summary="One complaint")
def get_complaint(request, complaint_id: int):
    return _fetch(request, complaint_id)


def _step(request, complaint_id: int, run) -> Complaint:
    complaint = _fetch(request, complaint_id, CHANGE)
    run(complaint)
    return _fetch(request, complaint_id)


@router.post("/{int:complaint_id}/verify", response=ComplaintOut, summary="Verify")
def verify(request, complaint_id: int):
    return _step(
        request, complaint_id, lambda c: actions.verify_complaint(c, acting_user=request.auth)
    )


@router.post("/{int:complaint_id}/follow-up", response=ComplaintOut, summary="Start follow-up")
def follow_up(request, complaint_id: int):
    return _step(
        request, complaint_id, lambda c: actions.start_follow_up(c, acting_user=request.auth)
    )


@router.post("/{int:complaint_id}/answer", response=ComplaintOut, summary="Answer")
def answer(request, complaint_id: int, payload: AnswerIn):
    return _step(
        request,
        complaint_id,
        lambda c: actions.answer_complaint(c, payload.answer, acting_user=request.auth),
    )


@router.post("/{int:complaint_id}/reject", response=ComplaintOut, summary="Reject with a reason")
def reject(request, complaint_id: int, payload: RejectIn):
    return _step(
        request,
        complaint_id,
        lambda c: actions.reject_complaint(c, payload.reason, acting_user=request.auth),
    )


@router.post("/{int:complaint_id}/close", response=ComplaintOut, summary="Close after the answer")
def close(request, complaint_id: int):
    return _step(
        request, complaint_id, lambda c: actions.close_complaint(c, acting_user=request.auth)
    )
