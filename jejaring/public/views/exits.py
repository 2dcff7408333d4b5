"""Pages of exit: the person's request with their service code (no account), and the
case's page "Another provider" where its office gives the code, records a request made
through a worker and sends the referral a waiting request asked for."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.cases.models import Case
from jejaring.core import request_context
from jejaring.core.pages import perform
from jejaring.core.scoping import CHANGE, VIEW, get_scoped_or_404

from ..actions import exits as actions
from ..forms.exits import ExitForm, PublicExitForm
from ..models import ExitRequest, ExitVia, ServiceCode
from ..presenters import exit_steps


def public_request(request):
    """Ask for another provider with the service code; the same page shows how the
    requests made with the code go."""
    typed = request.POST.get("kode") or request.GET.get("kode") or ""
    form = PublicExitForm(request.POST or None, initial={"kode": typed})
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            request,
            lambda: actions.request_exit_by_code(
                form.cleaned_data["kode"],
                form.cleaned_data["organisation"],
                form.cleaned_data["reason"],
                sender_address=request_context.current().ip_address or "",
            ),
            form=form,
            success=_("Your request was sent to the provider you chose."),
        )
        if outcome:
            code = actions.normalise_code(form.cleaned_data["kode"])
            return redirect(f"{reverse('pindah:request')}?kode={code}")
    code = actions.normalise_code(typed)
    service_code = ServiceCode.objects.filter(code=code).first() if code else None
    requests = []
    if service_code is not None:
        requests = [
            exit_steps(r)
            for r in ExitRequest.objects.filter(case_id=service_code.case_id).select_related(
                "to_organisation", "referral"
            )
        ]
    return render(
        request,
        "public/exit_form.html",
        {"form": form, "requests": requests, "known": service_code is not None},
    )


def _case(request, case_id: int, action=VIEW) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("person", "organisation", "category"),
        request.user,
        action,
        may=(CHANGE,),
        pk=case_id,
    )


def _page(request, case: Case, form=None):
    from jejaring.core.scoping import can
    from jejaring.registry.presenters import identity_visible

    context = {
        "case": case,
        # The person's own words: shown where their identity is.
        "shows_reason": identity_visible(request.user, case.person_id),
        "may_change": can(request.user, CHANGE, case),
        "service_code": ServiceCode.objects.filter(case=case).first(),
        "requests": ExitRequest.objects.restrict(request.user)
        .filter(case=case)
        .select_related("to_organisation", "referral", "requested_by"),
        "form": form or ExitForm(),
        "public_url": request.build_absolute_uri(reverse("pindah:request")),
    }
    return render(request, "public/exit_case.html", context)


@login_required
def case_page(request, case_id: int):
    request.nav_section = "cases"
    return _page(request, _case(request, case_id))


@login_required
@require_POST
def issue_code(request, case_id: int):
    case = _case(request, case_id, CHANGE)
    perform(
        request,
        lambda: actions.issue_service_code(case, acting_user=request.user),
        success=_("Give the person this code: with it they may ask for another provider."),
    )
    return redirect("exits:case", case_id=case.pk)


@login_required
@require_POST
def worker_request(request, case_id: int):
    case = _case(request, case_id, CHANGE)
    form = ExitForm(request.POST)
    if form.is_valid():
        outcome = perform(
            request,
            lambda: actions.request_exit(
                case,
                form.cleaned_data["organisation"],
                form.cleaned_data["reason"],
                via=ExitVia.WORKER,
                acting_user=request.user,
            ),
            form=form,
            success=_("The request was recorded for the person."),
        )
        if outcome:
            return redirect("exits:case", case_id=case.pk)
    return _page(request, case, form)


@login_required
@require_POST
def send_waiting(request, case_id: int, exit_id: int):
    case = _case(request, case_id, CHANGE)
    exit_request = get_scoped_or_404(
        ExitRequest.objects.filter(case=case), request.user, CHANGE, pk=exit_id
    )
    perform(
        request,
        lambda: actions.send_waiting_exit(exit_request, acting_user=request.user),
        success=_("Referral sent to the provider the person chose."),
    )
    return redirect("exits:case", case_id=case.pk)
