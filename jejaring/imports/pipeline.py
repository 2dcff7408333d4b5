"""From a file to a plan: every row read, cleaned and linked, nothing written yet.

The dry run shows the plan; the import computes the same plan again and carries it out
batch by batch (``loading.py``). The plan is deterministic for a file, a mapping and
the registry as it stood when the import started, which is what lets a stopped import
resume exactly where it left off.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jejaring.cases.models import ServiceType
from jejaring.core.scoping import VIEW_IDENTITY
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region, RegionLevel
from jejaring.registry.models import BirthDatePrecision, Person
from jejaring.registry.names import name_key

from . import linkage
from .cleaning import (
    KEPT_UNVERIFIED,
    REASONS,
    WARNING,
    Lookups,
    Problem,
    Record,
    RowCleaner,
    column_report,
    has_identity,
    lookup_key,
    refuse,
)
from .models import ImportedRow, RowOutcome
from .readers import open_sheet

PROGRESS_EVERY = 5000
QUERY_CHUNK = 1000


@dataclass
class Plan:
    # Every row of the file, in file order: refused ones too (outcome REFUSED), so that
    # each row is traceable to a person or to the reason it has none.
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # all of them, never capped
    total_rows: int = 0
    error_rows: int = 0  # refused rows: no usable identity
    outcome: list[str] = field(default_factory=list)
    # LINKED / ALREADY_IMPORTED: a person id; SAME_IN_FILE: the index of the earlier record.
    target: list[int | None] = field(default_factory=list)
    registry_review: dict[int, linkage.Match] = field(default_factory=dict)
    file_review: list[linkage.Match] = field(default_factory=list)
    linkage_model: dict = field(default_factory=dict)  # linkage.Model.to_dict() of the run
    # Record index → the match that linked it (to a registry person, or to the earlier
    # row of the file it repeats): kept on its ImportedRow so the link can be explained.
    link_evidence: dict[int, linkage.Match] = field(default_factory=dict)
    # (header, field code) of the mapped columns, and what was kept of each (``job.column_report``).
    columns: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # field code → header
    column_report: list[dict] = field(default_factory=list)

    def add_problem(self, record: Record, problem: Problem) -> None:
        record.problems.append(problem)
        self.problems.append(problem)

    def counts(self) -> dict[str, int]:
        totals = {o.value: 0 for o in RowOutcome}
        for outcome in self.outcome:
            totals[outcome] += 1
        totals["rows"] = self.total_rows
        totals["error_rows"] = self.error_rows
        totals["problems"] = len(self.problems)
        totals["warnings"] = sum(1 for p in self.problems if p.severity == WARNING)
        totals["file_reviews"] = len(self.file_review)
        kept = [r for r in self.records if not r.refused]
        totals["nik_unverified"] = sum(1 for r in kept if r.nik_unverified)
        # Rows worth a look in the file (refused, a value set aside, a NIK unverified).
        totals["to_fix"] = sum(1 for r in self.records if r.needs_fixing)
        return totals


def load_lookups(organisation) -> Lookups:
    """Reference data for checking rows: all region codes, the villages of the
    organisation's area by name, categories and services by code and by name."""
    region_codes = set(Region.objects.values_list("code", flat=True))
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    home = organisation.home_region_id
    if home and home.count(".") <= 1:
        # A province or regency office names villages of its own area.
        villages = villages.filter(code__startswith=f"{home}.")
    by_name: dict[tuple[str, str], list[str]] = {}
    by_village: dict[str, list[str]] = {}
    for code, name, district in villages.values_list("code", "name", "parent__name"):
        village = lookup_key(name)
        by_name.setdefault((lookup_key(district), village), []).append(code)
        by_village.setdefault(village, []).append(code)

    def keyed(model) -> dict[str, int]:
        found = {}
        for pk, code, name in model.objects.filter(is_active=True).values_list(
            "pk", "code", "name"
        ):
            found[lookup_key(code)] = pk
            found[lookup_key(name)] = pk
        return found

    return Lookups(
        region_codes=region_codes,
        villages_by_name=by_name,
        villages_by_village=by_village,
        categories=keyed(PmksCategory),
        service_types=keyed(ServiceType),
        today=timezone.localdate(),
    )


