"""Imports and the review queue under /api/v1/imports/: the same actions as the pages."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from jejaring.core.api_helpers import paged
from jejaring.core.filtering import filtered
from jejaring.core.scoping import CHANGE, get_scoped_or_404, scope_for
from jejaring.network.models import Organisation

from . import actions, linkage
from .filters import (
    ImportedRowFilter,
    ImportJobFilter,
    ImportProblemFilter,
    LinkReviewFilter,
    queue_data,
    queue_queryset,
)
from .models import (
    ImportedRow,
    ImportJob,
    ImportProblem,
    JobStatus,
    LinkReview,
    ReviewStatus,
    RowOutcome,
)
from .policies import may_import
from .review_pairs import audit_pairs, present_pairs

router = Router(tags=["imports & record linkage"])


class ColumnReportOut(Schema):
    column: str
    field: str
    kept: int
    set_aside: int
    reasons: dict[str, int] = Field(..., description="why values were set aside: message → rows")


class JobOut(Schema):
    id: int
    organisation: int = Field(..., alias="organisation_id")
    file_name: str = Field(..., alias="original_name")
    file_type: str
    file_size: int
    encoding: str
    sheet_name: str
    header_row: int
    headers: list[str]
    mapping: dict[str, str]
    notes: list[str]
    status: str
    resumable: bool = Field(
        ..., description="a stopped import (error, crash, restart): POST /{id}/import resumes it"
    )
    total_rows: int
    rows_done: int
    percent: int
    counts: dict[str, int] = Field(
        ...,
        description=(
            "exact: rows, created, linked, review (pairs stored for review once imported; "
            "pairs found in a dry run), review_rows, same_in_file, already, refused, problems"
        ),
    )
    problem_count: int
    error_rows: int
    unused_columns: list[str] = Field(
        ..., description="columns no field reads: map them with PUT /{id}/mapping"
    )
    column_report: list[ColumnReportOut]
    failure: str
    created_at: datetime.datetime
    checked_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_counts(job) -> dict[str, int]:
        return job.exact_counts()


# The counts every summary holds, zero when the run had none.
class RowProblemOut(Schema):
    column: str = Field("", description="the column's label; empty for the row as a whole")
    message: str
    severity: str = Field("", description="error (the row refused) or warning")


class RowEvidenceOut(Schema):
    comparison: str
    level: str
    label: str
    weight: float


class RowOut(Schema):
    row: int = Field(..., description="the row number the spreadsheet shows")
    outcome: str
    person: int | None = Field(..., alias="person_id")
    problems: list[RowProblemOut]
    weight: float | None = Field(
        None, description="the match weight (log2 odds) of the link, when the model linked it"
    )
    evidence: list[RowEvidenceOut] = Field(
        default_factory=list, description="each comparison's part of the weight"
    )

    @staticmethod
    def resolve_evidence(obj) -> list[dict]:
        return [
            {
                "comparison": c,
                "level": level,
                "label": str(linkage.LEVEL_LABELS.get((c, level), level)),
                "weight": w,
            }
            for c, level, w in obj.evidence
        ]


class ProblemOut(Schema):
    row: int
    column: str
    message: str
    severity: str


class MappingIn(Schema):
    mapping: dict[str, str] = Field(
        ..., description="column label → field code (see /imports/fields); '' skips a column"
    )
    check: bool = Field(True, description="start the dry run right away")


class FieldOut(Schema):
    code: str
    label: str


class ReviewPersonOut(Schema):
    id: int
    name: str = Field(..., description="initials and '(dilindungi)' where the identity is hidden")
    identity_protected: bool
    birth: str
    sex: str | None = Field(..., description="null where the identity is hidden")
    place: str
    nik: str = Field(..., description="masked as on the person's record, with its state")
    nik_state: Literal["verified", "unverified", "none"]


class EvidenceOut(Schema):
    comparison: str
    level: str
    label: str
    weight: float = Field(..., description="this comparison's part of the match weight (log2)")


class ReviewOut(Schema):
    id: int
    record: int
    candidate: int
    score: float = Field(..., description="the match weight (same as `weight`)")
    weight: float = Field(..., description="the match weight: log2 odds that they are one person")
    probability: float
    reasons: list[str] = Field(..., description="empty where either identity is hidden")
    evidence: list[EvidenceOut] = Field(
        ..., description="each comparison's part; empty where either identity is hidden"
    )
    new_record: ReviewPersonOut
    existing_record: ReviewPersonOut
    job: int | None
    status: str
    decided_at: datetime.datetime | None


class DecisionIn(Schema):
    decision: Literal["merged", "kept_apart"]


class ScanOut(Schema):
    queued: int


def _importer_organisation(user) -> Organisation:
    scope = scope_for(user)
    if not may_import(scope) or not scope.organisation_id:
        raise PermissionDenied(_("Only data officers and office heads can import data."))
    return Organisation.objects.get(pk=scope.organisation_id)


@router.get("/fields", response=list[FieldOut], summary="The fields a column can be mapped to")
def fields(request):
    from .columns import FIELDS

    return [{"code": f.code, "label": str(f.label)} for f in FIELDS]


@router.get("/", response=list[JobOut], summary="Imports of my organisation")
@paged
def list_jobs(request, status: JobStatus | None = None):
    # Jobs whose worker died are listed as stopped, not as running for ever.
    actions.recover_stale_jobs()
    # The stored review pairs in the same query as the jobs, for their exact counts.
    jobs = ImportJob.objects.restrict(request.auth).annotate(stored_reviews=Count("reviews"))
    return filtered(ImportJobFilter, _given(status=status), jobs, request=request)


def _given(**values) -> dict:
    """The query parameters a request set, for a FilterSet (unset ones filter nothing)."""
    return {key: value for key, value in values.items() if value is not None}


@router.post(
    "/",
    response={201: JobOut},
    summary="Upload a CSV or .xlsx file; the header row is found and columns mapped",
    description=(
        "The file is stored and its type checked; a worker then reads it. Meanwhile the "
        "job's status is `reading`: poll `GET /imports/{id}` until it is `mapping` (the "
        "headers and the proposed mapping are filled in) or `failed` (`failure` says why)."
    ),
)
def upload(request, file: File[UploadedFile]):
    organisation = _importer_organisation(request.auth)
    job = actions.upload_file(
        file, organisation=organisation, acting_user=request.auth, background=True
    )
    return Status(201, job)


@router.get("/{int:job_id}", response=JobOut, summary="An import: status, progress, counts")
def get_job(request, job_id: int):
    return actions.recover_if_stale(get_scoped_or_404(ImportJob, request.auth, pk=job_id))


@router.put("/{int:job_id}/mapping", response=JobOut, summary="Confirm the column mapping")
def set_mapping(request, job_id: int, payload: MappingIn):
    job = get_scoped_or_404(ImportJob, request.auth, CHANGE, pk=job_id)
    actions.set_mapping(job, payload.mapping, acting_user=request.auth)
    if payload.check:
        actions.start_check(job, acting_user=request.auth)
    return job


@router.post("/{int:job_id}/check", response=JobOut, summary="Start the dry run (background)")
def check(request, job_id: int):
    job = get_scoped_or_404(ImportJob, request.auth, CHANGE, pk=job_id)
    return actions.start_check(job, acting_user=request.auth)


@router.post(
    "/{int:job_id}/import",
    response=JobOut,
    summary="Import the checked rows (background); resumes a stopped import",
)
def start(request, job_id: int):
    job = get_scoped_or_404(ImportJob, request.auth, CHANGE, pk=job_id)
    return actions.start_import(job, acting_user=request.auth)


@router.post("/{int:job_id}/cancel", response=JobOut, summary="Cancel an import not yet loaded")
def cancel(request, job_id: int):
    job = get_scoped_or_404(ImportJob, request.auth, CHANGE, pk=job_id)
    return actions.cancel_job(job, acting_user=request.auth)


@router.get(
    "/{int:job_id}/problems", response=list[ProblemOut], summary="Problems by row and column"
)
@paged
def problems(request, job_id: int, severity: Literal["error", "warning"] | None = None):
    job = get_scoped_or_404(ImportJob, request.auth, pk=job_id)
    found = ImportProblem.objects.filter(job=job)
    return filtered(ImportProblemFilter, _given(severity=severity), found, request=request)


@router.get(
    "/{int:job_id}/rows",
    response=list[RowOut],
    summary="Every row of an import and what became of it",
    description=(
        "One item per data row of the file, in file order: `row` is the number the "
        "spreadsheet shows (header in row 1: first data row 2), `person` the registry "
        "record the row went to (null for a refused row). Rows are listed once the "
        "import has loaded them."
    ),
)
@paginate(PageNumberPagination)
def rows(request, job_id: int, outcome: RowOutcome | None = None):
    job = get_scoped_or_404(ImportJob, request.auth, pk=job_id)
    found = ImportedRow.objects.filter(job=job).order_by("row")
    return filtered(ImportedRowFilter, _given(outcome=outcome), found, request=request)


@router.get(
    "/reviews",
    response=list[ReviewOut],
    summary="Possible duplicates to review, the most doubtful first",
    description=(
        "`ordering=doubt` (default): probability nearest 50% first; `-weight`: the most "
        "alike first. Each page read is audited."
    ),
)
@paged
def reviews(
    request,
    status: Literal["pending", "merged", "kept_apart"] = "pending",
    ordering: Literal["doubt", "-weight"] = "doubt",
    job: int | None = None,
):
    data = queue_data({"status": status, "ordering": ordering, "job": job})
    found = filtered(LinkReviewFilter, data, queue_queryset(request.auth), request=request)
    return _PresentedPairs(found, request.auth, filters=data)


class _PresentedPairs:
    """Paginates like a queryset, then shows each page's pairs as the page does (masked
    by the presenter); the page is one audit row naming its people."""

    def __init__(self, queryset, user, *, filters: dict):
        self.queryset, self.user, self.filters = queryset, user, filters

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        pairs = present_pairs(self.queryset[item], self.user)
        audit_pairs(pairs, acting_user=self.user, what="api review queue", filters=self.filters)
        return [pair.as_dict() for pair in pairs]


@router.post(
    "/reviews/scan",
    response=ScanOut,
    summary="Look for duplicates among the people my organisation sees in full",
)
def scan(request):
    organisation = _importer_organisation(request.auth)
    return {"queued": actions.find_duplicates(organisation, acting_user=request.auth)}


@router.post(
    "/reviews/{int:review_id}/decision",
    response=ReviewOut,
    summary="Merge the pair (reversible) or keep it apart",
)
def decide(request, review_id: int, payload: DecisionIn):
    review = get_scoped_or_404(LinkReview, request.auth, CHANGE, pk=review_id)
    review = actions.decide_review(review, ReviewStatus(payload.decision), acting_user=request.auth)
    (pair,) = present_pairs([review], request.auth)
    return pair.as_dict()
