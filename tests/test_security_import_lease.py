"""Issue 12, finding 3: a worker killed with `kill -9` must not leave its import stuck.

The worker running a check or a load holds a lease on the job and renews it after every
batch. Once the lease has expired the job counts as stopped: the page shows its Resume
button, the API says it is resumable, resume/cancel/check and `jejaring import --resume`
work, and a restarted worker fails the task rows the dead one left RUNNING. The last test
kills a real `jejaring db_worker` process with SIGKILL in mid-import, on SQLite (a file
copy of the test database, which a second process can open) and on PostgreSQL.
"""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.imports import actions, loading
from jejaring.imports.leases import TASK_PATH, Lease, LeaseLost, recover_orphaned_tasks
from jejaring.imports.loading import Loader
from jejaring.imports.models import ImportedRow, ImportJob, JobStatus, LinkReview, RowOutcome
from jejaring.imports.pipeline import build_plan
from jejaring.network.models import Organisation
from jejaring.registry.models import Person
from tests.conftest import build_network
from tests.helpers import run_queued_tasks

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
OWNER = "data.pekanbaru"
ORG = "dinsos-kota-pekanbaru"
ROOT = Path(__file__).resolve().parents[1]
# A lease that runs out within the test; the real default is two minutes.
SHORT_LEASE = 1


def user():
    return User.objects.get(username=OWNER)


def uploaded(org, name="dates.xlsx"):
    with (FIXTURES / name).open("rb") as handle:
        job = actions.upload_file(
            File(handle, name=name), organisation=org(ORG), acting_user=user()
        )
    if job.is_busy:  # a file read in the background first
        run_queued_tasks()
        job.refresh_from_db()
    return job


def checked(org):
    job = uploaded(org)
    actions.start_check(job, acting_user=user(), background=False)
    return actions.run_check(job, acting_user=user())


class Killed(BaseException):
    """What SIGKILL does to a worker: it stops between two statements, and nothing of
    its own runs after (no except, no finally that could mark the job)."""


def import_killed_after_first_batch(job, monkeypatch):
    """The real load, killed once its first batch has committed; then its lease runs out."""
    original = Loader._load_batch

    def load(self, start, end):
        if start > 0:
            raise Killed
        return original(self, start, end)

    monkeypatch.setattr(Loader, "_load_batch", load)
    with pytest.raises(Killed):
        actions.run_import(job, acting_user=user())
    monkeypatch.setattr(Loader, "_load_batch", original)
    time.sleep(SHORT_LEASE + 0.2)


def worker_died_holding(job, status):
    """A worker takes the job's lease, as it does before its work, and then dies: the
    lease is never renewed and runs out."""
    lease = Lease.take(job, status)
    time.sleep(SHORT_LEASE + 0.2)
    return lease


@pytest.fixture
def short_lease(settings, monkeypatch):
    settings.IMPORT_LEASE_SECONDS = SHORT_LEASE
    monkeypatch.setattr(loading, "BATCH_SIZE", 2)


@pytest.mark.django_db
def test_a_live_lease_is_held_by_one_worker_only(org, short_lease, settings):
    settings.IMPORT_LEASE_SECONDS = 60  # alive for the whole test, however slow the machine
    job = checked(org)
    actions.start_import(job, acting_user=user(), background=False)
    first = Lease.take(job, JobStatus.IMPORTING)
    with pytest.raises(LeaseLost):
        Lease.take(job, JobStatus.IMPORTING)
    # A second worker given the same job leaves it to the first and writes nothing.
    actions.run_phase(job.pk, "import")
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING
    assert job.lease_owner == first.owner
    assert not ImportedRow.objects.filter(job=job).exists()
    # A live lease is not taken for a dead one: the job is still running for its page.
    assert actions.recover_if_stale(job).status == JobStatus.IMPORTING


