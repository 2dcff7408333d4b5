"""The demo behaves like production (issue 14, point 10) and its pages stay light (point 9).

Served as `make run` serves it — the environment read from the Makefile's own recipe, the
real `jejaring serve` (gunicorn) in a child process, on the test database (the ``served``
fixture, tests/conftest.py) — the product shows its own Indonesian error pages, hashed
static files with long cache headers, a favicon; every `jejaring` command explains a
missing configuration in one translated line; the set-up speaks Indonesian from the first
run.
"""

import os
import re
import shutil
import stat
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import formats, translation

from jejaring.accounts.models import User
from jejaring.registry.models import Person
from tests.conftest import build_network
from tests.serving import make_run_environment

ROOT = Path(__file__).resolve().parents[1]
JEJARING = ROOT / ".venv" / "bin" / "jejaring"

HASHED_CSS = re.compile(r'href="(/static/jejaring/jejaring\.[0-9a-f]{12}\.css)"')
FOREVER = "max-age=315360000, public, immutable"


def bare_environment(**extra: str) -> dict[str, str]:
    """What a shell outside `make` has: no DJANGO_SETTINGS_MODULE, no SECRET_KEY (the test
    process has both: pytest-django and jejaring/test_settings.py set them)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT), **extra}


def run_jejaring(*args: str, env: dict[str, str], timeout: float = 60, cwd=ROOT):
    return subprocess.run(  # noqa: S603 — the product's own entry point
        [str(JEJARING), *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def get(url: str, *, cookie: str = "", encoding: str = "") -> tuple[int, dict, bytes]:
    headers = {"Accept-Language": "id"}
    if cookie:
        headers["Cookie"] = cookie
    if encoding:
        headers["Accept-Encoding"] = encoding
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — the local server

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- `make run`: DEBUG off, a generated secret, the local host ------------------------------


def test_make_run_serves_with_debug_off_and_a_generated_secret():
    env = make_run_environment("127.0.0.1:8000")
    assert env.get("DEBUG", "false").lower() not in {"1", "true", "yes", "on"}
    assert env["SECRET_KEY_FILE"] == str(ROOT / "var" / "secret_key")
    assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")
    assert env["SECURE_COOKIES"] == "false"  # plain HTTP on a laptop


def test_the_secret_is_generated_once_private_and_reused(tmp_path):
    key_file = tmp_path / "var" / "secret_key"

    def make_secret():
        subprocess.run(  # noqa: S603 — make, on our own Makefile
            ["make", "-s", f"SECRET_KEY_FILE={key_file}", str(key_file)],  # noqa: S607
            cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip

    make_secret()
    first = key_file.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    make_secret()
    assert key_file.read_text().strip() == first


@pytest.fixture
def demo(transactional_db):
    """The demo, committed, so the server in the other process sees it and the session."""
    build_network()


def session_cookie(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_unknown_page_is_the_products_indonesian_404_not_djangos(served):
    status, headers, body = get(f"{served}/tidak-ada/")
    html = body.decode()
    assert status == 404
    assert "Halaman atau data yang Anda minta tidak ditemukan." in html
    assert "<h1>Tidak ditemukan</h1>" in html
    # Django's technical 404 (DEBUG) lists the URL patterns, in English.
    assert "URLconf" not in html and "Page not found" not in html


def test_a_record_out_of_scope_is_the_products_404(served, demo):
    user = User.objects.get(username="mitra.lksa")
    hidden = Person.objects.exclude(pk__in=Person.objects.restrict(user).values("pk")).first()
    status, _headers, body = get(
        f"{served}/registri/{hidden.pk}/", cookie=session_cookie("mitra.lksa")
    )
    assert status == 404
    html = body.decode()
    assert "tidak ditemukan" in html and "URLconf" not in html
    assert hidden.full_name not in html


def test_a_refusal_is_the_products_indonesian_403(served, demo):
    status, _headers, body = get(f"{served}/akun/pengguna/", cookie=session_cookie("mitra.lksa"))
    assert status == 403
    assert "<h1>Tidak diizinkan</h1>" in body.decode()


def test_a_bad_request_is_a_bare_indonesian_page(rf):
    """For a Host the server does not answer (DisallowedHost), once urls.py names it as
    handler400; rendered without the page shell, which would ask for the host again."""
    from jejaring.core.errors import bad_request

    with translation.override("id"):
        response = bad_request(rf.get("/", HTTP_HOST="elsewhere.example"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Permintaan tidak dapat dilayani di alamat ini." in html
    assert "<title>400 · Jejaring</title>" in html


def test_static_files_have_hashed_names_cached_for_ever_and_compressed(served):
    _status, _headers, body = get(f"{served}/akun/masuk/")
    html = body.decode()
    css = HASHED_CSS.search(html)
    assert css, "the page links the stylesheet under its hashed name"
    assert re.search(r'src="/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js"', html)

    status, headers, _body = get(served + css.group(1), encoding="gzip")
    assert status == 200
    assert headers["Cache-Control"] == FOREVER
    assert headers.get("Content-Encoding") == "gzip"
    # The unhashed name answers too (an old bookmark), but is not cached for ever.
    status, headers, _body = get(f"{served}/static/jejaring/jejaring.css")
    assert status == 200 and "immutable" not in headers["Cache-Control"]


def test_the_favicon_is_served_from_the_product(served):
    status, headers, body = get(f"{served}/static/favicon.ico")
    assert status == 200
    assert body[:4] == b"\x00\x00\x01\x00"  # an .ico
    assert len(body) < 4096


def test_manifest_storage_resolves_hashed_names(tmp_path):
    """collectstatic with the production storage into a fresh STATIC_ROOT: each name the
    templates use resolves to a hashed file that exists, with its gzip copy."""
    production = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "jejaring.core.staticstorage.StaticStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=production):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage
        from django.templatetags.static import static

        for name in ["jejaring/jejaring.css", "vendor/htmx/htmx.min.js", "favicon.ico"]:
            url = static(name)
            hashed = url.removeprefix(settings.STATIC_URL)
            assert re.fullmatch(r".+\.[0-9a-f]{12}\.\w+", hashed), url
            assert (tmp_path / hashed).is_file()
        assert (
            (tmp_path / static("jejaring/jejaring.css").removeprefix("/static/"))
            .with_suffix(".css.gz")
            .is_file()
        )
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            staticfiles_storage.url("jejaring/no-such-file.css")


# --- every `jejaring` command: one translated line instead of a traceback ------------------


MISSING_CONFIGURATION = [
    pytest.param(
        ["token", "admin"], {}, "jejaring: SECRET_KEY belum diatur. Atur SECRET_KEY",
        id="no-secret",
    ),
    pytest.param(
        ["check"], {"SECRET_KEY_FILE": "/nonexistent/secret_key"},
        "jejaring: SECRET_KEY_FILE menunjuk /nonexistent/secret_key, yang tidak dapat dibaca",
        id="unreadable-secret-file",
    ),
    pytest.param(
        ["runserver", "--noreload"], {"SECRET_KEY": "x"},
        "jejaring: ALLOWED_HOSTS belum diatur",
        id="no-allowed-hosts",
    ),
    pytest.param(
        ["token", "admin"], {"SECRET_KEY": "x", "DATABASE_URL": "nosuch://db"},
        "jejaring: DATABASE_URL tidak dapat dipakai",
        id="bad-database-url",
    ),
    pytest.param(
        ["token", "admin"], {"SECRET_KEY": "x", "DATABASE_URL": "sqlite:///{tmp}/empty.sqlite3"},
        "jejaring: Basis data tidak dapat dipakai (no such table",
        id="database-not-set-up",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("args", "extra", "expected"), MISSING_CONFIGURATION)
def test_a_missing_configuration_is_one_translated_line(tmp_path, args, extra, expected):
    extra = {name: value.format(tmp=tmp_path) for name, value in extra.items()}
    result = run_jejaring(*args, env=bare_environment(**extra), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(expected), result.stderr
    assert result.stderr.count("\n") == 1  # one line


# --- the set-up speaks Indonesian from the first run ----------------------------------------


def fresh_clone(tmp_path: Path) -> Path:
    """The package as a fresh clone has it: no compiled catalogues, no var/."""
    clone = tmp_path / "clone"
    shutil.copytree(
        ROOT / "jejaring", clone / "jejaring",
        ignore=shutil.ignore_patterns("*.mo", "__pycache__"),
    )  # fmt: skip
    return clone


@pytest.mark.slow
def test_first_setup_prints_indonesian(tmp_path):
    clone = fresh_clone(tmp_path)
    env = bare_environment(
        PYTHONPATH=str(clone),
        SECRET_KEY="x",
        DATABASE_URL=f"sqlite:///{tmp_path}/fresh.sqlite3",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    result = run_jejaring(
        "setup", "--demo", "--provinces", "14,31,32", env=env, cwd=clone, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert (clone / "jejaring/locale/id/LC_MESSAGES/django.mo").exists()  # the clone's own
    out = result.stdout
    assert "Basis data dimigrasikan." in out and "Akun demo (kata sandi untuk semua:" in out
    for role in ["Administrator jejaring", "Operator data", "Pimpinan", "Staf mitra"]:
        assert role in out
    for english in ["Network administrator", "Data officer", "Database migrated", "Demo logins"]:
        assert english not in out


# --- dates in Indonesian ---------------------------------------------------------------------


def test_dates_and_times_read_indonesian():
    with translation.override("id"):
        assert formats.date_format(date(2026, 12, 12), "SHORT_DATE_FORMAT") == "12-12-2026"
        assert formats.date_format(date(2026, 12, 12), "DATE_FORMAT") == "12 Des 2026"
        assert formats.date_format(date(2026, 9, 3), "DATE_FORMAT") == "3 Sep 2026"
        moment = datetime(2026, 12, 12, 14, 30)
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "12-12-2026 14.30"
        assert formats.number_format(49.3, 1) == "49,3"
