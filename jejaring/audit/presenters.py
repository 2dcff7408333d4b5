"""What a reader is shown of an audit row: the same identity rule as for the person.

The stored row stays complete (append-only, for the handling organisation and for legal
requests); masking happens only when it is shown. Every reader — the API, the audit
page, the Django admin — goes through :func:`present_entries`, so none of them can show
more of a protected person in the log than the person's own page would.

For each row we work out which people it concerns: the person itself, the person a
case, service, referral, consent, note or family link belongs to (from the row's own
snapshot and its parent, without touching the live objects where possible), and if the
reader may not see the identity of any of them (``VIEW_IDENTITY``) the row is masked.
Masking is an allow-list: ids, states and timestamps stay; the name becomes initials,
the NIK its region and serial, the birth date its year, the village its district; every
other field becomes a marker. A field added to a model later is therefore hidden until
someone decides it is harmless.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from jejaring.core.scoping import VIEW_IDENTITY
from jejaring.registry import nik as nik_rules
from jejaring.registry.models import Person
from jejaring.registry.presenters import PersonView, initials

from .models import AuditEntry

PERSON = "registry.person"

# Fields of a masked snapshot that say what happened, never who it happened to.
KEPT_FIELDS = frozenset(
    {
        "id",
        "version",
        "state",
        "status",
        "kind",
        "direction",
        "quantity",
        "met_standard",
        "closing_reason",
        "needs",
        "requested_services",
        "organisations",
        "is_sensitive",
        "birth_date_precision",
        "birth_year",
        "from_state",
        "to_state",
        "method",
        "role",
        "given_by",
        "size",
        "content_type",
        "deadline",
        "start_date",
        "end_date",
        "moved",
        "count",
    }
)
# Foreign keys that are themselves telling: the village (masked to the district below)
# and the category held (a protected category is what makes the record protected).
TELLING_KEYS = frozenset({"region_id", "category_id"})

# Messages are written by code, never from user input, and those about people carry
# ids, counts and filter names only; such messages stay on a masked row. Any other one
# (e.g. the categories a person was registered with) is hidden.
SAFE_MESSAGES = [
    re.compile(pattern)
    for pattern in (
        r"[a-z][a-z0-9 #()\-]*(?:; filters: [a-z_,]*)?",
        r"duplicate check: \d+ candidates",
        r"duplicate scan over \d+ people: \d+ pairs",
        r"import #\d+ rows \d+-\d+: \d+ people created, \d+ rows linked to existing people",
    )
]
# Representations made of words and ids only ("case #5", "#3 → #7"), never a name.
SAFE_REPR = re.compile(r"(?:[a-z]+ ){0,2}#\d+(?: (?:→|~|[a-z_]+) #\d+)?")


def hidden() -> str:
    return _("[hidden]")


def _parent_region(code) -> str:
    # The masked person shows the district: the parent of the village of residence.
    parts = str(code).split(".")
    return ".".join(parts[:-1]) if len(parts) > 1 else str(code)


def _masked_value(key: str, value):
    if value in (None, "", [], {}):
        return value
    if key == "full_name":
        return initials(str(value))
    if key in ("nik", "kk_number"):
        return nik_rules.mask(str(value))
    if key == "nik_unverified":
        # The NIK's own rule (its reason stays hidden: it quotes the hidden digits).
        return nik_rules.mask_unverified(str(value))
    if key == "birth_date":
        return str(value)[:4]
    if key == "region_id":
        return _parent_region(value)
    if key in KEPT_FIELDS or (
        key not in TELLING_KEYS and key.endswith(("_id", "_ids", "_at", "_on"))
    ):
        return value
    return hidden()


def mask_snapshot(data):
    if data is None:
        return None
    if not isinstance(data, dict):
        return hidden()
    return {key: _masked_value(key, value) for key, value in data.items()}


def mask_message(message: str) -> str:
    if not message or any(p.fullmatch(message) for p in SAFE_MESSAGES):
        return message
    return hidden()


def mask_repr(text: str) -> str:
    if not text or SAFE_REPR.fullmatch(text):
        return text
    return hidden()


# --- which people a row concerns ------------------------------------------------------


@dataclass(frozen=True)
class _Links:
    """How a model points at people: snapshot keys holding a person id, snapshot keys
    holding the id of a model that points at a person, and the query paths for both."""

    direct: tuple[str, ...] = ()  # attnames, e.g. "person_id"
    hops: tuple[tuple[str, str], ...] = ()  # (attname, target label), e.g. ("case_id", …)
    paths: tuple[str, ...] = ()  # values_list paths to the person ids

    @property
    def concerns_people(self) -> bool:
        return bool(self.direct or self.hops)


def _foreign_keys(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None
    ]


@cache
def _links(label: str) -> _Links:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return _Links()
    if model is Person:
        return _Links()
    direct, hops, paths = [], [], []
    for f in _foreign_keys(model):
        if f.related_model is Person:
            direct.append(f.attname)
            paths.append(f.name)
            continue
        second = [g for g in _foreign_keys(f.related_model) if g.related_model is Person]
        if second:
            hops.append((f.attname, f.related_model._meta.label_lower))
            paths.extend(f"{f.name}__{g.name}" for g in second)
    return _Links(tuple(direct), tuple(hops), tuple(paths))


def _as_pk(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _as_list(value) -> list[int | None]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [None]
    return [_as_pk(pk) for pk in value]


@dataclass
class _Concern:
    people: set[int] = field(default_factory=set)
    refs: set[tuple[str, int]] = field(default_factory=set)  # rows to look up
    concerns_people: bool = False
    unresolved: bool = False


def _concern(entry: AuditEntry) -> _Concern:
    found = _Concern()
    # Whether the row's own snapshot names its links to people, even as empty (a public
    # report before its case): then it is believed, and the object is not looked up.
    said = False
    snapshots = [s for s in (entry.before, entry.after) if isinstance(s, dict)]
    # A bulk read names the rows it showed: after["person_ids"], after["case_ids"]…
    listed_key = f"{entry.object_type.rsplit('.', 1)[-1]}_ids"
    listed = [pk for s in snapshots for pk in _as_list(s.get(listed_key))]
    if entry.object_type == PERSON:
        found.concerns_people = True
        # One id, or several (a duplicate check, a bulk read). An import batch or an
        # export names no single person: it counts as masked, which costs nothing,
        # since such rows carry counts only.
        ids = [_as_pk(part) for part in entry.object_id.split(",")] if entry.object_id else []
        ids.extend(listed)
        if ids and None not in ids:
            found.people.update(ids)
        else:
            found.unresolved = True
    else:
        links = _links(entry.object_type)
        found.concerns_people = links.concerns_people
        for snapshot in snapshots:
            for key in links.direct:
                said |= key in snapshot
                if (pk := _as_pk(snapshot.get(key))) is not None:
                    found.people.add(pk)
            for key, target in links.hops:
                said |= key in snapshot
                if (pk := _as_pk(snapshot.get(key))) is not None:
                    found.refs.add((target, pk))
        if links.concerns_people:
            if None in listed:
                found.unresolved = True
            found.refs.update((entry.object_type, pk) for pk in listed if pk is not None)
    if entry.parent_type == PERSON:
        found.concerns_people = True
        if (pk := _as_pk(entry.parent_id)) is not None:
            found.people.add(pk)
    elif entry.parent_type and _links(entry.parent_type).concerns_people:
        found.concerns_people = True
        if (pk := _as_pk(entry.parent_id)) is not None:
            found.refs.add((entry.parent_type, pk))
    if (
        found.concerns_people
        and not said
        and not found.people
        and not found.refs
        and entry.object_type != PERSON
        and (pk := _as_pk(entry.object_id)) is not None
    ):
        # No snapshot to read (a read, an assessment): look the object itself up.
        found.refs.add((entry.object_type, pk))
    return found


def _resolve(concerns: list[_Concern]) -> dict[tuple[str, int], set[int]]:
    """Person ids behind each looked-up row: one query per kind of row (cases,
    conferences…), whatever the number of rows."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for concern in concerns:
        for label, pk in concern.refs:
            wanted[label].add(pk)
    people: dict[tuple[str, int], set[int]] = {}
    for label, pks in wanted.items():
        paths = _links(label).paths
        model = apps.get_model(label)
        for chunk in _chunks(pks):
            for row in model._base_manager.filter(pk__in=chunk).values_list("pk", *paths):
                people[(label, row[0])] = {pk for pk in row[1:] if pk is not None}
    return people