def link_record(record: Record, ref: int) -> linkage.LinkRecord:
    """A cleaned row as linkage sees it: the same shape as a registry person."""
    return link_record_from_person(
        ref,
        record.name_key,
        record.sex,
        record.nik,
        record.kk_number,
        record.birth_date,
        record.birth_date_precision,
        record.region_code,
        record.mother_name,
        record.father_name,
        # The digits of a NIK that failed a rule: compared softly, never a key; those
        # another person holds under another name are no evidence for this row at all.
        "" if record.nik_conflict else record.nik_unverified,
    )


PERSON_LINK_FIELDS = (
    "pk",
    "name_key",
    "sex",
    "nik",
    "kk_number",
    "birth_date",
    "birth_date_precision",
    "region_id",
    "mother_name",
    "father_name",
    "nik_unverified",
)


def link_record_from_person(
    pk, key, sex, nik, kk, birth, precision, region, mother, father, nik_unverified=""
) -> linkage.LinkRecord:
    """A registry person as linkage sees them (from ``values_list(*PERSON_LINK_FIELDS)``)."""
    return linkage.LinkRecord(
        ref=pk,
        name_key=key,
        sex=sex,
        nik=nik,
        kk=kk,
        birth_date=birth,
        year_only=precision == BirthDatePrecision.YEAR,
        region=region or "",
        mother_key=name_key(mother) if mother else "",
        father_key=name_key(father) if father else "",
        nik_unverified=nik_unverified or "",
    )


def _swapped(day: datetime.date) -> datetime.date | None:
    try:
        return day.replace(day=day.month, month=day.day)
    except ValueError:
        return None


def registry_candidates(records: list[Record], user, max_person_id) -> list[linkage.LinkRecord]:
    """People already in the registry that share a blocking field with ``records``,
    among those the importing user may see in full (the scoping layer decides)."""
    base = Person.objects.restrict(user, VIEW_IDENTITY).filter(merged_into__isnull=True)
    if max_person_id is not None:
        base = base.filter(pk__lte=max_person_id)
    found: dict[int, linkage.LinkRecord] = {}
    if not base.exists():
        return []  # a new office's first file: nothing to compare with
    for start in range(0, len(records), QUERY_CHUNK):
        chunk = records[start : start + QUERY_CHUNK]
        # A NIK kept unverified on either side is still the strongest lead to a person.
        niks = {r.nik for r in chunk if r.nik} | {
            r.nik_unverified for r in chunk if r.nik_unverified
        }
        keys = {r.name_key for r in chunk if r.name_key}
        dates = {r.birth_date for r in chunk if r.birth_date}
        dates |= {s for d in list(dates) if (s := _swapped(d))}
        condition = (
            Q(nik__in=niks)
            | Q(nik_unverified__in=niks)
            | Q(name_key__in=keys)
            | Q(birth_date__in=dates)
        )
        rows = base.filter(condition).values_list(*PERSON_LINK_FIELDS)
        for row in rows:
            if row[0] not in found:
                found[row[0]] = link_record_from_person(*row)
    return list(found.values())


def read_and_clean(job, progress: Callable[[int], None] | None = None) -> Plan:
    plan = Plan()
    sheet = open_sheet(job.file.path, job.original_name)
    cleaner = RowCleaner(sheet.headers, job.mapping, load_lookups(job.organisation))
    plan.columns, plan.labels = cleaner.report_columns, cleaner.labels
    for number, values in sheet.rows:
        record = cleaner.clean(number, values)
        plan.total_rows += 1
        plan.problems.extend(record.problems)
        plan.error_rows += record.refused
        plan.records.append(record)
        if progress and plan.total_rows % PROGRESS_EVERY == 0:
            progress(plan.total_rows)
    return plan


def rejected_rows(job):
    """(row number, the row's cells as text, its problems) for every row worth fixing in
    the file — refused, with a value set aside, or with its NIK kept unverified —
    streamed from the file again."""
    sheet = open_sheet(job.file.path, job.original_name)
    cleaner = RowCleaner(sheet.headers, job.mapping, load_lookups(job.organisation))
    for number, values in sheet.rows:
        record = cleaner.clean(number, values)
        if record.needs_fixing:
            cells = ["" if v is None else str(v) for v in values]
            yield (
                number,
                cells,
                [f"{p.column}: {p.message}" if p.column else p.message for p in record.problems],
            )


