"""Background work of imports (django-tasks: the database backend by default, a
Redis-backed worker for larger deployments — see docs/imports.md)."""

from django_tasks import task


@task()
def run_job_task(job_id: int, phase: str) -> None:
    from .actions import run_phase

    run_phase(job_id, phase)
