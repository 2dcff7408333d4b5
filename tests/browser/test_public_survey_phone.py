"""The satisfaction survey on a 360 px phone, through a real Chromium (issue 15): a worker
issues a code, the person answers the nine questions with it, and the open page shows the
office's index. axe-core finds nothing serious and no page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.a11y import page_problems
from tests.browser.conftest import phone_page as phone
from tests.browser.conftest import press as submit
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_answers_the_survey_with_a_code(browser: Browser, network: str):
    problems: list[str] = []
    worker = phone(browser)
    login(worker, network, "petugas.pekanbaru")
    worker.goto(f"{network}/survei-kepuasan/kode/")
    problems += page_problems(worker, "survey codes")
    submit(worker, "Buat kode")
    code = worker.locator(".tracking-code").inner_text().strip()
    assert re.fullmatch(r"SK-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", code)
    problems += page_problems(worker, "survey code issued")

    person = phone(browser)
    person.goto(f"{network}/skm/")
    problems += page_problems(person, "survey code form")
    person.get_by_label("Kode survei").fill(code)
    submit(person, "Mulai survei")
    problems += page_problems(person, "questionnaire")
    for group in person.locator("fieldset").all():
        group.get_by_role("radio").first.check()  # the best answer comes first
    submit(person, "Kirim jawaban saya")
    expect(person.get_by_role("heading", name="Terima kasih")).to_be_visible()

    person.goto(f"{network}/data/skm/")
    expect(person.locator("table")).to_contain_text("Dinas Sosial Kota Pekanbaru")
    problems += page_problems(person, "open page")
    worker.goto(f"{network}/survei-kepuasan/")
    problems += page_problems(worker, "survey results")
    assert not problems, "\n".join(problems)
