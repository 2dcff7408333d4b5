"""The satisfaction survey's API. Without an account: the questions for a code, the
answers, and each office's published IKM. For staff: issue a code, read the results."""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jejaring.core import clock
from jejaring.core.api_helpers import Inputs

from ..actions import survey as actions
from ..models import SurveyElement
from ..survey_results import open_results, results_for

citizen_router = Router(tags=["satisfaction survey (no account)"], auth=None)
router = Router(tags=["satisfaction survey"])


class AnswerChoice(Schema):
    value: int
    label: str


class QuestionOut(Schema):
    code: str
    name: str
    question: str
    answers: list[AnswerChoice]


class QuestionnaireOut(Schema):
    organisation: str
    service_type: str | None
    questions: list[QuestionOut]


class AnswersIn(Schema):
    scores: dict[str, int] = Field(..., description="element code → 1..4 (u1 … u9)")
    suggestion: str = Field("", max_length=1000)


class ErrorOut(Schema):
    detail: str


class ElementOut(Schema):
    code: str
    name: str
    answered: int
    nrr: float
    grade: str


class ResultOut(Schema):
    respondents: int
    ikm: float
    grade: str
    label: str
    elements: list[ElementOut]


class OfficeOut(Schema):
    organisation: str
    respondents: int
    result: ResultOut | None = Field(None, description="None below SKM_MIN_RESPONSES answers")


class InvitationIn(Schema):
    service_type: str | None = Field(None, description="A service type code")


class InvitationOut(Schema):
    code: str
    url: str


def _questions():
    return [
        {
            "code": e.code,
            "name": e.name,
            "question": e.question,
            "answers": [{"value": v, "label": label} for v, label in e.answers()],
        }
        for e in SurveyElement.objects.active()
    ]


def _result(result):
    if result is None:
        return None
    return {
        "respondents": result.respondents,
        "ikm": float(result.ikm),
        "grade": result.grade,
        "label": result.label,
        "elements": [
            {
                "code": e.code,
                "name": e.name,
                "answered": e.answered,
                "nrr": float(e.nrr),
                "grade": e.grade,
            }
            for e in result.elements
        ],
    }


@citizen_router.get(
    "/skm/{code}", response={200: QuestionnaireOut, 404: ErrorOut}, summary="The survey's questions"
)
def questionnaire(request, code: str):
    invitation = actions.open_invitation(code)
    if invitation is None:
        return Status(404, {"detail": _("This survey code is unknown or was already used.")})
    return {
        "organisation": invitation.organisation.name,
        "service_type": invitation.service_type.name if invitation.service_type else None,
        "questions": _questions(),
    }


@citizen_router.post(
    "/skm/{code}", response={201: dict, 404: ErrorOut}, summary="Answer the survey (once)"
)
def answer(request, code: str, payload: AnswersIn):
    if actions.open_invitation(code) is None:
        return Status(404, {"detail": _("This survey code is unknown or was already used.")})
    actions.answer_survey(code, payload.scores, payload.suggestion)
    return Status(201, {"detail": _("Thank you: your answers were recorded, without your name.")})


@citizen_router.get(
    "/skm-results", response=list[OfficeOut], summary="Each office's published IKM for a year"
)
def published(request, year: int | None = None):
    chosen = year if year and 2000 <= year <= 2100 else clock.localdate().year
    return [
        {"organisation": o.organisation, "respondents": o.respondents, "result": _result(o.result)}
        for o in open_results(chosen)
    ]


@router.post("/invitations", response={201: InvitationOut}, summary="Issue a survey code")
def issue(request, payload: InvitationIn):
    service_type = None
    if payload.service_type:
        inputs = Inputs(request)
        found = inputs.service_types([payload.service_type], "service_type")
        inputs.check()
        service_type = found[0]
    invitation = actions.issue_invitation(service_type=service_type, acting_user=request.auth)
    return Status(201, {"code": invitation.code, "url": f"/skm/?kode={invitation.code}"})


@router.get("/results", response=list[OfficeOut], summary="Survey results the user may read")
def results(request, year: int | None = None):
    chosen = year if year and 2000 <= year <= 2100 else clock.localdate().year
    return [
        {"organisation": o.organisation, "respondents": o.respondents, "result": _result(o.result)}
        for o in results_for(request.auth, chosen)
    ]
