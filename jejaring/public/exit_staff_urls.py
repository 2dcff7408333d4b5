"""The case's page "Another provider" (exit) for the office serving the person."""

from django.urls import path

from .views import exits as views

app_name = "exits"
urlpatterns = [
    path("<int:case_id>/", views.case_page, name="case"),
    path("<int:case_id>/kode/", views.issue_code, name="issue_code"),
    path("<int:case_id>/permintaan/", views.worker_request, name="worker_request"),
    path("<int:case_id>/permintaan/<int:exit_id>/kirim/", views.send_waiting, name="send"),
]
