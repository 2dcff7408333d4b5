"""The collaboration workspace's rules, through its actions: forums, meetings,
consensus, commitments, agreements and resource sharing — and the bad input the
issue lists, each refused with a clear message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.collaboration import actions
from jejaring.collaboration.models import (
    AgreementState,
    CommitmentState,
    MeetingState,
    ProposalState,
    Stance,
)
from jejaring.core.models import Notification
from jejaring.network.models import Organisation
from jejaring.regions.models import Region

TODAY = timezone.localdate()


def org(code):
    return Organisation.objects.get(code=code)


@pytest.fixture
def forum(db):
    coordinator = User.objects.get(username="petugas.pekanbaru")
    return actions.create_forum(
        name="Forum Uji Perlindungan Anak",
        region=Region.objects.get(code="14.71"),
        convened_by=org("dinsos-kota-pekanbaru"),
        members=[org("dukcapil-pekanbaru"), org("lksa-harapan-bunda")],
        allows_fallback_vote=True,
        acting_user=coordinator,
    )


def test_consensus_needs_no_block_and_a_quorum(forum):
    user = User.objects.get(username="petugas.pekanbaru")
    proposal = actions.open_proposal(
        forum,
        title="Pos pengaduan bersama",
        text="Satu nomor pengaduan untuk anak jalanan.",
        deadline=TODAY + datetime.timedelta(days=7),
        proposed_by=org("dinsos-kota-pekanbaru"),
        acting_user=user,
    )
    actions.state_position(proposal, org("dinsos-kota-pekanbaru"), Stance.AGREE, acting_user=user)
    actions.state_position(
        proposal,
        org("dukcapil-pekanbaru"),
        Stance.RESERVATIONS,
        reason="Jam layanan",
        acting_user=user,
    )
    actions.state_position(proposal, org("lksa-harapan-bunda"), Stance.ABSTAIN, acting_user=user)
    closed = actions.close_proposal(proposal, acting_user=user)
    assert closed.state == ProposalState.CONSENSUS
    assert closed.tally["counts"] == {"agree": 1, "reservations": 1, "abstain": 1, "block": 0}
    assert Notification.objects.filter(kind="proposal_open").exists()


def test_block_without_reason_and_outsider_position_are_refused(forum):
    user = User.objects.get(username="petugas.pekanbaru")
    proposal = actions.open_proposal(
        forum,
        title="Jadwal rapat",
        text="Rapat tiap Senin pertama.",
        deadline=TODAY + datetime.timedelta(days=7),
        proposed_by=org("dinsos-kota-pekanbaru"),
        acting_user=user,
    )
    with pytest.raises(ValidationError) as block:
        actions.state_position(proposal, org("dukcapil-pekanbaru"), Stance.BLOCK, acting_user=user)
    assert "reason" in block.value.message_dict
    with pytest.raises(ValidationError) as outsider:
        actions.state_position(proposal, org("dinsos-kab-bandung"), Stance.AGREE, acting_user=user)
    assert "bukan anggota" in str(outsider.value)


def test_block_prevents_consensus_and_the_fallback_vote_decides(forum):
    user = User.objects.get(username="petugas.pekanbaru")
    proposal = actions.open_proposal(
        forum,
        title="Biaya bersama",
        text="Iuran anggota.",
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
    assert actions.close_proposal(proposal, acting_user=user).state == ProposalState.NO_CONSENSUS
    decided = actions.decide_by_vote(
        proposal, votes_for=2, votes_against=1, abstentions=0, acting_user=user
    )
    # 2 of 3 decisive votes is 66.7%: under the forum's 67% bar.
    assert decided.state == ProposalState.REJECTED_BY_VOTE


def test_meeting_in_the_past_cannot_be_sent_as_invitation(forum):
    user = User.objects.get(username="petugas.pekanbaru")
    start = timezone.now() - datetime.timedelta(days=1)
    meeting = actions.schedule_meeting(
        forum,
        title="Rapat lalu",
        mode="online",
        online_link="https://meet.example.org/abc",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        acting_user=user,
    )
    with pytest.raises(ValidationError, match="sudah dimulai"):
        actions.send_invitations(meeting, acting_user=user)
    actions.record_attendance(
        meeting, {org("dinsos-kota-pekanbaru").pk: "Rahmat"}, acting_user=user
    )
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    attended = {p.organisation.code: p.attended for p in meeting.participants.all()}
    assert attended == {
        "dinsos-kota-pekanbaru": True,
        "dukcapil-pekanbaru": False,
        "lksa-harapan-bunda": False,
    }


def test_invitations_notify_members(forum, mailoutbox, django_capture_on_commit_callbacks):
    user = User.objects.get(username="petugas.pekanbaru")
    start = timezone.now() + datetime.timedelta(days=2)
    meeting = actions.schedule_meeting(
        forum,
        title="Rapat koordinasi",
        mode="hybrid",
        location="Aula Dinsos",
        online_link="https://meet.example.org/xyz",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        acting_user=user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_invitations(meeting, acting_user=user) == 3
    invited = Notification.objects.filter(kind="meeting_invitation").values_list(
        "user__username", flat=True
    )
    assert {"petugas.pekanbaru", "dukcapil.pekanbaru", "mitra.lksa"} <= set(invited)
    assert any("Rapat koordinasi" in m.subject for m in mailoutbox) or not any(
        u.email for u in User.objects.filter(username__in=invited)
    )


def test_commitment_needs_an_owner_and_records_fulfilment(forum):
    user = User.objects.get(username="petugas.pekanbaru")
    with pytest.raises(ValidationError) as no_owner:
        actions.create_commitment(
            forum, title="Data anak", owner=None, due_on=TODAY, acting_user=user
        )
    assert "owner" in no_owner.value.message_dict
    commitment = actions.create_commitment(
        forum,
        title="Rekap data anak jalanan",
        owner=org("dukcapil-pekanbaru"),
        due_on=TODAY + datetime.timedelta(days=5),
        acting_user=user,
    )
    done = actions.fulfil_commitment(commitment, evidence="Rekap dikirim", acting_user=user)
    assert done.state == CommitmentState.FULFILLED and done.on_time


def test_agreement_needs_two_parties_and_activates_when_all_sign(db):
    user = User.objects.get(username="petugas.pekanbaru")
    dinsos, lksa = org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")
    with pytest.raises(ValidationError) as one_party:
        actions.draft_agreement(
            kind="pks",
            title="PKS sendiri",
            drafted_by=dinsos,
            parties=[(dinsos, "")],
            acting_user=user,
        )
    assert "parties" in one_party.value.message_dict
    agreement = actions.draft_agreement(
        kind="pks",
        title="PKS Pengasuhan Anak",
        drafted_by=dinsos,
        parties=[(dinsos, "Merujuk anak"), (lksa, "Mengasuh anak")],
        clauses=[("Ruang lingkup", "Pengasuhan sementara anak terlantar.")],
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=365),
        acting_user=user,
    )
    actions.move_agreement(agreement, AgreementState.NEGOTIATION, acting_user=user)
    actions.comment_on_clause(agreement.clauses.get(), "Tambahkan masa 6 bulan", acting_user=user)
    actions.move_agreement(agreement, AgreementState.AWAITING_SIGNATURES, acting_user=user)
    actions.sign_agreement(
        agreement,
        dinsos,
        signatory_name="Kepala Dinas",
        signatory_position="Kadis",
        acting_user=user,
    )
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.AWAITING_SIGNATURES
    actions.sign_agreement(
        agreement,
        lksa,
        signatory_name="Ketua",
        signatory_position="Ketua Yayasan",
        acting_user=None,
    )
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert [e.to_state for e in agreement.events.all()] == [
        "draft",
        "negotiation",
        "awaiting_signatures",
        "active",
    ]


def test_expiry_reminders_go_out_once_per_window_and_expire(db):
    dinsos, lksa = org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")
    agreement = actions.draft_agreement(
        kind="mou",
        title="MoU Rumah Aman",
        drafted_by=dinsos,
        parties=[(dinsos, ""), (lksa, "")],
        clauses=[("Tujuan", "Rumah aman.")],
        starts_on=TODAY - datetime.timedelta(days=300),
        ends_on=TODAY + datetime.timedelta(days=50),
        acting_user=None,
    )
    actions.move_agreement(agreement, AgreementState.AWAITING_SIGNATURES, acting_user=None)
    for party in (dinsos, lksa):
        actions.sign_agreement(
            agreement, party, signatory_name="X", signatory_position="Y", acting_user=None
        )

    def reminders():
        return Notification.objects.filter(
            kind="agreement_expiring", dedupe_key__startswith=f"agreement:{agreement.pk}:"
        )

    actions.expire_agreements(TODAY)
    first = reminders().count()
    assert first >= 1  # one per staff member of the two parties
    actions.expire_agreements(TODAY)
    assert reminders().count() == first  # not again
    actions.expire_agreements(TODAY + datetime.timedelta(days=21))
    assert reminders().count() == 2 * first  # the 30-day reminder
    actions.expire_agreements(TODAY + datetime.timedelta(days=51))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.EXPIRED
    keys = set(reminders().values_list("dedupe_key", flat=True))
    assert keys == {
        f"agreement:{agreement.pk}:expiring:60",
        f"agreement:{agreement.pk}:expiring:30",
    }


def test_board_match_becomes_an_exchange(db):
    user = User.objects.get(username="petugas.pekanbaru")
    offer = actions.post_to_board(
        kind="offer",
        organisation=org("pt-lancang-kuning-energi"),
        category="assistive_device",
        title="20 kursi roda tersedia",
        quantity=20,
        unit="unit",
        region=Region.objects.get(code="14.71"),
        acting_user=None,
    )
    request = actions.post_to_board(
        kind="request",
        organisation=org("dinsos-kota-pekanbaru"),
        category="assistive_device",
        title="Butuh 5 kursi roda",
        quantity=5,
        region=Region.objects.get(code="14.71"),
        acting_user=user,
    )
    with pytest.raises(ValidationError) as requester:  # asks, cannot decide for the giver
        actions.match_posts(offer, request, acting_user=user)
    assert "offer" in requester.value.message_dict
    with pytest.raises(ValidationError) as too_many:
        actions.match_posts(offer, request, quantity=21, acting_user=None)
    assert "quantity" in too_many.value.message_dict
    exchange = actions.match_posts(offer, request, acting_user=None)  # the giver's own call
    assert (exchange.kind, exchange.giver.code, exchange.receiver.code, exchange.quantity) == (
        "equipment",
        "pt-lancang-kuning-energi",
        "dinsos-kota-pekanbaru",
        5,
    )


def test_going_back_to_negotiation_voids_signatures(db):
    dinsos, lksa = org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")
    agreement = actions.draft_agreement(
        kind="pks",
        title="PKS yang berubah",
        drafted_by=dinsos,
        parties=[(dinsos, ""), (lksa, "")],
        clauses=[("Ruang lingkup", "A.")],
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=30),
        acting_user=None,
    )
    actions.move_agreement(agreement, AgreementState.AWAITING_SIGNATURES, acting_user=None)
    actions.sign_agreement(
        agreement, lksa, signatory_name="Ketua", signatory_position="Ketua", acting_user=None
    )
    actions.move_agreement(agreement, AgreementState.NEGOTIATION, acting_user=None)
    actions.add_clause(agreement, heading="Biaya", text="LKSA menanggung semua.", acting_user=None)
    actions.move_agreement(agreement, AgreementState.AWAITING_SIGNATURES, acting_user=None)
    actions.sign_agreement(
        agreement, dinsos, signatory_name="Kadis", signatory_position="Kadis", acting_user=None
    )
    agreement.refresh_from_db()
    # LKSA signed the old text only: the agreement waits for its new signature.
    assert agreement.state == AgreementState.AWAITING_SIGNATURES
    assert agreement.parties.get(organisation=lksa).signed_at is None


def test_meeting_link_must_be_a_web_address_and_naive_times_are_local(forum):
    start = datetime.datetime(2030, 1, 1, 10, 0)  # no time zone
    with pytest.raises(ValidationError) as bad_link:
        actions.schedule_meeting(
            forum,
            title="Rapat",
            mode="online",
            online_link="javascript:alert(1)",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            acting_user=None,
        )
    assert "online_link" in bad_link.value.message_dict
    meeting = actions.schedule_meeting(
        forum,
        title="Rapat",
        mode="online",
        online_link="https://meet.example.org/a",
        starts_at=start,
        ends_at=timezone.make_aware(start + datetime.timedelta(hours=1)),
        acting_user=None,
    )
    assert timezone.is_aware(meeting.starts_at)


def test_an_owner_cannot_drop_its_own_commitment(forum):
    mitra = User.objects.get(username="mitra.lksa")
    commitment = actions.create_commitment(
        forum, title="Laporan", owner=org("lksa-harapan-bunda"), due_on=TODAY, acting_user=None
    )
    with pytest.raises(ValidationError, match="koordinator"):
        actions.cancel_commitment(commitment, reason="lupa", acting_user=mitra)
    runner = User.objects.get(username="petugas.pekanbaru")
    assert actions.cancel_commitment(commitment, reason="batal", acting_user=runner).state == (
        CommitmentState.CANCELLED
    )
