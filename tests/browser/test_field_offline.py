"""Field work with no signal, in a real Chromium on a 360 px phone (issue 16).

A village officer, signed in once with signal, goes offline: registers two people (one
already in the registry under a spelling variant) and records a service for a third.
Back online, the sync's first request reaches the server but its answer is cut off; the
retry applies nothing twice. The new person is created once, the likely duplicate waits
for the officer's choice, the service is recorded once. What the phone stores is
ciphertext, and without the session's key the page cannot open it."""

from __future__ import annotations

import datetime
import json

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.browser.a11y import page_problems
from tests.browser.conftest import phone_page as phone
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICER = "kelurahan.kampungtengah"
KAMPUNG_TENGAH = "14.71.01.1003"
VARIANT = "Mohamad Risky Saputra"  # the registry holds Mohamad Rizky Saputra, born 2014-03-12

# Every draft's stored record, its ciphertext as bytes (read as the browser stores it).
READ_STORED_DRAFTS = """async () => {
  const db = await new Promise((resolve) => {
    const open = indexedDB.open("jejaring-field");
    open.onsuccess = () => resolve(open.result);
  });
  const rows = await new Promise((resolve) => {
    const q = db.transaction("drafts").objectStore("drafts").getAll();
    q.onsuccess = () => resolve(q.result);
  });
  return rows.map((row) => ({
    key: row.key, kind: row.kind, state: row.state,
    bytes: Array.from(new Uint8Array(row.box.data)),
  }));
}"""


def third_person():
    """Someone living in the village, registered by the city's social office."""
    from jejaring.accounts.models import User
    from jejaring.regions.models import Region
    from jejaring.registry import actions

    worker = User.objects.get(username="petugas.pekanbaru")
    return actions.create_person(
        {
            "full_name": "Ramlah Binti Said",
            "sex": "F",
            "birth_date": datetime.date(1948, 5, 2),
            "region": Region.objects.get(code=KAMPUNG_TENGAH),
        },
        organisation=worker.organisation,
        acting_user=worker,
    )


def draft_states(page) -> dict[str, str]:
    items = page.locator("#drafts li.draft")
    return {
        items.nth(i).locator("strong").inner_text(): items.nth(i).get_attribute("data-state")
        for i in range(items.count())
    }


