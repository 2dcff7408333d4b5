"""Complaints: the complainant's form and status (no account), the desk and dashboard."""

from django.urls import path

from .views import complaints as views

app_name = "pengaduan"
urlpatterns = [
    path("", views.complaint_new, name="new"),
    path("status/", views.complaint_status, name="status"),
    path("organisasi/", views.organisation_suggest, name="organisations"),
]
