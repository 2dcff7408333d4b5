"""Exit: the person's request for another provider (no account) and the case's page."""

from django.urls import path

from .views import exits as views

app_name = "pindah"
urlpatterns = [
    path("", views.public_request, name="request"),
]
