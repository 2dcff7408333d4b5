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
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, CaseState, ServiceType
from jejaring.reference.models import PmksCategory
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person, PersonCategory, VerificationStatus

from . import bulk
from .cleaning import (
    KEPT_UNVERIFIED,
    SERVICE_SET_ASIDE,
    UNVERIFIED_REASON_MAX,
    WARNING,
    Problem,
    Record,
)
from .models import ImportedRow, ImportJob, ImportProblem, LinkReview, RowOutcome
from .pipeline import Plan

# Rows per batch (one transaction each); IMPORT_BATCH_SIZE overrides it.
BATCH_SIZE = int(getattr(settings, "IMPORT_BATCH_SIZE", 5000))
NEW_PERSON = (RowOutcome.CREATED, RowOutcome.REVIEW)
# Rows that went to a person who already exists (in the registry, or from an earlier row).
TO_A_PERSON = (RowOutcome.LINKED, RowOutcome.SAME_IN_FILE, RowOutcome.ALREADY_IMPORTED)


def _new_person(record: Record, organisation_id: int, sensitive: set[int]) -> dict:
    """A registry person's columns from a cleaned row (str() turns choices into the
    plain text the database stores)."""
    return {
        "registered_by_id": organisation_id,
        "nik": record.nik,
        "nik_unverified": record.nik_unverified,
        "nik_unverified_reason": record.nik_unverified_reason,
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
        "rt": record.rt,
        "rw": record.rw,
        "mother_name": record.mother_name,
        "father_name": record.father_name,
        "guardian_name": record.guardian_name,
        "disability": record.disability,
        "phone": record.phone,
        "is_sensitive": record.category_id in sensitive,
        "nik_shared_with_id": record.nik_shared_with,
    }


