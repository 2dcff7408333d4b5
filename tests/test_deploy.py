"""The deployment files: deploy/entrypoint.sh run for real, and the container and systemd files
checked statically.

This machine's CI has no container runtime, so the image is never built here (docs/deploy.md
says so). What the image runs is deploy/entrypoint.sh; these tests run that same script outside
a container, on a temporary SQLite database and temporary folders, with the installed
`jejaring` command on PATH: the web role migrates and serves until /readyz answers 200, the
worker role makes it ready, the scheduler sends the reminders once a day, the manage role runs
a command, and a secret that is missing or given the wrong way stops the script with a message.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
BIN = Path(sys.executable).parent
ROLES = {"web", "worker", "scheduler", "backup", "manage", "health"}
# The path deploy/systemd's units run the script from (docs/deploy.md installs it there).
INSTALLED_ENTRYPOINT = "/opt/jejaring/bin/jejaring-entrypoint"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def environment():
    """An instance's environment: its own SQLite file, media, static and backup folders, a
    secret key file, and nothing of the test process's (no test settings, no database of the
    suite)."""
    folder = Path(tempfile.mkdtemp(prefix="jejaring-deploy-"))
    key = folder / "secret_key"
    key.write_text("deploy-test-" + os.urandom(16).hex())
    key.chmod(0o600)
    port = free_port()
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "jejaring.settings",
        "JEJARING": str(BIN / "jejaring"),
        "PYTHON": sys.executable,
        "SECRET_KEY_FILE": str(key),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "BACKUP_DIR": str(folder / "backups"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "JEJARING_PROVINCES": "14",
        "JEJARING_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DB_WAIT_SECONDS": "20",
        "MIGRATIONS_WAIT_SECONDS": "120",
        "SCHEDULER_TICK_SECONDS": "1",
        "TZ": "Asia/Jakarta",
    }
    yield {"folder": folder, "env": env, "base": f"http://127.0.0.1:{port}"}
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def instance(environment):
    """The instance set up once through the manage role (`jejaring setup`, one province)."""
    done = run(["manage", "setup", "--provinces", "14"], environment["env"], timeout=300)
    assert done.returncode == 0, done.stderr
    return environment


def run(args, env, timeout=60):
    return subprocess.run(  # noqa: S603 — our own script
        ["/bin/sh", str(ENTRYPOINT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=env["HOME"],
    )


def start(args, env, log: Path) -> subprocess.Popen:
    # Its own session, so that stopping it reaches what it execs and forks (gunicorn's workers).
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 — our own script
            ["/bin/sh", str(ENTRYPOINT), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=env["HOME"],
            start_new_session=True,
        )


def stop(process: subprocess.Popen, seconds: float = 40) -> int:
    """SIGTERM, as `docker stop` and `systemctl stop` send it; the exit status."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
        raise


