"""Business operations on imports and the review queue. The page, the API and the
``jejaring import`` command all call these."""

from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.core.files import size_and_limit
from jejaring.core.scoping import VIEW_IDENTITY, scope_for
from jejaring.regions.models import Region
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person

from . import columns, linkage
from .cleaning import WARNING
from .leases import Lease, LeaseLost, recover_stale_jobs
from .loading import Loader
from .models import (
    ColumnMapping,
    ImportJob,
    ImportProblem,
    JobStatus,
    LinkageModel,
    LinkageModelSource,
    LinkReview,
    ReviewStatus,
)
from .pipeline import PERSON_LINK_FIELDS, build_plan, link_record_from_person
from .policies import may_import
from .readers import ACCEPTED, check_file, open_sheet

logger = logging.getLogger(__name__)

# Problems are stored in batches of this many: every one is kept (the count is exact),
# and no list of a million model objects is built at once.
PROBLEM_BATCH = 1000


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 100 * 1024 * 1024)


def _require_importer(user, organisation) -> None:
    scope = scope_for(user)
    if not may_import(scope):
        raise PermissionDenied(_("Only data officers and office heads can import data."))
    if not scope.is_network_admin and scope.organisation_id != organisation.pk:
        raise PermissionDenied(_("You can import for your own organisation only."))


def layout_key(headers: list[str]) -> str:
    normalised = "\x1f".join(columns.normalise(h) for h in headers)
    return hashlib.sha256(normalised.encode()).hexdigest()


def upload_file(upload, *, organisation, acting_user, background: bool = False) -> ImportJob:
    """Store the file and propose a column mapping (the one saved for this layout, or a
    guess from the header names).

    With ``background`` (the page and the API) the request only checks what is cheap to
    check — the type and, for a workbook, its zip's table of contents — and the worker
    finds the header row (``run_read``): a 300 KB workbook may unpack to gigabytes. The
    job is "reading" meanwhile. Without it (the command) the header is found here.
    """
    _require_importer(acting_user, organisation)
    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ACCEPTED and extension != "xls":
        raise ValidationError(
            _("Only CSV and Excel (.xlsx) files can be imported; this file is .%(ext)s.")
            % {"ext": extension or "?"}
        )
    if upload.size > max_upload_bytes():
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
            % size_and_limit(upload.size, max_upload_bytes())
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(
        organisation=organisation,
        created_by=acting_user if acting_user and acting_user.is_authenticated else None,
        original_name=name,
        file_size=upload.size,
        file_sha256=digest.hexdigest(),
        file_type=extension,
        status=JobStatus.READING if background else JobStatus.MAPPING,
    )
    # Stored before the transaction: storage is not transactional (see attach_file).
    job.file.save(name, upload, save=False)
    try:
        job.file_type = check_file(job.file.path, name)
        if not background:
            _take_sheet(job, open_sheet(job.file.path, name))
    except ValidationError:
        job.file.delete(save=False)
        raise
    with transaction.atomic():
        job.save()
        audit.record_create(job, acting_user=acting_user, message=f"file {job.file_sha256[:12]}")
        if background:
            _enqueue(job, "read")
    return job


def _take_sheet(job: ImportJob, sheet) -> list[str]:
    """The header row found in the file, and the mapping proposed for it, onto the job.
    Returns the fields changed."""
    job.file_type, job.encoding, job.sheet_name = sheet.file_type, sheet.encoding, sheet.sheet_name
    job.header_row, job.headers, job.notes = sheet.header_row, sheet.headers, sheet.notes
    saved = ColumnMapping.objects.filter(
        organisation=job.organisation, layout_key=layout_key(sheet.headers)
    ).first()
    if saved:
        # The officer's own choice for this layout stands over any guess.
        job.mapping = saved.mapping
        job.notes = [*job.notes, _("The column mapping saved for this layout was used.")]
    else:
        # Only the codes the sample holds are looked up, not the whole region table.
        candidates = sorted(columns.region_code_candidates(sheet.sample))
        known: set[str] = set()
        for start in range(0, len(candidates), 1000):
            chunk = candidates[start : start + 1000]
            known.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
        job.mapping, notes = columns.recognise_by_content(
            sheet.headers, columns.guess_mapping(sheet.headers), sheet.sample, known
        )
        job.notes = [*job.notes, *notes]
    job.unused_columns = columns.unused_columns(sheet.headers, job.mapping)
    return [
        "file_type",
        "encoding",
        "sheet_name",
        "header_row",
        "headers",
        "notes",
        "mapping",
        "unused_columns",
    ]