def _json(model, name: str, value):
    """A JSON column's value for ``bulk.insert``: PostgreSQL's COPY takes it adapted as
    jsonb (a bare list would be sent as an array); elsewhere the model instance does it."""
    if connection.vendor != "postgresql":
        return value
    return model._meta.get_field(name).get_db_prep_value(value, connection)


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
        # The row creating a person with each verified NIK: a person linked earlier in the
        # file must not take that NIK first (the new person would then break the one
        # living record per NIK rule).
        self.nik_owner: dict[str, int] = {}
        for i, record in enumerate(plan.records):
            if record.nik and plan.outcome[i] in NEW_PERSON:
                self.nik_owner.setdefault(record.nik, i)
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
            elif outcome == RowOutcome.REFUSED:
                self.person_of[i] = None  # traceable all the same: an ImportedRow, no person
        self._categories(indexes, set(new))
        # New people whose NIK a record hidden from the importer holds: audited, and
        # that record's handlers told (after the categories: sensitivity decides).
        registry_actions.note_shared_niks(
            {self.person_of[i]: records[i].nik_shared_with for i in new},
            organisation_id=job.organisation_id,
            acting_user=self.user,
        )
        added = self._settle_niks(indexes)
        for item in self._cases_and_services(indexes):
            added.setdefault(item[0], []).append(item[1])
        self._reviews(indexes)
        row_problems = {i: [*records[i].problems, *added.get(i, ())] for i in indexes}
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
                    "problems": _json(
                        ImportedRow, "problems", [p.as_json() for p in row_problems[i]]
                    ),
                    **self._link_evidence(i),
                }
                for i in indexes
            ],
        )
        first, last = records[start].row, records[end - 1].row
        # The batch's rows' problems replace those the check stored for them: the import
        # judged them against the registry as it is now. All of them, in this transaction,
        # so the stored list is complete and a resumed import stores none twice.
        ImportProblem.objects.filter(job=job, row__gte=first, row__lte=last).delete()
        ImportProblem.objects.bulk_create(
            [
                ImportProblem(
                    job_id=job.pk,
                    row=p.row,
                    column=p.column[:200],
                    message=p.message,
                    severity=p.severity,
                )
                for i in indexes
                for p in row_problems[i]
            ],
            batch_size=1000,
        )
        refused = sum(1 for i in indexes if plan.outcome[i] == RowOutcome.REFUSED)
        audit.record(
            AuditAction.CREATE,
            job,
            acting_user=self.user,
            object_type="registry.person",
            object_id=f"import {job.pk}: {first}-{last}"[:64],
            message=(
                f"import #{job.pk} rows {first}-{last}: {len(new)} people created, "
                f"{end - start - len(new) - refused} rows linked to existing people, "
                f"{refused} rows refused"
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

    def _settle_niks(self, indexes) -> dict[int, list[Problem]]:
        """A row never silently loses its NIK. A row that went to an existing person
        gives that person its NIK where the person has none and nobody else holds it;
        otherwise the row's NIK is kept on the person as unverified, with the reason; and
        where the person already has an unverified NIK too, the row says which NIK was
        not stored and why. Returns the problems added, by record index."""
        plan, records, job = self.plan, self.plan.records, self.job
        rows = [
            i
            for i in indexes
            if plan.outcome[i] in TO_A_PERSON and (records[i].nik or records[i].nik_unverified)
        ]
        if not rows:
            return {}
        state = {
            pk: {"nik": nik, "nik_unverified": unverified, "reason": reason}
            for pk, nik, unverified, reason in Person.objects.filter(
                pk__in={self.person_of[i] for i in rows}
            ).values_list("pk", "nik", "nik_unverified", "nik_unverified_reason")
        }
        niks = {records[i].nik for i in rows if records[i].nik}
        holders = dict(
            Person.objects.filter(nik__in=niks, merged_into__isnull=True)
            .order_by("-pk")
            .values_list("nik", "pk")
        )
        label = self.plan.labels.get("nik", "NIK")
        added: dict[int, list[Problem]] = {}
        changed: dict[int, dict] = {}
        shared: dict[int, int] = {}

        def note(i, message, kept):
            added.setdefault(i, []).append(
                Problem(records[i].row, label, message, WARNING, kept=kept, field="nik")
            )

        for i in rows:
            record, pk = records[i], self.person_of[i]
            person = state.get(pk)
            if person is None:
                continue
            digits = record.nik or record.nik_unverified
            if digits in (person["nik"], person["nik_unverified"]):
                continue
            if record.nik and not person["nik"]:
                owner = self.nik_owner.get(record.nik)
                holder = holders.get(record.nik)
                if owner is not None and self.person_of.get(owner) != pk:
                    holder = self.person_of.get(owner) or -1  # created later in this file
                if holder in (None, pk) or record.nik_shared_with:
                    # Nobody else holds it, or only a record the importer may not see:
                    # the NIK is given as a new person would get it (no oracle).
                    person["nik"] = record.nik
                    holders[record.nik] = pk
                    changed.setdefault(pk, {})["nik"] = record.nik
                    if record.nik_shared_with and holder not in (None, pk):
                        changed[pk]["nik_shared_with_id"] = record.nik_shared_with
                        shared[pk] = record.nik_shared_with
                    continue
                why = _("Another registered person holds this NIK.")
            elif record.nik:
                why = _("The person this row went to holds another NIK.")
            if record.nik:
                # On the person, seen by anyone who may see them: it says where the digits
                # came from, not who else holds them (that person may be hidden from them).
                reason = _(
                    "Row %(row)d of import #%(job)d, linked to this person, gave this NIK; "
                    "it is not verified for this person."
                ) % {"row": record.row, "job": job.pk}
            else:
                # The row's own problem already says why its NIK is unverified.
                reason, why = record.nik_unverified_reason, ""
            if not person["nik_unverified"]:
                person["nik_unverified"], person["reason"] = digits, reason
                changed.setdefault(pk, {}).update(
                    nik_unverified=digits, nik_unverified_reason=reason[:UNVERIFIED_REASON_MAX]
                )
                if why:
                    note(i, f"{why} {KEPT_UNVERIFIED}", kept=True)
            else:
                note(
                    i,
                    " ".join(
                        [
                            _(
                                "The NIK of this row was not stored: the person it went to "
                                "already has an unverified NIK."
                            ),
                            why,
                        ]
                    ).strip(),
                    kept=False,
                )
        for pk, fields in changed.items():
            Person.objects.filter(pk=pk).update(**fields, version=F("version") + 1)
            audit.record(
                AuditAction.UPDATE,
                None,
                acting_user=self.user,
                object_type="registry.person",
                object_id=str(pk),
                object_repr=f"#{pk}",
                # Field names only: no NIK in the audit text.
                message=f"import #{job.pk}: {', '.join(sorted(fields))} from a linked row",
            )
        registry_actions.note_shared_niks(
            shared, organisation_id=job.organisation_id, acting_user=self.user
        )
        return added

    def _categories(self, indexes, new: set[int]) -> None:
        records, plan = self.plan.records, self.plan
        today = timezone.localdate()
        fresh, existing = [], []
        for i in indexes:
            category_id = records[i].category_id
            if category_id is None or plan.outcome[i] in (
                RowOutcome.ALREADY_IMPORTED,
                RowOutcome.REFUSED,
            ):
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

    def _cases_and_services(self, indexes) -> list[tuple[int, Problem]]:
        """Rows with a service or case notes open (or reuse) the organisation's case and
        record the service through the cases app's own actions: the same rules, the SPM
        recount and the audit rows as a service entered by hand. A service those rules
        refuse is set aside with their reason (the person stays imported): returns
        (record index, problem) for each."""
        problems = []
        records, plan = self.plan.records, self.plan
        label = plan.labels.get("service_type", "")
        for i in indexes:
            record = records[i]
            if record.category_id is None or plan.outcome[i] in (
                RowOutcome.ALREADY_IMPORTED,
                RowOutcome.REFUSED,
            ):
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
                    (
                        i,
                        Problem(
                            record.row,
                            label,
                            f"{m} {SERVICE_SET_ASIDE}",
                            WARNING,
                            field="service_type",
                        ),
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

    def _link_evidence(self, i: int) -> dict:
        """The ImportedRow columns that explain row ``i``'s link, if it was linked."""
        match = self.plan.link_evidence.get(i)
        if match is None:
            return {"weight": None, "evidence": _json(ImportedRow, "evidence", [])}
        parts = [[p.comparison, p.level, round(p.weight, 2)] for p in match.parts]
        return {"weight": round(match.score, 2), "evidence": _json(ImportedRow, "evidence", parts)}

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
                    # The waterfall: each comparison's level and its share of the weight.
                    evidence=[[p.comparison, p.level, round(p.weight, 2)] for p in match.parts],
                    job=job,
                )
                for record, candidate, match in reviews
                if record != candidate
            ],
            ignore_conflicts=True,
        )
