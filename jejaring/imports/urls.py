from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/kolom/", views.job_mapping, name="mapping"),
    path("<int:job_id>/kolom-lain/", views.job_unused_columns, name="unused_columns"),
    path("<int:job_id>/baris/", views.job_rows, name="rows"),
    path("<int:job_id>/baris/<int:row>/", views.job_row, name="row"),
    path("<int:job_id>/impor/", views.job_start, name="start"),
    path("<int:job_id>/batal/", views.job_cancel, name="cancel"),
    path("<int:job_id>/progres/", views.job_progress, name="progress"),
    path("<int:job_id>/baris-ditolak.csv", views.job_rejected, name="rejected"),
    path("tinjau/", views.review_list, name="reviews"),
    path("tinjau/cari/", views.review_scan, name="review_scan"),
    path("tinjau/<int:review_id>/", views.review_detail, name="review"),
]
