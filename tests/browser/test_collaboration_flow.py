"""A forum at work, end to end in a real Chromium, each office in its own browser.

Dinas Sosial Kota Pekanbaru starts a small forum with Dukcapil and LKSA Harapan Bunda.
The forum meets online, a proposal reaches consensus, Dukcapil takes on a commitment
and fulfils it, and the forum's health check reflects each step: the figures are
worked out by hand below from the formulas in jejaring/collaboration/health/dimensions.py.

The collaboration pages are not all translated yet: every label or message asserted
here is looked up through Django's own translation (``shown``), so the test holds
whether a string is shown in Indonesian or still in English.
"""

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from playwright.sync_api import Locator, Page, expect

from jejaring.collaboration.models import (
    CommitmentState,
    MeetingMode,
    MeetingState,
    ProposalState,
    Stance,
)
from tests.browser.test_riau_path import message, path_id, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DINSOS = "petugas.pekanbaru"
DUKCAPIL = "dukcapil.pekanbaru"
LKSA = "mitra.lksa"

DINSOS_NAME = "Dinas Sosial Kota Pekanbaru"
DUKCAPIL_NAME = "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru"
LKSA_NAME = "LKSA Harapan Bunda Pekanbaru"
# Who came to the meeting, for each member organisation.
ATTENDEES = [
    (DINSOS_NAME, "Rahmat Hidayat"),
    (DUKCAPIL_NAME, "Budi Santoso"),
    (LKSA_NAME, "Siti Aminah"),
]

# Not the demo's "Forum Perlindungan Anak Kota Pekanbaru": a forum of our own, with no
# history, so that its health figures are exactly what this test does.
FORUM = "Forum Uji Koordinasi NIK Anak Pekanbaru"
MISSION = "Setiap anak yang dilayani di Kota Pekanbaru memiliki NIK dalam 30 hari."
MEETING = "Rapat daring koordinasi NIK anak"
ONLINE_LINK = "https://meet.example.org/forum-nik-anak"
MINUTES = "Disepakati jemput bola perekaman NIK di LKSA Harapan Bunda."
PROPOSAL = "Jemput bola perekaman NIK di LKSA"
RESERVATION = "Setuju, asal jadwal menyesuaikan jam sekolah anak."
COMMITMENT = "Perekaman NIK 12 anak di LKSA Harapan Bunda"
EVIDENCE = "Berita acara perekaman No. 470/123/Dukcapil; 12 anak sudah memiliki NIK."

FORUM_URL = re.compile(r"/kolaborasi/forum/(\d+)/$")
MEETING_URL = re.compile(r"/kolaborasi/rapat/(\d+)/$")
PROPOSAL_URL = re.compile(r"/kolaborasi/usulan/(\d+)/$")
COMMITMENT_URL = re.compile(r"/kolaborasi/komitmen/(\d+)/$")


# --- small helpers over the real pages -------------------------------------------------


def shown(text) -> str:
    """A label or message as the Indonesian pages show it (English while untranslated)."""
    with translation.override("id"):
        return str(text)


def local_minute(moment: datetime.datetime) -> str:
    """The value a datetime-local input holds: ISO, local time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def dimension(page: Page, code: str) -> Locator:
    """One dimension's card on the health page; its data-score is empty without evidence."""
    return page.locator(f"#dimension-{code}")


def figures(page: Page, code: str) -> Locator:
    """The "Figures" column of a dimension's table, one cell per component, in order."""
    return dimension(page, code).locator("tbody tr td:nth-child(2)")


def expect_health(page: Page, expected: dict) -> None:
    """Each dimension's score (data-score, "" when there is no evidence) and, when given,
    the figures column of its evidence table."""
    for code, (score, shown_figures) in expected.items():
        expect(dimension(page, code)).to_have_attribute("data-score", score)
        if shown_figures is not None:
            expect(figures(page, code)).to_have_text(shown_figures)


def open_health(page: Page, base_url: str, forum_id: int) -> None:
    """From the forum's page, follow its "Health check" link."""
    page.goto(f"{base_url}/kolaborasi/forum/{forum_id}/")
    page.locator(f"a[href$='/kolaborasi/forum/{forum_id}/kesehatan/']").click()
    expect(page).to_have_url(f"{base_url}/kolaborasi/forum/{forum_id}/kesehatan/")
    expect(page.locator("h1")).to_contain_text(FORUM)