@pytest.mark.django_db
def test_an_expired_lease_shows_stopped_with_resume_on_the_page_and_the_api(
    as_user, bearer, org, short_lease, monkeypatch
):
    job = checked(org)
    actions.start_import(job, acting_user=user(), background=False)
    import_killed_after_first_batch(job, monkeypatch)
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING  # what the review found stuck for ever

    page = as_user(OWNER).get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="resume"' in page
    assert "Lanjutkan impor" in page
    assert "2 dari 6 baris sudah dimuat sebelum terhenti" in page
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.lease_owner == ""
    assert "Worker yang menjalankan impor ini berhenti" in job.failure
    assert AuditEntry.objects.filter(
        object_type="imports.importjob",
        object_id=str(job.pk),
        message="stopped: the worker's lease expired",
    ).exists()

    client, headers = Client(), bearer(OWNER)
    shown = client.get(f"/api/v1/imports/{job.pk}", **headers).json()
    assert (shown["status"], shown["resumable"]) == ("failed", True)
    resumed = client.post(f"/api/v1/imports/{job.pk}/import", **headers)
    assert resumed.status_code == 200, resumed.content
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert ImportedRow.objects.filter(job=job).count() == 6
    for name in ["Rahmat Hidayat", "Nurul Fitri", "Zulkifli", "Hasanah", "Salmah"]:
        assert Person.objects.filter(full_name=name).count() == 1, name


@pytest.mark.django_db
def test_the_api_list_shows_a_dead_workers_import_as_stopped(bearer, org, short_lease):
    job = checked(org)
    actions.start_import(job, acting_user=user(), background=False)
    worker_died_holding(job, JobStatus.IMPORTING)
    listed = Client().get("/api/v1/imports/", **bearer(OWNER)).json()["items"]
    assert [(j["id"], j["status"], j["resumable"]) for j in listed] == [(job.pk, "failed", True)]


@pytest.mark.django_db
def test_a_dead_workers_import_can_be_cancelled(bearer, org, short_lease):
    job = checked(org)
    actions.start_import(job, acting_user=user(), background=False)
    worker_died_holding(job, JobStatus.IMPORTING)
    response = Client().post(f"/api/v1/imports/{job.pk}/cancel", **bearer(OWNER))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"


@pytest.mark.django_db
def test_a_dead_workers_check_can_be_run_again(bearer, org, short_lease):
    job = uploaded(org)
    actions.start_check(job, acting_user=user(), background=False)
    worker_died_holding(job, JobStatus.CHECKING)
    client, headers = Client(), bearer(OWNER)
    assert client.get(f"/api/v1/imports/{job.pk}", **headers).json()["status"] == "mapping"
    response = client.post(f"/api/v1/imports/{job.pk}/check", **headers)
    assert response.status_code == 200, response.content
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert job.counts["rows"] == 6  # five to load, one with errors


