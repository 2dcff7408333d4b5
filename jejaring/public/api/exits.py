"""Exit's API: the person's request with their service code (no account) and its state;
for the case's office, the code, a request made through a worker, the waiting ones sent."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jejaring.cases.models import Case
from jejaring.core import request_context
from jejaring.core.api_helpers import Inputs, paged, scoped_or_404
from jejaring.core.scoping import CHANGE

from ..actions import exits as actions
from ..models import ExitRequest, ExitVia, ServiceCode
from ..presenters import exit_steps

citizen_router = Router(tags=["another provider (no account)"], auth=None)
router = Router(tags=["another provider"])


class PublicExitIn(Schema):
    code: str = Field(..., max_length=20, description="The service code (LY-…)")
    organisation: int = Field(..., description="The id of the provider chosen")
    reason: str = Field("", max_length=2000)


class StepOut(Schema):
    organisation: str
    requested_at: datetime.datetime
    state: str


class ErrorOut(Schema):
    detail: str


class ExitIn(Schema):
    organisation: int
    reason: str = Field("", max_length=2000)


class ExitOut(Schema):
    id: int
    case: int = Field(..., alias="case_id")
    to_organisation: int = Field(..., alias="to_organisation_id")
    via: ExitVia
    requested_at: datetime.datetime
    referral: int | None = Field(None, alias="referral_id")


class CodeOut(Schema):
    code: str


def _active(inputs: Inputs, pk: int):
    from jejaring.network.models import Organisation, OrganisationStatus

    found = (
        Organisation.objects.filter(pk=pk, status=OrganisationStatus.ACTIVE)
        .select_related("type")
        .first()
    )
    if found is None:
        inputs.refuse("organisation", _("Unknown organisation."))
    return found


@citizen_router.post(
    "/exit-requests",
    response={201: list[StepOut], 429: ErrorOut},
    summary="Ask for another provider with a service code (no account)",
)
def public_exit(request, payload: PublicExitIn):
    inputs = Inputs(request)
    organisation = _active(inputs, payload.organisation)
    inputs.check()
    try:
        actions.request_exit_by_code(
            payload.code,
            organisation,
            payload.reason,
            sender_address=request_context.current().ip_address or "",
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "rate_limited":
            return Status(429, {"detail": " ".join(exc.messages)})
        raise
    return Status(201, _steps(payload.code))


def _steps(code: str) -> list[dict]:
    service_code = ServiceCode.objects.filter(code=actions.normalise_code(code)).first()
    if service_code is None:
        return []
    return [
        exit_steps(r).__dict__
        for r in ExitRequest.objects.filter(case_id=service_code.case_id).select_related(
            "to_organisation", "referral"
        )
    ]


@citizen_router.get(
    "/exit-requests/{code}",
    response={200: list[StepOut], 404: ErrorOut},
    summary="How the requests made with a service code go",
)
def public_steps(request, code: str):
    if not ServiceCode.objects.filter(code=actions.normalise_code(code)).exists():
        return Status(404, {"detail": _("No case has this service code.")})
    return _steps(code)


@router.get("/", response=list[ExitOut], summary="Requests for another provider the user sees")
@paged
def list_exits(request):
    return ExitRequest.objects.restrict(request.auth)


@router.post(
    "/cases/{int:case_id}/code", response={201: CodeOut}, summary="The case's service code"
)
def service_code(request, case_id: int):
    case = scoped_or_404(Case.objects.all(), request, CHANGE, pk=case_id)
    return Status(201, {"code": actions.issue_service_code(case, acting_user=request.auth).code})


@router.post(
    "/cases/{int:case_id}", response={201: ExitOut}, summary="Record a request through a worker"
)
def worker_exit(request, case_id: int, payload: ExitIn):
    case = scoped_or_404(
        Case.objects.select_related("person", "organisation"), request, CHANGE, pk=case_id
    )
    inputs = Inputs(request)
    organisation = _active(inputs, payload.organisation)
    inputs.check()
    exit_request = actions.request_exit(
        case, organisation, payload.reason, via=ExitVia.WORKER, acting_user=request.auth
    )
    return Status(201, exit_request)


@router.post("/{int:exit_id}/send", response=ExitOut, summary="Send a waiting request's referral")
def send(request, exit_id: int):
    exit_request = scoped_or_404(ExitRequest.objects.all(), request, CHANGE, pk=exit_id)
    return actions.send_waiting_exit(exit_request, acting_user=request.auth)