def state_position(page: Page, base_url: str, proposal_id: int, stance: str, reason="") -> None:
    """The "State your organisation's position" form on the proposal's page."""
    page.goto(f"{base_url}/kolaborasi/usulan/{proposal_id}/")
    form = page.locator("#position-form")
    form.locator(f"input[name=stance][value={stance}]").check()
    if reason:
        form.locator("[name=reason]").fill(reason)
    submit(form)
    expect(page).to_have_url(f"{base_url}/kolaborasi/usulan/{proposal_id}/")
    expect(message(page)).to_contain_text(shown(_("Your organisation's position was recorded.")))


def position_of(page: Page, organisation: str) -> Locator:
    """An organisation's row in the proposal's table of positions."""
    return page.locator("#positions tbody tr").filter(has_text=organisation)


# --- the flow ---------------------------------------------------------------------------


def test_forum_meets_decides_commits_and_health_reflects_it(
    party: Callable[[str], Page], network: str
):
    base = network
    now = timezone.now()
    today = timezone.localdate()

    # 1. Dinas Sosial starts the forum with Dukcapil and the LKSA. It writes its mission
    #    but not yet a common problem definition; it meets every 30 days (the default).
    dinsos = party(DINSOS)
    dinsos.goto(f"{base}/kolaborasi/forum/baru/")
    form = dinsos.locator("#main form.card")
    form.locator("#id_name").fill(FORUM)
    expect(form.locator("#id_region")).to_have_value("14.71")  # the convener's home region
    form.get_by_label(DUKCAPIL_NAME, exact=True).check()
    form.get_by_label(LKSA_NAME, exact=True).check()
    form.locator("#id_mission").fill(MISSION)
    expect(form.locator("#id_meets_every_days")).to_have_value("30")
    submit(form)
    forum_id = path_id(dinsos, FORUM_URL)
    expect(message(dinsos)).to_contain_text(shown(_("Forum created.")))
    expect(dinsos.locator("h1")).to_contain_text(FORUM)
    members = dinsos.locator("#members tbody tr")
    expect(members).to_have_count(3)
    for name in (DINSOS_NAME, DUKCAPIL_NAME, LKSA_NAME):
        expect(members.filter(has_text=name)).to_have_count(1)
    expect(dinsos.locator("#coordinator")).to_contain_text(DINSOS_NAME)

    # 2. The health check of the new forum, before anything happened.
    open_health(dinsos, base, forum_id)
    expect_health(
        dinsos,
        {
            # 50 × (0 held / 365÷30 ≈ 12 planned) + 50 × (sectors per meeting: no meeting,
            # left out) → 100 × 0 / 50 = 0: a young forum that has not met scores 0.
            "face_to_face": ("0", ["0 / 12", "—"]),
            # Nothing due, nobody invited yet → no evidence at all, no score.
            "commitment": ("", ["0 / 0", "0 / 0"]),
            # No decision (left out) + 20 × mission 1/1 + 20 × problem 0/1 → 100 × 20/40 = 50.
            "understanding": ("50", ["0 / 0", "1 / 1", "0 / 1"]),
            # 30 × coordinator 1/1; minutes and announcements need meetings (left out)
            # → 100 × 30 / 30 = 100.
            "leadership": ("100", None),
        },
    )

    # 3. An online meeting that began ten minutes ago (attendance and minutes are only
    #    recorded once a meeting has started): plan it, then record who came and minutes.
    dinsos.goto(f"{base}/kolaborasi/forum/{forum_id}/")
    dinsos.locator(f"#meetings a[href$='/kolaborasi/forum/{forum_id}/rapat/baru/']").click()
    form = dinsos.locator("#main form.card")
    expect(form.locator("#id_title")).to_be_visible()
    starts = now - datetime.timedelta(minutes=10)
    form.locator("#id_title").fill(MEETING)
    form.locator("#id_mode").select_option(MeetingMode.ONLINE.value)
    form.locator("#id_starts_at").fill(local_minute(starts))
    form.locator("#id_ends_at").fill(local_minute(starts + datetime.timedelta(hours=2)))
    form.locator("#id_online_link").fill(ONLINE_LINK)
    form.locator("#id_agenda").fill("1. Anak tanpa NIK di LKSA\n2. Jadwal perekaman")
    submit(form)
    meeting_id = path_id(dinsos, MEETING_URL)
    expect(message(dinsos)).to_contain_text(
        shown(_("Meeting planned. Send the invitations once the agenda is ready."))
    )
    expect(dinsos.locator("#meeting-state")).to_have_text(shown(MeetingState.PLANNED.label))
    expect(dinsos.locator("dl.facts")).to_contain_text(shown(MeetingMode.ONLINE.label))
    expect(dinsos.locator(f"dl.facts a[href='{ONLINE_LINK}']")).to_be_visible()

    attendance = dinsos.locator("#attendance-form")
    rows = attendance.locator("tbody tr")
    expect(rows).to_have_count(3)  # every member is a participant
    for name, who in ATTENDEES:
        row = rows.filter(has_text=name)
        row.locator("input[type=checkbox]").check()
        row.locator("input[type=text]").fill(who)
    submit(attendance)
    expect(dinsos).to_have_url(f"{base}/kolaborasi/rapat/{meeting_id}/")
    expect(message(dinsos)).to_contain_text(shown(_("Attendance recorded.")))
    expect(dinsos.locator("#meeting-state")).to_have_text(shown(MeetingState.HELD.label))
    for name, who in ATTENDEES:  # the form comes back filled with what was recorded
        row = rows.filter(has_text=name)
        expect(row.locator("input[type=checkbox]")).to_be_checked()
        expect(row.locator("input[type=text]")).to_have_value(who)

    minutes = dinsos.locator(f"form[action$='/kolaborasi/rapat/{meeting_id}/notulen/']")
    dinsos.locator("#minutes details > summary").click()
    minutes.locator("#id_minutes").fill(MINUTES)
    submit(minutes)
    expect(message(dinsos)).to_contain_text(shown(_("Minutes saved.")))
    expect(dinsos.locator("#minutes")).to_contain_text(MINUTES)

    # 4. A proposal raised at the meeting; each member states its own position.
    dinsos.locator(
        f"#outcomes a[href$='/forum/{forum_id}/usulan/baru/?meeting={meeting_id}']"
    ).click()
    form = dinsos.locator("#main form.card")
    expect(form.locator("#id_meeting")).to_have_value(str(meeting_id))
    form.locator("#id_title").fill(PROPOSAL)
    form.locator("#id_text").fill("Dukcapil merekam NIK anak langsung di LKSA, sekali sebulan.")
    submit(form)
    proposal_id = path_id(dinsos, PROPOSAL_URL)
    expect(message(dinsos)).to_contain_text(
        shown(_("Proposal opened: members can state positions."))
    )
    expect(dinsos.locator("#proposal-state")).to_have_text(shown(ProposalState.OPEN.label))

    state_position(dinsos, base, proposal_id, "agree")
    state_position(party(DUKCAPIL), base, proposal_id, "agree")
    lksa = party(LKSA)
    state_position(lksa, base, proposal_id, "reservations", RESERVATION)
    expect(position_of(lksa, LKSA_NAME)).to_contain_text(RESERVATION)
    # A member organisation that does not run the forum cannot close the proposal.
    expect(lksa.locator("#decide")).to_have_count(0)

    # Every member has responded: the coordinator may close before the deadline.
    dinsos.goto(f"{base}/kolaborasi/usulan/{proposal_id}/")
    for name, stance in (
        (DINSOS_NAME, Stance.AGREE),
        (DUKCAPIL_NAME, Stance.AGREE),
        (LKSA_NAME, Stance.RESERVATIONS),
    ):
        expect(position_of(dinsos, name).locator("td:nth-child(2) .tag")).to_have_text(
            shown(stance.label)
        )
    close = dinsos.locator(f"form[action$='/kolaborasi/usulan/{proposal_id}/tutup/']")
    close.locator("#id_note").fill("Disepakati; jadwal disesuaikan dengan jam sekolah.")
    submit(close)
    expect(dinsos).to_have_url(f"{base}/kolaborasi/usulan/{proposal_id}/")
    consensus = shown(ProposalState.CONSENSUS.label)
    expect(message(dinsos)).to_contain_text(consensus)
    expect(dinsos.locator("#proposal-state")).to_have_text(consensus)
    # The tally, in the order of the stances: agree, reservations, abstain, block.
    expect(dinsos.locator("#tally tbody td:nth-child(2)")).to_have_text(["2", "1", "0", "0"])
    expect(dinsos.locator("#position-form")).to_have_count(0)  # positions are closed

    # 5. From the forum's page, a commitment for Dukcapil, due in three days.
    dinsos.goto(f"{base}/kolaborasi/forum/{forum_id}/")
    expect(dinsos.locator("#proposals")).to_contain_text(consensus)
    dinsos.locator(f"#commitments a[href$='/forum/{forum_id}/komitmen/baru/']").click()
    form = dinsos.locator("#main form.card")
    form.locator("#id_title").fill(COMMITMENT)
    form.locator("#id_owner").select_option(label=DUKCAPIL_NAME)
    due = today + datetime.timedelta(days=3)
    form.locator("#id_due_on").fill(due.isoformat())
    form.locator("#id_meeting").select_option(label=MEETING)
    form.locator("#id_proposal").select_option(label=PROPOSAL)
    submit(form)
    commitment_id = path_id(dinsos, COMMITMENT_URL)
    expect(message(dinsos)).to_contain_text(shown(_("Commitment recorded.")))
    expect(dinsos.locator("#commitment-state")).to_have_text(shown(CommitmentState.OPEN.label))
    expect(dinsos.locator("dl.facts")).to_contain_text(DUKCAPIL_NAME)
    expect(dinsos.locator("dl.facts")).to_contain_text(due.strftime("%d-%m-%Y"))

    # Dukcapil finds it among its own commitments and fulfils it, with evidence.
    dukcapil = party(DUKCAPIL)
    dukcapil.goto(f"{base}/kolaborasi/komitmen/")
    dukcapil.locator("#mine").get_by_role("link", name=COMMITMENT).click()
    expect(dukcapil).to_have_url(f"{base}/kolaborasi/komitmen/{commitment_id}/")
    fulfil = dukcapil.locator(f"form[action$='/kolaborasi/komitmen/{commitment_id}/penuhi/']")
    fulfil.locator("#id_evidence").fill(EVIDENCE)
    expect(fulfil.locator("#id_fulfilled_on")).to_have_value(today.isoformat())
    submit(fulfil)
    expect(dukcapil).to_have_url(f"{base}/kolaborasi/komitmen/{commitment_id}/")
    expect(message(dukcapil)).to_contain_text(shown(_("Commitment fulfilled.")))
    fulfilled = shown(CommitmentState.FULFILLED.label)
    expect(dukcapil.locator("#commitment-state")).to_have_text(fulfilled)
    expect(dukcapil.locator("dl.facts")).to_contain_text(EVIDENCE)
    expect(dukcapil.locator("#fulfil")).to_have_count(0)  # nothing left to fulfil

    # The forum's page: the commitment fulfilled, Dukcapil's rate 1 due, 1 fulfilled,
    # 1 on time, 100%.
    dinsos.goto(f"{base}/kolaborasi/forum/{forum_id}/")
    expect(dinsos.locator("#commitments tbody tr").filter(has_text=COMMITMENT)).to_contain_text(
        fulfilled
    )
    rate = dinsos.locator("#fulfilment-rates tbody tr")
    expect(rate).to_have_count(1)
    expect(rate.locator("td")).to_have_text([DUKCAPIL_NAME, "1", "1", "1", "100%"])

    # 6. The health check again: the forum met, decided by consensus, kept its word.
    open_health(dinsos, base, forum_id)
    expect_health(
        dinsos,
        {
            # 50 × meetings 1 / (365 ÷ 30 = 12.17) + 50 × sectors present 2 / 3 (Dinas
            # Sosial and Dukcapil are government, the LKSA civil society) = 4.11 + 33.33 → 37.
            "face_to_face": ("37", ["1 / 12", "2,0 / 3"]),
            # 60 × fulfilled 1 / due 1 + 40 × members present 3 / invited 3 = 100.
            "commitment": ("100", ["1 / 1", "3 / 3"]),
            # 60 × consensus 1 / decisions 1 + 20 × mission 1/1 + 20 × problem 0/1 = 80.
            "understanding": ("80", ["1 / 1", "1 / 1", "0 / 1"]),
            # 30 × coordinator 1/1 + 40 × minutes 1/1 + 30 × announced a day ahead 0/1
            # (the meeting was never announced: it had already begun) = 70.
            "leadership": ("70", ["1 / 1", "1 / 1", "0 / 1"]),
        },
    )
