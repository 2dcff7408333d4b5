"""Cross-cutting behaviour: health check, API schema, local assets, errors, i18n."""

from pathlib import Path

import polib
from django.conf import settings
from django.test import Client
from django.urls import reverse


def test_healthz_reports_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_schema_lists_the_endpoints(as_user):
    schema = as_user("petugas.bandung").get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/regions/", "/api/v1/organisations/", "/api/v1/accounts/me"} <= paths


def test_api_docs_page_loads_no_external_assets(as_user):
    html = as_user("petugas.bandung").get("/api/v1/docs").content.decode()
    assert "cdn." not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_pages_load_no_external_assets(as_user):
    html = as_user("admin").get(reverse("network:list")).content.decode()
    assert "https://" not in html.split("<main")[0]
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_navigation_shell_lists_the_sections_to_come(as_user):
    html = as_user("petugas.bandung").get(reverse("core:home")).content.decode()
    for label in ["Registri", "Kasus &amp; Rujukan", "SPM", "Kolaborasi", "Data Terbuka"]:
        assert label in html


def test_indonesian_is_default_and_english_switchable(db):
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="id">' in page and "Masuk ke Jejaring" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/akun/masuk/"})
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page and "Log in to Jejaring" in page


def test_indonesian_catalogue_is_complete():
    catalogue = polib.pofile(str(Path(settings.BASE_DIR, "locale/id/LC_MESSAGES/django.po")))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_unknown_page_is_a_friendly_404(as_user):
    response = as_user("admin").get("/tidak-ada/")
    assert response.status_code == 404
    assert "tidak ditemukan" in response.content.decode()


def test_api_unknown_object_is_json_404(bearer):
    response = Client().get("/api/v1/organisations/999999", **bearer("admin"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Tidak ditemukan."}


def test_api_answers_in_english_when_asked(bearer):
    response = Client().get(
        "/api/v1/organisations/999999", HTTP_ACCEPT_LANGUAGE="en", **bearer("admin")
    )
    assert response.json() == {"detail": "Not found."}


def test_server_error_page_needs_no_database(rf):
    from django.utils import translation

    from jejaring.core.errors import server_error

    with translation.override("id"):
        response = server_error(rf.get("/organisasi/"))
    assert response.status_code == 500
    assert "Terjadi kesalahan pada sistem kami" in response.content.decode()


def test_pages_stay_indonesian_for_an_english_browser(db):
    # An office laptop with an English system still gets the Indonesian UI by default.
    page = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="id">' in page.content.decode()


def test_date_inputs_render_iso_dates_in_indonesian(as_user):
    # A native date input drops anything but yyyy-mm-dd: the Indonesian format would
    # show an empty field (and an edit would silently erase the birth date).
    from jejaring.registry.models import Person

    person = Person.objects.get(full_name="Muhammad Rizki")
    html = as_user("petugas.pekanbaru").get(reverse("registry:edit", args=[person.pk]))
    assert 'value="2014-03-12"' in html.content.decode()
