"""The audit log: who, when, what changed, from where; append-only; admin-only."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from jejaring.audit import log as audit
from jejaring.audit.models import AuditEntry
from jejaring.network.models import Organisation


def test_api_change_records_actor_address_request_and_diff(bearer):
    target = Organisation.objects.get(code="dinsos-kab-bandung")
    response = Client().patch(
        f"/api/v1/organisations/{target.pk}",
        data=f'{{"volunteers": 55, "version": {target.version}}}',
        content_type="application/json",
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_REQUEST_ID="req123abc",
        **bearer("admin"),
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(object_id=str(target.pk), action="update").latest("id")
    assert entry.actor_name == "admin"
    assert entry.actor_organisation == "Kementerian Sosial Republik Indonesia"
    assert entry.ip_address == "10.1.2.3"
    assert entry.request_id == "req123abc"
    assert entry.changes == {
        "volunteers": (40, 55),
        "version": (target.version, target.version + 1),
        "updated_at": entry.changes["updated_at"],
    }
    assert response["X-Request-ID"] == "req123abc"


def test_contact_removal_shows_on_the_parent(as_user):
    org = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    contact = org.contacts.get()
    as_user("admin").post(reverse("network:contact_remove", args=[org.pk, contact.pk]))
    entry = AuditEntry.objects.get(action="delete", object_id=str(contact.pk))
    assert (entry.parent_type, entry.parent_id) == ("network.organisation", str(org.pk))
    assert entry.before["name"] == "Dewi Lestari"


def test_rows_cannot_be_changed_through_the_model(db):
    entry = audit.record("read", None, acting_user=None, object_type="x.y", object_id="1")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditentry SET actor_name = 'someone else'", "DELETE FROM audit_auditentry"],
)
def test_rows_cannot_be_changed_even_with_raw_sql(db, sql):
    audit.record("read", None, acting_user=None, object_type="x.y", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_audit_page_is_for_network_admins_only(as_user):
    assert as_user("pimpinan.jabar").get(reverse("audit:list")).status_code == 403
    page = as_user("admin").get(
        reverse("audit:list"), {"action": "create", "object_type": "network.organisation"}
    )
    assert page.status_code == 200
    assert "Dinas Sosial Kota Pekanbaru" in page.content.decode()


def test_audit_api_is_scoped_to_admins(bearer):
    assert Client().get("/api/v1/audit/", **bearer("petugas.bandung")).json()["count"] == 0
    body = Client().get("/api/v1/audit/", {"action": "create"}, **bearer("admin")).json()
    assert body["count"] >= Organisation.objects.count()


def test_secrets_never_reach_the_log(db):
    from jejaring.accounts.models import User

    user = User.objects.get(username="mitra.lksa")
    assert "password" not in audit.snapshot(user)
