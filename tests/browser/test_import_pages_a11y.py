"""The import pages on a 360 px phone, through a real Chromium: a district workbook with
a merged two-level header is uploaded, mapped, checked and imported from the page, and
every page on the way — the import list, the mapping, the dry-run report, the finished
job with its column report and unused columns, the rows page, and the page of a person
whose NIK is unverified — has no critical or serious axe-core violation and does not
scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from jejaring.accounts.models import User
from jejaring.imports import actions as import_actions
from jejaring.imports.models import ImportedRow, ImportJob, JobStatus
from jejaring.registry.models import Person
from tests.browser.a11y import PHONE_VIEWPORT, page_problems
from tests.browser.conftest import BROWSER_LOCALE
from tests.browser.test_browser import login
from tests.fixtures.district import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def run_worker() -> None:
    """The background worker, as `make run` starts it beside the server."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_import_pages_are_accessible_on_a_phone(page: Page, network: str, tmp_path: Path):
    build.write_files(tmp_path)
    workbook = tmp_path / build.SUKAJADI_XLSX
    found: list[str] = []  # every page is visited and checked; the failures come together
    login(page, network, "data.pekanbaru")
    page.goto(f"{network}{reverse('imports:list')}")
    found += page_problems(page, "the import list, empty")

    page.set_input_files("input[type=file]", str(workbook))
    with page.expect_navigation():
        page.click("#main form[enctype] button[type=submit]")
    run_worker()
    # The columns are proposed from the combined header levels.
    expect(page.locator("select").first).to_be_visible(timeout=15_000)
    expect(page.locator("#main")).to_contain_text("Kelahiran / Tanggal")
    found += page_problems(page, "the mapping step")

    with page.expect_navigation():
        page.click("#main form[action$='/kolom/'] button[type=submit]")
    run_worker()
    expect(page.locator("#report")).to_be_visible(timeout=15_000)
    found += page_problems(page, "the dry-run report")

    with page.expect_navigation():
        page.click("#main form[action$='/impor/'] button[type=submit]")
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE, job.failure
    job_page = f"{network}{reverse('imports:detail', args=[job.pk])}"
    page.goto(job_page)
    expect(page.locator("#report")).to_be_visible()
    # The column report, and the column nothing reads, are on the finished job's page.
    expect(page.locator("#main")).to_contain_text("Status Bansos")
    found += page_problems(page, "the finished job (column report, unused columns)")

    response = page.goto(f"{job_page}baris/")
    assert response is not None and response.status == 200, "no rows page at /impor/<id>/baris/"
    found += page_problems(page, "the rows page")

    # The city's CSV repeats people of the workbook spelt otherwise ("Muhammad Rizki" for
    # "Moch. Rizki"): each such row's page explains its link as a waterfall.
    officer = User.objects.get(username="data.pekanbaru")
    csv_path = tmp_path / build.KOTA_CSV
    second = import_actions.upload_file(
        SimpleUploadedFile(csv_path.name, csv_path.read_bytes()),
        organisation=officer.organisation,
        acting_user=officer,
    )
    import_actions.start_check(second, acting_user=officer, background=False)
    second = import_actions.run_check(second, acting_user=officer)
    import_actions.start_import(second, acting_user=officer, background=False)
    second = import_actions.run_import(second, acting_user=officer)
    joined = ImportedRow.objects.filter(job=second, outcome="linked").exclude(evidence=[]).first()
    assert joined is not None, "no linked row keeps its evidence"
    page.goto(f"{network}{reverse('imports:row', args=[second.pk, joined.row])}")
    expect(page.locator("#evidence")).to_be_visible()
    found += page_problems(page, "a linked row's waterfall")

    bambang = Person.objects.get(full_name="Bambang Sutrisno")
    assert bambang.nik_unverified, "the NIK that disagrees with the birth date was not kept"
    page.goto(f"{network}{reverse('registry:detail', args=[bambang.pk])}")
    expect(page.locator("#main")).to_contain_text(bambang.nik_unverified)
    found += page_problems(page, "a person with an unverified NIK")

    page.goto(f"{network}{reverse('imports:list')}")
    expect(page.locator("#main")).to_contain_text(build.SUKAJADI_XLSX)
    found += page_problems(page, "the import list with the finished job")
    assert not found, "\n".join(found)
