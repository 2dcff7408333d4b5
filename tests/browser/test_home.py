"""A worker logs in, sees what waits for them on the home page and acts on it in one
click (issue 14, "Done when"): the village officer of Kampung Tengah has referred a
street child to Dinas Sosial Kota Pekanbaru, and the city's case worker accepts the
referral from the home page — on a 360 px phone, with no serious or critical axe-core
violation and no sideways scroll on any page of the way."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.a11y import PHONE_VIEWPORT, page_problems
from tests.browser.conftest import BROWSER_LOCALE
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD = "Rani Anggraini Kampung"


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def refer_child_to_the_city():
    from jejaring.accounts.models import User
    from jejaring.cases import actions
    from jejaring.core import clock
    from jejaring.network.models import Organisation
    from jejaring.reference.models import PmksCategory
    from tests.helpers import register_person

    officer = User.objects.get(username="kelurahan.kampungtengah")
    person = register_person(
        "kelurahan.kampungtengah",
        full_name=CHILD,
        sex="F",
        birth_date=datetime.date(2016, 4, 9),
        categories=("anak_jalanan",),
    )
    case = actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=officer.organisation,
        acting_user=officer,
    )
    return actions.send_referral(
        case,
        Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        acting_user=officer,
        reason="anak ditemukan di simpang jalan",
        deadline=clock.localdate() + datetime.timedelta(days=3),
    )


def test_a_worker_sees_what_waits_and_accepts_a_referral_in_one_click(page: Page, network: str):
    referral = refer_child_to_the_city()
    problems: list[str] = []

    login(page, network, "petugas.pekanbaru")
    expect(page).to_have_url(f"{network}{reverse('core:home')}")
    waiting = page.locator("li.card", has=page.locator("#box-incoming"))
    expect(waiting).to_contain_text(CHILD)
    expect(waiting).to_contain_text("Kantor Kelurahan Kampung Tengah")
    expect(page.locator(".work-summary")).to_contain_text("menunggu Anda")
    problems += page_problems(page, "home (petugas.pekanbaru)")

    # One click from the home page lands on the decision…
    waiting.get_by_role("link", name=CHILD).click()
    expect(page).to_have_url(f"{network}{reverse('cases:referral', args=[referral.pk])}")
    problems += page_problems(page, "referral page")
    # …and the decision is the button on it.
    page.get_by_role("button", name="Terima").click()
    expect(page).to_have_url(re.compile(r"/kasus/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Rujukan diterima")

    # Back home, the referral no longer waits; her case is among the open ones.
    page.goto(f"{network}{reverse('core:home')}")
    expect(page.locator("#box-incoming")).to_have_count(0)
    expect(page.locator("li.card", has=page.locator("#box-cases"))).to_contain_text(CHILD)
    expect(page.locator("#work-clear")).to_be_visible()
    problems += page_problems(page, "home after accepting")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", ["pimpinan.jabar", "admin", "mitra.lksa"])
def test_every_role_home_reads_on_a_phone(page: Page, network: str, username: str):
    login(page, network, username)
    expect(page.locator("h1")).to_contain_text("Selamat datang")
    expect(page.locator("#work-spm")).to_be_visible()
    assert page.get_by_text(re.compile("segera menyusul", re.I)).count() == 0
    problems = page_problems(page, f"home ({username})")
    assert not problems, "\n".join(problems)


def test_audit_network_and_account_pages_read_on_a_phone(page: Page, network: str):
    from jejaring.network.models import Organisation
    from jejaring.registry.models import Person

    protected = Person.objects.get(full_name="Putri Ayu Lestari")
    pending = Organisation.objects.get(code="lks-cahaya-madani")
    login(page, network, "admin")
    problems: list[str] = []
    for path, what in [
        (f"{reverse('audit:list')}?object_type=registry.person&object_id={protected.pk}", "audit"),
        (reverse("audit:list"), "audit, all rows"),
        (f"{reverse('network:list')}?q=tidak-ada-lembaga-ini", "empty directory"),
        (reverse("network:detail", args=[pending.pk]), "organisation awaiting verification"),
        (reverse("accounts:user_list"), "users"),
        (reverse("accounts:profile"), "profile"),
    ]:
        page.goto(f"{network}{path}")
        problems += page_problems(page, what)
        if what == "audit":
            expect(page.locator("main")).to_contain_text("P. A. L. (dilindungi)")
            expect(page.locator("main")).not_to_contain_text("Putri Ayu Lestari")
    assert not problems, "\n".join(problems)
