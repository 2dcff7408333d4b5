"""End-to-end journeys in a real Chromium: what unit tests cannot see (htmx swaps,
the language switch, the folded phone menu, links between pages)."""

import re

import pytest
from playwright.sync_api import Page, Response, expect

from jejaring.core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "locale": "id-ID",
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}


def login(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, as a person does, so the session cookie is real."""
    page.goto(f"{base_url}/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#main form button[type=submit]")


def is_htmx_search(response: Response) -> bool:
    """The request htmx sends for the typed query (not a full page load)."""
    headers = response.request.headers
    return "q=Harapan" in response.url and headers.get("hx-request") == "true"


def test_login_shows_name_and_organisation(page: Page, network: str):
    login(page, network, "petugas.pekanbaru")

    expect(page).to_have_url(f"{network}/")
    expect(page.locator("h1")).to_contain_text("Rahmat Hidayat")
    expect(page.locator(".whoami")).to_have_text("Rahmat Hidayat")
    expect(page.locator("#main")).to_contain_text("Dinas Sosial Kota Pekanbaru")


def test_wrong_password_stays_on_login_page(page: Page, network: str):
    login(page, network, "petugas.pekanbaru", password="not-the-password")

    expect(page).to_have_url(re.compile(r"/akun/masuk/"))
    expect(page.locator(".errors")).to_be_visible()
    expect(page.locator(".whoami")).to_have_count(0)


def test_directory_search_updates_results_in_place(page: Page, network: str):
    login(page, network, "petugas.pekanbaru")
    page.goto(f"{network}/organisasi/")
    results = page.locator("#results")
    expect(results).to_contain_text("Dinas Sosial Provinsi Jawa Barat")
    # A marker on window survives an htmx swap but not a full page load.
    page.evaluate("window.__sameDocument = true")

    with page.expect_response(is_htmx_search):
        page.fill("#id_q", "Harapan")

    expect(results).to_contain_text("LKSA Harapan Bunda Pekanbaru")
    expect(results).not_to_contain_text("Dinas Sosial Provinsi Jawa Barat")
    assert page.evaluate("window.__sameDocument === true")
    expect(page).to_have_url(re.compile(r"q=Harapan"))  # hx-push-url keeps it shareable

    results.get_by_role("link", name="LKSA Harapan Bunda Pekanbaru").click()
    expect(page.locator("h1")).to_have_text("LKSA Harapan Bunda Pekanbaru")
    expect(page).to_have_url(re.compile(r"/organisasi/\d+/$"))


def test_language_switch(page: Page, network: str):
    page.goto(f"{network}/akun/masuk/")
    submit = page.locator("#main form button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(submit).to_have_text("Masuk")

    with page.expect_navigation():
        page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(submit).to_have_text("Log in")
    expect(page).to_have_url(re.compile(r"/akun/masuk/"))

    with page.expect_navigation():
        page.select_option("#language", "id")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(submit).to_have_text("Masuk")


@pytest.mark.parametrize("context_options", [PHONE], ids=["phone"])
def test_phone_menu_folds_and_opens(page: Page, network: str):
    login(page, network, "petugas.pekanbaru")
    menu = page.locator("details.menu")
    section = menu.get_by_role("link", name="Jejaring", exact=True)
    expect(menu.locator("summary")).to_be_visible()
    expect(menu.locator("summary")).to_contain_text("Menu")
    expect(menu).not_to_have_attribute("open", "")
    expect(section).to_be_hidden()

    menu.locator("summary").click()
    expect(section).to_be_visible()
    section.click()

    expect(page).to_have_url(f"{network}/organisasi/")
    expect(page.locator("h1")).to_have_text("Direktori jejaring")


def test_region_drill_down_is_public(page: Page, network: str):
    page.goto(f"{network}/wilayah/")
    results = page.locator("#results")
    page.fill("#q", "Pekanbaru")
    expect(results).to_contain_text("Kota Pekanbaru")

    results.get_by_role("link", name="Kota Pekanbaru", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Kota Pekanbaru")
    expect(page).to_have_url(re.compile(r"/wilayah/14\.71/$"))
    expect(page.locator("table")).to_contain_text("Sukajadi")

    page.get_by_role("link", name="Sukajadi", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Sukajadi")
    expect(page.locator(".breadcrumb")).to_contain_text("Kota Pekanbaru")
    villages = page.locator("table tbody tr")
    expect(villages.first).to_be_visible()
    expect(villages.first.locator("a")).to_have_attribute("href", re.compile(r"/wilayah/14\.71\."))
    assert villages.count() > 1


def test_api_docs_render_under_the_content_security_policy(page: Page, network: str):
    """Swagger UI is the one page with a relaxed style policy; its scripts must still run
    under script-src 'self' (the page fixture fails the test on any CSP violation)."""
    login(page, network, "petugas.pekanbaru")
    page.goto(f"{network}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
