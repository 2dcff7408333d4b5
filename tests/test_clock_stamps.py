"""What an action records is stamped by the settable clock (jejaring/core/clock.py):
inside ``clock.set_to(moment)`` a case is opened, a referral sent, a service recorded, a
person or an organisation registered at ``moment`` — while the audit row keeps the real
time, because the log says when something was really done."""

import datetime

import pytest
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.audit.models import AuditAction, AuditEntry
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, CaseTransition, OverlapAlert, Referral, Service, ServiceType
from jejaring.cases.overlap import refresh_overlaps
from jejaring.core import clock
from jejaring.core.models import Notification
from jejaring.network import actions as network_actions
from jejaring.network.models import Organisation, OrganisationStatus, OrganisationType
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person
from tests.helpers import register_person

PAST = timezone.make_aware(datetime.datetime(2025, 3, 14, 10, 30))
LATER = PAST + datetime.timedelta(days=20)
SECOND = datetime.timedelta(seconds=1)


def near(stamp, moment) -> bool:
    return abs(stamp - moment) < SECOND


def audited_at(obj) -> datetime.datetime:
    return AuditEntry.objects.get(
        action=AuditAction.CREATE, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).timestamp


def open_case(person):
    user = User.objects.get(username="petugas.pekanbaru")
    return case_actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=user.organisation,
        acting_user=user,
    )


@pytest.fixture
def worker(db):
    return User.objects.get(username="petugas.pekanbaru")


def test_case_person_service_and_referral_are_stamped_at_the_set_moment(worker):
    panti = Organisation.objects.get(code="upt-psaa-riau")
    with clock.set_to(PAST):
        person = register_person()
        case = open_case(person)
        service = case_actions.record_service(
            case, ServiceType.objects.first(), PAST.date(), acting_user=worker
        )
        referral = case_actions.send_referral(
            case, panti, acting_user=worker, reason="perlu pengasuhan di panti"
        )
    person = Person.objects.get(pk=person.pk)
    assert near(person.created_at, PAST)
    assert near(person.updated_at, PAST)
    assert near(Case.objects.get(pk=case.pk).opened_at, PAST)
    assert near(Service.objects.get(pk=service.pk).recorded_at, PAST)
    assert near(Referral.objects.get(pk=referral.pk).sent_at, PAST)
    # What the actions wrote beside them follows the same clock…
    transitions = CaseTransition.objects.filter(case=case)
    assert transitions.count() == 2  # registered, then in service
    assert all(near(t.at, PAST) for t in transitions)
    told = Notification.objects.filter(dedupe_key=f"referral:{referral.pk}:sent")
    assert told.exists()
    assert all(near(n.created_at, PAST) for n in told)
    # …while the audit log keeps the real time.
    for obj in (person, case, service, referral):
        assert near(audited_at(obj), timezone.now())


def test_an_organisation_registered_and_changed_follows_the_clock(db):
    admin = User.objects.get(username="admin")
    with clock.set_to(PAST):
        org = network_actions.create_organisation(
            {
                "code": "yayasan-jam-uji",
                "name": "Yayasan Jam Uji",
                "sector": "civil_society",
                "level": "kabupaten_kota",
                "type": OrganisationType.objects.get(code="yayasan"),
                "home_region": Region.objects.get(code="14.71"),
            },
            acting_user=admin,
        )
    org = Organisation.objects.get(pk=org.pk)
    assert near(org.created_at, PAST)
    assert near(org.updated_at, PAST)
    assert near(audited_at(org), timezone.now())

    with clock.set_to(LATER):
        network_actions.verify_organisation(org, acting_user=admin)
    org = Organisation.objects.get(pk=org.pk)
    assert org.status == OrganisationStatus.ACTIVE
    assert near(org.created_at, PAST)
    assert near(org.updated_at, LATER)


def test_a_save_limited_to_other_fields_leaves_updated_at_as_auto_now_did(db):
    org = Organisation.objects.get(code="lks-cahaya-madani")
    with clock.set_to(PAST):
        org.save()
    with clock.set_to(LATER):
        org.website = "https://cahaya-madani.example"
        org.save(update_fields=["website"])
        assert near(Organisation.objects.get(pk=org.pk).updated_at, PAST)
        org.save(update_fields=["website", "updated_at"])
    assert near(Organisation.objects.get(pk=org.pk).updated_at, LATER)


def test_a_person_changed_later_keeps_the_registration_stamp(worker):
    with clock.set_to(PAST):
        person = register_person()
    with clock.set_to(LATER):
        registry_actions.update_person(
            person,
            {"full_name": "Ahmad Fauzan Putra"},
            expected_version=person.version,
            acting_user=worker,
        )
    person = Person.objects.get(pk=person.pk)
    assert person.full_name == "Ahmad Fauzan Putra"
    assert near(person.created_at, PAST)
    assert near(person.updated_at, LATER)


def test_an_overlap_is_detected_and_resolved_on_the_clock(worker):
    panti = User.objects.get(username="panti.riau")
    with clock.set_to(PAST):
        person = register_person()
        case = open_case(person)
        # The panti does not see the record yet (a protected child): the case is opened
        # for it without a user, as an import would.
        case_actions.open_case(
            person,
            PmksCategory.objects.get(code="anak_jalanan"),
            organisation=panti.organisation,
            acting_user=None,
        )
        refresh_overlaps()
    alert = OverlapAlert.objects.get(person=person)
    assert near(alert.detected_at, PAST)
    assert alert.resolved_at is None

    with clock.set_to(LATER):
        # A referral connects the two organisations: the overlap is resolved then.
        case_actions.send_referral(
            case, panti.organisation, acting_user=worker, reason="koordinasi penanganan"
        )
        refresh_overlaps()
    alert.refresh_from_db()
    assert near(alert.resolved_at, LATER)
