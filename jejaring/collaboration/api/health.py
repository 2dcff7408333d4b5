"""The health check of collaboration and the picture of the network: who works with
whom, and how closely (the modules behind them are imported when first asked)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from ._common import forum_for

router = Router(tags=["collaboration: health & integration"])


@router.get(
    "/health",
    response=dict,
    summary="Health of collaboration across the forums the user may see",
)
def network_health(request):
    from .. import health

    return health.report_as_dict(health.health_for_network(request.auth))


@router.get("/forums/{int:forum_id}/health", response=dict, summary="Health of one forum")
def forum_health(request, forum_id: int):
    from .. import health

    forum = forum_for(request, forum_id)
    return health.report_as_dict(health.health_for_forum(forum))


@router.get(
    "/graph",
    response=dict,
    summary="The network as nodes (organisations) and edges (ties between them)",
)
def graph(request):
    from .. import integration

    return integration.graph(request.auth)


@router.get(
    "/integration",
    response=list[dict],
    summary="For each pair of organisations, how integrated their work is",
)
def integration_levels(request):
    from .. import integration

    return integration.pair_levels(request.auth)


class SurveyIn(Schema):
    face_to_face: int
    trust: int
    commitment: int
    understanding: int
    outcomes: int
    design: int
    leadership: int


def _answer(request, forum, payload: SurveyIn):
    from ..actions.survey import AlreadyAnswered, answer_survey

    try:
        answer_survey(forum, payload.dict(), acting_user=request.auth)
    except AlreadyAnswered as exc:
        raise ValidationError(_("You have already answered this month. Thank you!")) from exc
    return Status(201, {"detail": _("Thank you. Your answers are anonymous.")})


@router.post(
    "/survey",
    response={201: dict},
    summary="Answer the anonymous network survey (Likert 1–5 per dimension), once a month",
)
def network_survey(request, payload: SurveyIn):
    return _answer(request, None, payload)


@router.post(
    "/forums/{int:forum_id}/survey",
    response={201: dict},
    summary="Answer a forum's anonymous survey (Likert 1–5 per dimension), once a month",
)
def forum_survey(request, forum_id: int, payload: SurveyIn):
    return _answer(request, forum_for(request, forum_id), payload)
