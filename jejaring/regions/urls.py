from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.index, name="index"),
    path("saran/", views.suggest, name="suggest"),
    path("<str:code>/", views.detail, name="detail"),
]
