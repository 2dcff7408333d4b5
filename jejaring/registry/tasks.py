"""Background work of the registry (django-tasks)."""

from django_tasks import task


@task()
def tell_handlers_task(holder_id: int, person_id: int, organisation_id: int) -> int:
    """Tell a record's handlers that someone who cannot see it registered a match."""
    from .actions import tell_handlers

    return tell_handlers(holder_id, person_id, organisation_id)
