"""Acceptance for issue 11's "Done when" on district files, from the data officer's side.

Three files of Kota Pekanbaru, written at test time by ``tests/fixtures/district/build.py``
with every problem named in issue 11 and in the earlier import issue, are imported as
an officer does it: upload, accept the proposed columns, check, import. Then every person
is read back *from the registry*, through the officer's own scope, and compared with the
truth the builder holds: NIK (verified or unverified with its reason), name, sex, birth
date and precision, village. The later files repeat people of the first: those rows must
link to the very same person, and the registry grows only by the new people.

The import's own counters are not trusted here: a person is what the registry holds.
Each test gathers all mismatches before failing, so one run names every wrong person.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File
from django.urls import reverse
from django.utils.html import escape

from jejaring.accounts.models import User
from jejaring.imports import actions
from jejaring.imports.models import ImportedRow, ImportJob, JobStatus, RowOutcome
from jejaring.registry.models import BirthDatePrecision, Person
from tests.fixtures.district import build
from tests.fixtures.district.build import ANY, FILES, PEOPLE, YEAR

ORG = "dinsos-kota-pekanbaru"
OFFICER = "data.pekanbaru"  # the demo's data officer of Dinas Sosial Kota Pekanbaru
# Outcomes of a row that repeats someone already in the registry (not a new person); a
# repeat within the file goes to the earlier row's person, which may itself be linked.
LINKED = {RowOutcome.LINKED, RowOutcome.ALREADY_IMPORTED, RowOutcome.SAME_IN_FILE}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def district(tmp_path):
    """The files on disk and their rows, by file name."""
    directory = tmp_path / "district"
    return directory, build.write_files(directory)


def officer() -> User:
    return User.objects.get(username=OFFICER)


def import_file(path: Path, org) -> ImportJob:
    """Upload, accept the proposed mapping, check and import — the officer's path."""
    with path.open("rb") as handle:
        job = actions.upload_file(
            File(handle, name=path.name), organisation=org(ORG), acting_user=officer()
        )
    actions.start_check(job, acting_user=officer(), background=False)
    actions.run_check(job, acting_user=officer())
    actions.start_import(job, acting_user=officer(), background=False)
    job = actions.run_import(job, acting_user=officer())
    assert job.status == JobStatus.DONE, job.failure
    return job


def registry() -> dict[int, Person]:
    """Every person the officer can see, by id: the registry as the officer meets it."""
    return {p.pk: p for p in Person.objects.restrict(officer())}


class Run:
    """The files imported one after the other, with what each row became."""

    def __init__(self, directory: Path, rows: dict, org, files=FILES):
        self.rows = rows
        self.jobs: dict[str, ImportJob] = {}
        self.grew: dict[str, int] = {}  # people added to the registry by each file
        self.traced: dict[tuple[str, int], ImportedRow] = {}
        for name in files:
            before = Person.objects.count()
            self.jobs[name] = job = import_file(directory / name, org)
            self.grew[name] = Person.objects.count() - before
            for traced in ImportedRow.objects.filter(job=job):
                self.traced[(name, traced.row)] = traced
        self.files = files

    def first_person(self) -> tuple[dict[str, int], list[str]]:
        """The person id each key's first row went to, and the rows that went nowhere."""
        found: dict[str, int] = {}
        lost = []
        for name in self.files:
            for row in self.rows[name]:
                if row.person is None:
                    continue
                traced = self.traced.get((name, row.row))
                if traced is None or traced.person_id is None:
                    outcome = traced.outcome if traced else "no trace"
                    lost.append(f"{name} row {row.row} ({row.person}): no person ({outcome})")
                    continue
                found.setdefault(row.person, traced.person_id)
        return found, lost


def expected_nik(key: str, files) -> str:
    person = PEOPLE[key]
    return person.nik if person.nik and person.nik_from in files else ""


def compare(key: str, person: Person, files) -> list[str]:
    """What differs between the registry's person and the truth, in words."""
    truth = PEOPLE[key]
    label = f"{key} ({truth.damage})"
    wrong = []

    def differs(field, expected, got):
        wrong.append(f"{label}: {field} expected {expected!r}, got {got!r}")

    if person.full_name != truth.full_name:
        differs("full_name", truth.full_name, person.full_name)
    nik = expected_nik(key, files)
    if person.nik != nik:
        differs("nik", nik, person.nik)
    if truth.unverified is not ANY:
        if person.nik_unverified != truth.unverified:
            differs("nik_unverified", truth.unverified, person.nik_unverified)
        if truth.unverified and not person.nik_unverified_reason.strip():
            differs("nik_unverified_reason", "a reason", person.nik_unverified_reason)
    if person.sex != truth.sex:
        differs("sex", truth.sex, person.sex)
    born, precision = person.birth_date, person.birth_date_precision
    if truth.precision == BirthDatePrecision.EXACT:
        if (born, precision) != (truth.birth, BirthDatePrecision.EXACT):
            differs("birth date", (truth.birth, "exact"), (born, precision))
    elif truth.precision == YEAR:
        if born is None or born.year != truth.birth.year or precision != BirthDatePrecision.YEAR:
            differs("birth year", (truth.birth.year, "year"), (born, precision))
    elif born is None or born.year != truth.birth.year:  # ANY: a placeholder date
        differs("birth year", truth.birth.year, born)
    if person.region_id != truth.village:
        differs("village", truth.village, person.region_id)
    if truth.kk and person.kk_number != truth.kk:
        differs("kk_number", truth.kk, person.kk_number)
    return wrong


