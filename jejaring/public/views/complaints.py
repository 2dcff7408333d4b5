"""Pages of complaints: the complainant's form and status page (no account needed), and
the handling office's complaints desk and dashboard."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jejaring.core import clock, request_context
from jejaring.core.exports import SafeWriter
from jejaring.core.pages import button, listing, perform, small_form
from jejaring.core.scoping import CHANGE, VIEW, VIEW_PRIVATE, get_scoped_or_404
from jejaring.network.models import Organisation, OrganisationStatus

from ..actions import complaints as actions
from ..complaint_figures import lapor_rows, office_figures
from ..filters import ComplaintFilter
from ..forms.complaints import (
    AnswerForm,
    ComplaintForm,
    ComplaintTrackingForm,
    RatingForm,
    RejectForm,
)
from ..models import Complaint
from ..presenters import complaint_status as status_of
from . import year_param

# --- The complainant's side ---------------------------------------------------------------


def complaint_new(request):
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_trapped:
            return redirect("lapor:sent")
        outcome = perform(
            request,
            lambda: actions.submit_complaint(
                form.complaint_data(),
                sender_address=request_context.current().ip_address or "",
                acting_user=request.user if request.user.is_authenticated else None,
            ),
            form=form,
        )
        if outcome:
            status = reverse("pengaduan:status")
            return redirect(f"{status}?kode={outcome.result.tracking_code}&baru=1")
    return render(request, "public/complaint_form.html", {"form": form})


def complaint_status(request):
    """Where a complaint is, for whoever holds its code, and the rating of the answer."""
    typed = request.POST.get("kode") or request.GET.get("kode") or ""
    form = ComplaintTrackingForm({"kode": typed} if typed else None)
    rating_form = RatingForm(request.POST or None)
    complaint = actions.find_by_code(typed) if typed else None
    if request.method == "POST" and complaint is not None and rating_form.is_valid():
        done = perform(
            request,
            lambda: actions.rate_answer(
                complaint.tracking_code,
                rating_form.cleaned_data["rating"],
                rating_form.cleaned_data["comment"],
            ),
            success=_("Thank you for rating the answer."),
        )
        if done:
            return redirect(f"{reverse('pengaduan:status')}?kode={complaint.tracking_code}")
    context = {
        "form": form,
        "status": status_of(complaint) if complaint is not None else None,
        "searched": bool(typed),
        "new": request.GET.get("baru") == "1" and complaint is not None,
        "rating_form": rating_form,
    }
    return render(request, "public/complaint_status.html", context)


SUGGESTION_LIMIT = 20


def organisation_suggest(request):
    """<option>s for the complaint form's office input: active members of the network
    only (one awaiting verification is not public)."""
    typed = " ".join(
        (request.GET.get("concerned_organisation") or request.GET.get("q") or "").split()
    )
    found = []
    if len(typed) >= 3:
        # Every word typed, in the name or the region (up to its province): "dinas
        # sosial pekanbaru" and "lksa riau" both narrow to the place the citizen knows.
        matches = Organisation.objects.filter(status=OrganisationStatus.ACTIVE)
        for word in typed.split()[:6]:
            matches = matches.filter(
                Q(name__icontains=word)
                | Q(home_region__name__icontains=word)
                | Q(home_region__parent__name__icontains=word)  # a regency's province
                | Q(home_region__parent__parent__name__icontains=word)
            )
        found = matches.select_related("home_region").order_by("name")[:SUGGESTION_LIMIT]
    return render(request, "public/_organisation_options.html", {"organisations": found})


# --- The complaints desk -------------------------------------------------------------------


def _desk_queryset():
    return Complaint.objects.select_related(
        "category", "concerned_organisation", "handling_organisation"
    )


def fetch_complaint(request, complaint_id: int, action: str = VIEW) -> Complaint:
    return get_scoped_or_404(
        _desk_queryset(), request.user, action, may=(VIEW_PRIVATE, CHANGE), pk=complaint_id
    )


@login_required
def desk(request):
    request.nav_section = "complaints"
    context = listing(
        request,
        _desk_queryset().restrict(request.user),
        ComplaintFilter,
        defaults={"open": "true"},
    )
    context["now"] = clock.now()
    return render(request, "public/complaint_desk.html", context)


def _detail(request, complaint: Complaint, **forms):
    from jejaring.core.scoping import can

    context = {
        "complaint": complaint,
        "complainant": can(request.user, VIEW_PRIVATE, complaint),
        "may_change": can(request.user, CHANGE, complaint) and complaint.is_open,
        "events": complaint.events.select_related("by"),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "now": clock.now(),
    }
    return render(request, "public/complaint_detail.html", context)


@login_required
def detail(request, complaint_id: int):
    request.nav_section = "complaints"
    return _detail(request, fetch_complaint(request, complaint_id))


def _then(complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


def _fetch_change(request, complaint_id):
    return fetch_complaint(request, complaint_id, CHANGE)


verify = button(
    _fetch_change,
    lambda request, c: actions.verify_complaint(c, acting_user=request.user),
    success=_("Complaint verified: the follow-up's deadline runs."),
    then=_then,
)
follow_up = button(
    _fetch_change,
    lambda request, c: actions.start_follow_up(c, acting_user=request.user),
    success=_("Follow-up started: the answer's deadline runs."),
    then=_then,
)
close = button(
    _fetch_change,
    lambda request, c: actions.close_complaint(c, acting_user=request.user),
    success=_("Complaint closed."),
    then=_then,
)
answer = small_form(
    _fetch_change,
    AnswerForm,
    lambda request, c, data: actions.answer_complaint(c, data["answer"], acting_user=request.user),
    success=_("Answer sent: the complainant reads it with their code."),
    then=_then,
    page=lambda request, c, **forms: _detail(request, c, **forms),
    form_name="answer_form",
)
reject = small_form(
    _fetch_change,
    RejectForm,
    lambda request, c, data: actions.reject_complaint(c, data["reason"], acting_user=request.user),
    success=_("Complaint rejected: the complainant reads why."),
    then=_then,
    page=lambda request, c, **forms: _detail(request, c, **forms),
    form_name="reject_form",
)


@login_required
def dashboard(request):
    request.nav_section = "complaints"
    year = year_param(request)
    context = {"year": year, "rows": office_figures(request.user, year)}
    return render(request, "public/complaint_dashboard.html", context)


class _Echo:
    def write(self, value):
        return value


@login_required
def export(request):
    """The complaints the user sees, in the columns SP4N-LAPOR! receives (docs/public.md),
    without who complained."""
    complaints = ComplaintFilter(
        request.GET or None, queryset=_desk_queryset().restrict(request.user), request=request
    ).qs
    writer = SafeWriter(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in lapor_rows(complaints.iterator())),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="pengaduan-sp4n-lapor.csv"'
    return response