def run_read(job: ImportJob, *, acting_user) -> ImportJob:
    """The worker's part of an upload: find the header row and propose the mapping.

    Memory is bounded by the reader's caps (``archive``: what a member may unpack to, cell
    length, columns), not by a process-wide limit that would hit the worker's other tasks.
    A file that cannot be read stops the job with the reason; the officer uploads again.
    """
    lease = Lease.take(job, JobStatus.READING)
    try:
        # A workbook without a declared size is read whole to find it out: minutes for a
        # large one, so the lease is renewed as the zip is read.
        sheet = open_sheet(job.file.path, job.original_name, on_read=lease.beat)
    except LeaseLost:
        raise
    except ValidationError as exc:
        failure = " ".join(exc.messages)
        with transaction.atomic():
            if lease.release(status=JobStatus.FAILED, failure=failure):
                job.status, job.failure = JobStatus.FAILED, failure
                audit.record(
                    AuditAction.UPDATE, job, acting_user=acting_user, message="file not readable"
                )
        logger.warning("import %s: the file cannot be read", job.pk)
        return job
    except Exception as exc:  # noqa: BLE001 - the officer must see that it stopped; re-raised
        lease.release(
            status=JobStatus.FAILED,
            failure=_("Reading the file stopped unexpectedly (%(kind)s). Upload it again.")
            % {"kind": type(exc).__name__},
        )
        raise
    fields = _take_sheet(job, sheet)
    with transaction.atomic():
        if not lease.release(status=JobStatus.MAPPING, **{f: getattr(job, f) for f in fields}):
            raise LeaseLost
        job.status = JobStatus.MAPPING
        audit.record(AuditAction.UPDATE, job, acting_user=acting_user, message="file read")
    return job


def recover_if_stale(job: ImportJob) -> ImportJob:
    """A busy job whose worker died (its lease expired) counts as stopped before anything
    decides on its status: the page, the API and the actions below all ask here."""
    if job.is_busy and recover_stale_jobs(job_ids=[job.pk]):
        job.refresh_from_db()
    return job


def _check_not_busy(job: ImportJob) -> None:
    recover_if_stale(job)
    if job.is_busy:
        raise ValidationError(_("This import is running; wait until it finishes."))
    if job.status in (JobStatus.DONE, JobStatus.CANCELLED):
        raise ValidationError(_("This import is finished; upload the file again to redo it."))


@transaction.atomic
def set_mapping(job: ImportJob, mapping: dict[str, str], *, acting_user) -> ImportJob:
    """Confirm which column is which; the mapping is remembered for this layout."""
    _require_importer(acting_user, job.organisation)
    _check_not_busy(job)
    known = {f.code for f in columns.FIELDS}
    cleaned: dict[str, str] = {}
    chosen: dict[str, str] = {}
    errors = []
    for header in job.headers:
        code = mapping.get(header) or ""
        if not code or code == columns.IGNORE:
            continue
        if code not in known:
            errors.append(_("“%(code)s” is not a field that can be imported.") % {"code": code})
            continue
        if code in chosen:
            errors.append(
                _("“%(a)s” and “%(b)s” are both mapped to %(field)s.")
                % {"a": chosen[code], "b": header, "field": columns.FIELDS_BY_CODE[code].label}
            )
            continue
        chosen[code] = header
        cleaned[header] = code
    unknown = set(mapping) - set(job.headers)
    if unknown:
        errors.append(_("The file has no column “%(name)s”.") % {"name": sorted(unknown)[0]})
    for label in columns.missing_required(cleaned):
        errors.append(_("Choose the column holding the %(field)s.") % {"field": label})
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(job)
    job.mapping = cleaned
    job.linkage_model = {}  # other columns, other records: the next check learns again
    job.unused_columns = columns.unused_columns(job.headers, cleaned)
    job.status = JobStatus.MAPPING
    job.save(update_fields=["mapping", "unused_columns", "status", "linkage_model"])
    ColumnMapping.objects.update_or_create(
        organisation=job.organisation,
        layout_key=layout_key(job.headers),
        defaults={"headers": job.headers, "mapping": cleaned, "updated_by": acting_user},
    )
    audit.record_update(job, before, acting_user=acting_user, message="mapping")
    return job


