"""The complaints desk of the handling office."""

from django.urls import path

from .views import complaints as views

app_name = "complaints"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("ekspor/", views.export, name="export"),
    path("<int:complaint_id>/", views.detail, name="detail"),
    path("<int:complaint_id>/verifikasi/", views.verify, name="verify"),
    path("<int:complaint_id>/tindak-lanjut/", views.follow_up, name="follow_up"),
    path("<int:complaint_id>/jawab/", views.answer, name="answer"),
    path("<int:complaint_id>/tolak/", views.reject, name="reject"),
    path("<int:complaint_id>/tutup/", views.close, name="close"),
]