def settle_nik_conflicts(plan: Plan, user) -> None:
    """A NIK belongs to one living record. A row whose NIK a registry person the user
    sees in full holds under a name that does not agree, or an earlier row holds under
    another name, keeps its person: the NIK moves to ``nik_unverified`` with the reason,
    so it is neither lost nor used as a key for the wrong person.

    A holder the user may not see in full changes nothing the user is told — a warning
    there would confirm to the importer that a hidden record has this NIK. The row goes
    on as if nothing held the NIK; if it creates a person, that person is linked to the
    holder (``Record.nik_shared_with``) and the holder's handlers are told on loading.
    """
    niks = {r.nik for r in plan.records if r.nik}
    holders: dict[str, list[tuple[int, str, bool]]] = {}
    nik_list = list(niks)
    for start in range(0, len(nik_list), QUERY_CHUNK):
        # Across the whole registry: the unique NIK rule is global.
        for pk, nik, key, shared in Person.objects.filter(
            nik__in=nik_list[start : start + QUERY_CHUNK], merged_into__isnull=True
        ).values_list("pk", "nik", "name_key", "nik_shared_with_id"):
            holders.setdefault(nik, []).append((pk, key, shared is not None))
    visible = set(
        Person.objects.restrict(user, VIEW_IDENTITY)
        .filter(pk__in=[pk for rows in holders.values() for pk, _key, _s in rows])
        .values_list("pk", flat=True)
    )
    first_in_file: dict[str, str] = {}
    label = plan.labels.get("nik", "NIK")
    for record in plan.records:
        if not record.nik or record.refused:
            continue
        message = ""
        seen = [(pk, key) for pk, key, _s in holders.get(record.nik, ()) if pk in visible]
        if seen:
            agrees = any(
                linkage.name_score(record.name_key, key) >= linkage.NIK_NAME_AGREEMENT
                for _pk, key in seen
            )
            if not agrees:
                message = _(
                    "A person with this NIK is already registered under another name. "
                    "Check the NIK and the name."
                )
        else:
            earlier = first_in_file.setdefault(record.nik, record.name_key)
            if linkage.name_score(record.name_key, earlier) < linkage.NIK_NAME_AGREEMENT:
                message = _("An earlier row has this NIK with another name.")
            elif record.nik in holders:
                # The one not itself waiting for a merge first, as at registration.
                record.nik_shared_with = min(holders[record.nik], key=lambda h: (h[2], h[0]))[0]
        if not message:
            continue
        reason = str(REASONS["nik_conflict"])
        record.unverify_nik(message)
        record.nik_conflict = True
        plan.add_problem(
            record,
            Problem(
                record.row,
                label,
                f"{message} {KEPT_UNVERIFIED}",
                WARNING,
                kept=True,
                field="nik",
                reason=reason,
            ),
        )
        if not has_identity(record):
            # The sex was read from this NIK, and nothing else identifies the person.
            refuse(record)
            plan.error_rows += 1


def _registry_model(organisation) -> linkage.Model | None:
    """The organisation's last model of its whole registry (``find_duplicates``), if any:
    the prior a small file's model leans on."""
    from .models import LinkageModel, LinkageModelSource

    stored = (
        LinkageModel.objects.filter(organisation=organisation, source=LinkageModelSource.REGISTRY)
        .only("params")
        .first()
    )
    return linkage.Model.from_dict(stored.params) if stored is not None else None