def _enqueue(job: ImportJob, phase: str) -> None:
    from .tasks import run_job_task

    transaction.on_commit(lambda: run_job_task.enqueue(job.pk, phase))


@transaction.atomic
def start_check(job: ImportJob, *, acting_user, background: bool = True) -> ImportJob:
    """The dry run: every row's problems, and what the import would do, writing nothing."""
    _require_importer(acting_user, job.organisation)
    _check_not_busy(job)
    missing = columns.missing_required(job.mapping)
    if missing:
        raise ValidationError(_("Choose the column holding the %(field)s.") % {"field": missing[0]})
    job.status, job.rows_done, job.failure = JobStatus.CHECKING, 0, ""
    job.lease_owner, job.lease_expires_at = "", None
    job.save(update_fields=["status", "rows_done", "failure", "lease_owner", "lease_expires_at"])
    audit.record(AuditAction.UPDATE, job, acting_user=acting_user, message="check started")
    if background:
        _enqueue(job, "check")
    return job


@transaction.atomic
def start_import(job: ImportJob, *, acting_user, background: bool = True) -> ImportJob:
    """Load the checked file. A stopped import (status failed) resumes from its last batch."""
    _require_importer(acting_user, job.organisation)
    resumable = recover_if_stale(job).resumable
    if job.status != JobStatus.CHECKED and not resumable:
        raise ValidationError(_("Check the file first; then import it."))
    if job.started_at is None:
        job.started_at = timezone.now()
        job.registry_max_person_id = Person.objects.aggregate(m=Max("pk"))["m"] or 0
    job.status, job.failure = JobStatus.IMPORTING, ""
    job.lease_owner, job.lease_expires_at = "", None
    job.save(
        update_fields=[
            "status",
            "failure",
            "started_at",
            "registry_max_person_id",
            "lease_owner",
            "lease_expires_at",
        ]
    )
    audit.record(
        AuditAction.UPDATE,
        job,
        acting_user=acting_user,
        message="import resumed" if resumable else "import started",
    )
    if background:
        _enqueue(job, "import")
    return job


@transaction.atomic
def cancel_job(job: ImportJob, *, acting_user) -> ImportJob:
    _require_importer(acting_user, job.organisation)
    _check_not_busy(job)
    job.status = JobStatus.CANCELLED
    job.save(update_fields=["status"])
    audit.record(AuditAction.UPDATE, job, acting_user=acting_user, message="cancelled")
    return job


def _progress(job: ImportJob, lease: Lease):
    def report(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done)
        lease.beat()

    return report


@contextmanager
def _working(job: ImportJob, status: str):
    """Hold the job's lease while its check or load runs. A failure is kept on the job for
    its page and the lease given up, unless another worker holds the job by now."""
    lease = Lease.take(job, status)
    try:
        yield lease
    except LeaseLost:
        raise
    except ValidationError as exc:
        _fail(job, " ".join(exc.messages), lease)
        raise
    except Exception as exc:  # noqa: BLE001 - the officer must see that it stopped; re-raised
        _fail(
            job,
            _("The import stopped unexpectedly (%(kind)s). Start it again to resume.")
            % {"kind": type(exc).__name__},
            lease,
        )
        raise


