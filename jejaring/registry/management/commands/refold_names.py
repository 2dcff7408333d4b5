"""Recompute every stored name key after the folding rules changed.

``Person.name_key``, ``PersonAlias.name_key`` and ``Person.search_key`` are derived from the
names by ``registry.names`` when a record is saved. Editing ``name_rules.toml`` (or the
folding code) leaves the stored keys folded the old way, and search and the duplicate guard
then miss people whose key changed. This command brings them up to date.

It is maintenance on derived columns, not a change to anyone's record, so it runs outside the
user scoping layer and writes no audit row: no name, NIK or other value a user entered changes.
It works in primary-key batches, one transaction each, so it can run on a live registry and be
interrupted and run again (it only writes rows whose key differs).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from jejaring.registry.models import Person, PersonAlias
from jejaring.registry.names import name_key


def search_key(person_key: str, alias_keys: list[str]) -> str:
    """The same shape as ``registry.actions._derive``: the name's key, then each alias's."""
    return " | ".join([person_key, *alias_keys])


def refold_batch(person_ids: list[int], *, dry_run: bool = False) -> tuple[int, int]:
    """Refold one batch; returns (people changed, aliases changed)."""
    with transaction.atomic():
        people = list(
            Person.objects.filter(pk__in=person_ids)
            .select_for_update()
            .only("pk", "full_name", "name_key", "search_key")
            .order_by("pk")
        )
        aliases = list(
            PersonAlias.objects.filter(person_id__in=person_ids)
            .only("pk", "person_id", "name", "name_key")
            .order_by("pk")
        )
        changed_aliases = []
        alias_keys: dict[int, list[str]] = {}
        for alias in aliases:
            key = name_key(alias.name)
            if key != alias.name_key:
                alias.name_key = key
                changed_aliases.append(alias)
            alias_keys.setdefault(alias.person_id, []).append(key)
        changed_people = []
        for person in people:
            key = name_key(person.full_name)
            searched = search_key(key, alias_keys.get(person.pk, []))
            if (key, searched) != (person.name_key, person.search_key):
                person.name_key, person.search_key = key, searched
                changed_people.append(person)
        if not dry_run:
            PersonAlias.objects.bulk_update(changed_aliases, ["name_key"])
            Person.objects.bulk_update(changed_people, ["name_key", "search_key"])
        return len(changed_people), len(changed_aliases)


class Command(BaseCommand):
    help = (
        "Recompute the folded name keys (name_key, search_key) of every person and alias "
        "with the current rules in registry/name_rules.toml. Run after changing the rules."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args, **options):
        size = max(1, int(options["batch_size"]))
        dry_run = bool(options["dry_run"])
        checked = people = aliases = 0
        last = 0
        while True:
            # Keyset pagination: stable and cheap however large the registry is.
            batch = Person.objects.filter(pk__gt=last).order_by("pk")
            ids = list(batch.values_list("pk", flat=True)[:size])
            if not ids:
                break
            changed = refold_batch(ids, dry_run=dry_run)
            checked += len(ids)
            people += changed[0]
            aliases += changed[1]
            last = ids[-1]
        # Counts only: never a name in the output (it ends up in cron logs).
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"People checked: {checked}; people {verb}: {people}; aliases {verb}: {aliases}"
        )
