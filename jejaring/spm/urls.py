from django.urls import path

from . import views

app_name = "spm"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ekspor.csv", views.export_csv, name="export"),
]
urlpatterns += [
    # The national report: the same names with the year alone ("nasional" is no region
    # code, and these come first so it is never looked up as one).
    path("laporan/nasional/<int:year>/", views.report_page, name="report"),
    path("laporan/nasional/<int:year>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("laporan/<str:code>/<int:year>/", views.report_page, name="report"),
    path("laporan/<str:code>/<int:year>.xlsx", views.report_xlsx, name="report_xlsx"),
]
urlpatterns += [path("target/", views.target_page, name="targets")]
