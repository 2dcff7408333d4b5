"""Pages of the public side: the citizen's report and its status (no account), and the
staff queue where the handling office picks reports up and turns them into cases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jejaring.core import request_context
from jejaring.core.files import serve_file
from jejaring.core.pages import button, listing, perform, small_form
from jejaring.core.scoping import CHANGE, VIEW, VIEW_IDENTITY, VIEW_PRIVATE, get_scoped_or_404
from jejaring.registry.actions import DuplicateSuspected
from jejaring.registry.forms import PersonForm
from jejaring.registry.models import Person
from jejaring.registry.views import candidate_views

from ..actions import reports as actions
from ..filters import ReportFilter
from ..forms.reports import CloseReportForm, PublicReportForm, TrackingForm
from ..models import PublicReport, ReportPhoto
from ..presenters import public_status, staff_view

# --- The citizen's side -----------------------------------------------------------------


def report_new(request):
    """The report form: no account, one page, works without script."""
    form = PublicReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.is_trapped:
            # A script filled the field people never see: thank it and keep nothing.
            return redirect("lapor:sent")
        outcome = perform(
            request,
            lambda: actions.submit_report(
                form.report_data(),
                form.cleaned_data["photos"],
                sender_address=request_context.current().ip_address or "",
                acting_user=request.user if request.user.is_authenticated else None,
            ),
            form=form,
        )
        if outcome:
            status = reverse("lapor:status")
            return redirect(f"{status}?kode={outcome.result.tracking_code}&baru=1")
    return render(request, "public/report_form.html", {"form": form})


def report_sent(request):
    return render(request, "public/report_sent.html")


def report_status(request):
    """Where a report is, for whoever holds its code: the step, never the person."""
    form = TrackingForm(request.GET or None)
    status = None
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        report = actions.find_by_code(form.cleaned_data["kode"])
        status = public_status(report) if report is not None else None
    context = {
        "form": form,
        "status": status,
        "searched": searched,
        "new": request.GET.get("baru") == "1" and status is not None,
    }
    return render(request, "public/report_status.html", context)


# --- The staff side ---------------------------------------------------------------------


def _staff_queryset():
    return PublicReport.objects.select_related(
        "topic", "region__parent", "handling_organisation", "case"
    )


def fetch_report(request, report_id: int, action: str = VIEW) -> PublicReport:
    return get_scoped_or_404(
        _staff_queryset(),
        request.user,
        action,
        may=(VIEW_IDENTITY, VIEW_PRIVATE, CHANGE),
        pk=report_id,
    )


@login_required
def queue(request):
    request.nav_section = "reports"
    context = listing(
        request, _staff_queryset().restrict(request.user), ReportFilter, defaults={"box": "open"}
    )
    return render(request, "public/queue.html", context)


def _detail(request, report: PublicReport, **forms):
    view = staff_view(report, request.user)
    if view.contents:
        actions.record_contents_read(report, acting_user=request.user)
    photos = (
        list(ReportPhoto.objects.restrict(request.user).filter(report=report))
        if view.contents
        else []
    )
    context = {
        "view": view,
        "report": report,
        "events": report.events.select_related("organisation", "by"),
        "photos": photos,
        "close_form": forms.get("close_form") or CloseReportForm(),
    }
    return render(request, "public/report_detail.html", context)


@login_required
def detail(request, report_id: int):
    request.nav_section = "reports"
    return _detail(request, fetch_report(request, report_id))


def _then(report) -> str:
    return reverse("reports:detail", args=[report.pk])


pick_up = button(
    lambda request, report_id: fetch_report(request, report_id, CHANGE),
    lambda request, report: actions.pick_up_report(report, acting_user=request.user),
    success=_("You picked up the report: it no longer escalates."),
    then=_then,
)

mark_spam = button(
    lambda request, report_id: fetch_report(request, report_id, CHANGE),
    lambda request, report: actions.mark_spam(report, acting_user=request.user),
    success=_("The report was marked as spam."),
    then=_then,
)

close = small_form(
    lambda request, report_id: fetch_report(request, report_id, CHANGE),
    CloseReportForm,
    lambda request, report, data: actions.close_report(
        report, data["outcome"], acting_user=request.user
    ),
    success=_("The report was closed; the reporter sees why."),
    then=_then,
    page=lambda request, report, **forms: _detail(request, report, **forms),
    form_name="close_form",
)


@login_required
def photo(request, report_id: int, photo_id: int):
    report = fetch_report(request, report_id)
    picture = get_scoped_or_404(
        ReportPhoto.objects.filter(report=report), request.user, pk=photo_id
    )
    return serve_file(request.user, picture, picture.file, parent=report, inline=True)


def _case_initial(report: PublicReport) -> dict:
    return {
        "full_name": report.person_name,
        "region": report.region,
        "categories": [report.topic.category_id],
        "birth_date_precision": "estimated",
    }


@login_required
def open_case(request, report_id: int):
    """A case from the report: register the person (the duplicate guard runs) or take
    the record the guard found."""
    request.nav_section = "reports"
    report = fetch_report(request, report_id, CHANGE)
    if not report.is_open:
        messages.error(request, _("This report is already finished."))
        return redirect(_then(report))
    form = PersonForm(request.POST or None, initial=_case_initial(report))
    candidates = None
    if request.method == "POST" and request.POST.get("existing"):
        person = _existing_person(request, request.POST["existing"])
        outcome = perform(
            request,
            lambda: actions.open_case_from_report(report, acting_user=request.user, person=person),
            success=_("Case opened on the record already in the registry."),
        )
        return redirect(
            reverse("cases:detail", args=[outcome.result.pk]) if outcome else _then(report)
        )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = perform(
                request,
                lambda: actions.open_case_from_report(
                    report,
                    acting_user=request.user,
                    person_data=form.person_data(),
                    categories=list(form.cleaned_data["categories"]),
                    aliases=form.alias_list(),
                    confirmed_new=request.POST.get("confirmed_new") == "1",
                ),
                success=_("Person registered and case opened."),
                form=form,
            )
        except DuplicateSuspected as exc:
            candidates = candidate_views(exc.candidates, request.user)
        else:
            if outcome:
                return redirect(reverse("cases:detail", args=[outcome.result.pk]))
    context = {
        "report": report,
        "form": form,
        "candidates": candidates,
        "guard": candidates is not None,
    }
    return render(request, "public/report_case.html", context)


def _existing_person(request, value: str) -> Person:
    """The record chosen from the guard's candidates, if the worker sees it in full."""
    return get_scoped_or_404(Person, request.user, VIEW_IDENTITY, pk=value)
