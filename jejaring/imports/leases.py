"""Who is working on an import right now: a lease with a heartbeat, and the recovery of
the jobs and task rows a dead worker left behind.

The process running a job's check or load (the background worker, or ``jejaring import``
running inline) first takes the job's lease with a conditional UPDATE, so two workers
never both run one job. It renews the lease after every batch, inside the batch's own
transaction: a worker that lost its lease (it was presumed dead and the job resumed
elsewhere) cannot commit another batch. During the long steps before the first batch
(reading the file, linkage) it renews every ``heartbeat_seconds()``.

A worker killed with ``kill -9`` stops renewing. Once its lease has expired,
``recover_stale_jobs`` marks the job stopped, resumable like any stopped import, with an
audit row. The actions, the job's page and API and the worker's start-up call it, so a
job whose worker died is seen as stopped wherever its status decides something.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction

from .models import BUSY, ImportJob, JobStatus

logger = logging.getLogger(__name__)

# The task whose rows a dead worker leaves RUNNING (tasks.run_job_task).
TASK_PATH = "jejaring.imports.tasks.run_job_task"


def lease_seconds() -> int:
    return max(1, int(getattr(settings, "IMPORT_LEASE_SECONDS", 120)))


def heartbeat_seconds() -> float:
    # Four beats per lease: one slow beat (a long batch, a busy database) never lets a
    # live worker's lease run out.
    return min(30.0, lease_seconds() / 4)


def _expiry():
    return timezone.now() + timedelta(seconds=lease_seconds())


class WorkerLost(Exception):
    """What a task row left RUNNING by a dead worker is marked failed with."""


class LeaseLost(ValidationError):
    """This process does not (or no longer) hold the job: another worker runs it, or it
    was stopped meanwhile. Nothing more may be written for it."""

    def __init__(self):
        super().__init__(_("This import is being run by another worker, or it was stopped."))


class Lease:
    """One process's hold on one job in one busy state (checking or importing)."""

    def __init__(self, job_id: int, status: str, owner: str):
        self.job_id, self.status, self.owner = job_id, status, owner
        self._renewed = time.monotonic()

    @classmethod
    def take(cls, job: ImportJob, status: str) -> Lease:
        """Take a free (or expired) lease on a job in ``status``; LeaseLost otherwise."""
        owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=timezone.now())
        expires = _expiry()
        # One UPDATE with the condition in its WHERE: the database serialises two workers
        # racing for the same row, and only one of them sees it free.
        taken = ImportJob.objects.filter(free, pk=job.pk, status=status).update(
            lease_owner=owner, lease_expires_at=expires
        )
        if not taken:
            raise LeaseLost
        job.lease_owner, job.lease_expires_at = owner, expires
        return cls(job.pk, status, owner)

    def _held(self):
        return ImportJob.objects.filter(pk=self.job_id, status=self.status, lease_owner=self.owner)

    def renew(self, **changes) -> None:
        """Extend the lease, writing ``changes`` in the same UPDATE; LeaseLost when it is
        no longer this process's."""
        if not self._held().update(lease_expires_at=_expiry(), **changes):
            raise LeaseLost
        self._renewed = time.monotonic()

    def beat(self) -> None:
        """Renew if the last renewal is a heartbeat old (cheap to call often)."""
        if time.monotonic() - self._renewed >= heartbeat_seconds():
            self.renew()

    def release(self, **changes) -> bool:
        """Give the job up, writing ``changes`` (its final status) with it."""
        return bool(self._held().update(lease_owner="", lease_expires_at=None, **changes))


