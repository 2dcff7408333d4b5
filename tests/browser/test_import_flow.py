"""A district spreadsheet with every problem of the issue, imported from the page in a
real Chromium: upload, confirm columns, read the dry-run report while the progress bar
runs, import, and get the report and the rejected rows back."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from jejaring.imports.models import ImportJob, JobStatus
from jejaring.registry.models import Person
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICT_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "district.xlsx"


def run_worker() -> None:
    """The background worker, as `make run` starts it beside the server."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def count(page: Page, name: str):
    return page.locator(f"#report [data-count={name}]")


def test_district_spreadsheet_imports_from_the_page(page: Page, network: str, tmp_path: Path):
    login(page, network, "data.pekanbaru")
    page.goto(f"{network}/impor/")
    page.set_input_files("input[type=file]", str(DISTRICT_FILE))
    with page.expect_navigation():
        page.click("#main form[enctype] button[type=submit]")
    expect(page.locator("h1")).to_have_text("district.xlsx")
    # The upload only stored the file; the worker reads it while the page waits.
    expect(page.locator("#reading")).to_have_text("Memeriksa berkas…")
    run_worker()
    # The header was found under the title, across merged cells: columns are preset.
    expect(page.locator("select").first).to_be_visible(timeout=15_000)
    with page.expect_navigation():
        page.click("#main form[action$='/kolom/'] button[type=submit]")
    expect(page.locator("#progress [role=progressbar]")).to_be_visible()

    run_worker()
    # The progress bar polls; when the check is done the page reloads with the report.
    expect(page.locator("#report")).to_be_visible(timeout=15_000)
    expect(count(page, "rows")).to_have_text("8")
    # Nobody is refused: the two damaged rows are kept with their NIK or date set aside.
    expect(count(page, "error_rows")).to_have_text("0")
    expect(count(page, "created")).to_have_text("6")
    expect(page.locator("#problems")).to_contain_text("1.47101E+15")
    assert not Person.objects.filter(full_name="Andika Pratama").exists()

    with page.expect_navigation():
        page.click("#main form[action$='/impor/'] button[type=submit]")
    run_worker()
    page.reload()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE, job.failure
    expect(count(page, "created")).to_have_text("6")
    expect(count(page, "same_in_file")).to_have_text("2")
    assert Person.objects.filter(full_name="Andika Pratama").count() == 1

    with page.expect_download() as download_info:
        page.click("#to-fix-link")
    saved = tmp_path / "rejected.csv"
    download_info.value.save_as(saved)
    rejected = saved.read_text(encoding="utf-8-sig")
    assert "Candra Wijaya" in rejected and "Eka Putri" in rejected
    assert "Andika Pratama" not in rejected
