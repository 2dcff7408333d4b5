from django.urls import path

from .views import agreements, decisions, forums, health, home, meetings, resources

app_name = "collaboration"

urlpatterns = [
    path("", home.index, name="index"),
    # Forums, members, coordinator, ground rules, goals, outcomes
    path("forum/", forums.forum_list, name="forums"),
    path("forum/baru/", forums.forum_create, name="forum_create"),
    path("forum/<int:forum_id>/", forums.forum_detail, name="forum"),
    path("forum/<int:forum_id>/formulir/<str:fold>/", forums.forum_fold, name="forum_fold"),
    path("forum/<int:forum_id>/anggota/", forums.member_add, name="member_add"),
    path(
        "forum/<int:forum_id>/anggota/<int:membership_id>/keluar/",
        forums.member_remove,
        name="member_remove",
    ),
    path("forum/<int:forum_id>/koordinator/", forums.coordinator_rotate, name="coordinator_rotate"),
    path("forum/<int:forum_id>/aturan/", forums.rule_add, name="rule_add"),
    path("forum/<int:forum_id>/tujuan/", forums.goal_add, name="goal_add"),
    path("forum/<int:forum_id>/capaian/", forums.outcome_add, name="outcome_add"),
    path("forum/<int:forum_id>/kalender.ics", meetings.forum_calendar, name="forum_ics"),
    # Meetings
    path("forum/<int:forum_id>/rapat/baru/", meetings.meeting_create, name="meeting_create"),
    path("rapat/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("rapat/<int:meeting_id>/undang/", meetings.meeting_invite, name="meeting_invite"),
    path(
        "rapat/<int:meeting_id>/kehadiran/", meetings.meeting_attendance, name="meeting_attendance"
    ),
    path("rapat/<int:meeting_id>/notulen/", meetings.meeting_minutes, name="meeting_minutes"),
    path("rapat/<int:meeting_id>/batal/", meetings.meeting_cancel, name="meeting_cancel"),
    path("rapat/<int:meeting_id>/lampiran/", meetings.meeting_attach, name="meeting_attach"),
    path(
        "rapat/lampiran/<int:attachment_id>/",
        meetings.attachment_download,
        name="meeting_attachment",
    ),
    path("rapat/<int:meeting_id>/undangan.ics", meetings.meeting_ics, name="meeting_ics"),
    # Decisions and commitments
    path("forum/<int:forum_id>/usulan/baru/", decisions.proposal_create, name="proposal_create"),
    path("usulan/<int:proposal_id>/", decisions.proposal_detail, name="proposal"),
    path("usulan/<int:proposal_id>/sikap/", decisions.position_state, name="position_state"),
    path("usulan/<int:proposal_id>/komentar/", decisions.proposal_comment, name="proposal_comment"),
    path("usulan/<int:proposal_id>/tutup/", decisions.proposal_close, name="proposal_close"),
    path("usulan/<int:proposal_id>/voting/", decisions.proposal_vote, name="proposal_vote"),
    path("usulan/<int:proposal_id>/tarik/", decisions.proposal_withdraw, name="proposal_withdraw"),
    path("komitmen/", decisions.commitment_list, name="commitments"),
    path(
        "forum/<int:forum_id>/komitmen/baru/", decisions.commitment_create, name="commitment_create"
    ),
    path("komitmen/<int:commitment_id>/", decisions.commitment_detail, name="commitment"),
    path(
        "komitmen/<int:commitment_id>/penuhi/",
        decisions.commitment_fulfil,
        name="commitment_fulfil",
    ),
    path(
        "komitmen/<int:commitment_id>/batal/", decisions.commitment_cancel, name="commitment_cancel"
    ),
    # Agreements
    path("kesepakatan/", agreements.agreement_list, name="agreements"),
    path("kesepakatan/baru/", agreements.agreement_create, name="agreement_create"),
    path("kesepakatan/<int:agreement_id>/", agreements.agreement_detail, name="agreement"),
    path("kesepakatan/<int:agreement_id>/pasal/", agreements.clause_add, name="clause_add"),
    path(
        "kesepakatan/pasal/<int:clause_id>/komentar/",
        agreements.clause_comment,
        name="clause_comment",
    ),
    path(
        "kesepakatan/<int:agreement_id>/status/", agreements.agreement_move, name="agreement_move"
    ),
    path(
        "kesepakatan/<int:agreement_id>/tanda-tangan/",
        agreements.agreement_sign,
        name="agreement_sign",
    ),
    path(
        "kesepakatan/<int:agreement_id>/akhiri/",
        agreements.agreement_terminate,
        name="agreement_terminate",
    ),
    path(
        "kesepakatan/<int:agreement_id>/perpanjang/",
        agreements.agreement_renew,
        name="agreement_renew",
    ),
    path(
        "kesepakatan/<int:agreement_id>/dokumen/",
        agreements.document_upload,
        name="document_upload",
    ),
    path("kesepakatan/dokumen/<int:document_id>/", agreements.document_download, name="document"),
    path("aturan/", agreements.rule_register, name="rules"),
    # Resource sharing
    path("pertukaran/", resources.exchange_list, name="exchanges"),
    path("pertukaran/baru/", resources.exchange_create, name="exchange_create"),
    path("papan/", resources.board, name="board"),
    path("papan/baru/", resources.post_create, name="post_create"),
    path("papan/<int:post_id>/", resources.post_detail, name="post"),
    path("papan/<int:post_id>/cocokkan/", resources.post_match, name="post_match"),
    path("papan/<int:post_id>/tutup/", resources.post_close, name="post_close"),
    path("alat-bantu/", resources.distribution_list, name="distributions"),
    path(
        "alat-bantu/kasus/<int:case_id>/", resources.distribution_create, name="distribution_create"
    ),
    path(
        "alat-bantu/<int:distribution_id>/serahkan/",
        resources.distribution_handover,
        name="distribution_handover",
    ),
    path(
        "alat-bantu/<int:distribution_id>/batal/",
        resources.distribution_cancel,
        name="distribution_cancel",
    ),
    # Health check and the network picture
    path("kesehatan/", health.network_health, name="health"),
    path("forum/<int:forum_id>/kesehatan/", health.forum_health, name="forum_health"),
    path("forum/<int:forum_id>/survei/", health.survey, name="survey"),
    path("survei/", health.survey, name="network_survey"),
    path("jejaring/", health.graph, name="graph"),
    path("jejaring/data.json", health.graph_data, name="graph_data"),
    path("integrasi/", health.integration, name="integration"),
]
