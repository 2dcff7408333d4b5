"""Writing the audit log. Actions call :func:`record` inside their transaction.

It is explicit on purpose (not a post_save signal): a signal silently misses bulk
writes and has no idea who acted; an action always knows.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid

from django.db import connections, models, router, transaction
from django.db.models.fields.files import FieldFile

from jejaring.core import request_context

from .models import AuditAction, AuditEntry, AuditSubject

# Never copied into the log, whatever model they appear on.
SECRET_FIELDS = frozenset({"password", "key_hash"})


def json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def masked(value: str) -> str:
    """A bearer code as the log keeps it: its last three characters, enough for an
    officer to match the code a citizen reads out on the phone, too few to use it."""
    return "•" * max(len(value) - 3, 0) + value[-3:] if value else value


def snapshot(obj: models.Model) -> dict:
    """The object's own fields and many-to-many ids, as JSON-safe values. A model names
    in ``audit_masked_fields`` the codes that work like a key for whoever holds them (a
    service code, a survey code): whoever reads the log must not be able to use them."""
    data = {}
    masked_fields = getattr(obj, "audit_masked_fields", ())
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        value = json_value(getattr(obj, f.attname))
        data[f.attname] = masked(value) if f.name in masked_fields else value
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(json_value(pk) for pk in f.value_from_object(obj))
    return data


def label(model_or_obj) -> str:
    return model_or_obj._meta.label_lower


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    acting_user,
    before: dict | None = None,
    after: dict | None = None,
    parent: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    message: str = "",
    subject_ids=None,
) -> AuditEntry:
    """Write one audit row. ``acting_user`` may be None for the system itself.

    The row's subjects (:class:`AuditSubject`) are written with it: each id in
    ``object_id`` (a duplicate check names several, comma-separated), or ``subject_ids``
    where the row names its objects elsewhere (a bulk read).
    """
    context = request_context.current()
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    actor_org = ""
    if actor is not None and getattr(actor, "organisation_id", None):
        actor_org = str(actor.organisation)
    entry = AuditEntry(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        actor_organisation=actor_org[:255],
        request_id=context.request_id,
        ip_address=context.ip_address,
        action=action,
        object_type=object_type or (label(obj) if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None and obj.pk is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:255],
        parent_type=label(parent) if parent is not None else "",
        parent_id=str(parent.pk) if parent is not None else "",
        before=before,
        after=after,
        message=message[:255],
    )
    ids = entry.object_id.split(",") if subject_ids is None else subject_ids
    subjects = [pk[:64] for pk in dict.fromkeys(str(pk).strip() for pk in ids) if pk]
    using = router.db_for_write(AuditEntry)
    if connections[using].vendor == "postgresql":
        _insert_in_one_statement(entry, subjects, using)
        return entry
    # savepoint=False: inside an action's transaction this costs no extra statement,
    # and outside one (a page read) the entry and its subjects still land together.
    with transaction.atomic(using=using, savepoint=False):
        entry.save(using=using)
        AuditSubject.objects.using(using).bulk_create(
            (
                AuditSubject(entry=entry, object_type=entry.object_type, object_id=pk)
                for pk in subjects
            ),
            # One INSERT for an ordinary page; an export of thousands takes a few.
            batch_size=1000,
        )
    return entry


def _insert_in_one_statement(entry: AuditEntry, subjects: list[str], using: str) -> None:
    """The entry and its subjects as one INSERT … WITH statement (PostgreSQL).

    Half the requests of a working day write a read row; as ORM calls in a transaction
    that was four round trips (BEGIN, two INSERTs, COMMIT) and two compiled queries, about
    a twentieth of an ordinary request's work (benchmarks/load.py). One statement is atomic
    on its own, so the entry never lands without its subjects, inside an action's
    transaction or outside one. The values are prepared by the model's own fields, as
    ``save()`` would (auto_now_add, JSON, inet), so both paths store the same row."""
    connection = connections[using]
    fields = _entry_fields()
    values = [f.get_db_prep_save(f.pre_save(entry, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_one_statement_sql(using), [*values, entry.object_type, subjects])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = using


@functools.cache
def _entry_fields():
    return [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


@functools.cache
def _one_statement_sql(using: str) -> str:
    """Built once: only the two models' own table and column names, quoted."""
    quote = connections[using].ops.quote_name
    entry_table, subject = quote(AuditEntry._meta.db_table), AuditSubject._meta
    columns = ", ".join(quote(f.column) for f in _entry_fields())
    placeholders = ", ".join(["%s"] * len(_entry_fields()))
    subject_columns = ", ".join(
        quote(subject.get_field(name).column) for name in ("entry", "object_type", "object_id")
    )
    return (
        f"WITH entry AS (INSERT INTO {entry_table} ({columns}) "  # noqa: S608 — model names only
        f"VALUES ({placeholders}) RETURNING id), "
        f"subjects AS (INSERT INTO {quote(subject.db_table)} ({subject_columns}) "
        "SELECT entry.id, %s, unnest(%s::varchar[]) FROM entry) "
        "SELECT id FROM entry"
    )


def record_create(obj, *, acting_user, parent=None, message="") -> AuditEntry:
    return record(
        AuditAction.CREATE,
        obj,
        acting_user=acting_user,
        after=snapshot(obj),
        parent=parent,
        message=message,
    )


def record_update(obj, before: dict, *, acting_user, parent=None, message="") -> AuditEntry:
    return record(
        AuditAction.UPDATE,
        obj,
        acting_user=acting_user,
        before=before,
        after=snapshot(obj),
        parent=parent,
        message=message,
    )


def record_delete(obj, before: dict, *, acting_user, parent=None, message="") -> AuditEntry:
    return record(
        AuditAction.DELETE,
        obj,
        acting_user=acting_user,
        before=before,
        parent=parent,
        message=message,
    )


def record_read(obj, *, acting_user, parent=None, message="") -> AuditEntry:
    """For sensitive records: who looked, when. Used by the registry (issue #3)."""
    return record(AuditAction.READ, obj, acting_user=acting_user, parent=parent, message=message)


def record_bulk_read(
    model_label: str,
    ids,
    *,
    acting_user,
    message: str = "",
    masked_ids=(),
    parent: models.Model | None = None,
) -> AuditEntry:
    """One row for a read that showed many records (a list page, a search, an export).

    One row per request, not per record: a 500-row page costs one INSERT. The row names
    the ids shown (``after["<model>_ids"]``, e.g. ``person_ids``) and which of them were
    shown masked, so "who saw person 27" is answerable from bulk reads too. Only ids are
    kept, never names or search terms.
    """
    ids = [int(pk) for pk in ids]
    key = f"{model_label.rsplit('.', 1)[-1]}_ids"
    after = {key: ids, "count": len(ids)}
    masked = sorted({int(pk) for pk in masked_ids})
    if masked:
        after["masked_ids"] = masked
    return record(
        AuditAction.READ,
        None,
        acting_user=acting_user,
        object_type=model_label,
        after=after,
        parent=parent,
        message=message,
        # One subject per id shown, so the administrator's filter finds this row.
        subject_ids=ids,
    )
