"""Writing the audit log. Actions call :func:`record` inside their transaction.

It is explicit on purpose (not a post_save signal): a signal silently misses bulk
writes and has no idea who acted; an action always knows.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from jejaring.core import request_context

from .models import AuditAction, AuditEntry, AuditSubject

# Never copied into the log, whatever model they appear on.
SECRET_FIELDS = frozenset({"password", "key_hash"})


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict:
    """The object's own fields and many-to-many ids, as JSON-safe values."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        data[f.attname] = _json_value(getattr(obj, f.attname))
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(_json_value(pk) for pk in f.value_from_object(obj))
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
    # savepoint=False: inside an action's transaction this costs no extra statement,
    # and outside one (a page read) the entry and its subjects still land together.
    with transaction.atomic(savepoint=False):
        entry = AuditEntry.objects.create(
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
        AuditSubject.objects.bulk_create(
            (
                AuditSubject(entry=entry, object_type=entry.object_type, object_id=pk[:64])
                for pk in dict.fromkeys(str(pk).strip() for pk in ids)
                if pk
            ),
            # One INSERT for an ordinary page; an export of thousands takes a few.
            batch_size=1000,
        )
    return entry


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
