from django.urls import path

from . import views

app_name = "open_data"
urlpatterns = [
    path("spm/", views.public, name="spm"),
    path("spm/<str:code>/", views.public, name="spm_region"),
]
