"""Import pages: upload, confirm the columns, read the dry-run report, import with a
progress bar; and the review queue of possible duplicates. Writes go through actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.core.exports import csv_writer
from jejaring.core.pages import chosen, listing, paged, perform
from jejaring.core.scoping import CHANGE, get_scoped_or_404, scope_for
from jejaring.network.models import Organisation
from jejaring.registry.actions import record_read

from . import actions
from .filters import (
    ORDERINGS,
    ImportedRowFilter,
    ImportProblemFilter,
    LinkReviewFilter,
    queue_data,
    queue_queryset,
)
from .forms import MappingForm, ReviewDecisionForm, UnusedColumnsForm, UploadForm
from .models import ImportedRow, ImportJob, JobStatus, LinkReview, ReviewStatus, RowOutcome
from .pipeline import rejected_rows
from .policies import may_import
from .review_pairs import (
    LinkedRow,
    audit_linked,
    audit_pairs,
    linked_people,
    nik_state,
    present_pairs,
)

PROBLEMS_PER_PAGE = 50
ROWS_PER_PAGE = 50
# The report names the people rows were linked to; the rows page lists every one.
LINKED_SHOWN = 20


def _require(request):
    request.nav_section = "imports"
    scope = scope_for(request.user)
    if not may_import(scope) or not scope.organisation_id:
        raise PermissionDenied(_("Only data officers and office heads can import data."))
    return scope


@login_required
def job_list(request):
    scope = _require(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        organisation = Organisation.objects.get(pk=scope.organisation_id)
        uploaded = perform(
            request,
            lambda: actions.upload_file(
                form.cleaned_data["file"],
                organisation=organisation,
                acting_user=request.user,
                background=True,
            ),
            form=form,
        )
        if uploaded:
            return redirect("imports:detail", job_id=uploaded.result.pk)
    # Imports whose worker died are listed as stopped, not as running for ever.
    actions.recover_stale_jobs()
    jobs = ImportJob.objects.restrict(request.user).select_related("created_by")[:50]
    pending = LinkReview.objects.restrict(request.user).filter(status=ReviewStatus.PENDING)
    return render(
        request,
        "imports/list.html",
        {"form": form, "jobs": jobs, "pending_reviews": pending.count()},
    )


def _job(request, job_id, action="view"):
    _require(request)
    job = get_scoped_or_404(
        ImportJob.objects.select_related("organisation", "created_by"),
        request.user,
        action,
        pk=job_id,
    )
    # A job whose worker died shows as stopped, with its Resume button.
    return actions.recover_if_stale(job)


@login_required
def job_detail(request, job_id):
    job = _job(request, job_id)
    context = {"job": job, "outcomes": RowOutcome, "counts": job.exact_counts()}
    if job.status == JobStatus.DONE and job.counts.get("linked"):
        context["linked"] = _linked_rows(request, job)
    if job.status == JobStatus.MAPPING:
        context["mapping_form"] = MappingForm(headers=job.headers, mapping=job.mapping)
    elif job.status == JobStatus.CHECKED and job.unused_columns:
        context["unused_form"] = UnusedColumnsForm(columns_left=job.unused_columns)
    # A file that could not be read has no header row, hence no rows and no problems.
    if job.status in (JobStatus.CHECKED, JobStatus.DONE, JobStatus.FAILED) and job.headers:
        found = listing(
            request, job.problems.all(), ImportProblemFilter, per_page=PROBLEMS_PER_PAGE
        )
        context["problems"] = found["page_obj"]
        context["severity"] = chosen(found, "severity")
    return render(request, "imports/detail.html", context)


@login_required
@require_POST
def job_mapping(request, job_id):
    job = _job(request, job_id, CHANGE)
    form = MappingForm(request.POST, headers=job.headers, mapping=job.mapping)
    if form.is_valid() and perform(
        request, lambda: _map_and_check(request, job, form.mapping()), form=form
    ):
        return redirect("imports:detail", job_id=job.pk)
    return render(
        request,
        "imports/detail.html",
        {"job": job, "mapping_form": form, "outcomes": RowOutcome},
        status=422,
    )


@login_required
@require_POST
def job_unused_columns(request, job_id):
    """Map columns the check left unread, then check again: the same mapping action."""
    job = _job(request, job_id, CHANGE)
    form = UnusedColumnsForm(request.POST, columns_left=job.unused_columns)
    if not form.is_valid() or not form.mapping():
        messages.error(request, _("Choose a field for at least one column."))
        return redirect("imports:detail", job_id=job.pk)
    perform(
        request,
        lambda: _map_and_check(request, job, {**job.mapping, **form.mapping()}),
        success=_("The columns were mapped; the rows are checked again."),
    )
    return redirect("imports:detail", job_id=job.pk)


def _map_and_check(request, job, mapping):
    actions.set_mapping(job, mapping, acting_user=request.user)
    actions.start_check(job, acting_user=request.user)


def _linked_rows(request, job) -> list[tuple[ImportedRow, object]]:
    """The first rows linked to someone already registered, with that person as the
    officer may see them (masked by the registry's rule), for the report."""
    rows = list(
        ImportedRow.objects.filter(job=job, outcome=RowOutcome.LINKED).order_by("row")[
            :LINKED_SHOWN
        ]
    )
    people = linked_people(rows, request.user)
    audit_linked(people.values(), acting_user=request.user, what="import report")
    return [(r, people.get(r.person_id)) for r in rows]


@login_required
def job_rows(request, job_id):
    """Every row of the file and what became of it, filterable by outcome, with the
    person each row went to as the officer may see them (names masked by the registry's
    rule); the people a page names are one audit row."""
    job = _job(request, job_id)
    rows = ImportedRow.objects.filter(job=job).order_by("row")
    context = listing(request, rows, ImportedRowFilter, per_page=ROWS_PER_PAGE)
    # A bad outcome in the link lists every row (the filter ignores it).
    outcome = chosen(context, "outcome")
    page = context["page_obj"]
    people = linked_people(page.object_list, request.user)
    audit_linked(
        people.values(),
        acting_user=request.user,
        what="import rows",
        filters=["outcome"] if outcome else [],
    )
    shown = [(r, people.get(r.person_id)) for r in page.object_list]
    return render(
        request,
        "imports/rows.html",
        {
            **context,
            "job": job,
            "outcome": outcome,
            "outcomes": RowOutcome.choices,
            "shown": shown,
        },
    )


@login_required
def job_row(request, job_id, row):
    """Why one row went to the person it went to: the match weight and the waterfall
    under the job's model, and that person as the officer may see them."""
    job = _job(request, job_id)
    # Through the job, which the scoping layer already let this user see.
    found = get_object_or_404(ImportedRow, job=job, row=row)
    linked = LinkedRow(found)
    person = linked_people([found], request.user).get(found.person_id)
    if person is not None:
        record_read(person.person, acting_user=request.user, masked=not person.identity)
    return render(
        request,
        "imports/row.html",
        {
            "job": job,
            "found": found,
            "pair": linked,
            "parts": linked.parts(),
            "person": person,
        },
    )


def _run_and_report(request, job, operation, success: str):
    perform(request, lambda: operation(job, acting_user=request.user), success=success)
    return redirect("imports:detail", job_id=job.pk)


@login_required
@require_POST
def job_start(request, job_id):
    job = _job(request, job_id, CHANGE)
    return _run_and_report(request, job, actions.start_import, _("The import has started."))


@login_required
@require_POST
def job_cancel(request, job_id):
    job = _job(request, job_id, CHANGE)
    return _run_and_report(request, job, actions.cancel_job, _("The import was cancelled."))


@login_required
def job_progress(request, job_id):
    """The progress bar, polled by htmx; once the work is done the page reloads."""
    job = _job(request, job_id)
    response = render(request, "imports/_progress.html", {"job": job})
    if not job.is_busy:
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_rejected(request, job_id):
    """The rows not imported, as they were in the file, with the reasons: fix and
    upload them again, nothing is lost."""
    job = _job(request, job_id)
    if job.status not in (JobStatus.CHECKED, JobStatus.DONE, JobStatus.FAILED) or not job.headers:
        return redirect("imports:detail", job_id=job.pk)
    audit.record(AuditAction.READ, job, acting_user=request.user, message="rejected rows")

    class Echo:
        def write(self, value):
            return value

    writer = csv_writer(Echo())
    header = [_("Row"), *job.headers, _("Problems")]

    def stream():
        yield "\ufeff"  # so Excel opens the UTF-8 file with the right letters
        yield writer.writerow(header)
        for number, values, problems in rejected_rows(job):
            yield writer.writerow([number, *values, " | ".join(problems)])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-ditolak.csv"'
    return response


# The review queue --------------------------------------------------------------------


@login_required
def review_list(request):
    _require(request)
    data = queue_data(request.GET)
    filterset = LinkReviewFilter(data, queryset=queue_queryset(request.user), request=request)
    # A bad filter value is told, not a 500; the queue stays empty until it is fixed.
    reviews = filterset.qs if filterset.is_valid() else LinkReview.objects.none()
    page = paged(request, reviews)["page_obj"]
    pairs = present_pairs(page.object_list, request.user)
    audit_pairs(pairs, acting_user=request.user, what="review queue", filters=data)
    return render(
        request,
        "imports/reviews.html",
        {
            "page_obj": page,
            "pairs": pairs,
            "filterset": filterset,
            "status": data["status"],
            "ordering": data["ordering"],
            "statuses": ReviewStatus.choices,
            "orderings": ORDERINGS,
            # Ids and codes only: no name or NIK ever goes into a link.
            "query_string": urlencode(data),
        },
    )


@login_required
@require_POST
def review_scan(request):
    scope = _require(request)
    organisation = Organisation.objects.get(pk=scope.organisation_id)
    found = actions.find_duplicates(organisation, acting_user=request.user)
    messages.success(
        request, _("%(n)d possible duplicates were found and queued for review.") % {"n": found}
    )
    return redirect("imports:reviews")


@login_required
def review_detail(request, review_id):
    _require(request)
    review = get_scoped_or_404(
        queue_queryset(request.user),
        request.user,
        "view",
        pk=review_id,
    )
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decided = perform(
            request,
            lambda: actions.decide_review(
                review, form.cleaned_data["decision"], acting_user=request.user
            ),
            success=_("Decision saved."),
        )
        if decided:
            return redirect("imports:reviews")
    (pair,) = present_pairs([review], request.user, full_nik_allowed=True)
    record, candidate = pair.record, pair.candidate
    for view in (record, candidate):
        record_read(view.person, acting_user=request.user, masked=not view.identity)
    # The names come first on the page, each a link to the person (registry/review.html).
    rows = [
        (_("NIK"), nik_state(record)[1], nik_state(candidate)[1]),
        # Through the presenter: a masked record shows no sex (it can narrow a protected
        # child down), like everywhere else.
        (_("Sex"), record.sex, candidate.sex),
        (_("Birth"), record.birth, candidate.birth),
        (_("Place"), record.place, candidate.place),
    ]
    if pair.identity:
        rows += [
            (_("Mother's name"), review.record.mother_name, review.candidate.mother_name),
            (_("Father's name"), review.record.father_name, review.candidate.father_name),
            (_("No. KK"), review.record.kk_number, review.candidate.kk_number),
        ]
    return render(
        request,
        "imports/review.html",
        {
            "review": review,
            "pair": pair,
            "parts": pair.parts(),
            "rows": rows,
            "record": record,
            "candidate": candidate,
            "form": form,
        },
    )