def build_plan(job, user, progress: Callable[[int], None] | None = None) -> Plan:
    """Read, clean and link every row of ``job``'s file. Writes nothing."""
    plan = read_and_clean(job, progress)
    settle_nik_conflicts(plan, user)
    records = plan.records
    plan.column_report = column_report(plan.columns, records)
    plan.outcome = [
        RowOutcome.REFUSED.value if r.refused else RowOutcome.CREATED.value for r in records
    ]
    plan.target = [None] * len(records)

    # 1. The very same row twice in the file.
    first_by_fingerprint: dict[str, int] = {}
    for i, record in enumerate(records):
        if record.refused:
            continue
        first = first_by_fingerprint.setdefault(record.fingerprint, i)
        if first != i:
            plan.outcome[i] = RowOutcome.SAME_IN_FILE
            plan.target[i] = first
            plan.add_problem(
                record,
                Problem(
                    record.row,
                    "",
                    _("The same as row %(row)d: imported once.") % {"row": records[first].row},
                    WARNING,
                    kept=True,
                ),
            )

    # 2. Rows this organisation imported before, from this file or another.
    # (``progress`` between the steps also renews the worker's lease: imports/leases.py.)
    if progress:
        progress(plan.total_rows)
    fingerprints = list(first_by_fingerprint)
    earlier: dict[str, int] = {}
    before = ImportedRow.objects.filter(organisation=job.organisation).exclude(job=job)
    if not before.exists():
        fingerprints = []  # the organisation's first import: nothing to look up
    for start in range(0, len(fingerprints), QUERY_CHUNK):
        earlier.update(
            ImportedRow.objects.filter(
                organisation=job.organisation,
                fingerprint__in=fingerprints[start : start + QUERY_CHUNK],
                person__isnull=False,  # a refused row went to nobody
            )
            .exclude(job=job)
            .values_list("fingerprint", "person_id")
        )
    for i, record in enumerate(records):
        if plan.outcome[i] == RowOutcome.CREATED and record.fingerprint in earlier:
            plan.outcome[i] = RowOutcome.ALREADY_IMPORTED
            plan.target[i] = earlier[record.fingerprint]

    # 3. The same person in several rows of the file, spelled differently.
    if progress:
        progress(plan.total_rows)
    fresh = [i for i, o in enumerate(plan.outcome) if o == RowOutcome.CREATED]
    incoming = [link_record(records[i], i) for i in fresh]
    existing = registry_candidates([records[i] for i in fresh], user, job.registry_max_person_id)
    # One model for the whole run, learnt from the file's rows and the registry people
    # they may be; a small file leans on the registry's last model. A job that already
    # holds one (its dry run, or the import before it stopped) keeps it, so that a
    # resumed import decides every row as before. Always through ``to_dict``: the
    # stored model and the one first used score exactly alike.
    if job.linkage_model:
        model = linkage.Model.from_dict(job.linkage_model)
    else:
        trained = linkage.train(incoming + existing, prior=_registry_model(job.organisation))
        model = linkage.Model.from_dict(trained.to_dict())
    plan.linkage_model = model.to_dict()
    representative, review = linkage.deduplicate(incoming, model)
    for position, i in enumerate(fresh):
        rep = fresh[representative[position]]
        if rep != i:
            plan.outcome[i] = RowOutcome.SAME_IN_FILE
            plan.target[i] = rep
    plan.file_review = [
        linkage.Match(fresh[m.a], fresh[m.b], m.score, m.reasons, m.parts) for m in review
    ]
    # Each row joined to another of the file: why, against the row it was joined to.
    joined = [
        (position, representative[position])
        for position in range(len(fresh))
        if representative[position] != position
    ]
    for (position, _rep), match in zip(
        joined, linkage.explain_pairs(incoming, joined, model), strict=True
    ):
        plan.link_evidence[fresh[position]] = match

    # 4. The people the registry already holds.
    if progress:
        progress(plan.total_rows)
    positions = [p for p, i in enumerate(fresh) if plan.outcome[i] == RowOutcome.CREATED]
    if existing:
        # The prior depends on how many people the candidates were drawn from.
        population = (
            Person.objects.restrict(user, VIEW_IDENTITY).filter(merged_into__isnull=True).count()
        )
        # A cluster is compared through its first row; when that row has no verified NIK
        # but another row of the cluster has, the cluster's NIK goes with it, so that the
        # cannot-link rule also holds between the file and the registry.
        cluster_nik: dict[int, str] = {}
        for position in range(len(fresh)):
            rep = fresh[representative[position]]
            if incoming[position].nik and rep not in cluster_nik:
                cluster_nik[rep] = incoming[position].nik
        compared = []
        for p in positions:
            record = incoming[p]
            nik = cluster_nik.get(fresh[p], "")
            if not record.nik and nik:
                record = dataclasses.replace(record, nik=nik)
            compared.append(record)
        matches = linkage.link_against(compared, existing, model, population=population)
        for position, found in matches.items():
            i, best = fresh[positions[position]], found[0]
            if linkage.links(best):
                plan.outcome[i] = RowOutcome.LINKED
                plan.target[i] = best.b
                plan.link_evidence[i] = best
            else:
                plan.outcome[i] = RowOutcome.REVIEW
                plan.registry_review[i] = best
    if progress:
        progress(plan.total_rows)
    return plan
