"""`jejaring worker`: the background worker — django-tasks-db's `db_worker`, with the
same options, after it has recovered what a dead worker left behind.

django-tasks-db has no heartbeat: a worker killed with `kill -9` (or by the OOM killer,
or a power cut) leaves its task row RUNNING for ever. Imports hold a lease of their own
(imports/leases.py), so at start-up this command marks stopped (resumable) every import
whose lease has expired and fails the import task rows no live worker holds. Resuming
enqueues a new task, which continues at the first batch that did not commit.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jejaring.imports.leases import recover_orphaned_tasks, recover_stale_jobs


class Command(DbWorkerCommand):
    help = "Run the background worker, first recovering imports a stopped worker left behind"

    def handle(self, *args, **options):
        jobs = recover_stale_jobs()
        tasks = recover_orphaned_tasks()
        if options.get("verbosity", 1) and (jobs or tasks):
            self.stdout.write(
                f"recovered {jobs} stopped import(s) and {tasks} task(s) left running"
            )
        return super().handle(*args, **options)
