"""A citizen's report of a child sleeping under a bridge, on a 360 px phone, through a
real Chromium (issue 15): the citizen reports without an account and gets a tracking
code; the worker at Dinas Sosial Kota Pekanbaru sees the report, opens a case from it
(the duplicate guard finds the boy already registered, and the case goes on his
record), and the reporter's status page moves to "Ditangani" without ever showing who
the child is. Every page passes axe-core and has no sideways scroll."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.a11y import page_problems
from tests.browser.conftest import phone_page as phone
from tests.browser.conftest import press as submit
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER = "petugas.pekanbaru"
CHILD = "Muhammad Rizki"  # in the demo registry already, born 2014-03-12
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CODE = re.compile(r"LM-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}")


def test_a_citizen_reports_a_child_under_a_bridge_and_follows_it(browser: Browser, network: str):
    problems: list[str] = []
    citizen = phone(browser)
    citizen.goto(f"{network}/lapor/")
    problems += page_problems(citizen, "report form")
    citizen.get_by_label("Anak yang hidup atau tidur di jalan").check()
    citizen.get_by_label("Desa atau kelurahan").fill("Kampung Tengah")
    citizen.get_by_label("Di mana tepatnya").fill("Di bawah jembatan Siak, sisi pasar")
    citizen.get_by_label("Apa yang Anda lihat").fill(
        "Anak laki-laki sekitar 12 tahun tidur di bawah jembatan setiap malam, tanpa alas."
    )
    citizen.get_by_label("Nama orang itu, jika tahu").fill(CHILD)
    citizen.get_by_label("Nomor telepon atau e-mail Anda").fill("0812-7777-1234")
    submit(citizen, "Kirim laporan")
    # Several villages are called Kampung Tengah: the page asks which, without script too.
    problems += page_problems(citizen, "report form asking which village")
    citizen.get_by_label(re.compile(r"Kampung Tengah — Sukajadi")).check()
    citizen.get_by_label("Foto (tidak wajib)").set_input_files(
        {"name": "jembatan.png", "mimeType": "image/png", "buffer": PNG}
    )
    submit(citizen, "Kirim laporan")
    expect(citizen.locator(".tracking-code")).to_have_text(CODE)
    code = citizen.locator(".tracking-code").inner_text().strip()
    problems += page_problems(citizen, "report sent")
    status_url = citizen.url

    worker = phone(browser)
    login(worker, network, WORKER)
    worker.goto(f"{network}/laporan/")
    problems += page_problems(worker, "queue")
    with worker.expect_navigation():
        worker.locator("table a", has_text="Anak yang hidup atau tidur di jalan").first.click()
    expect(worker.get_by_text("tanpa alas")).to_be_visible()
    expect(worker.get_by_text("0812-7777-1234")).to_be_visible()
    problems += page_problems(worker, "report")
    with worker.expect_navigation():
        worker.get_by_role("link", name="Buka kasus untuk orang ini").click()
    expect(worker.get_by_label("Nama lengkap")).to_have_value(CHILD)
    worker.get_by_label("Jenis kelamin").select_option("M")
    worker.locator("#id_birth_date").fill("2014-03-12")
    submit(worker, "Daftarkan dan buka kasus")
    # The duplicate guard runs: the boy is already in the registry.
    guard = worker.get_by_role("alert").filter(has_text="mungkin sudah terdaftar")
    expect(guard).to_be_visible()
    problems += page_problems(worker, "duplicate guard")
    candidate = guard.get_by_role("listitem").filter(has_text=f"{CHILD} ·")
    with worker.expect_navigation():
        candidate.get_by_role("button", name="Buka kasus pada data ini").click()
    expect(worker).to_have_url(re.compile(r"/kasus/\d+/$"))
    expect(worker.locator("h1")).to_contain_text(CHILD)

    citizen.goto(status_url)
    expect(citizen.get_by_role("heading", name=re.compile("Ditangani"))).to_be_visible()
    page_text = citizen.locator("main").inner_text()
    assert code in page_text
    for secret in (CHILD, "jembatan Siak", "tanpa alas", "0812-7777-1234"):
        assert secret not in page_text
    problems += page_problems(citizen, "status handled")
    assert not problems, "\n".join(problems)


def test_a_code_typed_on_the_status_page_shows_the_step(browser: Browser, network: str):
    from jejaring.public.models import PublicReport

    report = PublicReport.objects.order_by("pk").first()  # the demo's waiting report
    citizen = phone(browser)
    citizen.goto(f"{network}/lapor/status/")
    citizen.get_by_label("Kode pelacakan").fill(report.tracking_code.lower())
    submit(citizen, "Tampilkan status")
    expect(citizen.get_by_role("heading", name=re.compile("Diterima"))).to_be_visible()
    assert not page_problems(citizen, "status typed")
