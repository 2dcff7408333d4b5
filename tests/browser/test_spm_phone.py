"""The SPM pages on a 360 px phone, in a real Chromium (issue 14, points 3, 4, 8, 9):
the dashboard opening on the worker's own city, the targets page, the printable report
and the open page — no critical or serious axe-core violation, no sideways scroll, cells
that say what they are, and Chart.js fetched only when the chart comes into view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import PHONE_VIEWPORT, page_problems, sideways_scroll_problems
from tests.browser.conftest import BROWSER_LOCALE, fail_on_csp_violations, watch_csp
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHART_JS = "chart.umd.min.js"


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


class Loads:
    """The responses of the page's loads, with their body sizes."""

    def __init__(self, page: Page):
        self.urls: list[str] = []
        self.bytes = 0
        page.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        self.urls.append(request.url)
        self.bytes += request.sizes()["responseBodySize"]

    def reset(self) -> None:
        self.urls, self.bytes = [], 0


def test_spm_pages_read_on_a_phone(page: Page, network: str):
    found: list[str] = []  # every page is visited; the failures come together
    login(page, network, "data.pekanbaru")
    # The dashboard as a first visit: an empty cache, the session carried over.
    fresh = page.context.browser.new_context(locale=BROWSER_LOCALE, viewport=PHONE_VIEWPORT)
    csp = watch_csp(fresh)
    fresh.add_cookies(page.context.cookies())
    first = fresh.new_page()
    loads = Loads(first)
    first.goto(f"{network}/spm/", wait_until="networkidle")
    expect(first.locator("h1")).to_contain_text("Kota Pekanbaru")
    # The chart sits under the table, far below the first screen: its library waits.
    assert not [u for u in loads.urls if CHART_JS in u], "Chart.js loaded before it was needed"
    first_load = loads.bytes
    first.locator("#spm-chart").scroll_into_view_if_needed()
    first.wait_for_function("() => window.Chart !== undefined")
    first.wait_for_load_state("networkidle")
    print(  # noqa: T201 — the weight docs/performance.md records
        f"SPM dashboard at 360 px: first load {first_load / 1024:.1f} KiB, "
        f"with the chart {loads.bytes / 1024:.1f} KiB"
    )
    assert first_load < 100 * 1024, f"the SPM dashboard weighs {first_load / 1024:.1f} KiB"
    fresh.close()
    fail_on_csp_violations(csp)

    page.goto(f"{network}/spm/")
    expect(page.locator("nav.breadcrumb")).to_have_text(re.compile(r"Riau\s*›\s*Kota Pekanbaru"))
    expect(page.locator("#spm-report-link")).to_be_visible()
    # A stacked row names its columns: "Wilayah: …", "Target: …".
    first_cell = page.locator("#spm-table tbody tr").first.locator("td").nth(1)
    label = first_cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert "Target" in label
    found += page_problems(page, "SPM dashboard")

    page.goto(f"{network}/spm/target/")
    expect(page.locator("#targets-table")).to_be_visible()  # opens on the city's own targets
    found += page_problems(page, "SPM targets")

    page.goto(f"{network}/spm/laporan/14.71/2026/")
    expect(page.locator("#letterhead")).to_contain_text("DINAS SOSIAL KOTA PEKANBARU")
    expect(page.locator("#signature")).to_contain_text("Kepala Dinas Sosial Kota Pekanbaru")
    found += page_problems(page, "SPM report")
    # On paper (A4 is about 794 CSS px wide): the letter alone, its table in columns.
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".spm-report-tools").first).to_be_hidden()
    expect(page.locator("#letterhead")).to_be_visible()
    expect(page.locator("#signature")).to_be_visible()
    assert page.locator("#report-table thead").evaluate("el => getComputedStyle(el).display") == (
        "table-header-group"
    )
    found += sideways_scroll_problems(page, "SPM report, printed")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE_VIEWPORT)

    page.goto(f"{network}/data/spm/")
    expect(page.locator("#public-legend")).to_contain_text(
        "disamarkan karena kurang dari 5 orang, demi privasi"
    )
    found += page_problems(page, "open SPM page")
    page.goto(f"{network}/data/spm/14/?type=kab_lansia_luar_panti")
    expect(page.locator("#public-all-hidden")).to_be_visible()
    found += page_problems(page, "open SPM page, all hidden")

    page.goto(f"{network}/wilayah/14/")
    found += page_problems(page, "region page")
    assert not found, "\n".join(found)