def test_offline_drafts_sync_exactly_once_and_stay_locked(browser: Browser, network: str):
    from jejaring.cases.models import Service
    from jejaring.registry.models import Person

    ramlah = third_person()
    problems: list[str] = []
    officer = phone(browser)
    context = officer.context
    login(officer, network, OFFICER)
    officer.goto(f"{network}/lapangan/")
    expect(officer.locator("#field-app")).to_have_attribute("data-ready", "true")
    # Once the service worker controls the page, the page and its files are kept.
    officer.evaluate("navigator.serviceWorker.ready.then(() => true)")
    officer.reload()
    expect(officer.locator("#field-app")).to_have_attribute("data-ready", "true")
    assert officer.evaluate("!!navigator.serviceWorker.controller")
    problems += page_problems(officer, "field page, online")

    context.set_offline(True)
    officer.reload()  # served by the service worker: there is no network
    expect(officer.locator("#field-app")).to_have_attribute("data-ready", "true")
    expect(officer.locator("#field-status")).to_contain_text("Tidak ada sinyal")

    register = officer.locator("#register-form")
    register.get_by_label("Nama lengkap").fill("Andi Pratama")
    register.get_by_label("Jenis kelamin").select_option("M")
    register.get_by_label("Tanggal lahir", exact=True).fill("2015-02-14")
    register.get_by_label("RT").fill("3")
    register.get_by_role("button", name="Simpan di ponsel ini").click()
    expect(officer.locator("#drafts li.draft")).to_have_count(1)
    register.get_by_label("Nama lengkap").fill(VARIANT)
    register.get_by_label("Jenis kelamin").select_option("M")
    register.get_by_label("Tanggal lahir", exact=True).fill("2014-03-12")
    register.get_by_role("button", name="Simpan di ponsel ini").click()
    expect(officer.locator("#drafts li.draft")).to_have_count(2)

    officer.locator("#service summary").click()
    service = officer.locator("#service-form")
    service.get_by_label("Cari orangnya").fill("Ramlah")
    service.locator("#s-person").select_option(str(ramlah.pk))
    service.locator("#s-type").select_option("permakanan")
    service.get_by_label("Kategori, bila").select_option("lanjut_usia_terlantar")
    service.get_by_role("button", name="Simpan di ponsel ini").click()
    expect(officer.locator("#drafts li.draft")).to_have_count(3)
    expect(officer.locator("#drafts")).to_contain_text("menunggu sinyal")
    problems += page_problems(officer, "field page, offline with drafts")

    # At rest, only ciphertext: no name in any stored byte.
    stored = officer.evaluate(READ_STORED_DRAFTS)
    assert [row["state"] for row in stored] == ["waiting"] * 3
    for row in stored:
        text = bytes(row["bytes"]).decode("latin-1")
        for name in ("Andi", "Pratama", "Risky", "Ramlah", "permakanan"):
            assert name not in text

    # Back online: the first sync reaches the server, but its answer is lost.
    sent: list[dict] = []

    def cut_the_first_answer(route: Route):
        sent.append(json.loads(route.request.post_data))
        if len(sent) == 1:
            route.fetch()  # the server applies the drafts…
            route.abort("connectionreset")  # …and the phone never hears back
        else:
            route.continue_()

    officer.route("**/api/v1/field/sync", cut_the_first_answer)
    context.set_offline(False)
    expect(officer.locator("#field-status")).to_contain_text("Gagal mengirim")
    assert Person.objects.filter(full_name="Andi Pratama").count() == 1  # applied already
    officer.get_by_role("button", name="Kirim sekarang").click()
    expect(officer.locator("#drafts li.draft[data-state=waiting]")).to_have_count(0)
    assert len(sent) == 2
    assert [d["key"] for d in sent[0]["drafts"]] == [d["key"] for d in sent[1]["drafts"]]
    states = draft_states(officer)
    assert states["Andi Pratama"] == "applied"
    assert states[VARIANT] == "needs_choice"
    assert states["Layanan untuk Ramlah Binti Said"] == "applied"
    assert Person.objects.filter(full_name="Andi Pratama").count() == 1
    assert Person.objects.filter(full_name=VARIANT).count() == 0
    assert Service.objects.filter(person=ramlah).count() == 1

    # The officer recognises him: the draft is the registered boy, no one new.
    choice = officer.locator("#drafts li.draft[data-state=needs_choice]")
    expect(choice).to_contain_text("Mohamad Rizky Saputra")
    problems += page_problems(officer, "field page, a likely duplicate to choose")
    choice.get_by_role("button", name="Orang yang sama").first.click()
    expect(officer.locator("#drafts li.draft[data-state=applied]")).to_have_count(3)
    assert Person.objects.filter(full_name=VARIANT).count() == 0
    assert Person.objects.filter(full_name="Mohamad Rizky Saputra").count() == 1
    assert Service.objects.filter(person=ramlah).count() == 1

    # Without the session the drafts cannot be opened: offline, signed out, key gone.
    context.set_offline(True)
    context.clear_cookies()
    officer.evaluate("sessionStorage.clear()")
    officer.reload()
    expect(officer.locator("#field-locked")).to_be_visible()
    expect(officer.locator("#drafts strong").first).to_have_text("•••")
    assert "Andi" not in officer.locator("#drafts").inner_text()
    assert not problems, "\n".join(problems)


