"""The record and case pages stay light on a first visit (issue 14, point 9): under 100 KiB
transferred — HTML, CSS, JavaScript, images, everything the page fetched — with the cache
empty, served as `make run` serves them (DEBUG off, hashed gzip-compressed static files).

The measure is benchmarks/page_weight.py's, which writes every main page's figure into
docs/performance.md.
"""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from jejaring.accounts.models import User
from jejaring.cases.models import Case
from tests.browser.conftest import BROWSER_LOCALE
from tests.conftest import build_network

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from page_weight import first_load  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_KIB = 100
USERNAME = "petugas.pekanbaru"


@pytest.fixture
def demo(transactional_db):
    """The demo, committed, so the server in the other process (the ``served`` fixture,
    tests/conftest.py) sees it; the server signs with the test settings' key, so a session
    made here is valid there."""
    build_network()


def test_record_and_case_pages_stay_under_100_kib(browser, served, demo):
    user = User.objects.get(username=USERNAME)
    case = Case.objects.restrict(user).select_related("person").order_by("pk").first()
    client = Client()
    client.force_login(user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": served,
    }
    pages = {
        "record": f"/registri/{case.person_id}/",
        "case": f"/kasus/{case.pk}/",
    }
    too_heavy = []
    for label, path in pages.items():
        context = browser.new_context(locale=BROWSER_LOCALE)  # an empty cache
        context.add_cookies([cookie])
        weight = first_load(context, served + path)
        context.close()
        assert weight.by_kind.get("HTML", 0) > 2048, f"{label}: {path} did not load"
        assert weight.by_kind.get("CSS", 0) > 0 and weight.by_kind.get("JS", 0) > 0
        if weight.total > BUDGET_KIB * 1024:
            too_heavy.append(f"{label} {path}: {weight.total / 1024:.1f} KiB {weight.by_kind}")
    assert not too_heavy, "over the first-load budget of 100 KiB:\n" + "\n".join(too_heavy)


# Chrome DevTools' "2G"-like conditions: 300 ms round trips, 250 kbit/s down, 50 up.
TWO_G = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 250_000 / 8,
    "uploadThroughput": 50_000 / 8,
}
OFFICER = "kelurahan.kampungtengah"


def _session_cookie(username: str, served: str) -> dict:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": served,
    }


def test_the_field_page_is_light_and_works_on_a_2g_like_link(browser, served, demo):
    """Under 100 KiB on a first visit, and on a 2G-like link it opens, saves a draft and
    sends it (issue 16, point 5). No timing is asserted: benchmarks/page_weight.py --slow
    measures the seconds."""
    from playwright.sync_api import expect

    from jejaring.registry.models import Person

    cookie = _session_cookie(OFFICER, served)
    context = browser.new_context(locale=BROWSER_LOCALE)
    context.add_cookies([cookie])
    weight = first_load(context, served + "/lapangan/")
    context.close()
    assert weight.by_kind.get("HTML", 0) > 2048 and weight.by_kind.get("JS", 0) > 0
    assert weight.total <= BUDGET_KIB * 1024, f"{weight.total / 1024:.1f} KiB {weight.by_kind}"

    context = browser.new_context(locale=BROWSER_LOCALE)
    context.set_default_timeout(60_000)  # a 2G link is slow; the test waits for it
    context.add_cookies([cookie])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", TWO_G)
    page.goto(served + "/lapangan/")
    expect(page.locator("#field-app")).to_have_attribute("data-ready", "true")
    form = page.locator("#register-form")
    form.get_by_label("Nama lengkap").fill("Darmawati Lubis")
    form.get_by_label("Jenis kelamin").select_option("F")
    form.get_by_role("button", name="Simpan di ponsel ini").click()
    expect(page.locator("#drafts li.draft[data-state=applied]")).to_have_count(1)
    context.close()
    assert Person.objects.filter(full_name="Darmawati Lubis").count() == 1
