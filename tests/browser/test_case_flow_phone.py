"""The case pages on a 360 px phone, through a real Chromium (issue 14): no sideways
scroll and no serious or critical axe-core violation on any of them (also with a refused
form on the page); the board's list on the first screen when its boxes are empty; the
closing reason shown only while "Closed" is chosen, without script; and the main flow by
keyboard alone — open a case from the board, move it on, and decide on a referral —
with Tab and Enter only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.a11y import PHONE_VIEWPORT, open_every_fold, page_problems
from tests.browser.conftest import BROWSER_LOCALE
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER = "petugas.pekanbaru"
RECEIVER = "dukcapil.pekanbaru"
CHILD = "Muhammad Rizki"
PARTNER = "LKSA Harapan Bunda Pekanbaru"  # not a government office: needs consent
MAX_TABS = 120


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def rizki_case():
    from jejaring.cases.models import Case

    return Case.objects.get(person__full_name=CHILD, organisation__code="dinsos-kota-pekanbaru")


def send_referral_to_dukcapil():
    from jejaring.accounts.models import User
    from jejaring.cases import actions
    from jejaring.network.models import Organisation

    return actions.send_referral(
        rizki_case(),
        Organisation.objects.get(code="dukcapil-pekanbaru"),
        acting_user=User.objects.get(username=WORKER),
        reason="Belum punya NIK.",
    )


def start_overlap_conference():
    """Satpol PP opens its own case on the boy: an overlap, and its case conference."""
    from jejaring.accounts.models import User
    from jejaring.cases import actions
    from jejaring.cases.models import OverlapAlert
    from jejaring.cases.overlap import refresh_overlaps
    from jejaring.network.models import Organisation
    from jejaring.reference.models import PmksCategory

    case = rizki_case()
    actions.open_case(
        case.person,
        PmksCategory.objects.get(code="anak_terlantar"),
        organisation=Organisation.objects.get(code="satpol-pp-pekanbaru"),
        acting_user=None,
    )
    refresh_overlaps()
    alert = OverlapAlert.objects.get(person=case.person, resolved_at__isnull=True)
    return actions.start_conference(alert, acting_user=User.objects.get(username=WORKER))


def tab_to(page: Page, locator) -> None:
    """Press Tab until ``locator`` has the focus, as a keyboard user moves through the page."""
    target = locator.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", target):
            return
    pytest.fail(f"Tab never reached {locator}")


def test_every_case_page_reads_on_a_phone(page: Page, network: str):
    referral = send_referral_to_dukcapil()
    conference = start_overlap_conference()
    case = rizki_case()
    found: list[str] = []  # every page is visited; the failures come together

    login(page, network, WORKER)
    for name, args, what in [
        ("cases:board", [], "board"),
        ("cases:detail", [case.pk], "case page"),
        ("cases:referral", [referral.pk], "referral (sender)"),
        ("cases:overlaps", [], "overlaps"),
        ("cases:conference", [conference.pk], "case conference"),
    ]:
        page.goto(f"{network}{reverse(name, args=args)}")
        found += page_problems(page, what)

    # The case page with its folds open and a refused referral on it (no consent for a
    # partner): the refusal and what the worker typed must read on the phone too.
    page.goto(f"{network}{reverse('cases:detail', args=[case.pk])}")
    page.locator("#refer summary").click()
    form = page.locator("#refer form")
    form.locator("select[name=to_organisation_other]").select_option(label=PARTNER)
    form.locator("[name=reason]").fill("Perlu pengasuhan sementara.")
    with page.expect_navigation():
        form.get_by_role("button", name="Kirim rujukan").click()
    expect(form.locator("[name=reason]")).to_have_value("Perlu pengasuhan sementara.")
    expect(form.locator("fieldset .error")).to_contain_text("persetujuan")
    open_every_fold(page, "#main")
    found += page_problems(page, "case page, refused referral, folds open")

    # An office whose boxes are all empty, and a reader who sees the boy masked.
    for username, name, args, what in [
        ("kelurahan.kampungtengah", "cases:board", [], "empty board"),
        ("kelurahan.kampungtengah", "cases:overlaps", [], "no overlaps"),
        (RECEIVER, "cases:referral", [referral.pk], "referral (receiver)"),
        ("admin", "cases:detail", [case.pk], "case page, masked"),
    ]:
        page.context.clear_cookies()
        login(page, network, username)
        page.goto(f"{network}{reverse(name, args=args)}")
        found += page_problems(page, f"{what} ({username})")
    assert not found, "\n".join(found)


def test_empty_boxes_leave_the_case_list_on_the_first_screen(page: Page, network: str):
    login(page, network, "kelurahan.kampungtengah")
    page.goto(f"{network}{reverse('cases:board')}")
    expect(page.locator("#board-quiet")).to_be_visible()
    top = page.locator("#open-cases").bounding_box()["y"]
    assert top < PHONE_VIEWPORT["height"] / 2, f"the open cases start at {top} px"
    expect(page.get_by_role("link", name="Catat kasus baru")).to_be_in_viewport()


def test_the_closing_reason_shows_only_while_closed_is_chosen(page: Page, network: str):
    login(page, network, WORKER)
    page.goto(f"{network}{reverse('cases:detail', args=[rizki_case().pk])}")
    state = page.get_by_label("Pindahkan ke")
    expect(state).to_have_value("assessed")  # the usual next step, not "Dilaporkan"
    expect(state.locator("option")).to_have_text(["Diasesmen", "Dalam layanan", "Ditutup"])
    reason = page.get_by_label("Alasan penutupan")
    expect(reason).to_be_hidden()
    state.select_option("closed")
    expect(reason).to_be_visible()
    expect(page.locator(".closing-only .help")).to_have_text("Hanya diisi saat kasus ditutup.")
    state.select_option("in_service")
    expect(reason).to_be_hidden()


def test_the_main_flow_by_keyboard_alone(page: Page, network: str):
    referral = send_referral_to_dukcapil()
    case = rizki_case()

    # The worker opens the boy's case from the board …
    login(page, network, WORKER)
    page.goto(f"{network}{reverse('cases:board')}")
    link = page.locator("#open-cases").get_by_role("link", name=CHILD)
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/kasus/{case.pk}/$"))
    expect(page.locator("h1")).to_contain_text(CHILD)

    # … and moves it on to its usual next step, offered first.
    tab_to(page, page.get_by_label("Pindahkan ke"))
    expect(page.get_by_label("Pindahkan ke")).to_have_value("assessed")
    tab_to(page, page.get_by_role("button", name="Perbarui kasus"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Kasus diperbarui.")
    expect(page.locator("#case-state")).to_have_text("Diasesmen")

    # The receiving office finds the referral on its board and accepts it.
    page.context.clear_cookies()
    login(page, network, RECEIVER)
    page.goto(f"{network}{reverse('cases:board')}")
    tab_to(page, page.get_by_role("link", name=CHILD).first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/kasus/rujukan/{referral.pk}/$"))
    tab_to(page, page.get_by_role("button", name="Terima"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Rujukan diterima")
    referral.refresh_from_db()
    assert referral.state == "accepted"
    expect(page).to_have_url(re.compile(rf"/kasus/{referral.receiver_case_id}/$"))
