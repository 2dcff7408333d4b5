"""Recompute the stored name keys with the folding rules of ``registry/name_rules.toml``.

The rules changed (titles judged by position, the Muhammad family, Sundanese given names
kept): keys folded the old way would make search and linkage miss people. Historical
models only, so this migration keeps working whatever later migrations add; the
``refold_names`` command does the same after a later change of the rules.
"""

from django.db import migrations

from jejaring.registry.names import name_key

BATCH = 2000


def refold(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    PersonAlias = apps.get_model("registry", "PersonAlias")
    last = 0
    while True:
        people = list(
            Person.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "full_name", "name_key", "search_key")[:BATCH]
        )
        if not people:
            return
        aliases: dict[int, list[str]] = {}
        changed_aliases = []
        for alias in PersonAlias.objects.filter(person_id__in=[p.pk for p in people]).order_by(
            "pk"
        ):
            key = name_key(alias.name)
            if key != alias.name_key:
                alias.name_key = key
                changed_aliases.append(alias)
            aliases.setdefault(alias.person_id, []).append(key)
        changed = []
        for person in people:
            key = name_key(person.full_name)
            searched = " | ".join([key, *aliases.get(person.pk, [])])
            if (key, searched) != (person.name_key, person.search_key):
                person.name_key, person.search_key = key, searched
                changed.append(person)
        PersonAlias.objects.bulk_update(changed_aliases, ["name_key"])
        Person.objects.bulk_update(changed, ["name_key", "search_key"])
        last = people[-1].pk


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_unverified_nik_blank_sex")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