def _store_problems(job: ImportJob, plan) -> None:
    """Every problem of the plan, none left out: the officer must be able to see each."""
    ImportProblem.objects.filter(job=job).delete()
    problems = plan.problems
    for start in range(0, len(problems), PROBLEM_BATCH):
        ImportProblem.objects.bulk_create(
            [
                ImportProblem(
                    job=job,
                    row=p.row,
                    column=p.column[:200],
                    message=p.message,
                    severity=p.severity,
                )
                for p in problems[start : start + PROBLEM_BATCH]
            ]
        )


def run_check(job: ImportJob, *, acting_user) -> ImportJob:
    """The work of the dry run (in the background task, or inline from the command)."""
    with _working(job, JobStatus.CHECKING) as lease:
        plan = build_plan(job, acting_user, progress=_progress(job, lease))
        with transaction.atomic():
            # Still this worker's job: one presumed dead must not overwrite the report.
            lease.renew()
            _store_problems(job, plan)
            job.counts = plan.counts()
            job.column_report = plan.column_report
            # The import reuses the model the dry run learnt, so it decides as shown.
            job.linkage_model = plan.linkage_model
            job.total_rows = plan.total_rows
            job.rows_done = plan.total_rows
            job.problem_count = len(plan.problems)
            job.error_rows = plan.error_rows
            job.status = JobStatus.CHECKED
            job.checked_at = timezone.now()
            job.lease_owner, job.lease_expires_at = "", None
            job.save()
    return job


def run_import(job: ImportJob, *, acting_user) -> ImportJob:
    """The work of the import: the plan again (the registry may have changed since the
    dry run), then the batches from the resume point on."""
    with _working(job, JobStatus.IMPORTING) as lease:
        plan = build_plan(job, acting_user, progress=lambda done: lease.beat())
        if job.linkage_model != plan.linkage_model:
            # Kept before any batch: a resumed import must link with the very same model.
            job.linkage_model = plan.linkage_model
            ImportJob.objects.filter(pk=job.pk).update(linkage_model=plan.linkage_model)
        lease.renew(total_rows=len(plan.records), rows_done=job.next_index)
        job.total_rows = len(plan.records)
        Loader(job, plan, acting_user, lease=lease).run(progress=None)
        _finish_import(job, plan, lease, acting_user)
    return job


def _finish_import(job: ImportJob, plan, lease: Lease, acting_user) -> None:
    with transaction.atomic():
        lease.renew()
        # Each batch stored its rows' problems whole, the ones loading added too (a
        # service the cases rules refused, a linked row's NIK): the stored list is the
        # exact, complete one.
        stored = ImportProblem.objects.filter(job=job)
        job.problem_count = stored.count()
        job.counts = {
            **plan.counts(),
            "problems": job.problem_count,
            "warnings": stored.filter(severity=WARNING).count(),
        }
        job.column_report = plan.column_report
        job.error_rows = plan.error_rows
        job.status = JobStatus.DONE
        if plan.linkage_model:
            # Kept with the job, so any link or review pair of this run can be explained.
            LinkageModel.objects.create(
                organisation=job.organisation,
                source=LinkageModelSource.IMPORT,
                job=job,
                params=plan.linkage_model,
                records=plan.linkage_model.get("records", 0),
                pairs=plan.linkage_model.get("pairs", 0),
            )
        job.finished_at = timezone.now()
        job.rows_done = job.total_rows
        job.lease_owner, job.lease_expires_at = "", None
        job.save()
        audit.record(AuditAction.UPDATE, job, acting_user=acting_user, message="import done")
        _tell_uploader(job, finished=True)