# Bulk reads can name hundreds of people per row; SQLite refuses very long IN lists.
CHUNK = 10_000


def _chunks(ids):
    ids = sorted(ids)
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


# --- presentation ---------------------------------------------------------------------

# The row's own facts, which say nothing about the person: shown as stored.
PLAIN_FIELDS = (
    "id",
    "timestamp",
    "actor_id",
    "actor_name",
    "actor_organisation",
    "request_id",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "parent_type",
    "parent_id",
)


@dataclass
class EntryView:
    """An audit row as one reader may see it."""

    entry: AuditEntry
    masked: bool
    people: frozenset[int]
    # A row that links one person to another (a registration matching a hidden record)
    # must not show the hidden one's id: "the name I typed is record 27" is the oracle
    # the duplicate guard closes (docs/security.md).
    parent_hidden: bool = False
    # The people the row concerns, each named as the registry's identity rule names
    # them for this reader: in full, or initials marked protected.
    people_names: tuple[str, ...] = ()

    @property
    def object_label(self) -> str:
        """What kind of thing the row is about, in the reader's language ("Kasus")."""
        return _model_name(self.entry.object_type)

    @property
    def changes_labelled(self) -> list[tuple[str, object, object]]:
        """The changes with each field's own label instead of its attribute name."""
        return [
            (_field_name(self.entry.object_type, key), before, after)
            for key, (before, after) in self.changes.items()
        ]

    @property
    def parent_id(self) -> str:
        return "" if self.parent_hidden else self.entry.parent_id

    @property
    def parent_type(self) -> str:
        return "" if self.parent_hidden else self.entry.parent_type

    def __getattr__(self, name):
        if name in PLAIN_FIELDS:
            return getattr(self.entry, name)
        raise AttributeError(name)

    def get_action_display(self) -> str:
        return self.entry.get_action_display()

    @property
    def before(self):
        return mask_snapshot(self.entry.before) if self.masked else self.entry.before

    @property
    def after(self):
        return mask_snapshot(self.entry.after) if self.masked else self.entry.after

    @property
    def object_repr(self) -> str:
        return mask_repr(self.entry.object_repr) if self.masked else self.entry.object_repr

    @property
    def message(self) -> str:
        return mask_message(self.entry.message) if self.masked else self.entry.message

    @property
    def changes(self) -> dict[str, tuple]:
        """Fields that changed (judged on the stored values, so a masked change still
        shows that it happened), each side as this reader may see it."""
        before, after = self.before or {}, self.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return {}
        return {key: (before.get(key), after.get(key)) for key in self.entry.changes}

    def as_dict(self) -> dict:
        data = {name: getattr(self.entry, name) for name in PLAIN_FIELDS}
        data.update(parent_type=self.parent_type, parent_id=self.parent_id)
        data.update(
            object_repr=self.object_repr,
            before=self.before,
            after=self.after,
            message=self.message,
            identity_masked=self.masked,
        )
        return data


