"""SPM in a real Chromium: drilling down the dashboard and downloading the yearly report."""

import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.formats import localize
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from jejaring.regions.models import Region
from jejaring.spm import figures
from jejaring.spm.models import SpmServiceType
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2025
TYPE_CODE = "kab_anak_terlantar_luar_panti"
PEKANBARU = "14.71"
DEMO_TARGET = 16  # set by jejaring.core.demo for Kota Pekanbaru, 2025


def shown(value) -> str:
    """A number as the Indonesian pages print it (decimal comma)."""
    with translation.override("id"):
        return localize(value)


def percent_text(cell: figures.Cell) -> str:
    if cell.percent is None:
        with translation.override("id"):
            return translation.gettext("no target")
    return f"{shown(cell.percent)}%"


def test_dashboard_drill_down_and_excel_report(page: Page, network: str, tmp_path: Path):
    kind = SpmServiceType.objects.get(code=TYPE_CODE)
    pekanbaru = Region.objects.get(code=PEKANBARU)
    riau = pekanbaru.parent
    login(page, network, "admin")

    page.goto(f"{network}/spm/?year={YEAR}&type={TYPE_CODE}")
    table = page.locator("#spm-table")
    riau_link = table.locator("tbody").get_by_role("link", name=riau.name, exact=True)
    expect(riau_link).to_be_visible()

    riau_link.click()
    expect(page).to_have_url(re.compile(rf"region={re.escape(riau.code)}(&|$)"))
    breadcrumb = page.locator("nav.breadcrumb")
    expect(breadcrumb).to_have_text(re.compile(rf"Indonesia\s*›\s*{re.escape(riau.name)}$"))

    table.locator("tbody").get_by_role("link", name=pekanbaru.name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"region={re.escape(PEKANBARU)}(&|$)"))
    expect(breadcrumb).to_have_text(
        re.compile(rf"Indonesia\s*›\s*{re.escape(riau.name)}\s*›\s*{re.escape(pekanbaru.name)}$")
    )
    expect(breadcrumb.get_by_role("link", name=riau.name, exact=True)).to_be_visible()

    total, _rows = figures.breakdown(pekanbaru, YEAR, kind)
    assert total.served > 0, "the demo should have served children in Pekanbaru in 2025"
    footer = table.locator("tfoot tr td")
    expect(footer.nth(0)).to_have_text(pekanbaru.name)
    expect(footer.nth(1)).to_have_text(str(total.target))
    expect(footer.nth(2)).to_have_text(str(total.served))
    expect(footer.nth(3)).to_have_text(percent_text(total))
    expect(page.locator("canvas#spm-chart")).to_have_count(1)

    page.goto(f"{network}/spm/laporan/{PEKANBARU}/{YEAR}/")
    with translation.override("id"):
        download_label = translation.gettext("Download Excel")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=download_label).click()
    download = download_info.value
    assert download.suggested_filename == f"laporan-spm-{PEKANBARU}-{YEAR}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    sheet = load_workbook(saved).worksheets[0]
    found = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == kind.name]
    assert len(found) == 1, f"expected one row for {kind.name!r} in the report"
    expected = next(c for t, c in figures.region_summary(pekanbaru, YEAR) if t.pk == kind.pk)
    _name, target, served, percent = found[0][:4]
    assert target == DEMO_TARGET
    assert served == expected.served
    assert percent == expected.percent
