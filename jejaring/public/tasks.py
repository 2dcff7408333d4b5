"""Background work of the public side (django-tasks)."""

from django_tasks import task


@task()
def escalate_report_task(report_id: int) -> bool:
    """Run at a report's time to be picked up: one level up if nobody took it."""
    from .actions.reports import escalate_report

    return escalate_report(report_id)
