"""The registry and import pages on a 360 px phone, through a real Chromium (issue 14):
the registry list with its labelled cells, a search that finds nobody (and offers to
register), a person's page with every form on it, the registration form, the empty
import list, a finished import that linked a row to someone already registered, its
rows, the row's page, the review queue with a pair and empty, the pair's page, the
registration form with the duplicate guard, and a protected record and the registry as
an office head sees them (masked) — each with no critical or serious axe-core violation,
no sideways scroll and, where the page holds many forms, no id used twice."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import Page, expect

from jejaring.accounts.actions import create_user
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.core.demo import DEMO_PASSWORD
from jejaring.imports import actions as import_actions
from jejaring.imports.models import ImportedRow, LinkReview, ReviewStatus
from jejaring.network.models import Organisation
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person, PersonAlias
from tests.browser.a11y import PHONE_VIEWPORT, open_every_fold, page_problems
from tests.browser.conftest import BROWSER_LOCALE
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICER = "data.pekanbaru"
# The demo registry holds "Muhammad Rizki" (NIK 1471011203140001): the first row links to
# him by NIK, the second is a possible duplicate sent for review.
RIZKI_CSV = (
    b"Nama,NIK,Jenis Kelamin,Tgl Lahir,Kode Wilayah,Nama Ibu\n"
    b"Mohamad Rizky,1471011203140001,L,12/03/2014,14.71.01.1002,\n"
    b"Mochamad Riski,,L,2014,14.71.01.1002,\n"
)


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def imported_job():
    officer = User.objects.get(username=OFFICER)
    job = import_actions.upload_file(
        SimpleUploadedFile("rizki.csv", RIZKI_CSV),
        organisation=officer.organisation,
        acting_user=officer,
    )
    import_actions.start_check(job, acting_user=officer, background=False)
    import_actions.run_check(job, acting_user=officer)
    import_actions.start_import(job, acting_user=officer, background=False)
    return import_actions.run_import(job, acting_user=officer)


def duplicate_ids(page: Page, what: str) -> list[str]:
    """axe-core no longer reports duplicate ids itself (its rule was retired), yet a label
    pointing at an id that two fields share labels only the first."""
    found = page.evaluate(
        """() => {
            const seen = {};
            for (const el of document.querySelectorAll('[id]')) {
                seen[el.id] = (seen[el.id] || 0) + 1;
            }
            return Object.keys(seen).filter(id => seen[id] > 1);
        }"""
    )
    return [f"{what}: duplicate ids {found}"] if found else []


def test_registry_and_import_pages_read_on_a_phone(page: Page, network: str, browser):
    found: list[str] = []  # every page is visited and checked; the failures come together
    login(page, network, OFFICER)

    page.goto(f"{network}{reverse('registry:list')}")
    first = page.locator("#results tbody tr").first
    expect(first).to_be_visible()
    found += page_problems(page, "the registry list")
    # On a phone the header row is hidden: each cell names its column.
    born = first.locator("td").nth(2)
    label = born.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Lahir" in label, f"the birth cell is not labelled on a phone: {label}"

    page.fill("#id_q", "Nama Yang Tidak Ada")
    expect(page.locator("#results")).to_contain_text("Tidak ada orang yang cocok")
    register = page.locator("#register-from-search")
    expect(register).to_be_visible()
    found += page_problems(page, "a search that finds nobody")
    with page.expect_navigation():
        register.click()
    # The typed name comes along, but not through the URL.
    expect(page.locator("#id_full_name")).to_have_value("Nama Yang Tidak Ada")
    assert "Nama" not in page.url
    found += page_problems(page, "the registration form, from the empty search")

    rizki = Person.objects.get(full_name="Muhammad Rizki")
    officer = User.objects.get(username=OFFICER)
    # Long other names, as streets give them: the list of names wraps on a phone.
    for name in ("Ucok Terminal Simpang Tiga Pekanbaru", "Rizki Anak Pasar Bawah"):
        registry_actions.add_alias(rizki, name, PersonAlias.Kind.STREET, acting_user=officer)
    page.goto(f"{network}{reverse('registry:detail', args=[rizki.pk])}")
    expect(page.locator("h1")).to_have_text("Muhammad Rizki")
    open_every_fold(page)
    expect(page.locator("#alias-name")).to_be_visible()
    found += page_problems(page, "a person's page, every form open")
    found += duplicate_ids(page, "a person's page")

    page.goto(f"{network}{reverse('imports:list')}")
    expect(page.locator("#main")).to_contain_text("Belum ada impor")
    found += page_problems(page, "the import list, empty")
    page.goto(f"{network}{reverse('imports:reviews')}")
    expect(page.locator("#queue-empty")).to_contain_text("antrean sudah bersih")
    found += page_problems(page, "the review queue, empty")

    job = imported_job()
    page.goto(f"{network}{reverse('imports:list')}")
    found += page_problems(page, "the import list with a job")
    page.goto(f"{network}{reverse('imports:detail', args=[job.pk])}")
    linked = page.locator("#linked")
    expect(linked).to_contain_text("Muhammad Rizki")
    found += page_problems(page, "the finished import")
    page.goto(f"{network}{reverse('imports:rows', args=[job.pk])}")
    expect(page.locator("#rows")).to_contain_text("Muhammad Rizki")
    found += page_problems(page, "the rows page")
    row = ImportedRow.objects.get(job=job, person=rizki)
    page.goto(f"{network}{reverse('imports:row', args=[job.pk, row.row])}")
    expect(page.locator("#row-facts")).to_contain_text("Muhammad Rizki")
    found += page_problems(page, "a linked row's page")

    review = LinkReview.objects.get(job=job, status=ReviewStatus.PENDING)
    page.goto(f"{network}{reverse('imports:reviews')}")
    expect(page.locator(f'#queue li[data-review="{review.pk}"]')).to_contain_text("Muhammad Rizki")
    found += page_problems(page, "the review queue")
    page.goto(f"{network}{reverse('imports:review', args=[review.pk])}")
    expect(page.locator("#compare")).to_contain_text("Mochamad Riski")
    # On a phone each cell says which record it is.
    cell = page.locator("#compare tbody td").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Data baru" in label, f"the pair's cells are not labelled on a phone: {label}"
    found += page_problems(page, "a pair's page")

    # Registering the demo's boy again: the form comes back with the duplicate guard.
    page.goto(f"{network}{reverse('registry:create')}")
    page.fill("#id_full_name", "Muhammad Rizky")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth_date", "2014-03-12")
    with page.expect_navigation():
        page.click("#main form.card button[type=submit]")
    expect(page.locator("section.notice")).to_contain_text("Muhammad Rizki")
    found += page_problems(page, "the registration form with the duplicate guard")

    # The Riau office head sees Pekanbaru's protected child masked, on a phone too.
    create_user(
        username="pimpinan.riau",
        organisation=Organisation.objects.get(code="dinsos-prov-riau"),
        roles=[Role.OFFICE_HEAD],
        password=DEMO_PASSWORD,
        acting_user=None,
    )
    head = browser.new_context(locale=BROWSER_LOCALE, viewport=PHONE_VIEWPORT).new_page()
    login(head, network, "pimpinan.riau")
    putri = Person.objects.get(full_name="Putri Ayu Lestari")
    head.goto(f"{network}{reverse('registry:detail', args=[putri.pk])}")
    expect(head.locator("h1")).to_have_text("P. A. L. (dilindungi)")
    found += page_problems(head, "a protected record, masked")
    found += duplicate_ids(head, "a protected record, masked")
    head.goto(f"{network}{reverse('registry:list')}")
    expect(head.locator("#results")).to_contain_text("P. A. L. (dilindungi)")
    found += page_problems(head, "the registry list of an office head")
    head.context.close()
    assert not found, "\n".join(found)
