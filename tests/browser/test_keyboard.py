"""The main flows with the keyboard alone (issue 14, point 8): Tab, Shift+Tab, Enter and
Space, never the mouse — as a person who cannot use a pointer, or a screen reader user,
works. Every element the Tab key stops on must show that it has the focus.

The flows: the first Tab stop is the skip link, which moves the focus to the page's
content; logging in; opening the folded menu on a phone and reaching a section;
searching the registry and opening a person.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jejaring.core.demo import DEMO_PASSWORD
from tests.browser.a11y import PHONE_VIEWPORT
from tests.browser.conftest import BROWSER_LOCALE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 60

# What the focused element looks like: an outline, or a box shadow drawn for the focus.
FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
        visible: outline || style.boxShadow !== 'none',
        onScreen: box.width > 0 && box.height > 0,
    };
}"""


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUS_JS)


def assert_focus_shows(page: Page) -> None:
    now = focused(page)
    assert now is not None, "the focus went nowhere"
    assert now["visible"], f"the focused {now} shows no outline"
    assert now["onScreen"], f"the focused {now} is not on the screen"


def tab_to(page: Page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has the focus,
    checking at every stop that the focus can be seen."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        assert_focus_shows(page)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{MAX_TABS} presses of {key} never reached {selector}")


def log_in_by_keyboard(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/akun/masuk/")
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert_focus_shows(page)
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".whoami")).to_be_visible()


def test_the_skip_link_is_the_first_stop_and_moves_to_the_content(page: Page, network: str):
    page.goto(f"{network}/akun/masuk/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Langsung ke isi")
    assert_focus_shows(page)
    box = skip.bounding_box()
    assert box and box["y"] >= 0, "the skip link stays off the screen while focused"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab goes on inside the content, not back to the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_log_in_and_reach_a_section_through_the_menu(page: Page, network: str):
    log_in_by_keyboard(page, network, "petugas.pekanbaru")
    # On a phone the menu is folded: open it with the keyboard.
    tab_to(page, "details.menu > summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.menu")).to_have_attribute("open", "")
    tab_to(page, "details.menu nav a[href='/kasus/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/kasus/")
    expect(page.locator("nav a[aria-current=page]")).to_have_attribute("href", "/kasus/")
    # Shift+Tab walks back, and the focus still shows; Space opens the menu too.
    tab_to(page, "details.menu > summary")
    tab_to(page, "a.brand", backwards=True)
    tab_to(page, "details.menu > summary")
    page.keyboard.press("Space")
    expect(page.locator("details.menu")).to_have_attribute("open", "")


def test_search_the_registry_and_open_a_person(page: Page, network: str):
    log_in_by_keyboard(page, network, "petugas.pekanbaru")
    tab_to(page, "details.menu > summary")
    page.keyboard.press("Enter")
    tab_to(page, "details.menu nav a[href='/registri/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#id_q")
    page.keyboard.type("Putri Ayu")
    page.keyboard.press("Enter")
    person = page.locator("#results a", has_text="Putri Ayu Lestari")
    expect(person).to_be_visible()
    # The search also runs as one types (htmx, after a pause): let the last answer land
    # before moving into the results it replaces.
    page.wait_for_load_state("networkidle")
    tab_to(page, "#results a[href^='/registri/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Putri Ayu Lestari")


def test_the_bell_is_named_by_what_it_shows(page: Page, network: str):
    """The bell's accessible name holds its visible count (WCAG 2.5.3, axe's
    label-content-name-mismatch): a screen reader says "Notifikasi 3 belum dibaca"."""
    log_in_by_keyboard(page, network, "petugas.pekanbaru")
    tab_to(page, "a.bell")
    bell = page.locator("a.bell")
    count = page.locator("#unread-count").inner_text().split()[0]
    assert count.isdigit()
    expect(bell).to_have_accessible_name(f"Notifikasi {count} belum dibaca")
