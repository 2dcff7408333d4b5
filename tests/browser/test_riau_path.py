"""The Riau paper's path, end to end in a real Chromium, each office in its own browser.

A village officer finds a street child and reports him; Dinas Sosial Kota Pekanbaru takes
the case, sends him sideways to Dukcapil for a NIK, then up to the provincial children's
home, which feeds him, reunites him with his family and closes the case. Every office on
the path then reads the whole story on the person's page; an office elsewhere sees none.
"""

import re
from collections.abc import Callable

import pytest
from django.utils.timezone import localdate
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGE = "kelurahan.kampungtengah"
DINSOS = "petugas.pekanbaru"
DUKCAPIL = "dukcapil.pekanbaru"
PANTI = "panti.riau"
ELSEWHERE = "petugas.bandung"

DINSOS_NAME = "Dinas Sosial Kota Pekanbaru"
DUKCAPIL_NAME = "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru"
PANTI_NAME = "UPT Pelayanan Sosial Asuhan Anak Provinsi Riau"
VILLAGE_NAME = "Kantor Kelurahan Kampung Tengah"

CHILD = "Dimas Arya"
CATEGORY = "Anak jalanan"
NIK_SERVICE = "Fasilitasi pembuatan NIK"
FOOD_SERVICE = "Permakanan (makanan)"
REUNIFICATION = "Reunifikasi keluarga"

CASE_URL = re.compile(r"/kasus/(\d+)/$")
REFERRAL_URL = re.compile(r"/kasus/rujukan/(\d+)/$")
PERSON_URL = re.compile(r"/registri/(\d+)/$")


# --- small helpers over the real pages -------------------------------------------------


def path_id(page: Page, pattern: re.Pattern) -> int:
    """The number in the current URL, once the page has landed on a URL of that shape."""
    expect(page).to_have_url(pattern)
    return int(pattern.search(page.url).group(1))


def message(page: Page) -> Locator:
    """The flash messages shown after a redirect."""
    return page.locator("ul.messages")


def section(page: Page, heading: str) -> Locator:
    """A card on the page, found by its heading (a count may follow the heading's text)."""
    name = re.compile(rf"^{re.escape(heading)}( \d+)?$")
    return page.locator("section", has=page.get_by_role("heading", name=name))


def state_tag(page: Page) -> Locator:
    """The case's state, shown as the first tag under the case page's heading."""
    return page.locator("#case-state")


def referral_state(page: Page) -> Locator:
    """The referral's state, in the facts list of the referral page."""
    label = page.locator("dl.facts dt").filter(has_text=re.compile(r"^Status$"))
    return label.locator("xpath=following-sibling::dd[1]/span[@class='tag']")


def submit(form: Locator) -> None:
    """Press a form's submit button and wait for the page it leads to."""
    with form.page.expect_navigation():
        form.locator("button[type=submit]").click()


def register_child(page: Page, base_url: str) -> int:
    """Fill the registration form; confirm past the duplicate guard if it speaks."""
    page.goto(f"{base_url}/registri/baru/")
    page.fill("#id_full_name", CHILD)
    page.select_option("#id_sex", "M")
    page.fill("#id_birth_date", "2013-05-04")
    page.select_option("#id_birth_date_precision", "estimated")
    page.fill("#id_region", "14.71.01.1003")
    page.get_by_label(CATEGORY, exact=True).check()
    form = page.locator("#main form.card")
    submit(form)
    if "/registri/baru/" in page.url:
        # The duplicate guard: the form comes back with candidates and a confirm button.
        expect(page.locator("section.notice")).to_contain_text("mungkin sudah terdaftar")
        submit(form)
    person_id = path_id(page, PERSON_URL)
    expect(message(page)).to_contain_text("Orang berhasil didaftarkan.")
    expect(page.locator("h1")).to_have_text(CHILD)
    return person_id


