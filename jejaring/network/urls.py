from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("baru/", views.organisation_create, name="create"),
    path("<int:org_id>/", views.organisation_detail, name="detail"),
    path("<int:org_id>/ubah/", views.organisation_edit, name="edit"),
    path("<int:org_id>/verifikasi/", views.organisation_verify, name="verify"),
    path("<int:org_id>/kontak/", views.contact_add, name="contact_add"),
    path(
        "<int:org_id>/kontak/<int:contact_id>/hapus/", views.contact_remove, name="contact_remove"
    ),
]
