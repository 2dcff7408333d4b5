"""Issue #12, finding 1: the audit log applies the person's identity rule when shown.

A protected child registered by Dinsos Pekanbaru leaves audit rows with her name, NIK,
address, mother's name, case summary, note, consent giver and referral reason. The
network administrator — who sees a protected person only masked — must not read them
back from the audit API, the audit page or the Django admin; the handling case worker's
view of the same rows is complete, and the stored rows stay complete.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jejaring.accounts import actions as account_actions
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction, AuditEntry
from jejaring.audit.presenters import present_entries
from jejaring.cases import actions as case_actions
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions as registry_actions

NAME = "Melati Kusumawardani"
NIK = "1471015503130007"
ADDRESS = "Gang Kenanga Sembilan nomor 7"
NEW_ADDRESS = "Jalan Cempaka Putih nomor 12"
MOTHER = "Sri Rahayuningsih"
SUMMARY = "Dipukul ayah tiri di rumah"
NOTE = "Luka memar di lengan kiri"
CONSENT_SCOPE = "Boleh dibagikan ke LKSA Harapan Bunda"
REASON = "Perlu pendampingan psikososial segera"

SECRETS = [NAME, NIK, ADDRESS, NEW_ADDRESS, MOTHER, SUMMARY, NOTE, CONSENT_SCOPE, REASON]


@pytest.fixture
def protected_child(db):
    """Registered, edited, with a case, a note, a consent and a referral — all through
    the actions, by the handling organisation's case worker."""
    worker = User.objects.get(username="petugas.pekanbaru")
    dinsos = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    category = PmksCategory.objects.get(code="anak_korban_tindak_kekerasan")
    person = registry_actions.create_person(
        {
            "full_name": NAME,
            "sex": "F",
            "birth_date": datetime.date(2013, 3, 15),
            "region": Region.objects.get(code="14.71.01.1004"),
            "nik": NIK,
            "address": ADDRESS,
            "mother_name": MOTHER,
        },
        organisation=dinsos,
        acting_user=worker,
        categories=[category],
        confirmed_new=True,
    )
    assert person.is_sensitive
    person = registry_actions.update_person(
        person, {"address": NEW_ADDRESS}, expected_version=person.version, acting_user=worker
    )
    case = case_actions.open_case(
        person, category, organisation=dinsos, acting_user=worker, summary=SUMMARY
    )
    case_actions.add_note(case, NOTE, acting_user=worker)
    case_actions.record_consent(
        person,
        given_by_name=MOTHER,
        given_by="parent",
        scope=CONSENT_SCOPE,
        given_on=datetime.date.today(),
        acting_user=worker,
    )
    case_actions.send_referral(
        case,
        Organisation.objects.get(code="lksa-harapan-bunda"),
        reason=REASON,
        acting_user=worker,
    )
    return person


def rows_about(person):
    """The rows the actions above wrote (person, case, note, consent, referral)."""
    return AuditEntry.objects.filter(
        timestamp__gte=person.created_at - datetime.timedelta(seconds=1)
    ).exclude(object_type="accounts.apitoken")


def assert_no_secret(text: str):
    leaked = [s for s in SECRETS if s in text]
    assert leaked == [], f"shown to the network administrator: {leaked}"


def test_the_stored_rows_are_complete(protected_child):
    stored = json.dumps([[e.before, e.after] for e in rows_about(protected_child)])
    for secret in SECRETS:
        assert secret in stored


def test_audit_api_masks_a_protected_person_for_the_admin(protected_child, bearer):
    headers = bearer("admin")
    by_person = (
        Client()
        .get(
            "/api/v1/audit/",
            {"object_type": "registry.person", "object_id": str(protected_child.pk)},
            **headers,
        )
        .json()
    )
    assert by_person["count"] >= 2
    created = next(e for e in by_person["items"] if e["action"] == "create")
    assert created["identity_masked"] is True
    assert created["after"]["full_name"] == "M. K."
    assert created["after"]["nik"] == "147101••••••0007"
    assert created["after"]["birth_date"] == "2013"
    assert created["after"]["region_id"] == "14.71.01"
    assert created["after"]["mother_name"] == "[disembunyikan]"
    # Ids, states and times stay: the log still says what happened.
    assert created["object_id"] == str(protected_child.pk)
    assert created["after"]["id"] == protected_child.pk
    assert_no_secret(json.dumps(by_person, ensure_ascii=False))

    everything = Client().get("/api/v1/audit/", {"limit": 100}, **headers).json()
    types = {e["object_type"] for e in everything["items"] if e["identity_masked"]}
    assert {"registry.person", "cases.case", "cases.casenote", "cases.consent"} <= types
    assert "cases.referral" in types
    assert_no_secret(json.dumps(everything, ensure_ascii=False))


