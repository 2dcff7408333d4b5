"""Every list page issue 13 rebuilt on the shared skeleton (filters, pages, the filter
form and its errors) on a 360 px phone, through a real Chromium: no critical or serious
axe-core violation and no sideways scroll — as it opens, and with a bad filter value,
whose message must be readable beside its field."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.browser.a11y import PHONE_VIEWPORT, page_problems
from tests.browser.conftest import BROWSER_LOCALE
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (who, list page, a bad filter value)
LISTS = {
    "petugas.pekanbaru": [
        ("cases:board", "state=zzz"),
        ("cases:overlaps", "organisation=zzz"),
        ("collaboration:forums", "region=zzz"),
        ("collaboration:commitments", "state=zzz"),
        ("collaboration:agreements", "state=zzz"),
        ("collaboration:exchanges", "kind=zzz"),
        ("collaboration:board", "kind=zzz"),
        ("core:notifications", "unread=zzz"),
        ("network:list", "status=zzz"),
    ],
    "admin": [
        ("audit:list", "action=zzz"),
        ("accounts:user_list", "role=zzz"),
    ],
}


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


@pytest.mark.parametrize("username", sorted(LISTS))
def test_list_pages_are_accessible_on_a_phone(page: Page, network: str, username: str):
    found: list[str] = []  # every page is visited; the failures come together
    login(page, network, username)
    for name, bad in LISTS[username]:
        url = f"{network}{reverse(name)}"
        page.goto(url)
        found += page_problems(page, name)
        page.goto(f"{url}?{bad}")
        found += page_problems(page, f"{name} with {bad}")
    assert not found, "\n".join(found)