def run_phase(job_id: int, phase: str) -> None:
    """Run the check or the import of a job; a failure is kept on the job for its page
    (by ``_working``). A job another worker holds, or one stopped meanwhile, is left alone."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    user = job.created_by
    try:
        if phase == "read":
            run_read(job, acting_user=user)
        elif phase == "check":
            run_check(job, acting_user=user)
        else:
            run_import(job, acting_user=user)
    except LeaseLost:
        logger.warning("import %s not run: another worker holds it, or it was stopped", job.pk)
    except ValidationError:
        pass  # kept on the job, for its page


def _fail(job: ImportJob, message: str, lease: Lease | None = None) -> None:
    status = JobStatus.FAILED if job.started_at else JobStatus.MAPPING
    if lease is not None:
        # Only while this worker still holds the job: one presumed dead must not mark
        # failed a job that was resumed elsewhere.
        if not lease.release(status=status, failure=message):
            return
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=status, failure=message)
    logger.warning("import %s stopped: %s", job.pk, message)
    _tell_uploader(job, finished=False)


def _tell_uploader(job: ImportJob, *, finished: bool) -> None:
    """The uploader hears the import finished (with its counts) or stopped. The reason
    it stopped is on the job's page, not in the notice: it can quote the file's cells."""
    from django.urls import reverse

    from jejaring.core.notifications import Kind, notify

    if job.created_by is None:
        return
    counts = job.counts if finished else {}
    notify(
        [job.created_by],
        Kind.IMPORT_FINISHED if finished else Kind.IMPORT_FAILED,
        {
            "job": job.pk,
            "file": job.original_name,
            **{k: counts.get(k, 0) for k in ("created", "linked", "review")},
        },
        url=reverse("imports:detail", args=[job.pk]),
        key=f"import:{job.pk}:done" if finished else "",
    )


# The review queue ------------------------------------------------------------------


@transaction.atomic
def decide_review(review: LinkReview, decision: str, *, acting_user) -> LinkReview:
    """Merge the two records (reversibly, through the registry) or keep them apart."""
    _require_importer(acting_user, review.organisation)
    review = LinkReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise ValidationError(_("This pair has already been decided."))
    before = audit.snapshot(review)
    if decision == ReviewStatus.MERGED:
        review.merge = registry_actions.merge_persons(
            review.candidate, review.record, acting_user=acting_user
        )
    elif decision != ReviewStatus.KEPT_APART:
        raise ValidationError(_("Choose merge or keep apart."))
    review.status = decision
    review.decided_by = acting_user
    review.decided_at = timezone.now()
    review.save()
    audit.record_update(review, before, acting_user=acting_user, parent=review.record)
    return review


def find_duplicates(organisation, *, acting_user) -> int:
    """Linkage on demand: the people the user sees in full, compared with each other;
    pairs likely to be one person go to the review queue. Returns the pairs queued.

    The model is learnt from these people, with the pairs reviewers have decided as
    labelled pairs, and stored: the entry guard and small imports use the latest one."""
    from .training import labelled_pairs

    _require_importer(acting_user, organisation)
    people = Person.objects.restrict(acting_user, VIEW_IDENTITY).filter(merged_into__isnull=True)
    rows = people.values_list(*PERSON_LINK_FIELDS).iterator(chunk_size=5000)
    records = [link_record_from_person(*row) for row in rows]
    confirmed, rejected = labelled_pairs(organisation)
    model = linkage.train(records, confirmed=confirmed, rejected=rejected)
    matches = linkage.link_within(records, model)
    with transaction.atomic():
        LinkageModel.objects.create(
            organisation=organisation,
            source=LinkageModelSource.REGISTRY,
            params=model.to_dict(),
            records=model.records,
            pairs=model.pairs,
        )
        before = LinkReview.objects.filter(organisation=organisation).count()
        LinkReview.objects.bulk_create(
            [
                LinkReview(
                    organisation=organisation,
                    # The later registration is the one to fold into the earlier.
                    record_id=max(records[m.a].ref, records[m.b].ref),
                    candidate_id=min(records[m.a].ref, records[m.b].ref),
                    score=round(m.score, 2),
                    reasons=list(m.reasons),
                    evidence=[[p.comparison, p.level, round(p.weight, 2)] for p in m.parts],
                )
                for m in matches
            ],
            ignore_conflicts=True,
        )
        audit.record(
            AuditAction.READ,
            None,
            acting_user=acting_user,
            object_type="registry.person",
            message=f"duplicate scan over {len(records)} people: {len(matches)} pairs",
        )
        # Pairs already in the queue (or decided) are not proposed again.
        return LinkReview.objects.filter(organisation=organisation).count() - before
