"""The cases app on the shared skeleton (issue 13): its FilterSets serve the pages and
the API alike, ids named in a body are looked up with one wording, files are served
through core.files.serve_file, and the receiver rule lives in the actions."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jejaring.accounts import actions as account_actions
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.cases import actions
from jejaring.cases.models import Case, CaseAttachment, OverlapAlert, Referral, ServiceType
from jejaring.cases.overlap import refresh_overlaps
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.registry.models import Person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
WORKER = "petugas.pekanbaru"


def user(username) -> User:
    return User.objects.get(username=username)


def rizki_case() -> Case:
    return Case.objects.get(person__full_name="Muhammad Rizki")


def api_get(headers, url, **params):
    return Client().get(url, params, **headers)


def api_put(headers, url, body):
    return Client().put(url, json.dumps(body), content_type="application/json", **headers)


def api_post(headers, url, body):
    return Client().post(url, json.dumps(body), content_type="application/json", **headers)


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["detail"]}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- The case worker named in a body: one wording, one field name -------------------


def test_an_unknown_a_disabled_and_another_organisations_user_get_the_same_answer(bearer):
    case = rizki_case()
    url = f"/api/v1/cases/{case.pk}/worker"
    headers = bearer(WORKER)
    elsewhere = user("petugas.bandung")
    disabled = account_actions.create_user(
        username="mantan.pekanbaru",
        organisation=case.organisation,
        roles=[Role.CASE_WORKER],
        password=None,
        acting_user=None,
    )
    account_actions.set_active(disabled, False, acting_user=None)
    missing = User.objects.order_by("-pk").first().pk + 1000
    answers = [
        api_put(headers, url, {"assigned_worker": pk})
        for pk in (missing, elsewhere.pk, disabled.pk)
    ]
    assert {a.status_code for a in answers} == {422}
    assert answers[0].content == answers[1].content == answers[2].content
    assert answers[0].json()["detail"][0]["field"] == "assigned_worker"
    assert answers[0].json()["detail"][0]["msg"] == "Pengguna tidak dikenal."
    case.refresh_from_db()
    assert case.assigned_worker_id is None


def test_the_worker_is_sent_as_assigned_worker_and_the_old_name_still_works(bearer):
    case = rizki_case()
    url = f"/api/v1/cases/{case.pk}/worker"
    headers = bearer(WORKER)
    me = user(WORKER)
    assigned = api_put(headers, url, {"assigned_worker": me.pk})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assigned_worker"] == me.pk
    # assigned_worker wins over the deprecated name; null unassigns.
    cleared = api_put(headers, url, {"assigned_worker": None, "worker": me.pk})
    assert cleared.json()["assigned_worker"] is None
    # The deprecated name is still accepted.
    again = api_put(headers, url, {"worker": me.pk})
    assert again.json()["assigned_worker"] == me.pk
    schema = Client().get("/api/v1/openapi.json", **headers).json()
    assign = schema["components"]["schemas"]["AssignIn"]["properties"]
    assert assign["worker"].get("deprecated") is True
    assert "assigned_worker" in assign


def test_a_network_administrator_assigns_a_worker_of_the_cases_organisation(bearer):
    case = rizki_case()
    worker = user(WORKER)
    response = api_put(
        bearer("admin"), f"/api/v1/cases/{case.pk}/worker", {"assigned_worker": worker.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["assigned_worker"] == worker.pk
    # …and one of its own organisation is no worker for this case.
    refused = api_put(
        bearer("admin"), f"/api/v1/cases/{case.pk}/worker", {"assigned_worker": user("admin").pk}
    )
    assert refused.status_code == 422 and fields(refused) == {"assigned_worker"}


def test_the_page_refuses_a_worker_from_elsewhere_instead_of_unassigning(as_user):
    case = rizki_case()
    assign_to(case, WORKER)
    client = as_user(WORKER)
    response = client.post(
        reverse("cases:assign", args=[case.pk]), {"worker": user("petugas.bandung").pk}, follow=True
    )
    assert "Pengguna tidak dikenal." in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_worker_id == user(WORKER).pk
    client.post(reverse("cases:assign", args=[case.pk]), {"worker": ""})
    case.refresh_from_db()
    assert case.assigned_worker_id is None


def test_an_unknown_service_type_is_refused_on_the_field_it_was_sent_in(bearer):
    response = api_post(
        bearer(WORKER),
        f"/api/v1/cases/{rizki_case().pk}/services",
        {"service_type": "bukan_layanan", "delivered_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 422
    assert fields(response) == {"service_type"}


# --- Files: a record whose file the storage lost answers 404, not 500 ---------------


@pytest.fixture
def lost_attachment(settings, tmp_path, as_user):
    settings.MEDIA_ROOT = tmp_path
    case = rizki_case()
    as_user(WORKER).post(
        reverse("cases:attach", args=[case.pk]), {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    attachment = CaseAttachment.objects.get(case=case)
    (tmp_path / attachment.file.name).unlink()
    return attachment


def test_a_lost_attachment_answers_404_on_the_page(as_user, lost_attachment):
    page = as_user(WORKER).get(reverse("cases:attachment", args=[lost_attachment.pk]))
    assert page.status_code == 404


def test_a_lost_attachment_answers_404_in_the_api(bearer, lost_attachment):
    response = api_get(bearer(WORKER), f"/api/v1/attachments/{lost_attachment.pk}")
    assert response.status_code == 404


def test_attachments_are_listed_only_with_the_persons_identity(bearer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = rizki_case()
    actions.attach_file(case, SimpleUploadedFile("a.pdf", PDF), acting_user=user(WORKER))
    url = f"/api/v1/cases/{case.pk}/attachments"
    assert len(api_get(bearer(WORKER), url).json()) == 1
    assert (
        set(CaseAttachment.objects.restrict(user("petugas.bandung")).values_list("pk", flat=True))
        == set()
    )


# --- The receiver rule lives in the actions ----------------------------------------


def test_only_the_receiver_decides_even_when_an_action_is_called_directly():
    case = rizki_case()
    sender = user(WORKER)
    referral = actions.send_referral(
        case,
        Organisation.objects.get(code="dukcapil-pekanbaru"),
        acting_user=sender,
        reason="NIK",
    )
    for decide in (
        lambda: actions.accept_referral(referral, acting_user=sender),
        lambda: actions.decline_referral(referral, "tidak", acting_user=sender),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    referral.refresh_from_db()
    assert referral.state == "sent"
    actions.accept_referral(referral, acting_user=user("dukcapil.pekanbaru"))
    with pytest.raises(PermissionDenied):
        actions.complete_referral(referral, acting_user=sender)


# --- CaseFilter: the board's list of our open cases, and /api/v1/cases/ -------------


def assign_to(case, username):
    actions.assign_worker(case, user(username), acting_user=user(username))


def test_the_board_filters_our_open_cases_by_state_and_mine(as_user):
    client = as_user(WORKER)
    case = rizki_case()
    assign_to(case, WORKER)
    everything = client.get(reverse("cases:board")).context["cases"]
    assert case in everything
    mine = client.get(reverse("cases:board"), {"mine": "on"}).context["cases"]
    assert [c.pk for c in mine] == [case.pk]
    other_state = "assessed" if case.state != "assessed" else "registered"
    assert case not in client.get(reverse("cases:board"), {"state": other_state}).context["cases"]
    assert case in client.get(reverse("cases:board"), {"state": case.state}).context["cases"]
    # The board lists open cases: "closed" is no choice there.
    page = client.get(reverse("cases:board"))
    assert "closed" not in dict(page.context["filterset"].form.fields["state"].choices)


def test_a_bad_state_on_the_board_is_an_error_on_the_form(as_user):
    page = as_user(WORKER).get(reverse("cases:board"), {"state": "bogus"})
    assert page.status_code == 200
    assert "state" in page.context["filterset"].errors
    assert rizki_case() in page.context["cases"]


def test_the_case_list_api_filters_by_state_and_refuses_a_bad_one(bearer):
    headers = bearer(WORKER)
    case = rizki_case()
    assert case.pk in ids(api_get(headers, "/api/v1/cases/", state=case.state, limit=500))
    assert case.pk not in ids(api_get(headers, "/api/v1/cases/", state="closed", limit=500))
    bad = api_get(headers, "/api/v1/cases/", state="bogus")
    assert bad.status_code == 422
    assert fields(bad) == {"state"}


# --- ReferralFilter: the board's boxes, and /api/v1/referrals/ ----------------------


@pytest.fixture
def nik_referral():
    return actions.send_referral(
        rizki_case(),
        Organisation.objects.get(code="dukcapil-pekanbaru"),
        acting_user=user(WORKER),
        reason="NIK",
    )


def test_the_board_boxes_are_the_referral_filter(as_user, nik_referral):
    sender_board = as_user(WORKER).get(reverse("cases:board")).context
    assert nik_referral in list(sender_board["sent"])
    assert nik_referral not in list(sender_board["waiting"])
    receiver_board = as_user("dukcapil.pekanbaru").get(reverse("cases:board")).context
    assert nik_referral in list(receiver_board["waiting"])
    actions.decline_referral(nik_referral, "belum lengkap", acting_user=user("dukcapil.pekanbaru"))
    assert nik_referral not in list(as_user(WORKER).get(reverse("cases:board")).context["sent"])


def test_the_referral_list_api_filters_by_box_and_refuses_an_unknown_box(bearer, nik_referral):
    headers = bearer(WORKER)
    assert nik_referral.pk in ids(api_get(headers, "/api/v1/referrals/", box="outgoing"))
    assert nik_referral.pk not in ids(api_get(headers, "/api/v1/referrals/", box="incoming"))
    assert nik_referral.pk in ids(api_get(headers, "/api/v1/referrals/", open="true"))
    # Before the FilterSet an unknown box listed everything, as if it were "all".
    bad = api_get(headers, "/api/v1/referrals/", box="sideways")
    assert bad.status_code == 422
    assert fields(bad) == {"box"}


# --- ServiceFilter: /api/v1/services/ ----------------------------------------------


def test_the_service_list_filters_by_case_and_refuses_a_bad_date(bearer):
    case = rizki_case()
    service = actions.record_service(
        case,
        ServiceType.objects.get(code="permakanan"),
        timezone.localdate(),
        acting_user=user(WORKER),
    )
    headers = bearer(WORKER)
    assert ids(api_get(headers, "/api/v1/services/", case=case.pk)) == [
        s.pk for s in case.services.all()
    ]
    assert service.pk in ids(api_get(headers, "/api/v1/services/", service_type="permakanan"))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert service.pk not in ids(api_get(headers, "/api/v1/services/", delivered_from=tomorrow))
    assert ids(api_get(bearer("petugas.bandung"), "/api/v1/services/", case=case.pk)) == []
    bad = api_get(headers, "/api/v1/services/", delivered_from="kemarin")
    assert bad.status_code == 422
    assert fields(bad) == {"delivered_from"}


def test_filtering_services_by_type_does_not_confirm_what_a_masked_record_hides(bearer):
    # The demo's protected child, seen masked by the office governing her district.
    case = Case.objects.get(person__full_name="Putri Ayu Lestari")
    actions.record_service(
        case,
        ServiceType.objects.get(code="permakanan"),
        timezone.localdate(),
        acting_user=user(WORKER),
    )
    masked = bearer("dukcapil.pekanbaru")
    listed = api_get(masked, "/api/v1/services/", person=case.person_id).json()["items"]
    assert listed and {s["service_type"] for s in listed} == {None}
    by_type = api_get(masked, "/api/v1/services/", person=case.person_id, service_type="permakanan")
    assert ids(by_type) == []
    handler = api_get(
        bearer(WORKER), "/api/v1/services/", person=case.person_id, service_type="permakanan"
    )
    assert ids(handler)


# --- OverlapFilter: the overlaps page and /api/v1/overlaps/ -------------------------


@pytest.fixture
def overlap():
    actions.open_case(
        Person.objects.get(full_name="Muhammad Rizki"),
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=Organisation.objects.get(code="satpol-pp-pekanbaru"),
        acting_user=None,
    )
    refresh_overlaps()
    return OverlapAlert.objects.get(resolved_at__isnull=True)


def test_the_overlaps_page_filters_by_organisation_involved(as_user, overlap):
    client = as_user(WORKER)
    satpol = Organisation.objects.get(code="satpol-pp-pekanbaru")
    uninvolved = Organisation.objects.exclude(pk__in=overlap.organisations.all()).first()

    def alerts(organisation):
        page = client.get(reverse("cases:overlaps"), {"organisation": organisation})
        return list(page.context["alerts"])

    assert alerts(satpol.pk) == [overlap]
    assert alerts(uninvolved.pk) == []
    bad = client.get(reverse("cases:overlaps"), {"organisation": "x"})
    assert bad.status_code == 200 and "organisation" in bad.context["filterset"].errors


def test_the_overlap_list_api_filters_by_organisation_and_refuses_a_bad_one(bearer, overlap):
    headers = bearer(WORKER)
    satpol = Organisation.objects.get(code="satpol-pp-pekanbaru")
    assert ids(api_get(headers, "/api/v1/overlaps/", organisation=satpol.pk)) == [overlap.pk]
    assert ids(api_get(headers, "/api/v1/overlaps/", person=overlap.person_id + 10_000)) == []
    missing = Organisation.objects.order_by("-pk").first().pk + 1000
    bad = api_get(headers, "/api/v1/overlaps/", organisation=missing)
    assert bad.status_code == 422
    assert fields(bad) == {"organisation"}


# --- LeadingSectorFilter: /api/v1/leading-sectors/ ----------------------------------


def test_the_leading_sector_list_refuses_an_unknown_region_or_category(bearer):
    headers = bearer(WORKER)
    rows = api_get(headers, "/api/v1/leading-sectors/", region="1471", category="anak_jalanan")
    assert rows.status_code == 200 and rows.json()["count"] >= 1
    bad = api_get(headers, "/api/v1/leading-sectors/", region="99.99", category="bukan")
    assert bad.status_code == 422
    assert fields(bad) == {"region", "category"}


def test_a_referral_to_an_unknown_organisation_and_service_names_both_fields(bearer):
    response = api_post(
        bearer(WORKER),
        "/api/v1/referrals/",
        {
            "case": rizki_case().pk,
            "to_organisation": Organisation.objects.order_by("-pk").first().pk + 1000,
            "reason": "rujukan",
            "services": ["bukan_layanan"],
        },
    )
    assert response.status_code == 422
    assert fields(response) == {"to_organisation", "services"}
    assert not Referral.objects.filter(from_case=rizki_case()).exists()


def test_the_service_list_costs_the_same_queries_for_a_longer_page(bearer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.helpers import register_person

    # Six people, so that a check per person would show as six more queries.
    worker = user(WORKER)
    for n, name in enumerate(["Adi", "Budi", "Citra", "Dewi", "Eko", "Fajar"]):
        person = register_person(
            full_name=f"{name} Saputra", birth_date=datetime.date(2012, 1, n + 1)
        )
        case = actions.open_case(
            person,
            PmksCategory.objects.get(code="anak_jalanan"),
            organisation=worker.organisation,
            acting_user=worker,
            state="registered",
        )
        actions.record_service(
            case,
            ServiceType.objects.get(code="permakanan"),
            timezone.localdate(),
            acting_user=worker,
        )
    headers = bearer(WORKER)
    api_get(headers, "/api/v1/services/", limit=1)  # the token's first use is not the list's

    def queries(limit):
        with CaptureQueriesContext(connection) as captured:
            assert len(ids(api_get(headers, "/api/v1/services/", limit=limit))) == limit
        return len(captured)

    assert queries(2) == queries(6)