@pytest.mark.django_db
def test_the_command_resumes_a_dead_workers_import(org, short_lease, monkeypatch):
    job = checked(org)
    actions.start_import(job, acting_user=user(), background=False)
    import_killed_after_first_batch(job, monkeypatch)
    call_command("import", "--resume", str(job.pk), "--organisation", ORG, stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert ImportedRow.objects.filter(job=job).count() == 6
    assert Person.objects.filter(full_name="Rahmat Hidayat").count() == 1


@pytest.mark.django_db
def test_a_worker_presumed_dead_cannot_commit_another_batch(org, short_lease):
    job = checked(org)
    actions.start_import(job, acting_user=user(), background=False)
    plan = build_plan(job, user())
    stale = worker_died_holding(job, JobStatus.IMPORTING)
    people = Person.objects.count()
    # The job is resumed elsewhere while the first worker was only stalled, not dead.
    actions.start_import(job, acting_user=user(), background=False)
    zombie = ImportJob.objects.get(pk=job.pk)
    with pytest.raises(LeaseLost):
        Loader(zombie, plan, user(), lease=stale).run()
    # Its batch rolled back whole: nothing loaded twice, the resume point unmoved.
    assert Person.objects.count() == people
    assert not ImportedRow.objects.filter(job=job).exists()
    job.refresh_from_db()
    assert (job.status, job.next_index) == (JobStatus.IMPORTING, 0)
    actions.run_import(job, acting_user=user())
    assert ImportedRow.objects.filter(job=job).count() == 6


@pytest.mark.django_db
def test_a_restarted_worker_fails_the_task_rows_a_dead_one_left_running(org, short_lease, settings):
    """A task claimed by a worker that died before its job had a lease (or before this
    fix existed) stays RUNNING in django-tasks-db: the next worker's start fails it."""
    job = checked(org)
    actions.start_import(job, acting_user=user())
    while connection.run_on_commit:
        connection.run_on_commit.pop(0)[1]()
    orphan = DBTaskResult.objects.get(task_path=TASK_PATH, args_kwargs__args__0=job.pk)
    orphan.claim("killed-worker")
    # Another import, live in another worker: its task row and job are left alone.
    other = checked(org)
    actions.start_import(other, acting_user=user())
    while connection.run_on_commit:
        connection.run_on_commit.pop(0)[1]()
    live = DBTaskResult.objects.get(task_path=TASK_PATH, args_kwargs__args__0=other.pk)
    live.claim("live-worker")
    time.sleep(SHORT_LEASE + 0.2)
    settings.IMPORT_LEASE_SECONDS = 60  # the live worker's lease outlasts the test
    Lease.take(other, JobStatus.IMPORTING)
    settings.IMPORT_LEASE_SECONDS = SHORT_LEASE

    assert recover_orphaned_tasks() == 1
    orphan.refresh_from_db()
    live.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    assert orphan.exception_class_path == "jejaring.imports.leases.WorkerLost"
    assert live.status == TaskResultStatus.RUNNING
    job.refresh_from_db()
    other.refresh_from_db()
    assert (job.status, job.resumable) == (JobStatus.FAILED, True)
    assert other.status == JobStatus.IMPORTING


# The real thing: SIGKILL to a real worker process ------------------------------------

FIRST_NAMES = [
    "Adi", "Bayu", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hendra", "Indah", "Joko",
    "Kartika", "Lestari", "Maya", "Nanda", "Oki", "Putri", "Rina", "Sari", "Taufik", "Umar",
    "Vina", "Wahyu", "Yoga", "Zahra", "Agus", "Bambang", "Cahya", "Dian", "Endah", "Fitri",
]  # fmt: skip
FAMILY_NAMES = [
    "Saputra", "Wijaya", "Pratama", "Kusuma", "Hidayat", "Nugroho", "Santoso", "Siregar",
    "Nasution", "Lubis", "Harahap", "Simanjuntak", "Rangkuti", "Daulay", "Tanjung",
    "Ginting", "Sembiring", "Tarigan", "Purba", "Damanik", "Sitompul", "Pohan", "Batubara",
    "Matondang", "Hasibuan", "Ritonga", "Pane", "Dalimunthe", "Pulungan", "Rambe",
]  # fmt: skip
ROWS = 1800
BATCH = 20
WORKER_LEASE = 3


def district_csv() -> bytes:
    lines = ["Nama,Jenis Kelamin,Tgl Lahir,Kode Wilayah,Nama Ibu"]
    for i in range(ROWS):
        first, family = FIRST_NAMES[i % 30], FAMILY_NAMES[(i // 30) % 30]
        middle = FIRST_NAMES[(i // 900) % 30]
        sex = "L" if i % 2 else "P"
        born = f"{1 + i % 28:02d}/{1 + (i // 28) % 12:02d}/{1950 + i % 60}"
        village = "14.71.01.1002" if i % 3 else "14.71.01.1003"
        lines.append(f"{first} {middle} {family},{sex},{born},{village},Ibu {family}")
    return ("\n".join(lines) + "\n").encode()


def database_url() -> str:
    """The test database, as a URL a worker process can open."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    configured = urlsplit(os.environ["DATABASE_URL"])
    return configured._replace(path=f"/{name}").geturl()


@contextmanager
def database_a_worker_can_open(tmp_path: Path):
    """PostgreSQL's test database is shared as it is. SQLite's is in memory, private to
    this process: it is copied to a file, and this process switches to the copy."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    saved_connection, saved_settings = connection.connection, connection.settings_dict
    connection.connection = None
    connection.settings_dict = {**saved_settings, "NAME": str(path)}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = saved_settings
        connection.connection = saved_connection


class Workers:
    """Worker processes started by the test, each logging to a file of its own."""

    def __init__(self, tmp_path: Path, media_root: Path):
        self.tmp_path, self.started = tmp_path, []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "jejaring.test_settings",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media_root),
            "IMPORT_LEASE_SECONDS": str(WORKER_LEASE),
            "IMPORT_BATCH_SIZE": str(BATCH),
        }

    def start(self, command: str) -> subprocess.Popen:
        log = (self.tmp_path / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "jejaring.cli", command, "--no-startup-delay",
             "--interval", "0.1", "--no-reload"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.started.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(log.name + ":\n" + Path(log.name).read_text() for _p, log in self.started)

    def stop_all(self) -> None:
        for process, log in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
            log.close()


def wait_for(condition, what: str, workers: Workers, timeout: float = 240.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")


def outcome(job: ImportJob) -> dict:
    """What an import left in the registry, without ids (the control run's are others)."""
    job.refresh_from_db()
    rows = ImportedRow.objects.filter(job=job)
    created = rows.filter(outcome__in=[RowOutcome.CREATED, RowOutcome.REVIEW])
    return {
        "status": job.status,
        "counts": job.counts,
        "rows": sorted(rows.values_list("row", "outcome")),
        "people": sorted(
            Person.objects.filter(pk__in=created.values("person_id")).values_list(
                "full_name", "birth_date", "sex", "region_id", "mother_name"
            )
        ),
        "reviews": LinkReview.objects.filter(job=job).count(),
        "registry": Person.objects.count(),
    }


def control_run(org, content: bytes) -> dict:
    """The same file imported in one go by this process, then rolled back."""
    with transaction.atomic():
        job = actions.upload_file(
            SimpleUploadedFile("district.csv", content), organisation=org, acting_user=user()
        )
        if job.is_busy:  # a file read in the background first
            run_queued_tasks()
            job.refresh_from_db()
        actions.start_check(job, acting_user=user(), background=False)
        actions.run_check(job, acting_user=user())
        actions.start_import(job, acting_user=user(), background=False)
        actions.run_import(job, acting_user=user())
        result = outcome(job)
        transaction.set_rollback(True)
    return result


@pytest.mark.slow  # ~12 s: real worker processes, one killed
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_recovered_and_resumes_exactly(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    if not Organisation.objects.filter(code=ORG).exists():
        build_network()  # a transactional test before this one flushed the database
    with database_a_worker_can_open(tmp_path):
        workers = Workers(tmp_path, settings.MEDIA_ROOT)
        try:
            killed_mid_import(workers)
        finally:
            workers.stop_all()


def killed_mid_import(workers: Workers) -> None:
    organisation = Organisation.objects.get(code=ORG)
    content = district_csv()
    # Started first, so it has worked through the tasks the demo set-up queued by the
    # time the import's are queued.
    first = workers.start("db_worker")
    expected = control_run(organisation, content)
    assert expected["status"] == JobStatus.DONE
    assert len(expected["people"]) > ROWS // 2

    job = actions.upload_file(
        SimpleUploadedFile("district.csv", content), organisation=organisation, acting_user=user()
    )
    if job.is_busy:
        wait_for(lambda: not ImportJob.objects.get(pk=job.pk).is_busy, "the file read", workers)
        job.refresh_from_db()
    actions.start_check(job, acting_user=user())
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status=JobStatus.CHECKED).exists(),
        "the check",
        workers,
    )
    job.refresh_from_db()
    actions.start_import(job, acting_user=user())
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, next_index__gte=BATCH).exists(),
        "the first batch",
        workers,
    )
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING
    assert BATCH <= job.next_index < len(expected["rows"]), "killed too late to prove anything"
    loaded = ImportedRow.objects.filter(job=job).count()
    assert loaded == job.next_index  # whole batches only
    task = DBTaskResult.objects.get(args_kwargs__args__0=job.pk, args_kwargs__args__1="import")
    assert task.status == TaskResultStatus.RUNNING  # left so by the dead worker

    # A restarted worker, once the dead one's lease ran out, recovers the job and its task.
    time.sleep(max(0.0, (job.lease_expires_at - timezone.now()).total_seconds()) + 0.3)
    workers.start("worker")
    wait_for(
        lambda: DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.FAILED).exists(),
        "the restarted worker's recovery",
        workers,
    )
    job.refresh_from_db()
    assert (job.status, job.resumable, job.next_index) == (JobStatus.FAILED, True, loaded)

    client = Client()
    client.force_login(user())
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="resume"' in page
    token_headers = {"HTTP_AUTHORIZATION": f"Bearer {issue(user())}"}
    assert client.get(f"/api/v1/imports/{job.pk}", **token_headers).json()["resumable"] is True
    response = client.post(reverse("imports:start", args=[job.pk]))
    assert response.status_code == 302
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(),
        "the resumed import",
        workers,
    )
    assert outcome(job) == expected
    twice = (
        Person.objects.filter(full_name__in=[p[0] for p in expected["people"]])
        .values("full_name", "birth_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not twice.exists()


def issue(account) -> str:
    from jejaring.accounts.actions import issue_token

    return issue_token(account, acting_user=None)
