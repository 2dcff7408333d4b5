"""Seeding reference data from fixtures without overwriting administrators' edits.

``loaddata`` would reset every row to the fixture on each ``make run``; here a row is
only created when its code is missing, so edits made in the admin survive.
"""

from pathlib import Path

from django.core import serializers
from django.db import transaction


@transaction.atomic
def seed_from_fixture(path: Path) -> int:
    """Create the fixture's rows whose natural key is not in the database yet."""
    created = 0
    with path.open(encoding="utf-8") as stream:
        for item in serializers.deserialize("json", stream, handle_forward_references=True):
            if item.object.pk is None:
                item.save()
                created += 1
    return created
