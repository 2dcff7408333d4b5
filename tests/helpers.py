"""Small set-up helpers the test modules share: registering a person through the real
action, and running queued background tasks as the worker does."""

import datetime

from django.db import connection
from django_tasks_db.models import DBTaskResult

from jejaring.accounts.models import User
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions
from jejaring.registry.models import Person

SUKAJADI_VILLAGE = "14.71.01.1002"  # a village of Kota Pekanbaru, in the demo's area


def register_person(
    username="petugas.pekanbaru", *, categories=("anak_jalanan",), confirmed=True, **data
) -> Person:
    """A person registered by ``username``'s organisation through ``create_person``;
    ``data`` overrides the default boy's fields."""
    user = User.objects.get(username=username)
    fields = {
        "full_name": "Ahmad Fauzan",
        "sex": "M",
        "birth_date": datetime.date(2015, 6, 11),
        "region": Region.objects.get(code=SUKAJADI_VILLAGE),
        "nik": "",
    }
    fields.update(data)
    return actions.create_person(
        fields,
        organisation=user.organisation,
        acting_user=user,
        categories=list(PmksCategory.objects.filter(code__in=categories)),
        confirmed_new=confirmed,
    )


def run_on_commit() -> None:
    while connection.run_on_commit:
        _savepoints, callback, _robust = connection.run_on_commit.pop(0)
        callback()


def run_queued_tasks() -> None:
    """Tasks are enqueued on commit, and a test runs inside one transaction that never
    commits: run the waiting on-commit callbacks (the enqueues) first, then each queued
    task as the worker does, then what the tasks left for their commit. (`db_worker`
    itself closes the connection between tasks, which would end the test's transaction on
    PostgreSQL; the browser and kill tests run the real worker.)"""
    run_on_commit()
    for result in DBTaskResult.objects.ready():
        result.claim("test-worker")
        queued = result.task_result
        result.task.call(*queued.args, **queued.kwargs)
        result.set_successful(None)
    run_on_commit()


def django_twin(widget):
    """The same widget as Django's own class: it renders through the templates of the
    configured renderer (TemplatesSetting), our overrides included."""
    twin = widget.__class__.__mro__[1](attrs=widget.attrs)
    twin.choices = widget.choices
    twin.is_required = widget.is_required
    twin.allow_multiple_selected = widget.allow_multiple_selected
    return twin


def count_fast_widgets_rendering_as_djangos(forms) -> int:
    """Render every fast choice widget of ``forms`` both ways and assert the markup is the
    same; returns how many were compared (so a test can say how many it expects)."""
    from jejaring.core.widgets import FastCheckboxSelectMultiple, FastSelect

    compared = 0
    for form in forms:
        for field in form.visible_fields():
            widget = field.field.widget
            if not isinstance(widget, FastSelect | FastCheckboxSelectMultiple):
                continue
            compared += 1
            fast = str(field)
            field.field.widget = django_twin(widget)
            assert fast == str(field), (type(form).__name__, field.name)
    return compared
