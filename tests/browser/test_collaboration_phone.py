"""The collaboration pages on a 360 px phone, through a real Chromium (issue 14, points 4,
8 and 9): no critical or serious axe-core violation and no sideways scroll on any of them,
tables that read as labelled cards, and the network graph page whose table comes first
while Cytoscape loads only when the person asks for the drawing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from jejaring.accounts.models import User
from jejaring.collaboration.models import Agreement, Commitment, Forum, Meeting, Proposal
from tests.browser.a11y import PHONE_VIEWPORT, page_problems
from tests.browser.conftest import BROWSER_LOCALE
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER = "petugas.pekanbaru"


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def collaboration_pages() -> list[tuple[str, str]]:
    """(what, path) for every collaboration page the issue names, in the demo network."""
    user = User.objects.get(username=WORKER)
    forum = Forum.objects.restrict(user).first()
    meeting = Meeting.objects.restrict(user).filter(forum=forum).exclude(minutes="").first()
    proposal = Proposal.objects.restrict(user).filter(forum=forum).order_by("-pk").first()
    commitment = Commitment.objects.restrict(user).first()
    pages = [
        ("index", reverse("collaboration:index")),
        ("forums", reverse("collaboration:forums")),
        ("forum", reverse("collaboration:forum", args=[forum.pk])),
        ("meeting", reverse("collaboration:meeting", args=[meeting.pk])),
        ("proposal", reverse("collaboration:proposal", args=[proposal.pk])),
        ("commitments", reverse("collaboration:commitments")),
        ("commitment", reverse("collaboration:commitment", args=[commitment.pk])),
        ("agreements", reverse("collaboration:agreements")),
        ("exchanges", reverse("collaboration:exchanges")),
        ("board", reverse("collaboration:board")),
        ("distributions", reverse("collaboration:distributions")),
        ("graph", reverse("collaboration:graph")),
        ("integration", reverse("collaboration:integration")),
        ("health", reverse("collaboration:health")),
        ("forum health", reverse("collaboration:forum_health", args=[forum.pk])),
        ("rules", reverse("collaboration:rules")),
    ]
    pages += [
        (f"agreement {a.pk}", reverse("collaboration:agreement", args=[a.pk]))
        for a in Agreement.objects.restrict(user).order_by("pk")
    ]
    return pages


def test_collaboration_pages_read_on_a_phone(page: Page, network: str):
    login(page, network, WORKER)
    found: list[str] = []  # every page is visited; the failures come together
    for what, path in collaboration_pages():
        page.goto(f"{network}{path}")
        found += page_problems(page, what)
        # A table's cells stack on a phone and each shows its column's name first.
        unlabelled = page.locator("table.table td:not([data-label])").count()
        if unlabelled:
            found.append(f"{what}: {unlabelled} table cell(s) without data-label")
    assert not found, "\n".join(found)


def test_a_stacked_cell_shows_its_column_name(page: Page, network: str):
    login(page, network, WORKER)
    page.goto(f"{network}{reverse('collaboration:agreements')}")
    cell = page.locator("table.table tbody td[data-label]").first
    label = page.evaluate("el => getComputedStyle(el, '::before').content", cell.element_handle())
    assert label == '"Kesepakatan: "'


def test_the_graph_page_is_light_until_the_drawing_is_asked_for(page: Page, network: str):
    login(page, network, WORKER)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{network}{reverse('collaboration:graph')}")
    page.wait_for_load_state("networkidle")

    # The table is the content, first on the page; no drawing library was fetched.
    expect(page.locator("#integration-pairs tbody tr").first).to_be_visible()
    assert not [url for url in requested if "cytoscape" in url]
    first_load = page.evaluate(
        """() => performance.getEntriesByType('navigation').concat(
                performance.getEntriesByType('resource'))
              .reduce((sum, e) => sum + (e.encodedBodySize || 0), 0)"""
    )
    # About 90 KiB in the demo (the table included); Cytoscape alone is 425 KiB.
    assert first_load < 150 * 1024, first_load
    assert not page_problems(page, "graph before drawing")

    # Asked for, the drawing loads after the content and shows the network.
    button = page.get_by_role("button", name="Tampilkan grafik")
    button.click()
    page.wait_for_function("() => document.getElementById('network-graph').dataset.nodes")
    assert int(page.locator("#network-graph").get_attribute("data-nodes")) > 1
    assert [url for url in requested if "cytoscape" in url]
    expect(button).to_be_hidden()
    expect(page.locator("#graph-view")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "graph-view"  # focus follows
    assert not page_problems(page, "graph drawn")
