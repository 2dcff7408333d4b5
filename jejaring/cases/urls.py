from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.board, name="board"),
    path("tumpang-tindih/", views.overlap_list, name="overlaps"),
    path("tumpang-tindih/segarkan/", views.overlap_refresh, name="overlap_refresh"),
    path(
        "tumpang-tindih/<int:alert_id>/koordinasi/",
        views.overlap_coordinate,
        name="overlap_coordinate",
    ),
    path("konferensi/<int:conference_id>/", views.conference_detail, name="conference"),
    path("orang/<int:person_id>/buka/", views.case_open, name="open"),
    path("orang/<int:person_id>/persetujuan/", views.consent_add, name="consent_add"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/formulir/<str:fold>/", views.case_fold, name="fold"),
    path("<int:case_id>/status/", views.case_transition, name="transition"),
    path("<int:case_id>/asesmen/", views.case_needs, name="needs"),
    path("<int:case_id>/layanan/", views.case_service, name="service"),
    path("<int:case_id>/rujuk/", views.case_refer, name="refer"),
    path("<int:case_id>/catatan/", views.case_note, name="note"),
    path("<int:case_id>/petugas/", views.case_assign, name="assign"),
    path(
        "orang/<int:person_id>/persetujuan/<int:consent_id>/cabut/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:case_id>/lampiran/", views.case_attach, name="attach"),
    path("lampiran/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("rujukan/<int:referral_id>/", views.referral_detail, name="referral"),
    path("rujukan/<int:referral_id>/<str:decision>/", views.referral_decide, name="decide"),
]
