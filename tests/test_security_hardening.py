"""Security review, findings 7 and 11: bad input answers 422/400 with a message, never
500; names and texts are cleaned and bounded; disabled users' tokens stay dead; the
browser gets a strict Content-Security-Policy; the admin and the API docs need a login.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from jejaring.accounts import actions as account_actions
from jejaring.accounts.models import User
from jejaring.core.middleware import InputGuardMiddleware
from jejaring.core.text import clean_name
from jejaring.network.models import Organisation
from jejaring.registry.models import Person

NUL_MESSAGE = "Teks tidak boleh berisi karakter NUL"
TEMPLATES = Path(__file__).resolve().parents[1] / "jejaring"


def post_json(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def first_error(response) -> dict:
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return detail[0]


# 7. NUL characters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/persons/", {"full_name": "Ani\u0000", "sex": "F"}, "full_name"),
        ("/api/v1/organisations/", {"code": "lks-x", "name": "LKS\u0000 X"}, "name"),
        ("/api/v1/collaboration/board/", {"title": "Kursi roda\u0000"}, "title"),
        ("/api/v1/collaboration/proposals/1/comments", {"text": "\u0000"}, "text"),
        ("/api/v1/persons/", {"aliases": ["a", "b\u0000"]}, "aliases.1"),
    ],
)
def test_nul_in_a_json_string_answers_422_naming_the_field(bearer, url, body, field):
    response = post_json(Client(), url, body, bearer("petugas.pekanbaru"))
    assert response.status_code == 422
    error = first_error(response)
    assert (error["field"], error["type"]) == (field, "nul_character")
    assert NUL_MESSAGE in error["msg"]


def test_a_raw_nul_byte_in_the_body_answers_422(bearer):
    response = Client().post(
        "/api/v1/persons/",
        b'{"full_name": "Ani\x00", "sex": "F"}',
        content_type="application/json",
        **bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    assert NUL_MESSAGE in first_error(response)["msg"]


def test_an_escaped_backslash_before_u0000_is_not_a_nul(bearer):
    # "\\u0000" in JSON is the six characters \u0000, which PostgreSQL stores fine.
    response = post_json(
        Client(),
        "/api/v1/persons/",
        {"full_name": "Ani \\u0000 Rahma", "sex": "F", "confirmed_new": True},
        bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 201, response.content


def test_nul_in_a_query_parameter_answers_422(bearer):
    response = Client().get("/api/v1/persons/?region=14%00", **bearer("petugas.pekanbaru"))
    assert response.status_code == 422
    error = first_error(response)
    assert (error["loc"], error["type"]) == (["query", "region"], "nul_character")


@pytest.mark.parametrize("url", ["/wilayah/14%00/", "/data/spm/14%00/", "/registri/?q=a%00"])
def test_nul_in_a_page_address_answers_a_400_page_without_login(db, url):
    response = Client().get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_nul_in_an_api_path_answers_422(db):
    response = Client().get("/api/v1/regions/14%00")
    assert response.status_code == 422
    assert first_error(response)["loc"] == ["path"]


def test_nul_in_a_page_form_answers_400(as_user):
    people = Person.objects.count()
    response = as_user("petugas.pekanbaru").post(
        "/registri/baru/", {"full_name": "Ani\x00", "sex": "F"}
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
    assert Person.objects.count() == people


def _guarded(request):
    return InputGuardMiddleware(lambda r: HttpResponse("passed"))(request)


def test_a_file_full_of_nul_bytes_passes_but_a_nul_in_a_field_does_not(db):
    factory = RequestFactory()
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\x00\x00\x00binary", "application/pdf")
    ok = factory.post("/api/v1/cases/1/attachments", {"file": upload, "description": "Akta"})
    assert _guarded(ok).content == b"passed"
    upload.seek(0)
    bad = factory.post("/api/v1/cases/1/attachments", {"file": upload, "description": "A\x00"})
    response = _guarded(bad)
    assert response.status_code == 422
    assert json.loads(response.content)["detail"][0]["field"] == "description"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_large_upload_has_its_form_fields_checked_by_the_api(bearer):
    from jejaring.cases.models import Case

    user = User.objects.get(username="petugas.pekanbaru")
    case = Case.objects.restrict(user).first()
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"\x00" * 500, "application/pdf")
    response = Client().post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"file": upload, "description": "Akta\x00"},
        **bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    error = first_error(response)
    assert (error["field"], error["type"]) == ("description", "nul_character")


# 7. Offsets, pages and years ------------------------------------------------------------


def test_a_huge_offset_answers_422_not_a_database_error(bearer):
    headers = bearer("petugas.pekanbaru")
    response = Client().get("/api/v1/persons/?offset=99999999999999999999", **headers)
    assert response.status_code == 422
    error = first_error(response)
    assert error["loc"] == ["query", "offset"]
    assert error["msg"] == "Nilai maksimal 1000000000."
    past_the_end = Client().get("/api/v1/persons/?offset=1000000000", **headers)
    assert past_the_end.status_code == 200
    assert past_the_end.json()["items"] == []


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "abc", "1e400", "0"])
def test_list_pages_never_fail_on_a_strange_page_number(as_user, page):
    client = as_user("petugas.pekanbaru")
    for url in ["/registri/", "/organisasi/", "/wilayah/"]:
        assert client.get(url, {"page": page}).status_code == 200, url


@pytest.mark.parametrize("year", [False, True, -5, 0, 99999999999999999999, "2025x"])
def test_derive_target_refuses_a_bad_year_with_a_message(bearer, year):
    response = post_json(
        Client(),
        "/api/v1/spm/targets/derive",
        {"region": "32.04", "year": year, "service_type": "kab_anak_terlantar_luar_panti"},
        bearer("petugas.bandung"),
    )
    assert response.status_code == 422
    error = first_error(response)
    assert error["field"] == "year"
    assert error["msg"]


def test_achievement_refuses_a_year_out_of_range(bearer):
    response = Client().get(
        "/api/v1/spm/achievement",
        {"year": "-1", "type": "kab_anak_terlantar_luar_panti"},
        **bearer("petugas.bandung"),
    )
    assert response.status_code == 422
    assert first_error(response)["msg"] == "Nilai minimal 2000."


# 11. Names and lengths -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["     ", "\u200b\u200b\u200b", "\ufeff \u2060 \u200c\u200d"])
def test_a_person_name_of_only_spaces_or_zero_width_characters_is_refused(bearer, name):
    response = post_json(
        Client(),
        "/api/v1/persons/",
        {"full_name": name, "sex": "F", "confirmed_new": True},
        bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    error = first_error(response)
    assert error["field"] == "full_name"
    assert error["msg"] == "Isi nama: nama tidak boleh kosong atau hanya berisi spasi."


def test_a_name_is_stored_without_invisible_characters(bearer):
    response = post_json(
        Client(),
        "/api/v1/persons/",
        {"full_name": "  Ani\u200b   Rahma\ufeff ", "sex": "F", "confirmed_new": True},
        bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 201
    assert Person.objects.get(pk=response.json()["id"]).full_name == "Ani Rahma"


def test_the_person_form_shows_the_empty_name_message(as_user):
    response = as_user("petugas.pekanbaru").post(
        "/registri/baru/",
        {"full_name": "\u200b\u200b\u200b", "sex": "F", "birth_date_precision": "exact"},
    )
    assert response.status_code == 200
    assert "nama tidak boleh kosong" in response.content.decode()


def test_an_organisation_name_of_zero_width_characters_is_refused(bearer):
    response = post_json(
        Client(),
        "/api/v1/organisations/",
        {
            "code": "lksa-kosong",
            "name": "\u200b\u200b\u200b\u200b",
            "type": "lksa",
            "sector": "civil_society",
            "level": "kabupaten_kota",
            "home_region": "14.71.01",
            "service_area": ["14.71"],
        },
        bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    assert first_error(response)["field"] == "name"
    assert not Organisation.objects.filter(code="lksa-kosong").exists()


def test_clean_name_collapses_spaces_and_refuses_empty():
    assert clean_name(" Siti \u200b Aminah ") == "Siti Aminah"
    with pytest.raises(Exception, match="tidak boleh kosong|cannot be empty"):
        clean_name("\u200b \u00a0 ")


def test_a_two_megabyte_address_is_refused(bearer):
    response = post_json(
        Client(),
        "/api/v1/persons/",
        {"full_name": "Ani Rahma", "sex": "F", "address": "x" * 2_000_000, "confirmed_new": True},
        bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    error = first_error(response)
    assert error["field"] == "address"
    assert error["msg"].startswith("Terlalu panjang: 2.000.000 karakter")


def test_an_address_past_the_short_text_limit_is_refused_everywhere(bearer, as_user):
    response = post_json(
        Client(),
        "/api/v1/persons/",
        {"full_name": "Ani Rahma", "sex": "F", "address": "x" * 1_001, "confirmed_new": True},
        bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    assert first_error(response)["msg"] == "Terlalu panjang: maksimal 1000 karakter."
    page = as_user("petugas.pekanbaru").post(
        "/registri/baru/",
        {
            "full_name": "Ani Rahma",
            "sex": "F",
            "birth_date_precision": "exact",
            "address": "x" * 1_001,
        },
    )
    assert page.status_code == 200
    assert "maksimal 1.000" in page.content.decode()
    ok = post_json(
        Client(),
        "/api/v1/persons/",
        {"full_name": "Ani Rahma", "sex": "F", "address": "x" * 1_000, "confirmed_new": True},
        bearer("petugas.pekanbaru"),
    )
    assert ok.status_code == 201


def test_a_page_form_with_megabytes_of_text_answers_400_with_the_limit(as_user):
    people = Person.objects.count()
    response = as_user("petugas.pekanbaru").post(
        "/registri/baru/",
        {"full_name": "Ani Rahma", "sex": "F", "disability": "x" * 1_000_000},
    )
    assert response.status_code == 400
    assert "Terlalu panjang: 1.000.000 karakter; maksimal 20.000." in response.content.decode()
    assert Person.objects.count() == people


# 11. Tokens of a disabled user -------------------------------------------------------------


def test_reactivating_a_user_does_not_revive_their_tokens(bearer):
    headers = bearer("mitra.lksa")
    assert Client().get("/api/v1/accounts/me", **headers).status_code == 200
    user = User.objects.get(username="mitra.lksa")
    account_actions.set_active(user, False, acting_user=None)
    account_actions.set_active(user, True, acting_user=None)
    response = Client().get("/api/v1/accounts/me", **headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "Token ini tidak valid atau telah dicabut."
    assert not user.api_tokens.filter(revoked_at__isnull=True).exists()
    # A token issued after the reactivation works.
    assert Client().get("/api/v1/accounts/me", **bearer("mitra.lksa")).status_code == 200


def test_disabling_from_the_users_page_revokes_the_tokens(bearer, as_user):
    headers = bearer("mitra.lksa")
    user = User.objects.get(username="mitra.lksa")
    admin = as_user("admin")
    admin.post(f"/akun/pengguna/{user.pk}/aktif/", {"active": "0"})
    admin.post(f"/akun/pengguna/{user.pk}/aktif/", {"active": "1"})
    user.refresh_from_db()
    assert user.is_active
    assert Client().get("/api/v1/accounts/me", **headers).status_code == 401


def test_disabling_in_the_admin_revokes_the_tokens_too(bearer):
    from types import SimpleNamespace

    from django.contrib.admin.sites import site

    headers = bearer("mitra.lksa")
    user = User.objects.get(username="mitra.lksa")
    user.is_active = False
    request = RequestFactory().post("/admin/")
    request.user = User.objects.get(username="admin")
    site._registry[User].save_model(
        request, user, SimpleNamespace(changed_data=["is_active"]), change=True
    )
    account_actions.set_active(user, True, acting_user=None)
    assert Client().get("/api/v1/accounts/me", **headers).status_code == 401


# 11. Content-Security-Policy and Permissions-Policy ------------------------------------


def test_pages_send_a_strict_content_security_policy(as_user):
    response = as_user("petugas.pekanbaru").get("/registri/")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "camera=(self)" in response["Permissions-Policy"]


def test_error_and_api_answers_carry_the_policies_too(db):
    response = Client().get("/api/v1/accounts/me")
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


def test_templates_have_no_inline_script_handler_or_style():
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        source = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"<style",
        ):
            if re.search(pattern, source):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_htmx_is_told_not_to_inject_its_style_tag(as_user):
    html = as_user("petugas.pekanbaru").get("/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in html


# 11. HSTS ---------------------------------------------------------------------------------


def _hsts(**env) -> int:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"BEHIND_HTTPS_PROXY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}
    }
    environment.update(SECRET_KEY="x", DEBUG="false", **env)
    out = subprocess.run(  # noqa: S603 — our own interpreter, fixed arguments
        [sys.executable, "-c", "import jejaring.settings as s; print(s.SECURE_HSTS_SECONDS)"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def test_hsts_is_on_for_a_year_behind_https_and_stays_overridable():
    assert _hsts() == 0
    assert _hsts(BEHIND_HTTPS_PROXY="true") == 31536000
    assert _hsts(SECURE_SSL_REDIRECT="true") == 31536000
    assert _hsts(BEHIND_HTTPS_PROXY="true", SECURE_HSTS_SECONDS="600") == 600


# 11. The admin and the API docs ------------------------------------------------------------


def test_the_admin_login_page_is_not_shown_to_visitors(db):
    for url in ["/admin/", "/admin/login/", "/admin/registry/person/"]:
        response = Client().get(url, follow=True)
        assert response.redirect_chain[-1][0].startswith("/akun/"), url
        assert b"django-admin" not in response.content.lower()
        assert b"Django administration" not in response.content


def test_the_admin_is_404_for_a_user_who_is_not_staff(as_user):
    response = as_user("petugas.pekanbaru").get("/admin/", follow=True)
    assert response.status_code == 404


def test_the_admin_opens_for_the_network_administrator(as_user):
    assert as_user("admin").get("/admin/").status_code == 200


def test_the_api_docs_and_schema_need_a_login(bearer, as_user):
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 302 and docs["Location"].startswith("/akun/")
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 401
    assert "Autentikasi diperlukan" in schema.json()["detail"]
    with_token = Client().get("/api/v1/openapi.json", **bearer("petugas.pekanbaru"))
    assert with_token.status_code == 200 and "paths" in with_token.json()
    client = as_user("petugas.pekanbaru")
    assert client.get("/api/v1/openapi.json").status_code == 200
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    # Swagger UI sets styles inline: its page alone may, and it still runs no inline script.
    assert "'unsafe-inline'" in page["Content-Security-Policy"].split("style-src")[1]
    assert "script-src 'self';" in page["Content-Security-Policy"] + ";"
