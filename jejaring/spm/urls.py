from django.urls import path

from . import views

app_name = "spm"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ekspor.csv", views.export_csv, name="export"),
]
urlpatterns += [
    path("laporan/<str:code>/<int:year>/", views.report_page, name="report"),
    path("laporan/<str:code>/<int:year>.xlsx", views.report_xlsx, name="report_xlsx"),
]
urlpatterns += [path("target/", views.target_page, name="targets")]