def open_case(page: Page, person_id: int) -> int:
    """The "Open a case for my organisation" fold on the person's page, its form fetched
    as it opens."""
    page.locator("#open-case summary").click()
    form = page.locator(f"form[action$='/kasus/orang/{person_id}/buka/']")
    form.locator("[name=category]").select_option(label=CATEGORY)
    form.locator("[name=state]").select_option("reported")
    submit(form)
    case_id = path_id(page, CASE_URL)
    expect(message(page)).to_contain_text("Kasus dibuka.")
    return case_id


def refer(page: Page, base_url: str, case_id: int, receiver: str, reason: str) -> None:
    """Refer from the case page: a suggested receiver if offered, else the full list."""
    page.goto(f"{base_url}/kasus/{case_id}/")
    page.locator("#refer summary").click()
    form = page.locator(f"form[action$='/kasus/{case_id}/rujuk/']")
    suggested = form.get_by_role("radio", name=re.compile(re.escape(receiver)))
    if suggested.count():
        suggested.check()
    else:
        form.locator("select[name=to_organisation_other]").select_option(label=receiver)
    form.locator("[name=reason]").fill(reason)
    submit(form)
    expect(page).to_have_url(CASE_URL)
    expect(message(page)).to_contain_text("Rujukan dikirim.")
    sent = section(page, "Rujukan").get_by_role("listitem").filter(has_text=receiver)
    expect(sent).to_contain_text("Dikirim")


def accept_waiting_referral(page: Page, base_url: str, sender: str) -> tuple[int, int]:
    """From the board, open the child's waiting referral and accept it → (referral, case)."""
    page.goto(f"{base_url}/kasus/")
    waiting = section(page, "Rujukan yang menunggu kami")
    item = waiting.get_by_role("listitem").filter(has_text=CHILD)
    expect(item).to_contain_text(f"dari {sender}")
    item.get_by_role("link", name=CHILD).click()
    referral_id = path_id(page, REFERRAL_URL)
    expect(page.locator("dl.facts")).to_contain_text(sender)
    expect(page.locator("dl.facts")).to_contain_text(CATEGORY)
    expect(referral_state(page)).to_have_text("Dikirim")
    submit(page.locator(f"form[action$='/kasus/rujukan/{referral_id}/accept/']"))
    case_id = path_id(page, CASE_URL)
    expect(message(page)).to_contain_text("Rujukan diterima: kasus telah dibuka.")
    expect(state_tag(page)).to_have_text("Terdaftar")
    return referral_id, case_id


def record_service(page: Page, case_id: int, service: str) -> None:
    """The "Record a service" fold on the case page, its form fetched as it opens; the
    date defaults to today."""
    page.locator("#service-fold summary").click()
    form = page.locator("#service-form")
    expect(form).to_have_attribute("action", re.compile(rf"/kasus/{case_id}/layanan/$"))
    form.locator("[name=service_type]").select_option(label=service)
    # The date is left as offered. A date input only holds an ISO date: a value rendered in
    # the Indonesian format (dd-mm-yyyy) would be dropped, and the browser block the submit.
    expect(form.locator("[name=delivered_on]")).to_have_value(localdate().isoformat())
    submit(form)
    expect(message(page)).to_contain_text("Layanan dicatat.")
    expect(section(page, "Layanan yang diberikan").locator("tbody")).to_contain_text(service)
    expect(state_tag(page)).to_have_text("Dalam layanan")


def timeline(page: Page, base_url: str, person_id: int) -> Locator:
    page.goto(f"{base_url}/registri/{person_id}/")
    expect(page.locator("h1")).to_have_text(CHILD)
    return section(page, "Linimasa")


# --- the path ---------------------------------------------------------------------------


