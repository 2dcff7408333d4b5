"""The satisfaction survey: the person's questionnaire by code (no account)."""

from django.urls import path

from .views import survey as views

app_name = "skm"
urlpatterns = [
    path("", views.questionnaire, name="answer"),
    path("terima-kasih/", views.thanks, name="thanks"),
]
