"""The demo's collaboration story: a year of the Forum Perlindungan Anak Kota
Pekanbaru — meetings, decisions, commitments, agreements in several states,
exchanges and an offers-and-requests board — built through the real actions.

The story happened over the past year, so each step runs on the day it happened:
inside ``clock.set_to(that day)`` the actions stamp that day themselves (and check
their rules against it), instead of the demo moving timestamps back afterwards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from jejaring.core import clock
from jejaring.network.models import Organisation
from jejaring.regions.models import Region

from . import actions
from .models import Agreement, AgreementState, Forum, Meeting, Proposal, Stance

FORUM_NAME = "Forum Perlindungan Anak Kota Pekanbaru"
MEMBERS = [
    "dinsos-kota-pekanbaru",
    "dp3a-pekanbaru",
    "dukcapil-pekanbaru",
    "satpol-pp-pekanbaru",
    "dinkes-pekanbaru",
    "upt-psaa-riau",
    "lksa-harapan-bunda",
    "fpsi-umr",
    "pt-lancang-kuning-energi",
]


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@dataclass(frozen=True)
class Story:
    """The story's calendar, counted back from the day the demo is built (fixed once,
    because inside ``clock.set_to`` "today" is the day being replayed)."""

    today: datetime.date

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def at(self, days_ago: int, hour: int = 9) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(self.day(days_ago), datetime.time(hour))
        )

    def on(self, days_ago: int, hour: int = 9):
        """Run the block as on that day (at ``hour`` o'clock)."""
        return clock.set_to(self.at(days_ago, hour))


def create_collaboration_demo() -> bool:
    """Create the story once; False when it is already there."""
    if Forum.objects.filter(name=FORUM_NAME).exists():
        return False
    story = Story(clock.localdate())
    dinsos = _org("dinsos-kota-pekanbaru")
    with story.on(330):
        forum = actions.create_forum(
            name=FORUM_NAME,
            region=Region.objects.get(code="14.71"),
            convened_by=dinsos,
            members=[_org(code) for code in MEMBERS[1:]],
            mission=(
                "Setiap anak di Kota Pekanbaru yang terlantar, hidup di jalan atau menjadi "
                "korban kekerasan ditemukan, dilindungi dan dilayani dalam 7 hari."
            ),
            problem_statement=(
                "Anak ditangani tiga instansi yang tidak saling tahu; rujukan berhenti di "
                "meja; anak tanpa NIK tidak bisa dilayani."
            ),
            quorum_percent=50,
            allows_fallback_vote=True,
            fallback_vote_percent=67,
            meets_every_days=60,
            acting_user=None,
        )
        goal_nik = actions.add_goal(forum, title="Semua anak binaan memiliki NIK", acting_user=None)
        goal_hotline = actions.add_goal(
            forum, title="Satu layanan pengaduan anak", acting_user=None
        )
        actions.add_goal(forum, title="Reunifikasi anak jalanan dengan keluarga", acting_user=None)
    with story.on(120):
        actions.rotate_coordinator(forum, _org("dp3a-pekanbaru"), acting_user=None)

    with story.on(300):
        actions.add_ground_rule(
            None,
            title="Kode etik berbagi data pribadi (UU 27/2022)",
            text="Data anak hanya dibagikan kepada instansi yang menangani, dengan persetujuan.",
            kind="rule",
            acting_user=None,
        )
    with story.on(320):
        actions.add_ground_rule(
            forum,
            title="Tata tertib forum",
            text="Keputusan diambil secara musyawarah mufakat; bila tidak tercapai, voting 2/3.",
            kind="rule",
            acting_user=None,
        )
    with story.on(250):
        actions.add_ground_rule(
            forum,
            title="SOP rujukan anak jalanan",
            text=(
                "Satpol PP menyerahkan anak ke Dinas Sosial dalam 1×24 jam; Dukcapil "
                "menerbitkan NIK."
            ),
            kind="sop",
            acting_user=None,
        )

    meetings = _meetings(story, forum)
    _decisions(story, forum, meetings)
    _commitments(story, forum, meetings)
    for title, goal, days_ago, kind in [
        ("Layanan jemput bola NIK di LKSA Harapan Bunda: 34 anak", goal_nik, 200, "small_win"),
        ("Nomor pengaduan bersama diluncurkan", goal_hotline, 90, "small_win"),
        ("Pemetaan titik anak jalanan bersama Satpol PP", None, 150, "joint_fact_finding"),
    ]:
        with story.on(days_ago, hour=15):
            actions.record_outcome(
                forum,
                title=title,
                goal=goal,
                achieved_on=story.day(days_ago),
                kind=kind,
                acting_user=None,
            )
    _agreements(story, forum)
    _exchanges(story, forum)
    _board()
    return True


def _meetings(story: Story, forum) -> list[Meeting]:
    held = []
    plan = [
        # days ago, title, mode, sectors present (codes), minutes?
        (320, "Rapat pembentukan forum", "in_person", MEMBERS, True),
        (260, "Rapat koordinasi triwulan I", "online", MEMBERS[:6], True),
        (200, "Rapat koordinasi triwulan II", "hybrid", MEMBERS[:4] + MEMBERS[6:8], True),
        (140, "Rapat evaluasi layanan pengaduan", "online", MEMBERS[:3] + ["fpsi-umr"], True),
        (80, "Rapat koordinasi triwulan III", "hybrid", MEMBERS, True),
        (20, "Rapat persiapan Hari Anak", "online", MEMBERS[:5], False),
    ]
    for days_ago, title, mode, present, minutes in plan:
        # Planned a week ahead, announced five days ahead, recorded once it was over.
        start = story.at(days_ago)
        with story.on(days_ago + 7):
            meeting = actions.schedule_meeting(
                forum,
                title=title,
                mode=mode,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                location="" if mode == "online" else "Aula Dinas Sosial Kota Pekanbaru",
                online_link="" if mode == "in_person" else "https://meet.jit.si/forum-pa-pekanbaru",
                agenda="1. Laporan anggota\n2. Kasus bersama\n3. Rencana tindak lanjut",
                acting_user=None,
            )
        with story.on(days_ago + 5):
            actions.send_invitations(meeting, acting_user=None)
        ids = dict(Organisation.objects.filter(code__in=present).values_list("pk", "name"))
        with story.on(days_ago, hour=11):
            actions.record_attendance(
                meeting, {pk: f"Perwakilan {name}" for pk, name in ids.items()}, acting_user=None
            )
            if minutes:
                actions.record_minutes(
                    meeting,
                    "Anggota melaporkan penanganan kasus; disepakati tindak lanjut dan "
                    "penanggung jawabnya (lihat komitmen).",
                    acting_user=None,
                )
        held.append(meeting)
    start = story.at(-10, 10)
    upcoming = actions.schedule_meeting(
        forum,
        title="Rapat koordinasi triwulan IV",
        mode="online",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        online_link="https://meet.jit.si/forum-pa-pekanbaru",
        agenda="1. Capaian SPM anak\n2. Perpanjangan MoU layanan psikologi\n3. Rencana 2027",
        acting_user=None,
    )
    actions.send_invitations(upcoming, acting_user=None)
    return held


def _decide(story: Story, forum, meeting, title, text, stances, days_ago, vote=None) -> Proposal:
    """Opened a week before it was decided, positions stated halfway, closed on the
    deadline (and put to the vote there when the forum did not agree)."""
    with story.on(days_ago + 7):
        proposal = actions.open_proposal(
            forum,
            title=title,
            text=text,
            deadline=story.day(days_ago),
            proposed_by=forum.convened_by,
            meeting=meeting,
            acting_user=None,
        )
    with story.on(days_ago + 3):
        for code, stance, reason in stances:
            actions.state_position(proposal, _org(code), stance, reason=reason, acting_user=None)
    with story.on(days_ago, hour=11):
        actions.close_proposal(proposal, acting_user=None)
        if vote:
            actions.decide_by_vote(
                proposal,
                votes_for=vote[0],
                votes_against=vote[1],
                abstentions=vote[2],
                acting_user=None,
            )
    return proposal


def _decisions(story: Story, forum, meetings) -> None:
    everyone_agrees = [(code, Stance.AGREE, "") for code in MEMBERS]
    _decide(
        story,
        forum,
        meetings[1],
        "Satu nomor pengaduan anak untuk seluruh anggota",
        "Forum memakai satu nomor pengaduan (hotline) yang dikelola DP3A dan diteruskan ke "
        "anggota sesuai SOP rujukan.",
        everyone_agrees[:2]
        + [("dukcapil-pekanbaru", Stance.RESERVATIONS, "Jam layanan Dukcapil hanya hari kerja.")]
        + everyone_agrees[3:],
        250,
    )
    _decide(
        story,
        forum,
        meetings[2],
        "Jemput bola NIK di LKSA",
        "Dukcapil membuka layanan jemput bola perekaman NIK di LKSA setiap triwulan.",
        everyone_agrees,
        195,
    )
    stances = [(code, Stance.AGREE, "") for code in MEMBERS[:6]] + [
        ("lksa-harapan-bunda", Stance.ABSTAIN, ""),
        ("fpsi-umr", Stance.AGREE, ""),
        ("pt-lancang-kuning-energi", Stance.BLOCK, "Anggaran CSR 2026 sudah terkunci."),
    ]
    _decide(
        story,
        forum,
        meetings[4],
        "Iuran anggota untuk transportasi penjangkauan",
        "Setiap anggota menyumbang biaya transportasi penjangkauan anak jalanan.",
        stances,
        75,
        vote=(7, 1, 1),
    )
    # Still open today: members are stating their positions.
    actions.open_proposal(
        forum,
        title="Rumah aman sementara untuk anak korban kekerasan",
        text="UPT PSAA Riau menyediakan 4 tempat tidur rumah aman; DP3A menanggung pendampingan.",
        deadline=story.day(-10),
        proposed_by=_org("dp3a-pekanbaru"),
        acting_user=None,
    )


def _commitments(story: Story, forum, meetings) -> None:
    rows = [
        # owner, title, meeting index, due (days ago; negative = in the future), fulfilled days ago
        ("dp3a-pekanbaru", "Mengaktifkan nomor pengaduan bersama", 1, 230, 235),
        ("dukcapil-pekanbaru", "Jemput bola NIK di LKSA Harapan Bunda", 2, 180, 200),
        ("satpol-pp-pekanbaru", "Pemetaan titik anak jalanan", 2, 160, 150),
        ("fpsi-umr", "Pelatihan pertolongan pertama psikologis untuk petugas", 3, 110, 112),
        ("dinkes-pekanbaru", "Pemeriksaan kesehatan anak di rumah singgah", 4, 30, None),
        ("dinsos-kota-pekanbaru", "Rekap data anak jalanan untuk SPM", 5, -14, None),
    ]
    for code, title, index, due_days_ago, fulfilled_days_ago in rows:
        meeting = meetings[index]
        # Agreed at the meeting, recorded as it ended.
        with clock.set_to(meeting.ends_at):
            commitment = actions.create_commitment(
                forum,
                title=title,
                owner=_org(code),
                due_on=story.day(due_days_ago),
                meeting=meeting,
                acting_user=None,
            )
        if fulfilled_days_ago is not None:
            with story.on(fulfilled_days_ago, hour=15):
                actions.fulfil_commitment(
                    commitment,
                    evidence="Laporan kegiatan dan daftar hadir diunggah ke forum.",
                    acting_user=None,
                )


def _agreement(title, kind, codes, starts, ends, clauses, forum=None, **extra) -> Agreement:
    return actions.draft_agreement(
        kind=kind,
        title=title,
        drafted_by=_org(codes[0]),
        parties=[(_org(code), obligation) for code, obligation in codes_with(codes)],
        clauses=clauses,
        starts_on=starts,
        ends_on=ends,
        forum=forum,
        legal_basis="UU 11/2009 tentang Kesejahteraan Sosial; Permensos 9/2018 tentang SPM",
        acting_user=None,
        **extra,
    )


def codes_with(codes):
    obligations = {
        "dinsos-kota-pekanbaru": "Merujuk anak dan membiayai permakanan sesuai SPM.",
        "lksa-harapan-bunda": "Mengasuh anak rujukan dan melaporkan perkembangan tiap bulan.",
        "fpsi-umr": "Menyediakan psikolog dan mahasiswa praktik untuk konseling anak.",
        "pt-lancang-kuning-energi": "Mendanai alat bantu dan transportasi melalui program CSR.",
        "dukcapil-pekanbaru": "Menerbitkan NIK dan akta kelahiran anak rujukan.",
        "dp3a-pekanbaru": "Mendampingi anak korban kekerasan dan mengelola pengaduan.",
    }
    return [(code, obligations.get(code, "")) for code in codes]


def _sign_all(agreement) -> None:
    for party in agreement.parties.select_related("organisation"):
        actions.sign_agreement(
            agreement,
            party.organisation,
            signatory_name=f"Pimpinan {party.organisation.name}",
            signatory_position="Kepala / Ketua",
            acting_user=None,
        )


def _signed(story: Story, agreement, drafted_days_ago: int) -> None:
    """Drafted ``drafted_days_ago``; sent for signature a week later, signed by all a
    week after that."""
    with story.on(drafted_days_ago - 7):
        actions.move_agreement(agreement, AgreementState.AWAITING_SIGNATURES, acting_user=None)
    with story.on(drafted_days_ago - 14):
        _sign_all(agreement)


def _agreements(story: Story, forum) -> None:
    # When each one was worked on: the draft has sat untouched for months, as the
    # papers saw MoUs do.
    scope = [
        ("Ruang lingkup", "Pengasuhan sementara anak terlantar dan anak jalanan rujukan."),
        ("Hak dan kewajiban", "Sebagaimana tercantum pada kewajiban masing-masing pihak."),
        ("Jangka waktu", "Berlaku dua tahun sejak ditandatangani dan dapat diperpanjang."),
    ]
    with story.on(320):
        active = _agreement(
            "PKS Pengasuhan Anak Terlantar",
            "pks",
            ["dinsos-kota-pekanbaru", "lksa-harapan-bunda"],
            story.day(300),
            story.day(300) + datetime.timedelta(days=730),
            scope,
            forum,
        )
    _signed(story, active, 320)
    with story.on(335):
        expiring = _agreement(
            "MoU Layanan Psikologi Anak",
            "mou",
            ["dinsos-kota-pekanbaru", "fpsi-umr"],
            story.day(320),
            story.day(-45),
            [("Ruang lingkup", "Konseling psikologis anak korban kekerasan dan anak jalanan.")],
            forum,
        )
    _signed(story, expiring, 335)
    with story.on(820):
        old = _agreement(
            "MoU Penjangkauan Anak Jalanan 2024",
            "mou",
            ["dinsos-kota-pekanbaru", "satpol-pp-pekanbaru"],
            story.day(800),
            story.day(70),
            [("Ruang lingkup", "Penjangkauan bersama anak jalanan di pusat kota.")],
        )
    _signed(story, old, 820)
    # The daily calendar task: the day after the old MoU ended, and today (which
    # reminds the parties of the one ending in 45 days).
    with story.on(69, hour=1):
        actions.expire_agreements()
    actions.expire_agreements()
    with story.on(60):
        negotiation = _agreement(
            "PKS CSR Alat Bantu dan Transportasi",
            "pks",
            ["dinsos-kota-pekanbaru", "pt-lancang-kuning-energi"],
            story.day(-30),
            story.day(-30) + datetime.timedelta(days=365),
            [
                (
                    "Ruang lingkup",
                    "Pengadaan kursi roda dan biaya transportasi distribusi alat bantu.",
                ),
                ("Pendanaan", "Nilai bantuan ditetapkan setiap tahun anggaran."),
            ],
            forum,
        )
    with story.on(53):
        actions.move_agreement(negotiation, AgreementState.NEGOTIATION, acting_user=None)
    with story.on(50):
        actions.comment_on_clause(
            negotiation.clauses.get(number=2),
            "Mohon dicantumkan nilai minimal Rp 150.000.000 per tahun.",
            acting_user=None,
        )
    with story.on(20):
        awaiting = _agreement(
            "PKS Rumah Aman Anak Korban Kekerasan",
            "pks",
            ["dp3a-pekanbaru", "dinsos-kota-pekanbaru"],
            story.day(-7),
            story.day(-7) + datetime.timedelta(days=730),
            [("Ruang lingkup", "Rumah aman sementara dan pendampingan anak korban kekerasan.")],
            forum,
        )
    with story.on(13):
        actions.move_agreement(awaiting, AgreementState.AWAITING_SIGNATURES, acting_user=None)
    with story.on(10):
        actions.sign_agreement(
            awaiting,
            _org("dp3a-pekanbaru"),
            signatory_name="Kepala DP3A Kota Pekanbaru",
            signatory_position="Kepala Dinas",
            acting_user=None,
        )
    with story.on(150):
        _agreement(
            "PKS Percepatan NIK Anak Binaan",
            "pks",
            ["dukcapil-pekanbaru", "dinsos-kota-pekanbaru"],
            None,
            None,
            [("Ruang lingkup", "Penerbitan NIK bagi anak binaan tanpa dokumen.")],
            forum,
        )


def _exchanges(story: Story, forum) -> None:
    rows = [
        (
            "training",
            "fpsi-umr",
            "dinsos-kota-pekanbaru",
            "Pelatihan PFA untuk 25 petugas",
            25,
            "orang",
            None,
            110,
        ),
        (
            "training",
            "dinsos-kota-pekanbaru",
            "lksa-harapan-bunda",
            "Bimbingan teknis pengasuhan",
            12,
            "orang",
            None,
            180,
        ),
        (
            "equipment",
            "pt-lancang-kuning-energi",
            "dinsos-kota-pekanbaru",
            "Kursi roda",
            10,
            "unit",
            25000000,
            95,
        ),
        (
            "technical_assistance",
            "fpsi-umr",
            "lksa-harapan-bunda",
            "Asesmen psikologis anak",
            18,
            "anak",
            None,
            60,
        ),
        (
            "grant_management",
            "pt-lancang-kuning-energi",
            "lksa-harapan-bunda",
            "Hibah CSR permakanan",
            None,
            "",
            60000000,
            150,
        ),
        (
            "joint_planning",
            "dinsos-kota-pekanbaru",
            "dp3a-pekanbaru",
            "Rencana aksi perlindungan anak 2026",
            None,
            "",
            None,
            240,
        ),
        (
            "mutual_aid",
            "upt-psaa-riau",
            "dinsos-kota-pekanbaru",
            "Tempat tidur darurat untuk 3 anak",
            3,
            "anak",
            None,
            130,
        ),
        (
            "informal",
            "satpol-pp-pekanbaru",
            "dinsos-kota-pekanbaru",
            "Patroli bersama malam minggu",
            None,
            "",
            None,
            40,
        ),
        (
            "technical_assistance",
            "dukcapil-pekanbaru",
            "lksa-harapan-bunda",
            "Perekaman NIK di LKSA",
            34,
            "anak",
            None,
            200,
        ),
        (
            "equipment",
            "dinkes-pekanbaru",
            "upt-psaa-riau",
            "Obat-obatan dan P3K",
            1,
            "paket",
            3500000,
            70,
        ),
    ]
    for kind, giver, receiver, what, quantity, unit, value, days_ago in rows:
        with story.on(days_ago, hour=14):  # recorded the day it happened
            actions.record_exchange(
                kind=kind,
                giver=_org(giver),
                receiver=_org(receiver),
                description=what,
                quantity=quantity,
                unit=unit,
                value_idr=value,
                forum=forum,
                acting_user=None,
            )


def _board() -> None:
    pekanbaru = Region.objects.get(code="14.71")
    wheelchairs = actions.post_to_board(
        kind="offer",
        organisation=_org("pt-lancang-kuning-energi"),
        category="assistive_device",
        title="20 kursi roda tersedia",
        description="Kursi roda standar dewasa dan anak, dari program CSR 2026.",
        quantity=20,
        unit="unit",
        region=pekanbaru,
        acting_user=None,
    )
    actions.post_to_board(
        kind="offer",
        organisation=_org("fpsi-umr"),
        category="personnel",
        title="Psikolog relawan untuk konseling anak (Sabtu)",
        description="Dua psikolog dan mahasiswa profesi, setiap Sabtu pagi.",
        quantity=2,
        unit="orang",
        region=pekanbaru,
        acting_user=None,
    )
    actions.post_to_board(
        kind="request",
        organisation=_org("lksa-harapan-bunda"),
        category="personnel",
        title="Kami butuh psikolog pada hari Minggu",
        description="Untuk konseling anak korban kekerasan, dua jam setiap Minggu.",
        quantity=1,
        unit="orang",
        region=pekanbaru,
        acting_user=None,
    )
    request = actions.post_to_board(
        kind="request",
        organisation=_org("dinsos-kota-pekanbaru"),
        category="assistive_device",
        title="Butuh 5 kursi roda untuk penyandang disabilitas",
        quantity=5,
        unit="unit",
        region=pekanbaru,
        acting_user=None,
    )
    actions.match_posts(wheelchairs, request, acting_user=None)
    actions.post_to_board(
        kind="offer",
        organisation=_org("upt-psaa-riau"),
        category="facility",
        title="Aula pelatihan untuk 40 orang",
        quantity=1,
        unit="ruang",
        region=pekanbaru,
        acting_user=None,
    )