def readyz(base: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{base}/readyz")  # noqa: S310 — the loopback
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return 0, {}


def wait_for(condition, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"{what} did not happen within {seconds} s:\n{log.read_text()[-3000:]}")


def failed_checks(body: dict) -> set[str]:
    return {
        name for name, state in body.get("checks", {}).items() if state not in {"ok", "not used"}
    }


@pytest.mark.slow  # a real set-up and real processes: ~15-30 s each
def test_web_serves_and_the_worker_makes_it_ready(instance):
    env, base, folder = instance["env"], instance["base"], instance["folder"]
    web_log, worker_log = folder / "web.log", folder / "worker.log"
    web = start(["web"], env, web_log)
    worker = None
    try:
        # Served, migrated, and waiting only for a worker: readyz names nothing else.
        status, body = wait_for(
            lambda: (lambda r: r if r[0] in {200, 503} else None)(readyz(base)),
            120,
            "the web role answering /readyz",
            web_log,
        )
        assert status == 503, body
        assert failed_checks(body) == {"worker"}, body
        assert run(["health", "healthz"], env).returncode == 0
        assert run(["health", "readyz"], env).returncode == 1

        worker = start(["worker"], env, worker_log)
        status, body = wait_for(
            lambda: (lambda r: r if r[0] == 200 else None)(readyz(base)),
            60,
            "/readyz turning 200 once the worker runs",
            worker_log,
        )
        assert body["status"] == "ok"
        assert run(["health", "readyz"], env).returncode == 0
        assert "Penyiapan selesai" in web_log.read_text()  # `jejaring setup` ran, in Indonesian
    finally:
        codes = [stop(p) for p in (worker, web) if p is not None]
    assert codes == [0, 0], (web_log.read_text()[-2000:], worker_log.read_text()[-2000:])
    assert run(["health", "healthz"], env).returncode == 1  # stopped means stopped


@pytest.mark.slow  # a real set-up and real processes: ~15-30 s each
def test_manage_runs_a_command(instance):
    done = run(["manage", "remind", "--date", "2026-01-05"], instance["env"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Agreements expired: 0, agreement reminders: 0")


@pytest.mark.slow  # a real set-up and real processes: ~15-30 s each
def test_scheduler_sends_reminders_once_a_day(instance):
    env = {**instance["env"], "REMIND_AT": "00:00"}  # always due: the day has begun
    state = Path(env["BACKUP_DIR"]) / "last-remind"
    log = instance["folder"] / "scheduler.log"
    scheduler = start(["scheduler"], env, log)
    try:
        wait_for(lambda: "daily remind done" in log.read_text(), 60, "the reminders", log)
    finally:
        assert stop(scheduler, 10) == 0
    today = datetime.now(ZoneInfo(env["TZ"])).date().isoformat()  # the scheduler's local day
    assert state.read_text().strip() == today
    assert "scheduler stopped" in log.read_text()

    # Restarted the same day: it does not send them again.
    again = instance["folder"] / "scheduler-again.log"
    scheduler = start(["scheduler"], env, again)
    try:
        wait_for(
            lambda: "scheduler: reminders daily at 00:00" in again.read_text(), 60, "start", again
        )
        time.sleep(3)  # three ticks
    finally:
        assert stop(scheduler, 10) == 0
    assert "running the daily remind" not in again.read_text()


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        ({"SECRET_KEY_FILE": None}, ["manage", "check"], "SECRET_KEY_FILE is not set"),
        ({"SECRET_KEY_FILE": "/nonexistent/key"}, ["web"], "which is missing, unreadable or empty"),
        ({"SECRET_KEY": "in-the-environment"}, ["worker"], "SECRET_KEY is set in the environment"),
        ({"DATABASE_URL": "postgres://u:pw-42@db/j"}, ["web"], "DATABASE_URL holds a password"),
        ({"REMIND_AT": "6 am"}, ["scheduler"], "REMIND_AT must be a time of day as HH:MM"),
        ({}, ["manage"], "manage needs a command"),
        ({}, ["serve"], 'unknown role "serve"'),
    ],
)
def test_a_wrong_configuration_stops_with_a_message(environment, change, args, message):
    env = {k: v for k, v in {**environment["env"], **change}.items() if v is not None}
    done = run(args, env)
    assert done.returncode == 64, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    # A secret given the wrong way is named, never printed.
    assert "in-the-environment" not in done.stderr
    assert "pw-42" not in done.stderr


def test_a_database_that_never_answers_ends_the_wait_with_its_reason(environment):
    # No password in this address, so it may be given plainly; nothing listens on port 1.
    env = {**environment["env"], "DATABASE_URL": "postgres://nobody@127.0.0.1:1/x"}
    env["DB_WAIT_SECONDS"] = "1"
    done = run(["worker"], env)
    assert done.returncode == 2  # the `jejaring` command's "configuration" status
    assert "gave up waiting for the database after 1 s" in done.stderr
    assert "DATABASE_URL" in done.stderr  # the command's own (Indonesian) line says what to check
    assert "Traceback" not in done.stderr


def test_the_scripts_parse():
    for script in (ENTRYPOINT, DEPLOY / "prepare.sh"):
        assert subprocess.run(["/bin/sh", "-n", str(script)], check=False).returncode == 0  # noqa: S603
        assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
        text = script.read_text()
        assert text.startswith("#!/bin/sh\n") and "\nset -eu\n" in text, script.name
    # shellcheck where it is installed (apt install shellcheck); sh -n above runs everywhere.
    if shutil.which("shellcheck"):
        done = subprocess.run(  # noqa: S603
            ["shellcheck", "-s", "sh", str(ENTRYPOINT), str(DEPLOY / "prepare.sh")],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout


def script_roles() -> set[str]:
    text = ENTRYPOINT.read_text()
    return set(re.findall(r"^([a-z]+)\)$", text, flags=re.MULTILINE))


def test_the_script_offers_every_role():
    assert script_roles() == ROLES


# --- the image --------------------------------------------------------------------------


def dockerfile_stages() -> dict[str, list[str]]:
    """Instructions per stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    stages: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            current = line.split()[-1]
            stages[current] = []
        if current:
            stages[current].append(line)
    return stages


def test_the_dockerfile_installs_only_pinned_hashed_packages_as_a_non_root_user():
    stages = dockerfile_stages()
    assert list(stages) == ["build", "runtime", "test"]
    every = [line for lines in stages.values() for line in lines]
    installs = [
        part.strip()
        for line in every
        for part in line.split("&&")
        if re.search(r"pip install\b", part)
    ]
    assert installs
    for install in installs:
        assert "--require-hashes" in install or "--no-deps" in install, install
    build = " ".join(stages["build"])
    assert "runtime_requirements.py requirements.lock" in build
    assert "--require-hashes -r runtime.lock" in build
    assert "pip install --no-deps --no-build-isolation ." in build
    assert "compile_messages()" in build
    # The image runs as the unprivileged user; its entry point is the script tested above.
    runtime = stages["runtime"]
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert 'ENTRYPOINT ["jejaring-entrypoint"]' in runtime
    assert "COPY deploy/entrypoint.sh /usr/local/bin/jejaring-entrypoint" in runtime
    assert "EXPOSE 8000" in runtime
    assert any(line.startswith("HEALTHCHECK") and "healthz" in line for line in runtime)
    assert re.match(
        r"FROM python:3\.11\.\d+-slim", stages["build"][0].replace("${PYTHON_IMAGE}", "")
    ) or (
        re.search(r"ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-\w+", (ROOT / "Dockerfile").read_text())
    )
    # No secret in any layer: no ADD, nothing copied from secrets/, no secret in ENV or ARG.
    for line in every:
        assert not line.upper().startswith("ADD "), line
        if line.startswith(("COPY", "ENV", "ARG")):
            assert not re.search(r"secret|password|\.env\b", line, flags=re.IGNORECASE), line
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in ("secrets", ".env", "*.env", ".venv", "var", "db.sqlite3*", "backups", ".git"):
        assert entry in ignored, entry


def test_the_runtime_requirements_are_complete_and_leave_the_development_tools_out():
    import importlib.metadata
    import tomllib

    from packaging.requirements import Requirement

    sys.path.insert(0, str(DEPLOY))
    try:
        from runtime_requirements import canonical, runtime_entries
    finally:
        sys.path.remove(str(DEPLOY))
    lock = (ROOT / "requirements.lock").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    entries = runtime_entries(lock, pyproject)
    names = {canonical(entry.split("==")[0]) for entry in entries}
    for entry in entries:
        assert "--hash=sha256:" in entry, entry
    direct = {
        canonical(Requirement(r).name) for r in tomllib.loads(pyproject)["project"]["dependencies"]
    }
    assert direct <= names
    assert names.isdisjoint({"pytest", "playwright", "ruff", "schemathesis", "pre-commit"})
    # Every requirement of every kept package is kept too (read from the installed metadata).
    for name in names:
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            assert canonical(requirement.name) in names, f"{name} needs {requirement.name}"


def test_the_installed_package_carries_every_file_the_code_reads():
    """The image and the systemd path install the package (`pip install --no-deps .`), not the
    checkout: every file under jejaring/ that is not Python must match the package-data
    patterns of pyproject.toml, or the installed product misses it."""
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["*"]
    tracked = []
    if shutil.which("git") and (ROOT / ".git").exists():
        tracked = subprocess.run(  # noqa: S603
            ["git", "ls-files", "jejaring"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    if not tracked:  # not a git checkout (the image's test stage has no .git)
        tracked = [str(p.relative_to(ROOT)) for p in (ROOT / "jejaring").rglob("*") if p.is_file()]
    missing = []
    for name in tracked:
        path = ROOT / name
        if (
            path.suffix in {".py", ".pyc", ".mo"}
            or "__pycache__" in path.parts
            or "migrations" in path.parts
        ):
            continue
        package = next(p for p in path.parents if (p / "__init__.py").exists())
        if not any(path in set(package.glob(pattern)) for pattern in patterns):
            missing.append(name)
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"


# --- compose ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_product_and_the_tests(compose):
    services = compose["services"]
    assert {"web", "worker", "scheduler", "db", "caddy", "test"} <= set(services)
    for name in ("web", "worker", "scheduler", "backup"):
        service = services[name]
        assert service["command"][0] in ROLES
        assert service["build"]["target"] == "runtime"
        assert service["restart"] in {"unless-stopped", "always", "no"}
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert "readyz" in " ".join(services["web"]["healthcheck"]["test"])
    # The web port only on the host's loopback: the proxy in front is the way in.
    assert all(port.startswith("127.0.0.1:") for port in services["web"]["ports"])
    db = services["db"]
    assert re.fullmatch(r"postgres:1[56]\.\d+(-\w+)?", db["image"]), db["image"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert any(v.startswith("media:") for v in services["web"]["volumes"])
    assert any(v.endswith(":/backups") for v in services["scheduler"]["volumes"])
    assert services["caddy"]["profiles"] == ["https"]
    assert (ROOT / "deploy" / "Caddyfile").exists()
    test = services["test"]
    assert test["profiles"] == ["test"]
    assert test["build"]["target"] == "test"
    assert "test" in dockerfile_stages()
    assert all(not v.startswith("redis") for v in (s.get("image", "") for s in services.values()))


def test_compose_gives_every_secret_as_a_file(compose):
    declared = compose["secrets"]
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        for key, value in environment.items():
            if re.search(r"SECRET|PASSWORD|DATABASE_URL", key) and name != "test":
                assert key.endswith("_FILE"), f"{name}: {key}"
                secret = value.removeprefix("/run/secrets/")
                assert value.startswith("/run/secrets/") and secret in service["secrets"], key
        for secret in service.get("secrets", []):
            assert declared[secret]["file"].startswith("./secrets/"), secret
    # The files prepare.sh makes are the ones compose reads.
    prepare = (DEPLOY / "prepare.sh").read_text()
    for secret in declared.values():
        assert secret["file"].removeprefix("./") in prepare


# --- systemd ------------------------------------------------------------------------------


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file's sections as (key, value) pairs; keys may repeat, as systemd allows."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            assert current not in sections, f"{path.name}:{number}: [{current}] twice"
            sections[current] = []
            continue
        assert current and "=" in line, f"{path.name}:{number}: {line!r}"
        key, value = line.split("=", 1)
        assert re.fullmatch(r"[A-Za-z]+", key.strip()), f"{path.name}:{number}: {key!r}"
        sections[current].append((key.strip(), value.strip()))
    return sections


UNITS = sorted((DEPLOY / "systemd").iterdir())


def test_the_systemd_units_are_all_there():
    assert {p.name for p in UNITS} == {
        "jejaring-web.service",
        "jejaring-worker.service",
        "jejaring-remind.service",
        "jejaring-remind.timer",
        "jejaring-backup.service",
        "jejaring-backup.timer",
    }


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".service"], ids=lambda p: p.name)
def test_a_service_runs_a_real_command_hardened_with_file_secrets(path):
    from django.core.management import get_commands

    unit = parse_unit(path)
    service = dict(unit["Service"])
    values = lambda key: [v for k, v in unit["Service"] if k == key]  # noqa: E731
    command = service["ExecStart"].split()
    assert command[0] == INSTALLED_ENTRYPOINT
    assert command[1] in ROLES
    if command[1] == "manage":
        assert command[2] in get_commands(), command
    if command[1] == "backup":
        assert "backup" in get_commands()
    assert service["User"] == "jejaring"
    assert service["EnvironmentFile"] == "/etc/jejaring/jejaring.env"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert "/var/lib/jejaring" in service["ReadWritePaths"].split()
    credentials = dict(v.split(":", 1) for v in values("LoadCredential"))
    assert set(credentials) == {"secret_key", "database_url"}
    environment = " ".join(values("Environment"))
    assert "SECRET_KEY_FILE=%d/secret_key" in environment
    assert "DATABASE_URL_FILE=%d/database_url" in environment
    assert not re.search(r"\b(SECRET_KEY|DATABASE_URL)=", environment)


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".timer"], ids=lambda p: p.name)
def test_a_timer_starts_its_service_daily(path):
    unit = parse_unit(path)
    timer = dict(unit["Timer"])
    assert path.with_suffix(".service").exists()
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00 Asia/Jakarta", timer["OnCalendar"])
    assert timer["Persistent"] == "true"
    assert dict(unit["Install"])["WantedBy"] == "timers.target"
    if shutil.which("systemd-analyze"):
        done = subprocess.run(  # noqa: S603
            ["systemd-analyze", "calendar", timer["OnCalendar"]],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def test_the_example_settings_hold_no_secret():
    for example in ("jejaring.env.example", "compose.env.example"):
        text = (DEPLOY / example).read_text()
        assert not re.search(r"^(SECRET_KEY|DATABASE_URL|\w*PASSWORD)=", text, flags=re.MULTILINE)
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "jejaring.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["JEJARING_BIND"].startswith("127.0.0.1:")
    assert env["BEHIND_HTTPS_PROXY"] == "true"


def test_the_proxies_allow_an_import_as_large_as_the_app_does():
    from django.conf import settings

    limit_mb = settings.IMPORT_MAX_BYTES / (1024 * 1024)
    nginx = re.search(r"client_max_body_size (\d+)m;", (DEPLOY / "nginx.conf").read_text())
    caddy = re.search(r"max_size (\d+)MB", (DEPLOY / "Caddyfile").read_text())
    assert nginx and int(nginx.group(1)) > limit_mb
    assert caddy and int(caddy.group(1)) > limit_mb
    # Access logs without query strings (a search URL may carry a name).
    log_format = re.search(r"^log_format [^;]+;", (DEPLOY / "nginx.conf").read_text(), re.M | re.S)
    assert log_format and "$uri" in log_format.group(0)
    assert not re.search(r"\$(request_uri|request\b|args|query_string)", log_format.group(0))
    assert (
        "access_log /var/log/nginx/jejaring.access.log jejaring;"
        in (DEPLOY / "nginx.conf").read_text()
    )
    assert "delete *" in (DEPLOY / "Caddyfile").read_text()
