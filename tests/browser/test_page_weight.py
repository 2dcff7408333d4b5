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