def check_people(run: Run) -> list[str]:
    """Every person of the imported files, read from the registry, against the truth."""
    first, wrong = run.first_person()
    people = registry()
    for key, pk in first.items():
        if pk not in people:
            wrong.append(f"{key}: person {pk} is not in the officer's registry")
            continue
        wrong.extend(compare(key, people[pk], run.files))
    return wrong


def check_links(run: Run) -> list[str]:
    """Rows naming the same person went to one person; repeats in a later file linked."""
    first, wrong = run.first_person()
    seen_in: dict[str, str] = {}
    for name in run.files:
        for row in run.rows[name]:
            traced = run.traced.get((name, row.row))
            if row.person is None or traced is None or traced.person_id is None:
                continue
            where = f"{name} row {row.row} ({row.person}, {PEOPLE[row.person].damage})"
            if traced.person_id != first[row.person]:
                wrong.append(
                    f"{where}: went to person {traced.person_id} ({traced.outcome}), "
                    f"not to person {first[row.person]} of the earlier row"
                )
            elif seen_in.get(row.person, name) != name and traced.outcome not in LINKED:
                wrong.append(f"{where}: outcome {traced.outcome}, expected linked")
            seen_in.setdefault(row.person, name)
    return wrong


def new_people(run: Run, name: str) -> int:
    """How many people the file brings that no earlier file had."""
    earlier = {r.person for f in run.files[: run.files.index(name)] for r in run.rows[f]}
    return len({r.person for r in run.rows[name] if r.person} - earlier)


def test_workbook_with_title_rows_and_a_merged_two_level_header(district, org):
    directory, rows = district
    run = Run(directory, rows, org, files=FILES[:1])
    job = run.jobs[build.SUKAJADI_XLSX]
    # The levels combine: birth date and village are read, not lost without a warning.
    assert job.mapping.get("Kelahiran / Tanggal") == "birth_date", job.mapping
    assert job.mapping.get("Alamat / Desa") == "village", job.mapping
    assert "Status Bansos" in job.unused_columns, job.unused_columns
    problems = check_people(run) + check_links(run)
    assert problems == [], "\n".join(problems)
    # 22 rows name 21 people (one row is repeated); the totals row is nobody.
    assert run.grew[build.SUKAJADI_XLSX] == new_people(run, build.SUKAJADI_XLSX) == 21
    assert not Person.objects.filter(full_name__iexact="jumlah").exists()


def test_csv_repeating_people_links_them_and_reads_village_codes(district, org):
    directory, rows = district
    run = Run(directory, rows, org, files=FILES[:2])
    problems = check_people(run) + check_links(run)
    assert problems == [], "\n".join(problems)
    # Seven rows repeat people of the workbook: only the ten new people are added.
    assert run.grew[build.KOTA_CSV] == new_people(run, build.KOTA_CSV) == 10


def test_workbook_with_niks_stored_as_numbers(district, org):
    directory, rows = district
    run = Run(directory, rows, org)
    problems = check_people(run) + check_links(run)
    assert problems == [], "\n".join(problems)
    assert run.grew[build.NIK_NUMBERS_XLSX] == new_people(run, build.NIK_NUMBERS_XLSX) == 6
    # A verified NIK is never replaced by the number Excel cut short.
    hendra = Person.objects.get(pk=run.first_person()[0]["hendra"])
    assert hendra.nik == PEOPLE["hendra"].nik


def test_every_row_that_carries_an_identity_is_kept_as_a_person(district, org):
    directory, rows = district
    run = Run(directory, rows, org)
    # A row that names someone and went to no person (refused, or not even traced).
    _first, lost = run.first_person()
    identity_rows = sum(1 for f in FILES for r in rows[f] if r.person)
    kept = identity_rows - len(lost)
    assert lost == [], "\n".join(lost)
    assert kept / identity_rows >= 0.995
    # The rows without an identity become nobody.
    assert not Person.objects.filter(full_name__in=["JUMLAH", "Jumlah", "Anonim"]).exists()


def test_in_any_order_each_person_is_one_record_and_a_second_import_adds_nobody(district, org):
    directory, rows = district
    # The CSV's "Heru Wibowo" with his NIK comes before the workbook's "Heru W.", the
    # cut-short NIK before the whole one: repeats link whichever file came first.
    run = Run(directory, rows, org, files=tuple(reversed(FILES)))
    problems = check_links(run)
    assert problems == [], "\n".join(problems)
    assert sum(run.grew.values()) == len(PEOPLE) == 37
    before = Person.objects.count()
    again = Run(directory, rows, org)
    assert Person.objects.count() == before, again.grew


def test_an_unverified_nik_is_found_by_its_digits_and_shown_with_its_reason(district, org, as_user):
    directory, rows = district
    run = Run(directory, rows, org, files=FILES[:1])
    bambang = Person.objects.get(pk=run.first_person()[0]["bambang"])
    client = as_user(OFFICER)
    # The search form posts: the digits never land in a URL.
    found = client.post(reverse("registry:list"), {"q": PEOPLE["bambang"].unverified})
    assert "Bambang Sutrisno" in found.content.decode()
    page = client.get(reverse("registry:detail", args=[bambang.pk])).content.decode()
    assert PEOPLE["bambang"].unverified in page
    assert escape(bambang.nik_unverified_reason) in page