def stopped_state(job: ImportJob) -> tuple[str, str]:
    """The status and message of a job whose worker stopped: a load resumes from its last
    batch; a check (it wrote nothing) is simply run again."""
    if job.status == JobStatus.READING:
        # No header row yet, so no mapping to check: the file is uploaded again.
        return JobStatus.FAILED, _(
            "Reading the file stopped because the worker reading it stopped (a restart "
            "or a crash). Upload the file again."
        )
    if job.started_at is not None:
        return JobStatus.FAILED, _(
            "The worker running this import stopped (a restart or a crash). Nothing is "
            "lost: resume the import to continue at the first batch that was not saved."
        )
    return JobStatus.MAPPING, _(
        "The check stopped because the worker running it stopped (a restart or a crash). "
        "Check the rows again."
    )


def recover_stale_jobs(job_ids=None) -> int:
    """Mark stopped every busy job (of ``job_ids``, or all) whose worker's lease has
    expired, fail the task rows that worker left RUNNING, and return how many jobs."""
    now = timezone.now()
    stale = ImportJob.objects.filter(status__in=BUSY, lease_expires_at__lt=now)
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    recovered = 0
    for job in stale.only("pk", "status", "started_at", "lease_owner", "lease_expires_at"):
        # The same expired lease in the WHERE: a worker that renewed meanwhile keeps it.
        if _stop(job, lease_owner=job.lease_owner, lease_expires_at__lt=now):
            recovered += 1
    return recovered


def _stop(job: ImportJob, **still) -> bool:
    status, message = stopped_state(job)
    with transaction.atomic():
        stopped = ImportJob.objects.filter(pk=job.pk, status__in=BUSY, **still).update(
            status=status, failure=message, lease_owner="", lease_expires_at=None
        )
        if not stopped:
            return False
        job.status, job.failure = status, message
        audit.record(
            AuditAction.UPDATE,
            job,
            acting_user=None,
            after={"status": status},
            message="stopped: the worker's lease expired",
        )
        _fail_task_rows(job.pk, running_before=timezone.now())
    logger.warning("import %s stopped: its worker's lease expired", job.pk)
    return True


def _task_rows():
    """django-tasks-db's rows of import tasks (None under another task backend)."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=TASK_PATH)


def _fail_task_rows(job_id, *, running_before) -> int:
    rows = _task_rows()
    if rows is None:
        return 0
    from django_tasks_db.compat import TaskResultStatus

    # django-tasks-db keeps no heartbeat of its own: a row stays RUNNING when its
    # worker dies. Marked failed the way its worker marks a task that raised.
    return rows.filter(
        status=TaskResultStatus.RUNNING, args_kwargs__args__0=job_id, started_at__lt=running_before
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback="The worker running this task stopped (its lease expired); "
        "the import was marked stopped and can be resumed.",
    )


def recover_orphaned_tasks() -> int:
    """At a worker's start: stop the jobs whose lease has expired, and fail the import
    task rows left RUNNING by a worker that is gone. A row counts as left behind once it
    has run for a whole lease while its job holds no live lease (its worker died before
    taking the lease, or after the job had finished). Returns the task rows failed."""
    recover_stale_jobs()
    rows = _task_rows()
    if rows is None:
        return 0
    from django_tasks_db.compat import TaskResultStatus

    now = timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    failed = 0
    running = rows.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    for args_kwargs in running.values_list("args_kwargs", flat=True):
        job_id = (args_kwargs.get("args") or [None])[0]
        if not isinstance(job_id, int):
            continue
        job = ImportJob.objects.filter(pk=job_id).first()
        live = job is not None and job.lease_expires_at is not None and job.lease_expires_at >= now
        if job is not None and job.is_busy and live:
            continue  # a live worker holds it
        failed += _fail_task_rows(job_id, running_before=cutoff)
        queued = rows.filter(status=TaskResultStatus.READY, args_kwargs__args__0=job_id)
        # A busy job without a lease whose task died with its worker is stopped, unless
        # it was started again and its new task waits for a worker.
        if job is not None and job.is_busy and not queued.exists():
            _stop(job, lease_owner=job.lease_owner)
    if failed:
        logger.warning("%s import task(s) left running by a stopped worker marked failed", failed)
    return failed
