"""The office's side of the satisfaction survey: codes, the desk's tablet, results."""

from django.urls import path

from .views import survey as views

app_name = "survey"
urlpatterns = [
    path("", views.results, name="results"),
    path("kode/", views.invitations, name="invitations"),
    path("tablet/", views.tablet, name="tablet"),
    path("laporan.xlsx", views.report_xlsx, name="report_xlsx"),
]