def test_riau_street_child_path(party: Callable[[str], Page], network: str):
    base = network

    # 1. The village officer registers the child, reports a case and refers it up.
    village = party(VILLAGE)
    person_id = register_child(village, base)
    identity = section(village, "Identitas")
    expect(identity).to_contain_text("Laki-laki")
    expect(identity).to_contain_text(VILLAGE_NAME)
    expect(section(village, "Kategori yang disandang")).to_contain_text(CATEGORY)

    village_case = open_case(village, person_id)
    expect(village.locator("h1")).to_contain_text(CATEGORY)
    expect(village.locator("h1")).to_contain_text(VILLAGE_NAME)
    expect(state_tag(village)).to_have_text("Dilaporkan")
    refer(village, base, village_case, DINSOS_NAME, "Ditemukan mengamen di pasar, sendirian.")

    # 2. Dinas Sosial Kota Pekanbaru accepts, then asks Dukcapil (sideways) for a NIK.
    dinsos = party(DINSOS)
    _, dinsos_case = accept_waiting_referral(dinsos, base, VILLAGE_NAME)
    expect(dinsos.locator("h1")).to_contain_text(DINSOS_NAME)
    refer(dinsos, base, dinsos_case, DUKCAPIL_NAME, "belum punya NIK")
    expect(section(dinsos, "Rujukan")).to_contain_text("Ke samping")
    dinsos.goto(f"{base}/kasus/")
    expect(section(dinsos, "Rujukan yang kami kirim")).to_contain_text(DUKCAPIL_NAME)

    # 3. Dukcapil accepts, issues the NIK and marks its referral completed.
    dukcapil = party(DUKCAPIL)
    nik_referral, dukcapil_case = accept_waiting_referral(dukcapil, base, DINSOS_NAME)
    record_service(dukcapil, dukcapil_case, NIK_SERVICE)
    dukcapil.goto(f"{base}/kasus/rujukan/{nik_referral}/")
    submit(dukcapil.locator(f"form[action$='/kasus/rujukan/{nik_referral}/complete/']"))
    expect(dukcapil).to_have_url(f"{base}/kasus/rujukan/{nik_referral}/")
    expect(message(dukcapil)).to_contain_text("Rujukan selesai.")
    expect(referral_state(dukcapil)).to_have_text("Selesai")

    # 4. Dinas Sosial refers the child up to the provincial children's home.
    refer(dinsos, base, dinsos_case, PANTI_NAME, "Perlu pengasuhan dan penelusuran keluarga.")
    expect(section(dinsos, "Rujukan")).to_contain_text("Ke atas")

    # 5. The home accepts, feeds him, reunites him with his family and closes the case.
    panti = party(PANTI)
    _, panti_case = accept_waiting_referral(panti, base, DINSOS_NAME)
    record_service(panti, panti_case, FOOD_SERVICE)
    record_service(panti, panti_case, REUNIFICATION)
    transition = panti.locator(f"form[action$='/kasus/{panti_case}/status/']")
    transition.locator("#id_state").select_option("closed")
    transition.locator("#id_closing_reason").select_option("reunified")
    transition.locator("#id_note").fill("Diantar pulang ke keluarga di Kampung Tengah.")
    submit(transition)
    expect(message(panti)).to_contain_text("Kasus diperbarui.")
    expect(state_tag(panti)).to_have_text("Ditutup")
    expect(panti.locator("#case-status")).to_contain_text("Bersatu kembali dengan keluarga")
    expect(transition).to_have_count(0)  # a closed case offers no more transitions

    # 6. Every office on the path reads the whole story on the person's page …
    for username in (VILLAGE, DINSOS, DUKCAPIL, PANTI):
        events = timeline(party(username), base, person_id)
        expect(events).to_contain_text(f"{NIK_SERVICE} × 1")
        expect(events).to_contain_text(f"{REUNIFICATION} × 1")
        expect(events).to_contain_text("Kasus ditutup: Bersatu kembali dengan keluarga")

    # … and an office in another province cannot open it, nor sees it on its board.
    bandung = party(ELSEWHERE)
    response = bandung.goto(f"{base}/registri/{person_id}/")
    assert response is not None
    assert response.status == 404
    for case_id in (village_case, dinsos_case, dukcapil_case, panti_case):
        response = bandung.goto(f"{base}/kasus/{case_id}/")
        assert response is not None
        assert response.status == 404
    bandung.goto(f"{base}/kasus/")
    expect(bandung.locator("h1")).to_have_text("Papan kerja saya")
    expect(bandung.locator("#main")).not_to_contain_text(CHILD)
