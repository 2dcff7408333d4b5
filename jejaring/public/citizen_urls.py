"""The citizen's side, without an account: send a report, follow it by its code."""

from django.urls import path

from .views import reports as views

app_name = "lapor"
urlpatterns = [
    path("", views.report_new, name="new"),
    path("terkirim/", views.report_sent, name="sent"),
    path("status/", views.report_status, name="status"),
]
