"""A complaint on a 360 px phone, through a real Chromium (issue 15): a citizen complains
about the city's social office without an account and gets a code; its worker verifies,
follows it up and answers on the complaints desk; the citizen reads the answer with the
code and rates it, which closes the complaint. Every page passes axe-core and has no
sideways scroll; the complaints dashboard too."""

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
CODE = re.compile(r"PG-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}")


def test_a_complaint_from_sending_to_rating(browser: Browser, network: str):
    problems: list[str] = []
    citizen = phone(browser)
    citizen.goto(f"{network}/pengaduan/")
    problems += page_problems(citizen, "complaint form")
    citizen.get_by_label("Layanan lambat atau berbelit").check()
    citizen.get_by_label("Kantor atau lembaga mana?").fill("Dinas Sosial Kota Pekanbaru")
    citizen.get_by_label("Perihal").fill("Surat rekomendasi tidak kunjung selesai")
    citizen.get_by_label("Apa yang terjadi").fill(
        "Sudah empat kali ke loket sejak bulan lalu, selalu diminta kembali minggu depan."
    )
    submit(citizen, "Kirim pengaduan")
    expect(citizen.locator(".tracking-code")).to_have_text(CODE)
    problems += page_problems(citizen, "complaint sent")
    status_url = citizen.url

    worker = phone(browser)
    login(worker, network, WORKER)
    worker.goto(f"{network}/meja-pengaduan/")
    problems += page_problems(worker, "complaints desk")
    with worker.expect_navigation():
        worker.get_by_role("link", name="Surat rekomendasi tidak kunjung selesai").click()
    problems += page_problems(worker, "complaint")
    submit(worker, "Verifikasi")
    submit(worker, "Mulai tindak lanjut")
    worker.get_by_label("Jawaban kepada pengadu").fill(
        "Surat rekomendasi sudah terbit dan dapat diambil di loket 2 mulai besok."
    )
    submit(worker, "Kirim jawaban")
    expect(worker.locator("dl.facts.card")).to_contain_text("Dijawab")
    worker.goto(f"{network}/meja-pengaduan/dasbor/")
    problems += page_problems(worker, "complaints dashboard")

    citizen.goto(status_url)
    expect(citizen.get_by_text("dapat diambil di loket 2")).to_be_visible()
    problems += page_problems(citizen, "complaint answered")
    citizen.get_by_label("4 — sebagian besar").check()
    submit(citizen, "Nilai jawaban")
    expect(citizen.get_by_role("heading", name=re.compile("Ditutup|Selesai"))).to_be_visible()
    problems += page_problems(citizen, "complaint rated")
    assert not problems, "\n".join(problems)
