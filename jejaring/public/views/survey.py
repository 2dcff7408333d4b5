"""Pages of the satisfaction survey: the person's questionnaire (with the code, no
account), the office's codes and desk tablet, the results, the yearly report and the
open page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jejaring.core.pages import perform

from ..actions import survey as actions
from ..forms.survey import InvitationForm, SurveyAnswersForm, SurveyCodeForm
from ..models import SurveyElement
from ..survey_results import open_results, results_for, yearly_workbook
from . import year_param


def _elements():
    return list(SurveyElement.objects.active())


def questionnaire(request):
    """The survey for whoever holds a code: typed in, or from the slip's link."""
    typed = request.POST.get("kode") or request.GET.get("kode") or ""
    invitation = actions.open_invitation(typed) if typed else None
    code_form = SurveyCodeForm({"kode": typed} if typed else None)
    form = SurveyAnswersForm(
        request.POST if request.method == "POST" else None, elements=_elements()
    )
    if request.method == "POST" and invitation is not None and form.is_valid():
        done = perform(
            request,
            lambda: actions.answer_survey(
                invitation.code, form.scores(), form.cleaned_data["suggestion"]
            ),
            form=form,
        )
        if done:
            return redirect("skm:thanks")
    context = {
        "code_form": code_form,
        "invitation": invitation,
        "unknown": bool(typed) and invitation is None,
        "form": form,
    }
    return render(request, "public/survey_form.html", context)


def thanks(request):
    return render(request, "public/survey_thanks.html")


@login_required
def invitations(request):
    """Issue a code for the person just served: to print, or to send as a link."""
    request.nav_section = "survey"
    form = InvitationForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            request,
            lambda: actions.issue_invitation(
                service_type=form.cleaned_data["service_type"], acting_user=request.user
            ),
            form=form,
        )
        issued = outcome.result if outcome else None
    link = (
        request.build_absolute_uri(reverse("skm:answer")) + f"?kode={issued.code}" if issued else ""
    )
    return render(
        request, "public/survey_invitations.html", {"form": form, "issued": issued, "link": link}
    )


@login_required
@require_POST
def tablet(request):
    """The desk's tablet: a fresh code for the next person, straight to the questions."""
    outcome = perform(request, lambda: actions.issue_invitation(acting_user=request.user))
    if not outcome:
        return redirect("survey:invitations")
    return redirect(f"{reverse('skm:answer')}?kode={outcome.result.code}")


@login_required
def results(request):
    request.nav_section = "survey"
    year = year_param(request)
    context = {"year": year, "offices": results_for(request.user, year)}
    return render(request, "public/survey_results.html", context)


@login_required
def report_xlsx(request):
    year = year_param(request)
    data = yearly_workbook(request.user, year)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="laporan-skm-{year}.xlsx"'
    return response


def open_page(request):
    """The open page: each office's IKM for the year, where it has enough answers."""
    year = year_param(request)
    return render(request, "public/survey_open.html", {"year": year, "offices": open_results(year)})
