"""`jejaring worker`: the background worker — django-tasks-db's `db_worker`, with the
same options, after it has recovered what a dead worker left behind, and saying that it
is alive.

django-tasks-db has no heartbeat: a worker killed with `kill -9` (or by the OOM killer,
or a power cut) leaves its task row RUNNING for ever. Imports hold a lease of their own
(imports/leases.py), so at start-up this command marks stopped (resumable) every import
whose lease has expired and fails the import task rows no live worker holds. Resuming
enqueues a new task, which continues at the first batch that did not commit.

The worker also writes a heartbeat (core.WorkerHeartbeat) at start and every
HEARTBEAT_SECONDS from a daemon thread, so /readyz can say whether anything runs the
queue: an import enqueued with no worker alive would wait for ever without a word.
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jejaring.core.models import WorkerHeartbeat
from jejaring.imports.leases import recover_orphaned_tasks, recover_stale_jobs

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
# Rows of workers not seen for this long are removed (a restart takes a new worker id).
PRUNE_AFTER = timedelta(days=1)


def beat(worker_id: str, *, started_at) -> None:
    """Say that this worker is alive: one row per worker, updated in place (a single
    small write, so a busy SQLite sees no storm of inserts), old workers' rows pruned."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - PRUNE_AFTER).delete()


class Heartbeat(threading.Thread):
    """The daemon thread that beats every ``interval`` seconds until ``stop()``.

    It has its own database connection (Django's are per thread), closed after every
    beat: 30 s apart there is nothing to gain from holding it, and a connection left
    open by a daemon thread is never closed when the process exits."""

    def __init__(self, worker_id: str, *, interval: float = HEARTBEAT_SECONDS):
        super().__init__(name="jejaring-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self._stopped = threading.Event()

    def beat_once(self) -> None:
        try:
            beat(self.worker_id, started_at=self.started_at)
        except DatabaseError:
            # A database that is down, or locked past the timeout: the next beat retries,
            # and /readyz reports the worker stale meanwhile.
            logger.warning("worker heartbeat not written", exc_info=True)
        finally:
            connection.close()

    def run(self) -> None:
        while not self._stopped.wait(self.interval):
            self.beat_once()

    def stop(self) -> None:
        self._stopped.set()


class Command(DbWorkerCommand):
    help = "Run the background worker, first recovering imports a stopped worker left behind"

    def handle(self, *args, **options):
        jobs = recover_stale_jobs()
        tasks = recover_orphaned_tasks()
        if options.get("verbosity", 1) and (jobs or tasks):
            self.stdout.write(
                f"recovered {jobs} stopped import(s) and {tasks} task(s) left running"
            )
        heartbeat = Heartbeat(options["worker_id"])
        # The first beat before any task runs, in this thread: a worker that cannot write
        # its heartbeat fails now, visibly, rather than running unseen.
        beat(heartbeat.worker_id, started_at=heartbeat.started_at)
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
