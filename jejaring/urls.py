from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from jejaring.accounts.views import admin_login
from jejaring.core.api import api
from jejaring.core.views import healthz, readyz

urlpatterns = [
    path("", include("jejaring.core.urls")),
    path("wilayah/", include("jejaring.regions.urls")),
    path("organisasi/", include("jejaring.network.urls")),
    path("registri/", include("jejaring.registry.urls")),
    path("impor/", include("jejaring.imports.urls")),
    path("kasus/", include("jejaring.cases.urls")),
    path("lapangan/", include("jejaring.field.urls")),
    path("laporan/", include("jejaring.public.urls")),
    path("lapor/", include("jejaring.public.citizen_urls")),
    path("pengaduan/", include("jejaring.public.complaint_urls")),
    path("meja-pengaduan/", include("jejaring.public.desk_urls")),
    path("skm/", include("jejaring.public.survey_urls")),
    path("pindah-layanan/", include("jejaring.public.exit_urls")),
    path("kasus/lain/", include("jejaring.public.exit_staff_urls")),
    path("survei-kepuasan/", include("jejaring.public.survey_staff_urls")),
    path("spm/", include("jejaring.spm.urls")),
    path("kolaborasi/", include("jejaring.collaboration.urls")),
    path("data/", include("jejaring.spm.public_urls")),
    path("akun/", include("jejaring.accounts.urls")),
    path("audit/", include("jejaring.audit.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Before the admin's own login: anonymous visitors never see the admin's page.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler400 = "jejaring.core.errors.bad_request"
handler403 = "jejaring.core.errors.permission_denied"
handler404 = "jejaring.core.errors.page_not_found"
handler500 = "jejaring.core.errors.server_error"
