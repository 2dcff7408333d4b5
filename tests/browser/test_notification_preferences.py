"""The notification pages on a 360 px phone (issue 14, points 2 and 4): the list with
a named notification and its empty state, and the choices page used with the keyboard
alone — no critical or serious axe-core violation, no sideways scroll."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.a11y import PHONE_VIEWPORT, page_problems
from tests.browser.conftest import BROWSER_LOCALE
from tests.browser.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def test_choices_page_on_a_phone_with_the_keyboard(page: Page, network: str):
    from jejaring.core.models import NotificationPreference

    login(page, network, "petugas.pekanbaru")
    page.goto(f"{network}{reverse('core:notifications')}")
    found = page_problems(page, "notifications")
    # One click from the list to the choices.
    page.get_by_role("link", name="Pilih pemberitahuan yang Anda terima, dan caranya").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilihan notifikasi")
    found += page_problems(page, "notification choices")
    # The column's name shows beside each box once the table stacks on the phone.
    label = page.locator("#id_case_assigned-by_email").locator("xpath=..")
    assert "Lewat e-mail" in label.evaluate("td => getComputedStyle(td, '::before').content")
    box = page.locator("#id_case_assigned-by_email")
    expect(box).to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    page.get_by_role("button", name="Simpan pilihan").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Pilihan notifikasi Anda disimpan.")
    expect(page.locator("#id_case_assigned-by_email")).not_to_be_checked()
    found += page_problems(page, "notification choices, saved")
    assert not found, "\n".join(found)
    kept = NotificationPreference.objects.get(user__username="petugas.pekanbaru")
    assert (kept.kind, kept.in_app, kept.by_email) == ("case_assigned", True, False)


def test_a_named_notification_and_the_empty_list_on_a_phone(page: Page, network: str):
    from jejaring.accounts.models import User
    from jejaring.cases import actions as case_actions
    from jejaring.core.models import Notification
    from tests.helpers import register_person

    worker = User.objects.get(username="petugas.pekanbaru")
    person = register_person(full_name="Nadia Kusumawati")
    case = case_actions.open_case(
        person,
        person.categories.first().category,
        organisation=worker.organisation,
        acting_user=worker,
    )
    case_actions.assign_worker(
        case, User.objects.get(username="data.pekanbaru"), acting_user=worker
    )
    login(page, network, "data.pekanbaru")
    page.goto(f"{network}{reverse('core:notifications')}")
    expect(page.locator(".notifications")).to_contain_text(
        "Kasus Nadia Kusumawati ditugaskan kepada Anda"
    )
    found = page_problems(page, "notifications with one")
    page.goto(f"{network}{reverse('core:notifications')}?unread=true")
    Notification.objects.filter(user__username="data.pekanbaru").update(read_at=case.opened_at)
    page.reload()
    expect(page.locator(".empty")).to_be_visible()
    found += page_problems(page, "notifications, nothing unread")
    assert not found, "\n".join(found)
