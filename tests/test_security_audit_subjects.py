"""Issue #12, findings 1 and 8: "who looked at person 27" finds the bulk reads too.

A list, a search or an export writes one audit row naming every person shown (in
``after``, with an empty ``object_id``). The administrator's filter by object must still
find that row, on SQLite and PostgreSQL alike, through the row's subjects
(:class:`AuditSubject`), which are append-only like the log itself.
"""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.audit import log as audit
from jejaring.audit.models import AuditEntry, AuditSubject
from jejaring.core import request_context
from jejaring.registry.models import Person
from tests.helpers import register_person

PERSON = "registry.person"

pytestmark = pytest.mark.django_db


def register(full_name: str) -> Person:
    return register_person(full_name=full_name, birth_date=datetime.date(2012, 4, 2))


def putri() -> Person:
    """The demo's protected child, handled by Dinsos Pekanbaru."""
    return Person.objects.get(full_name="Putri Ayu Lestari")


def audit_of(person, headers, **extra):
    query = {"object_type": PERSON, "object_id": str(person.pk), "limit": 500, **extra}
    return Client().get("/api/v1/audit/", query, **headers).json()


def test_the_admin_finds_a_list_read_by_the_person_it_showed(bearer):
    person = register("Bagas Prasetyo")
    worker = bearer("petugas.pekanbaru")
    listed = Client().get("/api/v1/persons/", {"limit": 500}, **worker).json()["items"]
    assert person.pk in [p["id"] for p in listed]
    (row,) = [
        r
        for r in audit_of(person, bearer("admin"), action="read")["items"]
        if r["actor_name"] == "petugas.pekanbaru"
    ]
    assert row["object_id"] == "" and person.pk in row["after"]["person_ids"]


def test_the_audit_page_filter_finds_the_list_read_too(as_user):
    person = register("Bagas Prasetyo")
    as_user("petugas.pekanbaru").get(reverse("registry:list"))
    (bulk,) = AuditEntry.objects.filter(action="read", object_id="", actor_name="petugas.pekanbaru")
    page = as_user("admin").get(
        reverse("audit:list"), {"object_type": PERSON, "object_id": str(person.pk)}
    )
    shown = [view.id for view in page.context["page_obj"].object_list]
    assert bulk.pk in shown
    # The person's own rows are still there (the creation).
    own = AuditEntry.objects.get(object_type=PERSON, object_id=str(person.pk), action="create")
    assert own.pk in shown


def test_the_case_workers_reads_are_counted_once_each(bearer, as_user):
    person = register("Bagas Prasetyo")
    other = register("Dimas Saputra")
    worker = bearer("petugas.pekanbaru")
    start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    Client().get("/api/v1/persons/", {"limit": 500}, **worker)  # shows both
    Client().get("/api/v1/persons/", {"q": "Bagas Prasetyo"}, **worker)  # shows one
    Client().get("/api/v1/persons/", {"q": "Dimas Saputra"}, **worker)  # not the one
    as_user("petugas.pekanbaru").get(reverse("registry:detail", args=[person.pk]))
    body = audit_of(person, bearer("admin"), action="read", actor="petugas.pekanbaru")
    reads = [r for r in body["items"] if r["id"] > start]
    # The two list reads naming the person, once each, and the page; not the search
    # that showed only the other one.
    assert len({r["id"] for r in reads}) == len(reads) == 3
    assert body["count"] == len(body["items"])
    assert [r["object_id"] for r in reads].count(str(person.pk)) == 1
    bulk = [r["after"]["person_ids"] for r in reads if r["object_id"] == ""]
    assert len(bulk) == 2 and all(person.pk in ids for ids in bulk)
    assert other.pk in bulk[-1]  # the first list read (newest first)


def test_a_protected_person_found_through_a_bulk_read_stays_masked(bearer):
    worker = bearer("petugas.pekanbaru")
    Client().get("/api/v1/persons/", {"q": "Putri Ayu"}, **worker)
    body = audit_of(putri(), bearer("admin"), action="read")
    (row,) = [r for r in body["items"] if r["object_id"] == ""]
    assert row["identity_masked"] is True
    assert row["after"]["person_ids"] == [putri().pk]
    assert "Putri" not in str(body)


