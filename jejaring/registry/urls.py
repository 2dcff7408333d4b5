from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("baru/", views.person_create, name="create"),
    path("ekspor.csv", views.person_export, name="export"),
    path("<int:person_id>/", views.person_detail, name="detail"),
    path("<int:person_id>/formulir/<str:fold>/", views.person_fold, name="fold"),
    path("<int:person_id>/ubah/", views.person_edit, name="edit"),
    path("<int:person_id>/gabung/", views.person_merge, name="merge"),
    path("<int:person_id>/nik/verifikasi/", views.nik_verify, name="nik_verify"),
    path("<int:person_id>/nik/ganti/", views.nik_replace, name="nik_replace"),
    path("<int:person_id>/keluarga/", views.link_relative, name="link_relative"),
    path("<int:person_id>/foto/", views.photo, name="photo"),
    path("<int:person_id>/kategori/", views.category_set, name="category_set"),
    path("<int:person_id>/nama-lain/", views.alias_add, name="alias_add"),
    path("<int:person_id>/status-tinggal/", views.life_status_set, name="life_status_set"),
    path("<int:person_id>/foto/unggah/", views.photo_upload, name="photo_upload"),
    path("gabungan/<int:merge_id>/batal/", views.merge_undo, name="merge_undo"),
]
