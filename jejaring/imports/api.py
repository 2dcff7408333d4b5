"""Imports and the review queue under /api/v1/imports/: the same actions as the pages."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from jejaring.core.scoping import CHANGE, get_scoped_or_404, scope_for
from jejaring.network.models import Organisation

from . import actions
from .models import ImportJob, ImportProblem, LinkReview, ReviewStatus
from .policies import may_import

router = Router(tags=["imports & record linkage"])


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
    counts: dict[str, int]
    problem_count: int
    error_rows: int
    failure: str
    created_at: datetime.datetime
    checked_at: datetime.datetime | None
    finished_at: datetime.datetime | None


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


class ReviewOut(Schema):
    id: int
    record: int = Field(..., alias="record_id")
    candidate: int = Field(..., alias="candidate_id")
    score: float
    reasons: list[str]
    job: int | None = Field(None, alias="job_id")
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
@paginate(LimitOffsetPagination)
def list_jobs(request):
    # Jobs whose worker died are listed as stopped, not as running for ever.
    actions.recover_stale_jobs()
    return ImportJob.objects.restrict(request.auth)


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
@paginate(LimitOffsetPagination)
def problems(request, job_id: int, severity: Literal["error", "warning"] | None = None):
    job = get_scoped_or_404(ImportJob, request.auth, pk=job_id)
    found = ImportProblem.objects.filter(job=job)
    return found.filter(severity=severity) if severity else found


@router.get("/reviews", response=list[ReviewOut], summary="Possible duplicates to review")
@paginate(LimitOffsetPagination)
def reviews(request, status: Literal["pending", "merged", "kept_apart"] = "pending"):
    return LinkReview.objects.restrict(request.auth).filter(status=status)


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
    return actions.decide_review(review, ReviewStatus(payload.decision), acting_user=request.auth)
