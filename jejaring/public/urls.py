"""The staff side: the queue of public reports and what the handling office does."""

from django.urls import path

from .views import reports as views

app_name = "reports"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/ambil/", views.pick_up, name="pick_up"),
    path("<int:report_id>/kasus/", views.open_case, name="open_case"),
    path("<int:report_id>/tutup/", views.close, name="close"),
    path("<int:report_id>/spam/", views.mark_spam, name="spam"),
    path("<int:report_id>/foto/<int:photo_id>/", views.photo, name="photo"),
]
