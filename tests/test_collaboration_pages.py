"""The collaboration pages for forums, meetings, decisions and commitments, as a person
clicks through them: a forum started on its page, a meeting planned, announced, held
and minuted, a proposal decided by consensus, a commitment taken on and fulfilled —
and the bad input each page must answer with a message, never a server error."""

import datetime
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.collaboration import actions
from jejaring.collaboration.models import (
    Commitment,
    CommitmentState,
    Forum,
    Meeting,
    MeetingAttachment,
    MeetingState,
    Position,
    Proposal,
    ProposalState,
    Stance,
)
from jejaring.network.models import Organisation
from jejaring.regions.models import Region

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def org(code):
    return Organisation.objects.get(code=code)


def unique_name(prefix="Forum Uji Halaman"):
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def local_input(moment: datetime.datetime) -> str:
    """A datetime as a datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def errors(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


@pytest.fixture
def forum(db):
    """A forum of our own: Dinas Sosial Kota Pekanbaru convenes (and coordinates),
    Dukcapil and the LKSA are members."""
    return actions.create_forum(
        name=unique_name(),
        region=Region.objects.get(code="14.71"),
        convened_by=org("dinsos-kota-pekanbaru"),
        members=[org("dukcapil-pekanbaru"), org("lksa-harapan-bunda")],
        allows_fallback_vote=True,
        acting_user=User.objects.get(username="petugas.pekanbaru"),
    )


def schedule(forum, *, starts_in: datetime.timedelta, title="Rapat koordinasi"):
    start = timezone.now() + starts_in
    return actions.schedule_meeting(
        forum,
        title=title,
        mode="online",
        online_link="https://meet.example.org/forum",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        acting_user=User.objects.get(username="petugas.pekanbaru"),
    )


# Forums ---------------------------------------------------------------------------------


def test_start_a_forum_through_the_page(as_user):
    client = as_user("petugas.pekanbaru")
    page = client.get(reverse("collaboration:forum_create"))
    assert page.status_code == 200
    assert 'value="14.71"' in page.content.decode()  # the office's home region
    name = unique_name()
    response = client.post(
        reverse("collaboration:forum_create"),
        {
            "name": name,
            "region": "14.71",
            "members": [org("dukcapil-pekanbaru").pk, org("lksa-harapan-bunda").pk],
            "mission": "Anak Pekanbaru terlindungi.",
            "problem_statement": "Anak jalanan tanpa dokumen.",
            "quorum_percent": 60,
            "allows_fallback_vote": "on",
            "fallback_vote_percent": 75,
            "meets_every_days": 14,
        },
    )
    forum = Forum.objects.get(name=name)
    assert response.status_code == 302
    assert response.url == reverse("collaboration:forum", args=[forum.pk])
    assert forum.quorum_percent == 60 and forum.allows_fallback_vote
    assert forum.convened_by.code == "dinsos-kota-pekanbaru"
    assert set(forum.current_members().values_list("organisation__code", flat=True)) == {
        "dinsos-kota-pekanbaru",
        "dukcapil-pekanbaru",
        "lksa-harapan-bunda",
    }

    detail = client.get(response.url)
    assert detail.status_code == 200
    assert detail.context["may_change"]
    assert detail.context["coordinator"].organisation.code == "dinsos-kota-pekanbaru"
    html = detail.content.decode()
    assert reverse("collaboration:forum_health", args=[forum.pk]) in html
    assert reverse("collaboration:forum_ics", args=[forum.pk]) in html

    listing = client.get(reverse("collaboration:forums"))
    assert forum in listing.context["mine"]
    assert listing.context["may_create"]

    # The same name in the same region is refused by the action, shown on the form.
    again = client.post(
        reverse("collaboration:forum_create"),
        {
            "name": name,
            "region": "14.71",
            "quorum_percent": 50,
            "fallback_vote_percent": 67,
            "meets_every_days": 30,
        },
    )
    assert again.status_code == 200
    assert "name" in again.context["form"].errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quorum_percent", "0"),
        ("quorum_percent", "abc"),
        ("fallback_vote_percent", "40"),
        ("region", "99.99.99"),
        ("meets_every_days", "999999999999999999999"),
        ("name", ""),
    ],
)
def test_bad_forum_input_is_shown_on_the_form(as_user, field, value):
    data = {
        "name": unique_name(),
        "region": "14.71",
        "quorum_percent": 50,
        "fallback_vote_percent": 67,
        "meets_every_days": 30,
        field: value,
    }
    response = as_user("petugas.pekanbaru").post(reverse("collaboration:forum_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_members_and_the_rotating_coordinator(as_user, forum):
    client = as_user("petugas.pekanbaru")
    url = reverse("collaboration:forum", args=[forum.pk])
    client.post(
        reverse("collaboration:member_add", args=[forum.pk]),
        {"organisation": org("dp3a-pekanbaru").pk},
    )
    assert forum.current_members().filter(organisation__code="dp3a-pekanbaru").exists()

    # The coordinator cannot leave: the action's reason comes back as a message.
    coordinator_seat = forum.current_members().get(organisation__code="dinsos-kota-pekanbaru")
    response = client.post(
        reverse("collaboration:member_remove", args=[forum.pk, coordinator_seat.pk]), follow=True
    )
    assert response.status_code == 200 and errors(response)
    assert forum.current_members().filter(pk=coordinator_seat.pk).exists()

    client.post(
        reverse("collaboration:coordinator_rotate", args=[forum.pk]),
        {"organisation": org("dukcapil-pekanbaru").pk},
    )
    assert forum.current_coordinator().organisation.code == "dukcapil-pekanbaru"
    page = client.get(url)
    assert len(page.context["coordinator_terms"]) == 2  # the history is kept

    dp3a = forum.current_members().get(organisation__code="dp3a-pekanbaru")
    client.post(reverse("collaboration:member_remove", args=[forum.pk, dp3a.pk]))
    assert not forum.current_members().filter(organisation__code="dp3a-pekanbaru").exists()

    # A member that is not a runner sees the forum but may not change it.
    member = as_user("mitra.lksa")
    assert member.get(url).status_code == 200
    assert not member.get(url).context["may_change"]
    denied = member.post(
        reverse("collaboration:member_add", args=[forum.pk]),
        {"organisation": org("dp3a-pekanbaru").pk},
    )
    assert denied.status_code == 403


def test_goals_outcomes_and_rules(as_user, forum):
    client = as_user("petugas.pekanbaru")
    client.post(reverse("collaboration:goal_add", args=[forum.pk]), {"title": "Semua anak ber-NIK"})
    goal = forum.goals.get()
    client.post(
        reverse("collaboration:outcome_add", args=[forum.pk]),
        {
            "kind": "small_win",
            "title": "50 akta lahir terbit",
            "goal": goal.pk,
            "achieved_on": TODAY.isoformat(),
        },
    )
    assert forum.outcomes.get().goal == goal
    future = client.post(
        reverse("collaboration:outcome_add", args=[forum.pk]),
        {
            "kind": "small_win",
            "title": "Belum terjadi",
            "achieved_on": (TODAY + datetime.timedelta(days=3)).isoformat(),
        },
        follow=True,
    )
    assert future.status_code == 200 and errors(future)
    assert forum.outcomes.count() == 1
    client.post(
        reverse("collaboration:rule_add", args=[forum.pk]),
        {
            "kind": "sop",
            "title": "Serah terima kasus",
            "text": "Dalam 2 hari kerja.",
            "adopted_on": TODAY.isoformat(),
        },
    )
    page = client.get(reverse("collaboration:forum", args=[forum.pk]))
    assert [r.title for r in page.context["rules"]] == ["Serah terima kasus"]


# Meetings -------------------------------------------------------------------------------


def test_plan_invite_and_download_a_meeting(as_user, forum):
    client = as_user("petugas.pekanbaru")
    form = client.get(reverse("collaboration:meeting_create", args=[forum.pk])).content.decode()
    # The browser's picker takes ISO values only, whatever the page's language.
    assert re.search(r'type="datetime-local" name="starts_at" value="\d{4}-\d\d-\d\dT09:00"', form)
    start = timezone.now() + datetime.timedelta(days=3)
    response = client.post(
        reverse("collaboration:meeting_create", args=[forum.pk]),
        {
            "title": "Rapat pleno",
            "mode": "hybrid",
            "starts_at": local_input(start),
            "ends_at": local_input(start + datetime.timedelta(hours=2)),
            "location": "Aula Dinsos",
            "online_link": "meet.example.org/pleno",
            "agenda": "1. Data anak jalanan\n2. Pos pengaduan",
        },
    )
    meeting = Meeting.objects.get(forum=forum, title="Rapat pleno")
    assert response.url == reverse("collaboration:meeting", args=[meeting.pk])
    assert meeting.online_link == "https://meet.example.org/pleno"
    assert meeting.participants.count() == 3

    client.post(reverse("collaboration:meeting_invite", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None
    assert not meeting.participants.filter(invited_at__isnull=True).exists()

    page = client.get(reverse("collaboration:meeting", args=[meeting.pk]))
    assert page.status_code == 200
    assert reverse("collaboration:meeting_ics", args=[meeting.pk]) in page.content.decode()

    for url in (
        reverse("collaboration:meeting_ics", args=[meeting.pk]),
        reverse("collaboration:forum_ics", args=[forum.pk]),
    ):
        ics = as_user("mitra.lksa").get(url)
        assert ics.status_code == 200
        assert ics["Content-Type"].startswith("text/calendar")
        assert ics["Content-Disposition"].startswith("attachment")
        body = ics.content.decode()
        assert "BEGIN:VCALENDAR" in body and f"UID:meeting-{meeting.pk}@jejaring" in body


def test_bad_meeting_input_is_refused_with_a_message(as_user, forum):
    client = as_user("petugas.pekanbaru")
    start = timezone.now() + datetime.timedelta(days=3)
    url = reverse("collaboration:meeting_create", args=[forum.pk])
    online_without_link = client.post(
        url,
        {
            "title": "Rapat daring",
            "mode": "online",
            "starts_at": local_input(start),
            "ends_at": local_input(start - datetime.timedelta(hours=1)),
        },
    )
    assert online_without_link.status_code == 200
    form = online_without_link.context["form"]
    assert "online_link" in form.errors and "ends_at" in form.errors
    garbage = client.post(url, {"title": "x", "mode": "zoom", "starts_at": "besok pagi"})
    assert garbage.status_code == 200
    assert {"mode", "starts_at", "ends_at"} <= set(garbage.context["form"].errors)
    assert not Meeting.objects.filter(forum=forum).exists()

    # Inviting to a meeting that has already taken place: a message, nothing sent.
    past = schedule(forum, starts_in=-datetime.timedelta(days=1))
    response = client.post(reverse("collaboration:meeting_invite", args=[past.pk]), follow=True)
    assert response.status_code == 200 and errors(response)
    past.refresh_from_db()
    assert past.invitations_sent_at is None


def test_record_attendance_minutes_and_attachments(as_user, forum):
    client = as_user("petugas.pekanbaru")
    meeting = schedule(forum, starts_in=-datetime.timedelta(hours=3))
    dinsos, dukcapil, lksa = (
        org("dinsos-kota-pekanbaru"),
        org("dukcapil-pekanbaru"),
        org("lksa-harapan-bunda"),
    )
    page = client.get(reverse("collaboration:meeting", args=[meeting.pk]))
    assert len(list(page.context["attendance_form"].rows())) == 3

    # Ticked without saying who came: shown on the form, nothing recorded.
    url = reverse("collaboration:meeting_attendance", args=[meeting.pk])
    response = client.post(url, {f"attended_{dinsos.pk}": "on"})
    assert response.status_code == 200
    assert f"names_{dinsos.pk}" in response.context["attendance_form"].errors
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PLANNED

    response = client.post(
        url,
        {
            f"attended_{dinsos.pk}": "on",
            f"names_{dinsos.pk}": "Rahmat Hidayat",
            f"attended_{lksa.pk}": "on",
            f"names_{lksa.pk}": "Siti Aminah, Rina",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    came = {p.organisation_id: p for p in meeting.participants.all()}
    assert came[dinsos.pk].attended and came[lksa.pk].attendee_names == "Siti Aminah, Rina"
    assert came[dukcapil.pk].attended is False

    empty = client.post(reverse("collaboration:meeting_minutes", args=[meeting.pk]), {})
    assert empty.status_code == 200 and "minutes" in empty.context["minutes_form"].errors
    client.post(
        reverse("collaboration:meeting_minutes", args=[meeting.pk]),
        {"minutes": "Disepakati satu pos pengaduan."},
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Disepakati satu pos pengaduan."

    client.post(
        reverse("collaboration:meeting_attach", args=[meeting.pk]),
        {"file": SimpleUploadedFile("daftar-hadir.pdf", PDF), "description": "daftar hadir"},
    )
    attachment = MeetingAttachment.objects.get(meeting=meeting)
    download = as_user("mitra.lksa").get(
        reverse("collaboration:meeting_attachment", args=[attachment.pk])
    )
    assert b"".join(download.streaming_content) == PDF
    assert AuditEntry.objects.filter(
        action="read", object_type="collaboration.meetingattachment"
    ).exists()
    fake = client.post(
        reverse("collaboration:meeting_attach", args=[meeting.pk]),
        {"file": SimpleUploadedFile("virus.pdf", b"MZ not a pdf")},
    )
    assert fake.status_code == 200 and "file" in fake.context["attachment_form"].errors
    outsider = as_user("petugas.bandung")
    assert (
        outsider.get(reverse("collaboration:meeting_attachment", args=[attachment.pk])).status_code
        == 404
    )


def test_a_planned_meeting_can_be_cancelled(as_user, forum):
    meeting = schedule(forum, starts_in=datetime.timedelta(days=2))
    client = as_user("petugas.pekanbaru")
    client.post(reverse("collaboration:meeting_cancel", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED
    again = client.post(reverse("collaboration:meeting_cancel", args=[meeting.pk]), follow=True)
    assert again.status_code == 200 and errors(again)
    ics = client.get(reverse("collaboration:meeting_ics", args=[meeting.pk])).content.decode()
    assert "STATUS:CANCELLED" in ics


# Decisions ------------------------------------------------------------------------------


def test_proposal_positions_and_consensus(as_user, forum):
    coordinator = as_user("petugas.pekanbaru")
    response = coordinator.post(
        reverse("collaboration:proposal_create", args=[forum.pk]),
        {
            "title": "Pos pengaduan bersama",
            "text": "Satu nomor pengaduan untuk anak jalanan.",
            "deadline": (TODAY + datetime.timedelta(days=7)).isoformat(),
        },
    )
    proposal = Proposal.objects.get(forum=forum)
    assert response.url == reverse("collaboration:proposal", args=[proposal.pk])
    url = reverse("collaboration:proposal", args=[proposal.pk])
    position_url = reverse("collaboration:position_state", args=[proposal.pk])

    page = coordinator.get(url)
    assert [position for _, position in page.context["rows"]] == [None, None, None]
    assert page.context["position_form"] is not None

    # A block without a reason is refused and shown on the form.
    lksa = as_user("mitra.lksa")
    blocked = lksa.post(position_url, {"stance": "block", "reason": "  "})
    assert blocked.status_code == 200
    assert "reason" in blocked.context["position_form"].errors
    assert not Position.objects.filter(proposal=proposal).exists()
    garbage = lksa.post(position_url, {"stance": "veto"})
    assert garbage.status_code == 200 and "stance" in garbage.context["position_form"].errors

    coordinator.post(position_url, {"stance": "agree"})
    as_user("dukcapil.pekanbaru").post(
        position_url, {"stance": "reservations", "reason": "Jam layanan"}
    )
    # Closing before every member responded (and before the deadline) is refused.
    early = coordinator.post(
        reverse("collaboration:proposal_close", args=[proposal.pk]), follow=True
    )
    assert early.status_code == 200 and errors(early)
    lksa.post(position_url, {"stance": "abstain"})

    lksa.post(reverse("collaboration:proposal_comment", args=[proposal.pk]), {"text": "Setuju."})
    assert proposal.comments.get().organisation.code == "lksa-harapan-bunda"

    # A member may not close; the coordinator may.
    assert lksa.post(reverse("collaboration:proposal_close", args=[proposal.pk])).status_code == 403
    coordinator.post(
        reverse("collaboration:proposal_close", args=[proposal.pk]), {"note": "Disepakati."}
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.CONSENSUS
    page = coordinator.get(url)
    assert page.status_code == 200
    assert dict(page.context["tally_counts"])[Stance.AGREE.label] == 1
    assert "position_form" not in page.context
    late = lksa.post(position_url, {"stance": "block", "reason": "terlambat"}, follow=True)
    assert late.status_code == 200 and errors(late)
    assert Position.objects.get(
        proposal=proposal, organisation__code="lksa-harapan-bunda"
    ).stance == (Stance.ABSTAIN)


def test_no_consensus_then_fallback_vote_and_withdrawal(as_user, forum):
    coordinator = as_user("petugas.pekanbaru")
    user = User.objects.get(username="petugas.pekanbaru")
    proposal = actions.open_proposal(
        forum,
        title="Iuran anggota",
        text="Iuran bulanan.",
        deadline=TODAY + datetime.timedelta(days=3),
        proposed_by=org("dinsos-kota-pekanbaru"),
        acting_user=user,
    )
    for code, stance, reason in [
        ("dinsos-kota-pekanbaru", Stance.AGREE, ""),
        ("dukcapil-pekanbaru", Stance.AGREE, ""),
        ("lksa-harapan-bunda", Stance.BLOCK, "Tidak ada anggaran"),
    ]:
        actions.state_position(proposal, org(code), stance, reason=reason, acting_user=user)
    coordinator.post(reverse("collaboration:proposal_close", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.NO_CONSENSUS
    page = coordinator.get(reverse("collaboration:proposal", args=[proposal.pk]))
    assert page.context["vote_form"] is not None

    vote_url = reverse("collaboration:proposal_vote", args=[proposal.pk])
    impossible = coordinator.post(
        vote_url, {"votes_for": 5, "votes_against": 0, "abstentions": 0}, follow=True
    )
    assert impossible.status_code == 200 and errors(impossible)
    negative = coordinator.post(vote_url, {"votes_for": -1, "votes_against": 0, "abstentions": 0})
    assert negative.status_code == 200 and "votes_for" in negative.context["vote_form"].errors
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.NO_CONSENSUS
    coordinator.post(vote_url, {"votes_for": 3, "votes_against": 0, "abstentions": 0})
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ADOPTED_BY_VOTE
    assert proposal.tally["vote"] == {"for": 3, "against": 0, "abstain": 0}

    other = actions.open_proposal(
        forum,
        title="Logo forum",
        text="Logo baru.",
        deadline=TODAY + datetime.timedelta(days=3),
        proposed_by=org("lksa-harapan-bunda"),
        acting_user=user,
    )
    # Neither the proposer nor a runner: refused. The proposer may withdraw.
    dukcapil = as_user("dukcapil.pekanbaru")
    withdraw = reverse("collaboration:proposal_withdraw", args=[other.pk])
    assert dukcapil.post(withdraw).status_code == 403
    as_user("mitra.lksa").post(withdraw)
    other.refresh_from_db()
    assert other.state == ProposalState.WITHDRAWN


def test_proposal_create_is_for_members_and_refuses_a_past_deadline(as_user, forum):
    url = reverse("collaboration:proposal_create", args=[forum.pk])
    response = as_user("petugas.pekanbaru").post(
        url,
        {
            "title": "Terlambat",
            "text": "Tenggat lampau.",
            "deadline": (TODAY - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200 and "deadline" in response.context["form"].errors
    assert not Proposal.objects.filter(forum=forum).exists()
    # A network administrator sees the forum but is no member: it does not propose.
    assert as_user("admin").get(url).status_code == 403


# Commitments ----------------------------------------------------------------------------


def test_commitment_create_fulfil_and_rates(as_user, forum):
    coordinator = as_user("petugas.pekanbaru")
    url = reverse("collaboration:commitment_create", args=[forum.pk])
    assert coordinator.get(url).status_code == 200
    due = (TODAY + datetime.timedelta(days=10)).isoformat()

    no_owner = coordinator.post(url, {"title": "Data anak jalanan", "due_on": due})
    assert no_owner.status_code == 200
    assert "owner" in no_owner.context["form"].errors
    outsider_owner = coordinator.post(
        url, {"title": "Data", "due_on": due, "owner": org("dinsos-kab-bandung").pk}
    )
    assert outsider_owner.status_code == 200 and "owner" in outsider_owner.context["form"].errors
    assert not Commitment.objects.filter(forum=forum).exists()

    response = coordinator.post(
        url,
        {"title": "Data anak jalanan", "owner": org("lksa-harapan-bunda").pk, "due_on": due},
    )
    commitment = Commitment.objects.get(forum=forum)
    assert response.url == reverse("collaboration:commitment", args=[commitment.pk])

    owner = as_user("mitra.lksa")
    mine = owner.get(reverse("collaboration:commitments"))
    assert commitment in mine.context["mine"]
    assert (
        commitment
        in owner.get(reverse("collaboration:commitments"), {"state": "open"}).context["mine"]
    )
    assert (
        commitment
        not in owner.get(reverse("collaboration:commitments"), {"overdue": "on"}).context["mine"]
    )
    assert owner.get(reverse("collaboration:commitments"), {"state": "bogus"}).status_code == 200

    fulfil = reverse("collaboration:commitment_fulfil", args=[commitment.pk])
    nothing = owner.post(fulfil, {"evidence": "", "fulfilled_on": TODAY.isoformat()})
    assert nothing.status_code == 200 and "evidence" in nothing.context["fulfil_form"].errors
    owner.post(
        fulfil,
        {
            "evidence": "Rekap terkirim, surat 12/2025.",
            "fulfilled_on": TODAY.isoformat(),
            "evidence_file": SimpleUploadedFile("rekap.pdf", PDF),
        },
    )
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.FULFILLED and commitment.evidence_file
    evidence = owner.get(
        reverse("collaboration:commitment", args=[commitment.pk]), {"download": "evidence"}
    )
    assert b"".join(evidence.streaming_content) == PDF

    page = coordinator.get(reverse("collaboration:forum", args=[forum.pk]))
    assert page.context["rates"][0]["organisation"].code == "lksa-harapan-bunda"
    assert page.context["rates"][0]["rate"] == 100

    # A second one is dropped, with its reason.
    other = actions.create_commitment(
        forum,
        title="Sosialisasi",
        owner=org("dukcapil-pekanbaru"),
        due_on=TODAY,
        acting_user=User.objects.get(username="petugas.pekanbaru"),
    )
    cancel = reverse("collaboration:commitment_cancel", args=[other.pk])
    blank = coordinator.post(cancel, {"reason": ""})
    assert blank.status_code == 200 and "reason" in blank.context["cancel_form"].errors
    coordinator.post(cancel, {"reason": "Digabung dengan kegiatan lain."})
    other.refresh_from_db()
    assert other.state == CommitmentState.CANCELLED


# Scope ----------------------------------------------------------------------------------


def test_an_outsider_gets_404_everywhere(as_user, forum):
    user = User.objects.get(username="petugas.pekanbaru")
    meeting = schedule(forum, starts_in=datetime.timedelta(days=1))
    proposal = actions.open_proposal(
        forum,
        title="Rahasia forum",
        text="Isi.",
        deadline=TODAY + datetime.timedelta(days=3),
        proposed_by=org("dinsos-kota-pekanbaru"),
        acting_user=user,
    )
    commitment = actions.create_commitment(
        forum,
        title="Tugas",
        owner=org("dukcapil-pekanbaru"),
        due_on=TODAY,
        acting_user=user,
    )
    outsider = as_user("petugas.bandung")
    for name, pk in [
        ("collaboration:forum", forum.pk),
        ("collaboration:forum_ics", forum.pk),
        ("collaboration:meeting_create", forum.pk),
        ("collaboration:proposal_create", forum.pk),
        ("collaboration:commitment_create", forum.pk),
        ("collaboration:meeting", meeting.pk),
        ("collaboration:meeting_ics", meeting.pk),
        ("collaboration:proposal", proposal.pk),
        ("collaboration:commitment", commitment.pk),
    ]:
        assert outsider.get(reverse(name, args=[pk])).status_code == 404, name
    for name, pk in [
        ("collaboration:position_state", proposal.pk),
        ("collaboration:proposal_close", proposal.pk),
        ("collaboration:meeting_invite", meeting.pk),
        ("collaboration:member_add", forum.pk),
    ]:
        assert outsider.post(reverse(name, args=[pk]), {}).status_code == 404, name
    listing = outsider.get(reverse("collaboration:forums"))
    assert forum not in listing.context["mine"] + listing.context["others"]
    assert commitment not in outsider.get(reverse("collaboration:commitments")).context["page_obj"]