def test_a_duplicate_check_naming_several_people_is_found_by_each(bearer):
    first, second = register("Bagas Prasetyo"), register("Bagas Prasetya")
    user = User.objects.get(username="petugas.pekanbaru")
    entry = audit.record(
        "read",
        None,
        acting_user=user,
        object_type=PERSON,
        object_id=f"{first.pk},{second.pk}",
        message="duplicate check: 2 candidates",
    )
    admin = bearer("admin")
    for person in (first, second):
        assert entry.pk in [r["id"] for r in audit_of(person, admin, action="read")["items"]]


def test_the_filtered_audit_list_does_not_query_per_row(bearer):
    person = register("Bagas Prasetyo")
    worker, admin = bearer("petugas.pekanbaru"), bearer("admin")
    audit_of(person, admin)  # warm the token and caches

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            body = audit_of(person, admin)
        return len(ctx.captured_queries), body["count"]

    Client().get("/api/v1/persons/", {"limit": 500}, **worker)
    few, rows_few = queries()
    for _ in range(6):
        Client().get("/api/v1/persons/", {"limit": 500}, **worker)
    many, rows_many = queries()
    assert rows_many == rows_few + 6
    assert many == few


def test_subjects_are_written_in_one_statement_with_the_row(django_assert_num_queries):
    people = [register(f"Anak Uji {i}") for i in range(3)]
    user = User.objects.get(username="petugas.pekanbaru")
    user.organisation  # noqa: B018 (loaded before counting)
    # PostgreSQL: one INSERT … WITH for the entry and its subjects (atomic by itself);
    # elsewhere the entry, then all its subjects, in one transaction.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        entry = audit.record_bulk_read(PERSON, [p.pk for p in people], acting_user=user)
    assert sorted(entry.subjects.values_list("object_id", flat=True)) == sorted(
        str(p.pk) for p in people
    )


def test_subjects_are_append_only(bearer):
    user = User.objects.get(username="petugas.pekanbaru")
    entry = audit.record_bulk_read(PERSON, [putri().pk], acting_user=user)
    subject = entry.subjects.get()
    with pytest.raises(PermissionError):
        subject.save()
    with pytest.raises(PermissionError):
        subject.delete()
    for statement in (
        "UPDATE audit_auditsubject SET object_id = '1' WHERE id = %s",
        "DELETE FROM audit_auditsubject WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [subject.pk])
    assert AuditSubject.objects.get(pk=subject.pk).object_id == str(putri().pk)


def test_both_ways_of_writing_store_the_same_row():
    """The one-statement write (PostgreSQL) prepares its values with the model's own fields:
    the row read back equals one the ORM saves (JSON, address, time, subjects)."""
    user = User.objects.get(username="petugas.pekanbaru")
    token = request_context.activate(
        request_context.RequestContext(request_id="abc123", ip_address="10.1.2.3")
    )
    try:
        entry = audit.record(
            "read",
            None,
            acting_user=user,
            object_type=PERSON,
            object_id="5,6,5",
            after={"person_ids": [5, 6], "note": "ü"},
            message="uji",
        )
    finally:
        request_context.deactivate(token)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert entry._state.adding is False
    assert stored.timestamp == entry.timestamp
    assert (stored.actor_id, stored.actor_name, stored.request_id, stored.ip_address) == (
        user.pk,
        "petugas.pekanbaru",
        "abc123",
        "10.1.2.3",
    )
    assert stored.after == {"person_ids": [5, 6], "note": "ü"}
    assert stored.before is None
    assert sorted(stored.subjects.values_list("object_id", flat=True)) == ["5", "6"]
    assert set(stored.subjects.values_list("object_type", flat=True)) == {PERSON}
    # A row without subjects still lands (and says so).
    bare = audit.record("login", None, acting_user=user, object_type="accounts.user")
    assert AuditEntry.objects.filter(pk=bare.pk).exists()
    assert not AuditSubject.objects.filter(entry_id=bare.pk).exists()
