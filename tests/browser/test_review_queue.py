"""The review queue on a phone, in a real Chromium: the queue, a pair with its waterfall,
nothing wider than the screen, no serious accessibility fault, and a decision that takes
the pair out of the queue."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from jejaring.accounts.models import User
from jejaring.imports.models import LinkReview, ReviewStatus
from tests.browser.test_browser import login
from tests.helpers import register_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {
    "locale": "id-ID",
    "viewport": {"width": 360, "height": 780},
    "is_mobile": True,
    "has_touch": True,
}
EVIDENCE = [
    ["prior", "prior", -11.3],
    ["name", "initials", 4.8],
    ["birth", "year_pm1", 3.9],
    ["sex", "equal", 0.8],
    ["nik", "loss15", 6.1],
    ["geo", "regency", 1.7],
    ["mother", "else", -3.2],
]


@pytest.fixture
def context_options() -> dict:
    return PHONE_360


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width}px"


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]
    assert serious == []


def test_a_reviewer_decides_a_pair_on_a_phone(page: Page, network: str):
    existing = register_person(
        full_name="Heru Wibowo Prasetyo Kusumaningrat",
        birth_date=datetime.date(1987, 3, 14),
        mother_name="Sumarni",
    )
    newer = register_person(
        full_name="Heru W. Prasetyo Kusumaningrat",
        birth_date=datetime.date(1988, 3, 14),
        mother_name="Tuminah",
    )
    officer = User.objects.get(username="data.pekanbaru")
    review = LinkReview.objects.create(
        organisation=officer.organisation,
        record=newer,
        candidate=existing,
        score=round(sum(w for *_x, w in EVIDENCE), 2),
        evidence=EVIDENCE,
    )

    login(page, network, "data.pekanbaru")
    page.goto(f"{network}/impor/tinjau/")
    card = page.locator(f'#queue li[data-review="{review.pk}"]')
    expect(card).to_contain_text("Heru W. Prasetyo Kusumaningrat")
    expect(card).to_contain_text("Heru Wibowo Prasetyo Kusumaningrat")
    assert_fits(page)
    assert_accessible(page)

    with page.expect_navigation():
        card.locator("h2 a").click()
    waterfall = page.locator("#waterfall")
    expect(waterfall).to_be_visible()
    expect(waterfall.locator(".wf-row")).to_have_count(len(EVIDENCE))
    expect(waterfall.locator("#evidence tbody tr")).to_have_count(len(EVIDENCE))
    # The bars are drawn: agreement to the right, disagreement to the left.
    bar = waterfall.locator(".wf-for .wf-bar").first
    assert bar.bounding_box()["width"] > 5
    against = waterfall.locator(".wf-against .wf-bar").first
    assert against.bounding_box()["x"] < bar.bounding_box()["x"]
    expect(page.locator("#odds")).to_contain_text("%")
    assert_fits(page)
    assert_accessible(page)

    with page.expect_navigation():
        page.click("button[value=kept_apart]")
    expect(page).to_have_url(f"{network}/impor/tinjau/")
    expect(page.locator(f'#queue li[data-review="{review.pk}"]')).to_have_count(0)
    review.refresh_from_db()
    assert review.status == ReviewStatus.KEPT_APART
    assert review.decided_by == officer