def test_audit_page_masks_a_protected_person_for_the_admin(protected_child, as_user):
    page = as_user("admin").get(reverse("audit:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "[disembunyikan]" in text and "147101••••••0007" in text
    assert "Identitas dilindungi" in text
    assert_no_secret(text)
    filtered = as_user("admin").get(
        reverse("audit:list"),
        {"object_type": "registry.person", "object_id": str(protected_child.pk)},
    )
    assert_no_secret(filtered.content.decode())


def test_django_admin_masks_a_protected_person(protected_child, as_user):
    admin = as_user("admin")
    listing = admin.get("/admin/audit/auditentry/")
    assert listing.status_code == 200
    assert_no_secret(listing.content.decode())
    for entry in rows_about(protected_child):
        page = admin.get(f"/admin/audit/auditentry/{entry.pk}/change/")
        assert page.status_code == 200
        assert_no_secret(page.content.decode())
    created = rows_about(protected_child).get(object_type="registry.person", action="create")
    page = admin.get(f"/admin/audit/auditentry/{created.pk}/change/").content.decode()
    assert "147101••••••0007" in page and "[disembunyikan]" in page


def test_a_representation_carrying_a_name_is_masked_and_not_searchable(
    protected_child, as_user, bearer
):
    # People's representations are "#id" today; a row whose representation names the
    # person must neither show it nor let the admin search confirm it.
    audit.record(
        AuditAction.READ,
        protected_child,
        acting_user=User.objects.get(username="petugas.pekanbaru"),
        object_repr=NAME,
    )
    body = (
        Client()
        .get("/api/v1/audit/", {"object_id": str(protected_child.pk)}, **bearer("admin"))
        .json()
    )
    assert body["items"][0]["object_repr"] == "[disembunyikan]"
    listing = as_user("admin").get("/admin/audit/auditentry/", {"q": NAME})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 0


def test_the_handling_case_worker_sees_the_rows_in_full(protected_child):
    worker = User.objects.get(username="petugas.pekanbaru")
    shown = json.dumps(
        [v.as_dict() for v in present_entries(rows_about(protected_child), worker)],
        ensure_ascii=False,
        default=str,
    )
    for secret in SECRETS:
        assert secret in shown
    assert '"identity_masked": true' not in shown


def test_a_network_admin_in_the_handling_office_reads_the_log_in_full(protected_child, bearer):
    # A network administrator who also works the case in the handling office: the
    # person's own rule (VIEW_IDENTITY) unmasks, and so the audit log does too.
    account_actions.create_user(
        username="admin.pekanbaru",
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        roles=[Role.NETWORK_ADMIN, Role.CASE_WORKER],
        password=None,
        acting_user=None,
    )
    body = Client().get("/api/v1/audit/", {"limit": 100}, **bearer("admin.pekanbaru")).json()
    shown = json.dumps(body, ensure_ascii=False)
    for secret in SECRETS:
        assert secret in shown


def test_an_unprotected_person_stays_readable_for_the_admin(bearer):
    category = PmksCategory.objects.get(code="anak_terlantar")
    assert not category.is_sensitive
    person = registry_actions.create_person(
        {"full_name": "Bambang Sutrisnohadi", "sex": "M", "address": "Jalan Melur 3"},
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        acting_user=None,
        categories=[category],
        confirmed_new=True,
    )
    body = (
        Client()
        .get(
            "/api/v1/audit/",
            {"object_type": "registry.person", "object_id": str(person.pk)},
            **bearer("admin"),
        )
        .json()
    )
    created = body["items"][0]
    assert created["identity_masked"] is False
    assert created["after"]["full_name"] == "Bambang Sutrisnohadi"
    assert created["after"]["address"] == "Jalan Melur 3"


def test_audit_api_queries_do_not_grow_with_rows(protected_child, bearer):
    headers = bearer("admin")
    Client().get("/api/v1/audit/", {"limit": 1}, **headers)  # warm the token and caches

    def queries(limit):
        with CaptureQueriesContext(connection) as ctx:
            body = Client().get("/api/v1/audit/", {"limit": limit}, **headers).json()
        return len(ctx.captured_queries), len(body["items"])

    few, shown_few = queries(2)
    many, shown_many = queries(200)
    assert shown_many > 100 > shown_few
    # People and cases are resolved per page (one query each), never per row.
    assert many == few


def test_a_bulk_read_keeps_the_ids_it_names(protected_child, bearer):
    # A list or an export names the people shown; on a masked row the ids stay, so
    # "who saw person 27" is still answerable by the administrator.
    audit.record_bulk_read(
        "registry.person",
        [protected_child.pk],
        acting_user=User.objects.get(username="petugas.pekanbaru"),
        message="list; filters: q",
    )
    body = (
        Client()
        .get(
            "/api/v1/audit/",
            {"object_type": "registry.person", "action": "read"},
            **bearer("admin"),
        )
        .json()
    )
    row = body["items"][0]
    assert row["identity_masked"] is True
    assert row["after"]["person_ids"] == [protected_child.pk]
    assert row["after"]["count"] == 1
    assert row["message"] == "list; filters: q"
