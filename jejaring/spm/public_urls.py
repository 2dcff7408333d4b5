from django.urls import path

from jejaring.public.views import open_data as open_data_views
from jejaring.public.views import survey as survey_views

from . import views

app_name = "open_data"
urlpatterns = [
    path("", open_data_views.home, name="home"),
    path("spm/", views.public, name="spm"),
    path("spm/<str:code>/", views.public, name="spm_region"),
    path("skm/", survey_views.open_page, name="skm"),
    path("catalog.json", open_data_views.catalog, name="catalog"),
]