def test_an_offline_change_that_meets_a_change_at_the_office_waits_for_the_worker(
    browser: Browser, network: str
):
    from jejaring.accounts.models import User
    from jejaring.registry import actions
    from jejaring.registry.models import Person

    rizky = Person.objects.get(full_name="Mohamad Rizky Saputra")
    problems: list[str] = []
    officer = phone(browser)
    login(officer, network, OFFICER)
    officer.goto(f"{network}/lapangan/")
    expect(officer.locator("#field-app")).to_have_attribute("data-ready", "true")
    officer.context.set_offline(True)
    officer.locator("#update summary").click()
    update = officer.locator("#update-form")
    update.get_by_label("Cari orangnya").fill("Rizky")
    update.locator("#u-person").select_option(str(rizky.pk))
    update.get_by_label("Telepon").fill("0812 3333 4444")
    update.get_by_role("button", name="Simpan di ponsel ini").click()
    expect(officer.locator("#drafts li.draft")).to_have_count(1)

    # Meanwhile, at the office, someone records another number.
    actions.update_person(
        rizky,
        {"phone": "0811 1111 2222"},
        expected_version=rizky.version,
        acting_user=User.objects.get(username="petugas.pekanbaru"),
    )
    officer.context.set_offline(False)
    waiting = officer.locator("#drafts li.draft[data-state=needs_choice]")
    expect(waiting).to_contain_text("0811 1111 2222")
    expect(waiting).to_contain_text("0812 3333 4444")
    problems += page_problems(officer, "field page, a change met another")
    rizky.refresh_from_db()
    assert rizky.phone == "0811 1111 2222"  # nothing overwritten while the worker decides
    waiting.get_by_role("button", name="Pakai punya saya").click()
    expect(officer.locator("#drafts li.draft[data-state=applied]")).to_have_count(1)
    rizky.refresh_from_db()
    assert rizky.phone == "0812 3333 4444"
    assert not problems, "\n".join(problems)


def test_a_child_registered_offline_gets_a_food_package_in_the_same_sitting(
    browser: Browser, network: str
):
    """In a shelter with no signal: register a child, then record food packages for the
    draft itself and for a boy already registered (one draft each); once online each
    lands on its record, once."""
    from jejaring.cases.models import Service
    from jejaring.registry.models import Person

    officer = phone(browser)
    login(officer, network, OFFICER)
    officer.goto(f"{network}/lapangan/")
    expect(officer.locator("#field-app")).to_have_attribute("data-ready", "true")
    officer.context.set_offline(True)
    register = officer.locator("#register-form")
    register.get_by_label("Nama lengkap").fill("Nur Aisyah")
    register.get_by_label("Jenis kelamin").select_option("F")
    register.get_by_label("Tanggal lahir", exact=True).fill("2019-06-01")
    register.get_by_role("button", name="Simpan di ponsel ini").click()
    expect(officer.locator("#drafts li.draft")).to_have_count(1)
    officer.locator("#service summary").click()
    service = officer.locator("#service-form")
    # The child in the draft and a boy already registered get one package each.
    rizky = Person.objects.get(full_name="Mohamad Rizky Saputra")
    in_draft = service.locator("#s-person option", has_text="Nur Aisyah (dalam draf")
    service.locator("#s-person").select_option([in_draft.get_attribute("value"), str(rizky.pk)])
    service.locator("#s-type").select_option("permakanan")
    service.get_by_label("Kategori, bila").select_option("anak_terlantar")
    service.get_by_role("button", name="Simpan di ponsel ini").click()
    expect(officer.locator("#drafts li.draft")).to_have_count(3)
    officer.context.set_offline(False)
    expect(officer.locator("#drafts li.draft[data-state=applied]")).to_have_count(3)
    child = Person.objects.get(full_name="Nur Aisyah")
    assert Service.objects.filter(person=child).count() == 1
    assert Service.objects.filter(person=rizky, case__organisation=child.registered_by).count() == 1


def test_logging_out_locks_the_drafts_on_the_phone(browser: Browser, network: str):
    officer = phone(browser)
    login(officer, network, OFFICER)
    officer.goto(f"{network}/lapangan/")
    expect(officer.locator("#field-app")).to_have_attribute("data-ready", "true")
    assert officer.evaluate("!!sessionStorage.getItem('jejaring-field-key')")
    with officer.expect_navigation():
        officer.locator("form[data-logout] button").click()
    assert not officer.evaluate("sessionStorage.getItem('jejaring-field-key')")
