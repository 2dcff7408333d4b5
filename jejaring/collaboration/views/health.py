"""The collaboration health check, the anonymous survey, the integration ladder and
the network graph."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jejaring.core.pages import perform
from jejaring.core.scoping import get_scoped_or_404

from .. import health as health_check
from .. import integration as integration_levels
from ..actions.survey import AlreadyAnswered, answer_survey
from ..models import Forum


def _page(request, report, forum=None):
    request.nav_section = "collaboration"
    return render(
        request,
        "collaboration/health.html",
        {
            "report": report,
            "forum": forum,
            "survey_min": health_check.SURVEY_MIN_RESPONSES,
            "survey_weight": int(health_check.SURVEY_WEIGHT * 100),
        },
    )


@login_required
def network_health(request):
    return _page(request, health_check.health_for_network(request.user))


@login_required
def forum_health(request, forum_id: int):
    forum = get_scoped_or_404(Forum, request.user, pk=forum_id)
    return _page(request, health_check.health_for_forum(forum), forum)


@login_required
def survey(request, forum_id: int | None = None):
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(Forum, request.user, pk=forum_id) if forum_id else None
    questions = [
        (code, name, health_check.SURVEY_QUESTIONS[code]) for code, name in health_check.DIMENSIONS
    ]
    back = redirect("collaboration:forum_health", forum_id=forum.pk) if forum else None
    if request.method == "POST":
        answers = {}
        for code, _name, _question in questions:
            value = request.POST.get(code, "")
            answers[code] = int(value) if value in {"1", "2", "3", "4", "5"} else None
        try:
            answered = perform(
                request,
                lambda: answer_survey(forum, answers, acting_user=request.user),
                success=_("Thank you. Your answers are anonymous."),
            )
        except AlreadyAnswered:
            messages.info(request, _("You have already answered this month. Thank you!"))
            answered = True
        if answered:
            return back or redirect("collaboration:health")
    return render(
        request,
        "collaboration/survey.html",
        {"forum": forum, "questions": questions, "scale": range(1, 6)},
    )


@login_required
def integration(request):
    request.nav_section = "collaboration"
    return render(
        request,
        "collaboration/integration.html",
        {
            "pairs": integration_levels.pair_levels(request.user),
            "levels": integration_levels.LEVELS,
        },
    )


@login_required
def graph(request):
    request.nav_section = "collaboration"
    from jejaring.network.models import Sector

    # The table of pairs is the page; the drawing loads on request (graph.js).
    return render(
        request,
        "collaboration/graph.html",
        {
            "pairs": integration_levels.pair_levels(request.user),
            "levels": integration_levels.LEVELS,
            "sectors": Sector.choices,
        },
    )


@login_required
def graph_data(request):
    return JsonResponse(integration_levels.graph(request.user))