def present_entries(entries, viewer) -> list[EntryView]:
    """The rows as ``viewer`` may see them, with a fixed number of queries: one per kind
    of intermediate row (cases, conferences) and one for whose identity is visible."""
    entries = list(entries)
    concerns = [_concern(entry) for entry in entries]
    behind = _resolve(concerns)
    for concern in concerns:
        for ref in concern.refs:
            if ref in behind:
                concern.people |= behind[ref]
            else:
                concern.unresolved = True  # the row is gone: nothing proves it is harmless
    everyone = set().union(*(c.people for c in concerns)) if concerns else set()
    visible, names = set(), {}
    may_see = Person.objects.restrict(viewer, VIEW_IDENTITY).filter(pk=OuterRef("pk"))
    for chunk in _chunks(everyone):
        # Whose identity the reader may see, and the names to show under that rule, in
        # one query (a merged record is still named: its rows stay in the log).
        for person in (
            Person._base_manager.filter(pk__in=chunk)
            .only("pk", "full_name")
            .annotate(shown=Exists(may_see))
        ):
            if person.shown:
                visible.add(person.pk)
            names[person.pk] = PersonView(person, identity=person.shown, full_nik=False).name
    views = []
    for entry, concern in zip(entries, concerns, strict=True):
        parent_hidden = _hides_another_person(entry, visible)
        views.append(
            EntryView(
                entry,
                masked=concern.concerns_people
                and (concern.unresolved or not concern.people or not concern.people <= visible),
                people=frozenset(concern.people),
                parent_hidden=parent_hidden,
                # The hidden record a registration resembled stays unnamed, as its id does.
                people_names=tuple(
                    names[pk]
                    for pk in sorted(concern.people)
                    if pk in names and not (parent_hidden and str(pk) == entry.parent_id)
                ),
            )
        )
    return views


def _hides_another_person(entry: AuditEntry, visible: set[int]) -> bool:
    if entry.parent_type != PERSON or entry.parent_id == entry.object_id:
        return False
    pk = _as_pk(entry.parent_id)
    return pk is not None and pk not in visible


@cache
def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _model_name(label: str) -> str:
    model = _model(label)
    return capfirst(model._meta.verbose_name) if model is not None else label


def _field_name(label: str, key: str) -> str:
    model = _model(label)
    if model is None:
        return key
    try:
        field = model._meta.get_field(key.removesuffix("_id") if key.endswith("_id") else key)
    except FieldDoesNotExist:
        return key
    return capfirst(getattr(field, "verbose_name", key))


def present_entry(entry: AuditEntry, viewer) -> EntryView:
    return present_entries([entry], viewer)[0]


class PresentedPage:
    """Paginates like a queryset (for ninja's paginator), then masks each page."""

    def __init__(self, queryset, viewer):
        self.queryset, self.viewer = queryset, viewer

    def count(self) -> int:
        return self.queryset.count()

    def bounded_count(self, limit: int) -> int:
        from jejaring.core.paging import bounded_count

        return bounded_count(self.queryset, limit)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [view.as_dict() for view in present_entries(self.queryset[item], self.viewer)]
