"""Browser fixtures: one Debian Chromium per session, a fresh context and page per test.

Playwright's sync API runs an event loop in the main thread, so Django's async-safety
check would refuse the ORM calls the fixtures make; the variable below lifts it for
the test process only.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import build_network

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = "Chromium is required in CI: apt-get install chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
# Without a locale headless Chromium asks for en-US; the product's users read Indonesian.
BROWSER_LOCALE = "id-ID"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Chromium once: starting it costs more than most tests."""
    if not Path(CHROMIUM_PATH).exists():
        # CI must never pass silently without its browser tests.
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def network(live_server, transactional_db) -> str:
    """Rebuild the demo network: the live server's database is flushed after each test.
    (tests/conftest.py lifts the audit log's append-only triggers for that flush.)"""
    build_network()
    return live_server.url


@pytest.fixture
def context_options() -> dict:
    """Options for the browser context; a test overrides this to change the viewport."""
    return {"locale": BROWSER_LOCALE}


def watch_csp(context: BrowserContext) -> list[str]:
    """Collect the Content-Security-Policy violations Chromium reports in this context.

    The policy (jejaring/settings.py) allows no inline script or style; a template or
    script that slips one in breaks silently in the browser, so the test fails instead.
    """
    violations: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    return violations


def phone_page(browser: Browser) -> Page:
    """A page in a fresh context of its own, on a 360 px phone: a second person in the same
    test (a citizen and a worker, each with their own cookies)."""
    from tests.browser.a11y import PHONE_VIEWPORT

    context = browser.new_context(locale=BROWSER_LOCALE, viewport=PHONE_VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def press(page: Page, label: str) -> None:
    """Press the button of this name and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def fail_on_csp_violations(violations: list[str]) -> None:
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def page(browser: Browser, context_options: dict) -> Iterator[Page]:
    """A fresh context per test, so cookies and sessions never leak between tests."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    fail_on_csp_violations(violations)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep a full-page screenshot of a failing test, to see what the browser saw."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or page is None or page.is_closed():
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in item.name)
    path = SCREENSHOTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # noqa: BLE001 — a screenshot must never hide the real failure
        report.sections.append(("screenshot", f"could not save a screenshot: {exc}"))
    else:
        report.sections.append(("screenshot", str(path)))


@pytest.fixture
def party(browser: Browser, network: str) -> Iterator[Callable[[str], Page]]:
    """party('panti.riau') → a page logged in as that user, in a browser context of its own.

    The same user gets the same page back, so an office keeps its session across steps.
    """
    from tests.browser.test_browser import login

    pages: dict[str, Page] = {}
    watched: list[list[str]] = []

    def open_as(username: str) -> Page:
        if username not in pages:
            context = browser.new_context(locale=BROWSER_LOCALE)
            context.set_default_timeout(TIMEOUT_MS)
            watched.append(watch_csp(context))
            page = context.new_page()
            login(page, network, username)
            expect(page.locator(".whoami")).to_be_visible()
            pages[username] = page
        return pages[username]

    yield open_as
    for page in pages.values():
        page.context.close()
    fail_on_csp_violations([v for found in watched for v in found])
