"""Accessibility and small-screen checks a browser test runs on a page it has open.

``accessibility_problems(page)`` runs axe-core (bundled by axe-playwright-python, so no
network is needed), with the experimental label-content-name-mismatch rule on, and fails
on any *critical* or *serious* violation, naming the rule,
its help text and the elements it found; *moderate* and *minor* findings are left to
review. ``sideways_scroll_problems(page)`` reports when the page is wider than the
window: at 360 px (a common Android phone) a page that scrolls sideways hides its
right-hand columns and buttons from the field workers who use it.

``check_page(page, what)`` runs both and fails; ``page_problems(page, what)`` returns
their findings instead, so a flow through several pages can name every page at fault.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

PHONE_VIEWPORT = {"width": 360, "height": 740}
BLOCKING = ("critical", "serious")

_axe = Axe()
# axe-core's rules plus one it still calls experimental: a control's accessible name must
# contain its visible text (WCAG 2.5.3), or a person who says what they see ("click
# Notifikasi") cannot reach it by voice.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}


def violations(page: Page, impacts=BLOCKING) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now."""
    results = _axe.run(page, options=AXE_OPTIONS)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}\n  at: {'; '.join(targets)}"
        )
    return "\n".join(lines)


def accessibility_problems(page: Page, what: str = "") -> list[str]:
    found = violations(page)
    return [f"axe-core on {what or page.url}:\n{describe(found)}"] if found else []


def sideways_overflow(page: Page) -> dict:
    """How wide the document is against the window, and the first elements whose right
    edge lies past the window (some may sit inside a container that scrolls on its own)."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const wide = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.right > width + 1 && box.width > 0) {
                    const name = el.tagName.toLowerCase()
                        + (el.id ? '#' + el.id : '')
                        + (el.className && typeof el.className === 'string'
                           ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
                    wide.push(name + ' right=' + Math.round(box.right));
                }
            }
            return {
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: width,
                wide: wide.slice(0, 8),
            };
        }"""
    )


def sideways_scroll_problems(page: Page, what: str = "") -> list[str]:
    measured = sideways_overflow(page)
    if measured["scrollWidth"] <= measured["innerWidth"]:
        return []
    return [
        f"{what or page.url} scrolls sideways at {measured['innerWidth']} px "
        f"(document {measured['scrollWidth']} px wide); sticking out: {measured['wide']}"
    ]


def page_problems(page: Page, what: str = "") -> list[str]:
    """Both checks' findings, for a flow that visits several pages and reports them all."""
    return accessibility_problems(page, what) + sideways_scroll_problems(page, what)


def check_page(page: Page, what: str = "") -> None:
    problems = page_problems(page, what)
    assert not problems, "\n".join(problems)


def open_every_fold(page: Page, within: str = "body") -> None:
    """Unfold every <details> in ``within``, so the checks see the forms folded in them
    too, and wait for the folds that fetch their form as they open (core.pages.Fold)."""
    page.evaluate(
        "(within) => document.querySelectorAll(`${within} details`).forEach(d => d.open = true)",
        within,
    )
    expect(page.locator(f"{within} .fold-body a[href*='/formulir/']")).to_have_count(0)
