from django.urls import path

from . import views

app_name = "spm"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ekspor.csv", views.export_csv, name="export"),
]
