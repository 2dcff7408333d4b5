"""Carrying out a plan: rows go into the registry batch by batch.

Each batch is one transaction holding the new people, their categories, the cases and
services of the rows, the review-queue entries, the ``ImportedRow`` bookkeeping, the
job's resume point and an audit row. A batch is there entirely or not at all, so an
import stopped by anything (a crash, a restart, a deploy) resumes at the first batch
that did not commit, and never leaves half a batch behind.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, CaseState, ServiceType
from jejaring.reference.models import PmksCategory
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person, PersonCategory, VerificationStatus

from . import bulk
from .cleaning import ERROR, Record
from .models import ImportedRow, ImportJob, ImportProblem, LinkReview, RowOutcome
from .pipeline import Plan

# Rows per batch (one transaction each); IMPORT_BATCH_SIZE overrides it.
BATCH_SIZE = int(getattr(settings, "IMPORT_BATCH_SIZE", 5000))
NEW_PERSON = (RowOutcome.CREATED, RowOutcome.REVIEW)


def _new_person(record: Record, organisation_id: int, sensitive: set[int]) -> dict:
    """A registry person's columns from a cleaned row (str() turns choices into the
    plain text the database stores)."""
    return {
        "registered_by_id": organisation_id,
        "nik": record.nik,
        "kk_number": record.kk_number,
        "full_name": record.full_name,
        "name_key": record.name_key,
        "search_key": record.name_key,
        "sex": record.sex,
        "birth_date": record.birth_date,
        "birth_date_precision": str(record.birth_date_precision),
        "birth_year": record.birth_date.year if record.birth_date else None,
        "birthplace": record.birthplace,
        "region_id": record.region_code or None,
        "address": record.address,
        "mother_name": record.mother_name,
        "father_name": record.father_name,
        "guardian_name": record.guardian_name,
        "disability": record.disability,
        "phone": record.phone,
        "is_sensitive": record.category_id in sensitive,
        "nik_shared_with_id": record.nik_shared_with,
    }


class Loader:
    """Loads one job's plan from its resume point on."""

    def __init__(self, job: ImportJob, plan: Plan, acting_user, lease=None):
        self.job = job
        self.plan = plan
        self.user = acting_user
        # The worker's hold on the job (leases.Lease), renewed by every batch.
        self.lease = lease
        self.sensitive = set(
            PmksCategory.objects.filter(is_sensitive=True).values_list("pk", flat=True)
        )
        self.categories = PmksCategory.objects.in_bulk()
        self.service_types = ServiceType.objects.in_bulk()
        # Rows already loaded by earlier batches of this job (a resumed import).
        by_row = dict(ImportedRow.objects.filter(job=job).values_list("row", "person_id"))
        self.person_of: dict[int, int] = {
            i: by_row[r.row] for i, r in enumerate(plan.records) if r.row in by_row
        }
        # File review pairs are written with the batch holding their later row.
        self.reviews_by_end: dict[int, list] = {}
        for match in plan.file_review:
            self.reviews_by_end.setdefault(max(match.a, match.b), []).append(match)

    def run(self, progress=None) -> None:
        total = len(self.plan.records)
        start = self.job.next_index
        while start < total:
            end = min(start + BATCH_SIZE, total)
            if self.lease is not None:
                self.lease.beat()
            self._load_batch(start, end)
            start = end
            if progress:
                progress(end)

    @transaction.atomic
    def _load_batch(self, start: int, end: int) -> None:
        plan, job = self.plan, self.job
        records = plan.records
        indexes = range(start, end)
        new = [i for i in indexes if plan.outcome[i] in NEW_PERSON]
        people = [_new_person(records[i], job.organisation_id, self.sensitive) for i in new]
        for i, person_id in zip(new, bulk.insert(Person, people), strict=True):
            self.person_of[i] = person_id
        for i in indexes:
            outcome = plan.outcome[i]
            if outcome in (RowOutcome.LINKED, RowOutcome.ALREADY_IMPORTED):
                self.person_of[i] = plan.target[i]
            elif outcome == RowOutcome.SAME_IN_FILE:
                self.person_of[i] = self.person_of[plan.target[i]]
        self._categories(indexes, set(new))
        # New people whose NIK a record hidden from the importer holds: audited, and
        # that record's handlers told (after the categories: sensitivity decides).
        registry_actions.note_shared_niks(
            {self.person_of[i]: records[i].nik_shared_with for i in new},
            organisation_id=job.organisation_id,
            acting_user=self.user,
        )
        problems = self._cases_and_services(indexes)
        self._reviews(indexes)
        bulk.insert(
            ImportedRow,
            [
                {
                    "job_id": job.pk,
                    "organisation_id": job.organisation_id,
                    "row": records[i].row,
                    "fingerprint": records[i].fingerprint,
                    "person_id": self.person_of[i],
                    "outcome": str(plan.outcome[i]),
                }
                for i in indexes
            ],
        )
        if problems:
            ImportProblem.objects.bulk_create(problems)
        first, last = records[start].row, records[end - 1].row
        audit.record(
            AuditAction.CREATE,
            job,
            acting_user=self.user,
            object_type="registry.person",
            object_id=f"import {job.pk}: {first}-{last}"[:64],
            message=(
                f"import #{job.pk} rows {first}-{last}: {len(new)} people created, "
                f"{end - start - len(new)} rows linked to existing people"
            ),
        )
        if self.lease is not None:
            # The resume point moves with the lease, inside the batch's transaction: a
            # worker that lost its lease (presumed dead, the job resumed elsewhere) rolls
            # its batch back instead of loading those rows twice.
            self.lease.renew(next_index=end, rows_done=end)
        else:
            ImportJob.objects.filter(pk=job.pk).update(next_index=end, rows_done=end)
        job.next_index = job.rows_done = end

    def _categories(self, indexes, new: set[int]) -> None:
        records, plan = self.plan.records, self.plan
        today = timezone.localdate()
        fresh, existing = [], []
        for i in indexes:
            category_id = records[i].category_id
            if category_id is None or plan.outcome[i] == RowOutcome.ALREADY_IMPORTED:
                continue
            held = {
                "person_id": self.person_of[i],
                "category_id": category_id,
                "start_date": today,
                "status": str(VerificationStatus.UNVERIFIED),
            }
            if i in new:
                fresh.append(held)
            else:
                existing.append(PersonCategory(**held))
        # A new person holds each category once (the same row twice is SAME_IN_FILE).
        bulk.insert(PersonCategory, fresh)
        if existing:
            PersonCategory.objects.bulk_create(existing, ignore_conflicts=True, batch_size=500)
            sensitive_people = {h.person_id for h in existing if h.category_id in self.sensitive}
            if sensitive_people:
                Person.objects.filter(pk__in=sensitive_people, is_sensitive=False).update(
                    is_sensitive=True
                )

    def _cases_and_services(self, indexes) -> list[ImportProblem]:
        """Rows with a service or case notes open (or reuse) the organisation's case and
        record the service through the cases app's own actions: the same rules, the SPM
        recount and the audit rows as a service entered by hand."""
        problems = []
        records, plan = self.plan.records, self.plan
        for i in indexes:
            record = records[i]
            if plan.outcome[i] == RowOutcome.ALREADY_IMPORTED or record.category_id is None:
                continue
            if not (record.service_type_id or record.case_summary):
                continue
            try:
                with transaction.atomic():
                    case = self._case_for(record, self.person_of[i])
                    if record.service_type_id:
                        case_actions.record_service(
                            case,
                            self.service_types[record.service_type_id],
                            record.service_date,
                            quantity=record.quantity,
                            acting_user=self.user,
                        )
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                problems.extend(
                    ImportProblem(
                        job_id=self.job.pk, row=record.row, column="", message=m, severity=ERROR
                    )
                    for m in messages
                )
        return problems

    def _case_for(self, record: Record, person_id: int) -> Case:
        case = (
            Case.objects.filter(
                person_id=person_id,
                organisation_id=self.job.organisation_id,
                category_id=record.category_id,
            )
            .exclude(state=CaseState.CLOSED)
            .first()
        )
        if case is not None:
            return case
        return case_actions.open_case(
            Person.objects.get(pk=person_id),
            self.categories[record.category_id],
            organisation=self.job.organisation,
            acting_user=self.user,
            summary=record.case_summary,
        )

    def _reviews(self, indexes) -> None:
        plan, job = self.plan, self.job
        reviews = []
        for i in indexes:
            match = plan.registry_review.get(i)
            if match is not None:
                reviews.append((self.person_of[i], match.b, match))
            for match in self.reviews_by_end.get(i, ()):
                reviews.append(
                    (
                        self.person_of[max(match.a, match.b)],
                        self.person_of[min(match.a, match.b)],
                        match,
                    )
                )
        LinkReview.objects.bulk_create(
            [
                LinkReview(
                    organisation_id=job.organisation_id,
                    record_id=record,
                    candidate_id=candidate,
                    score=round(match.score, 2),
                    reasons=list(match.reasons),
                    job=job,
                )
                for record, candidate, match in reviews
                if record != candidate
            ],
            ignore_conflicts=True,
        )
