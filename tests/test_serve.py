"""The production server (issue 18, point 1): `jejaring serve` (gunicorn), its access log
without query strings, /readyz, and the background worker's heartbeat it reads.

The server and the worker are the real entry points in child processes on the test
database; readiness is checked against the real migration recorder and heartbeat rows.
"""

import importlib
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone
from gunicorn.config import Config

from jejaring import gunicorn_conf
from jejaring.accounts.models import User
from jejaring.core.management.commands.serve import gunicorn_argv
from jejaring.core.models import WorkerHeartbeat
from jejaring.imports.management.commands.worker import Heartbeat
from tests.serving import database_url, serve_test_database

ROOT = Path(__file__).resolve().parents[1]
JEJARING = ROOT / ".venv" / "bin" / "jejaring"
HASHED_CSS = re.compile(r'href="(/static/jejaring/jejaring\.[0-9a-f]{12}\.css)"')
# A name as someone would search for it; it must never reach a log.
SEARCHED_NAME = "Sulastriningsih"


def bare_environment(**extra: str) -> dict[str, str]:
    """A shell outside `make` and outside the test process's settings."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT), **extra}


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 — local
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def beat_now(worker_id: str = "test-worker", *, age: timedelta = timedelta(0)) -> None:
    now = timezone.now() - age
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": "test", "pid": 1, "started_at": now, "seen_at": now},
    )


# --- the real server ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """`jejaring serve` on the test database, its output in a file we can read."""
    tmp = tmp_path_factory.mktemp("serve")
    log = tmp / "server.log"
    with serve_test_database(tmp, workers=2, log=log) as url:
        yield url, log


def test_gunicorn_serves_the_login_page_and_hashed_static_files(server):
    url, _log = server
    status, headers, body = fetch(f"{url}/akun/masuk/")
    assert status == 200
    assert headers["Server"] == "gunicorn"
    css = HASHED_CSS.search(body.decode())
    assert css, "DEBUG off: the page links the stylesheet under its hashed name"
    status, headers, _body = fetch(url + css.group(1))
    assert status == 200
    assert "immutable" in headers["Cache-Control"]  # WhiteNoise, as before


def test_the_access_log_has_paths_but_no_query_string_or_referer(server):
    url, log = server
    referer = f"{url}/registri/?q={SEARCHED_NAME}"
    status, _headers, _body = fetch(
        f"{url}/akun/masuk/?q={SEARCHED_NAME}&next=/registri/", headers={"Referer": referer}
    )
    assert status == 200
    deadline = time.monotonic() + 10
    while "GET /akun/masuk/ HTTP/1.1" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert re.search(r'"GET /akun/masuk/ HTTP/1\.1" 200 \d+ \d+ms', text), text[-2000:]
    assert SEARCHED_NAME not in text
    assert "?q=" not in text


def test_each_worker_warms_up_before_it_serves(server):
    """Every gunicorn worker imports the URLconf and compiles the templates as it loads
    the application (jejaring/wsgi.py), not on its first requests."""
    _url, log = server
    deadline = time.monotonic() + 20
    while log.read_text().count("warm-up: URLconf") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    booted = re.findall(r"Booting worker with pid: (\d+)", text)
    assert len(booted) == 2, text[-2000:]
    assert text.count("warm-up: URLconf") == 2, text[-2000:]


def test_warm_up_imports_the_urls_compiles_every_template_and_reads_no_database(
    db, django_assert_num_queries
):
    from django.template import engines
    from django.urls import get_resolver

    from jejaring.core.warmup import template_names, warm_up

    engine = engines["django"].engine
    (cached_loader,) = engine.template_loaders
    cached_loader.reset()
    with django_assert_num_queries(0):
        took = warm_up()
    assert set(took) == {"urls", "templates", "languages"}
    names = set(template_names(engine))
    product = {
        path.relative_to(ROOT / "jejaring" / "templates").as_posix()
        for path in (ROOT / "jejaring" / "templates").rglob("*.html")
    }
    assert {"base.html", "registry/detail.html", "cases/detail.html"} <= product <= names
    compiled = set(cached_loader.get_template_cache)
    # (A third-party app's template may need a library this product does not install,
    # django-filter's crispy form: it is left to compile on first use, as before.)
    assert product - compiled == set(), "every page's template compiled, none left for later"
    assert get_resolver().resolve("/registri/").url_name == "list"


@pytest.mark.django_db(transaction=True)
def test_the_served_readyz_names_the_worker_until_one_beats(server):
    url, _log = server
    WorkerHeartbeat.objects.all().delete()
    status, _headers, body = fetch(f"{url}/readyz")
    assert status == 503
    assert json.loads(body) == {
        "status": "error",
        "failed": ["worker"],
        "checks": {"database": "ok", "migrations": "ok", "worker": "none"},
    }
    beat_now()
    status, _headers, body = fetch(f"{url}/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"]["worker"] == "ok"


def test_serve_passes_bind_and_workers_to_gunicorn():
    argv = gunicorn_argv(bind="0.0.0.0:9000", workers=3)
    assert argv[1:5] == ["-m", "gunicorn", "--config", "python:jejaring.gunicorn_conf"]
    assert argv[-5:] == ["--bind", "0.0.0.0:9000", "--workers", "3", "jejaring.wsgi:application"]
    assert "--bind" not in gunicorn_argv()  # then JEJARING_BIND or the default


def test_serve_without_allowed_hosts_is_one_translated_line(tmp_path):
    result = subprocess.run(  # noqa: S603 — the product's own entry point
        [str(JEJARING), "serve"], env=bare_environment(SECRET_KEY="x"), cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("jejaring: ALLOWED_HOSTS belum diatur"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- gunicorn's configuration --------------------------------------------------------------


def test_workers_come_from_the_cores_unless_web_concurrency_says(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("JEJARING_BIND", raising=False)
    conf = importlib.reload(gunicorn_conf)
    assert conf.workers == min(2 * conf.cores() + 1, conf.MAX_DEFAULT_WORKERS)
    assert conf.bind == ["127.0.0.1:8000"]
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("JEJARING_BIND", "0.0.0.0:8080")
    conf = importlib.reload(gunicorn_conf)
    assert conf.workers == 3 and conf.bind == ["0.0.0.0:8080"]
    monkeypatch.delenv("WEB_CONCURRENCY")
    monkeypatch.delenv("JEJARING_BIND")
    importlib.reload(gunicorn_conf)


def test_the_access_format_uses_the_path_atom_only():
    fmt = gunicorn_conf.access_log_format
    assert "%(U)s" in fmt
    for atom in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query string, Referer
        assert atom not in fmt


def test_gunicorn_error_lines_lose_the_query_string(tmp_path):
    """A request that fails outside Django is logged with its URI by gunicorn itself."""
    error_log = tmp_path / "error.log"
    config = Config()
    config.set("errorlog", str(error_log))
    logger = gunicorn_conf.PathOnlyLogger(config)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("Error handling request %s", f"/registri/?q={SEARCHED_NAME}")
    logger.error(f"Invalid request from /registri/?q={SEARCHED_NAME}")
    text = error_log.read_text()
    assert "Error handling request /registri/" in text and "boom" in text
    assert SEARCHED_NAME not in text


# --- /readyz in-process, on the real database ----------------------------------------------


def test_readyz_is_ok_with_a_fresh_heartbeat(db):
    beat_now()
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_names_the_worker_when_its_heartbeat_is_stale(db, settings):
    settings.READY_WORKER_WITHIN = 120
    beat_now(age=timedelta(seconds=121))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]
    assert response.json()["checks"]["worker"] == "stale"


def test_readyz_names_the_worker_when_none_ever_ran(db):
    WorkerHeartbeat.objects.all().delete()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "none"


def test_readyz_needs_no_worker_when_tasks_do_not_queue_in_the_database(db, settings):
    WorkerHeartbeat.objects.all().delete()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "not used"


def test_readyz_names_the_migrations_when_one_is_unapplied(db):
    """The recorder's row of the newest core migration removed, inside the test's
    transaction (rolled back after it): the database then lacks what the code expects."""
    beat_now()
    from django.db.migrations.loader import MigrationLoader

    newest = max(
        name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "core"
    )
    MigrationRecorder(connection).record_unapplied("core", newest)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == "1 unapplied"


def test_readyz_is_not_held_by_a_password_change(db):
    beat_now()
    user = User.objects.get(username="petugas.pekanbaru")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client = Client()
    client.force_login(user)
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 302  # the rest still asks for the new password


# --- the worker's heartbeat ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_jejaring_worker_writes_its_heartbeat(tmp_path):
    worker_id = f"test-{uuid.uuid4().hex[:12]}"
    env = bare_environment(
        SECRET_KEY="x", DATABASE_URL=database_url(), MEDIA_ROOT=str(tmp_path / "media")
    )
    process = subprocess.Popen(  # noqa: S603 — the product's own entry point
        [str(JEJARING), "worker", "--no-startup-delay", "--worker-id", worker_id],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        row = None
        while row is None and time.monotonic() < deadline and process.poll() is None:
            row = WorkerHeartbeat.objects.filter(worker_id=worker_id).first()
            time.sleep(0.2)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert row is not None, output
    assert row.pid == process.pid
    assert timezone.now() - row.seen_at < timedelta(seconds=30)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_updates_one_row_in_place_and_prunes_old_workers():
    beat_now("gone-for-days", age=timedelta(days=2))
    heartbeat = Heartbeat("beating", interval=0.05)
    heartbeat.start()
    try:
        deadline = time.monotonic() + 5
        while not WorkerHeartbeat.objects.filter(worker_id="beating").exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        first = WorkerHeartbeat.objects.get(worker_id="beating").seen_at
        while WorkerHeartbeat.objects.get(worker_id="beating").seen_at == first:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        heartbeat.stop()
        heartbeat.join(timeout=5)
    assert not heartbeat.is_alive()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["beating"]


def test_make_run_serves_with_jejaring_serve():
    recipe = subprocess.run(  # noqa: S603 — make, on our own Makefile
        ["make", "-n", "-s", "run", "HOST=127.0.0.1:8123"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "jejaring serve --bind 127.0.0.1:8123" in recipe
    assert "jejaring runserver" not in recipe
    assert "jejaring worker" in recipe  # beside it, as before
