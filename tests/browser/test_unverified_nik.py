"""Issue 11 §1 in a real Chromium on a 360 px phone: a worker registers a boy whose NIK
fails a rule (its date part says 12 June, the card's holder was born on the 11th), keeps
it as an unverified NIK with the reason, sees the badge, corrects the birth date and
verifies the digits. axe-core finds no critical or serious problem on those pages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from jejaring.registry.models import Person
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {
    "locale": "id-ID",
    "viewport": {"width": 360, "height": 780},
    "is_mobile": True,
    "has_touch": True,
}
WRONG_DAY = "1471011206150003"  # male, born 12-06-2015, Sukajadi (Kota Pekanbaru)


def assert_accessible(page: Page, *, reload: bool = False) -> None:
    """No critical or serious axe-core violation, and nothing wider than the phone.

    ``reload``: check the page as it is when opened again, without the flash message."""
    if reload:
        page.reload()
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
    assert not bad, [(v["id"], [n["target"] for n in v["nodes"]]) for v in bad]
    # On failure, name the elements that stick out.
    wide = page.evaluate(
        """[...document.querySelectorAll('#main *')]
            .filter(e => e.getBoundingClientRect().right > 361)
            .map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide[:10]


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("#main form.form .actions button[type=submit]")


@pytest.mark.parametrize("context_options", [PHONE_360], ids=["phone-360"])
def test_register_with_a_failing_nik_then_verify_it(page: Page, network: str):
    login(page, network, "petugas.pekanbaru")
    page.goto(f"{network}/registri/baru/")
    page.fill("#id_full_name", "Bayu Saputra")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth_date", "2015-06-11")
    page.fill("#id_nik", WRONG_DAY)
    submit(page)

    # The rule's message, and the offer to keep the digits with a reason.
    expect(page.locator("#id_nik + .help + .error, #id_nik ~ .error").first).to_contain_text(
        "12-06-15"
    )
    choice = page.locator("#unverified-nik-choice")
    expect(choice).to_be_visible()
    expect(choice).to_contain_text("Simpan sebagai NIK belum terverifikasi")
    assert_accessible(page)
    assert not Person.objects.filter(full_name="Bayu Saputra").exists()

    choice.get_by_label("Simpan sebagai NIK belum terverifikasi").check()
    page.fill("#id_nik_unverified_reason", "KTP rusak")
    submit(page)

    expect(page).to_have_url(re.compile(r"/registri/\d+/$"))
    badge = page.locator(".unverified-nik .tag.warn")
    expect(badge).to_have_text("NIK belum terverifikasi")
    expect(page.locator(".unverified-nik")).to_contain_text(WRONG_DAY)
    expect(page.locator(".unverified-nik")).to_contain_text("KTP rusak")
    assert_accessible(page, reload=True)
    person = Person.objects.get(full_name="Bayu Saputra")
    assert (person.nik, person.nik_unverified) == ("", WRONG_DAY)

    # The list shows the badge too, with the digits masked as a list masks a NIK.
    page.goto(f"{network}/registri/")
    row = page.locator("#results tr", has_text="Bayu Saputra")
    expect(row.locator(".tag.warn")).to_have_text("NIK belum terverifikasi")
    expect(row).to_contain_text("147101••••••0003")
    page.select_option("#id_nik_status", "unverified")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert_accessible(page)

    # Verifying digits that still disagree with the birth date is refused, with the rule.
    page.goto(f"{network}/registri/{person.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Verifikasi").click()
    expect(page.locator("#main")).to_contain_text("12-06-15")
    expect(badge).to_be_visible()

    # "Ganti NIK" asks for the NIK on the card; one that still fails a rule is refused with
    # the rule's message and stays typed, and the unverified NIK is untouched.
    replace = page.locator(".unverified-nik details")
    replace.locator("summary").click()
    replace.locator("input[name=nik]").fill("147101120615")
    assert_accessible(page)
    with page.expect_navigation():
        replace.get_by_role("button", name="Ganti NIK").click()
    expect(page.locator("h1")).to_have_text("Ganti NIK")
    expect(page.locator("input[name=nik]")).to_have_value("147101120615")
    expect(page.locator("#main")).to_contain_text("16")
    assert_accessible(page)
    person.refresh_from_db()
    assert (person.nik, person.nik_unverified) == ("", WRONG_DAY)

    # The card says the 12th: correct the birth date, then verify.
    page.goto(f"{network}/registri/{person.pk}/ubah/")
    page.fill("#id_birth_date", "2015-06-12")
    submit(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Verifikasi").click()
    expect(page.locator("#main")).to_contain_text("NIK terverifikasi.")
    expect(page.locator(".unverified-nik")).to_have_count(0)
    expect(page.locator("dl.facts")).to_contain_text(WRONG_DAY)
    assert_accessible(page, reload=True)
    person.refresh_from_db()
    assert (person.nik, person.nik_unverified, person.nik_unverified_reason) == (WRONG_DAY, "", "")
