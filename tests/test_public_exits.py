"""Exit (issue 15): a person served, or their family, asks for another provider — with
the service code their office gave them, or through a worker — and the request becomes a
referral from their case to the provider chosen, decided like any referral; to a partner
it waits for the consent to share. How often people ask to leave each provider is on the
collaboration health check."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, ReferralState
from jejaring.collaboration.health import exits_by_provider
from jejaring.core import clock
from jejaring.core.models import Notification
from jejaring.network.models import Organisation
from jejaring.public.actions import exits as actions
from jejaring.public.models import ExitRequest, ExitVia

pytestmark = pytest.mark.django_db

WORKER = "petugas.pekanbaru"
PANTI = "UPT Pelayanan Sosial Asuhan Anak Provinsi Riau"  # a government provider
LKSA = "LKSA Harapan Bunda Pekanbaru"  # a partner: needs the consent to share


def user(username) -> User:
    return User.objects.get(username=username)


def rizki_case() -> Case:
    return Case.objects.get(
        person__full_name="Muhammad Rizki", organisation__code="dinsos-kota-pekanbaru"
    )


def code() -> str:
    return actions.issue_service_code(rizki_case(), acting_user=user(WORKER)).code


def ask(service_code: str, organisation: str, reason: str = "Lebih dekat dengan rumah."):
    return Client().post(
        reverse("pindah:request"),
        {"kode": service_code, "organisation": organisation, "reason": reason},
    )


def test_a_request_with_the_code_becomes_a_referral_and_is_decided():
    service_code = code()
    assert ask(service_code, PANTI).status_code == 302
    request = ExitRequest.objects.get(case=rizki_case())
    assert request.via == ExitVia.PUBLIC
    referral = request.referral
    assert referral.to_organisation.name == PANTI
    assert referral.state == ReferralState.SENT
    assert "Lebih dekat dengan rumah." in referral.reason  # the person's own words
    # The provider chosen decides it like any referral.
    case_actions.accept_referral(referral, acting_user=user("panti.riau"))
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED
    page = Client().get(reverse("pindah:request"), {"kode": service_code}).content.decode()
    assert PANTI in page
    assert "Muhammad Rizki" not in page  # the code holder reads states, not the person


def test_the_code_is_the_cases_and_given_once(as_user):
    first = code()
    assert code() == first
    response = as_user(WORKER).post(reverse("exits:issue_code", args=[rizki_case().pk]))
    assert response.status_code == 302
    assert (
        as_user("petugas.bandung")
        .post(reverse("exits:issue_code", args=[rizki_case().pk]))
        .status_code
        == 404
    )


def test_to_a_partner_it_waits_for_consent_then_goes(as_user):
    service_code = code()
    ask(service_code, LKSA)
    request = ExitRequest.objects.get(case=rizki_case())
    assert request.referral is None
    told = Notification.objects.filter(kind=Notification.Kind.EXIT_WAITING)
    assert told.filter(user__username=WORKER).exists()
    case_actions.record_consent(
        rizki_case().person,
        given_by_name="Ibu Rizki",
        given_by="parent",
        scope="Rujukan ke LKSA pilihan keluarga",
        given_on=clock.localdate(),
        acting_user=user(WORKER),
    )
    page = reverse("exits:case", args=[rizki_case().pk])
    assert LKSA in as_user(WORKER).get(page).content.decode()
    as_user(WORKER).post(reverse("exits:send", args=[rizki_case().pk, request.pk]))
    request.refresh_from_db()
    assert request.referral.to_organisation.name == LKSA
    case_actions.decline_referral(request.referral, "Penuh.", acting_user=user("mitra.lksa"))
    request.referral.refresh_from_db()
    assert request.referral.state == ReferralState.DECLINED


def test_through_a_worker(as_user):
    response = as_user(WORKER).post(
        reverse("exits:worker_request", args=[rizki_case().pk]),
        {"organisation": PANTI, "reason": "Keluarga pindah ke dekat panti."},
    )
    assert response.status_code == 302
    request = ExitRequest.objects.get(case=rizki_case())
    assert request.via == ExitVia.WORKER and request.referral is not None
    assert request.requested_by.username == WORKER


def test_refusals_are_said_and_lose_nothing():
    service_code = code()
    for typed, organisation in (
        ("LY-22222-22222", PANTI),  # no such code
        (service_code, "Dinas Sosial Kota Pekanbaru"),  # the provider serving now
        (service_code, "Kantor Yang Tidak Ada"),
        (service_code, "LKS Cahaya Madani"),  # awaiting verification
    ):
        response = ask(typed, organisation)
        assert response.status_code == 200, organisation
        assert 'role="alert"' in response.content.decode(), organisation
    assert not ExitRequest.objects.exists()
    with pytest.raises(ValidationError):
        actions.request_exit(
            rizki_case(),
            Organisation.objects.get(code="dinsos-kota-pekanbaru"),
            via=ExitVia.PUBLIC,
        )


def test_the_api_without_an_account(bearer):
    service_code = code()
    panti = Organisation.objects.get(name=PANTI)
    sent = Client().post(
        "/api/v1/public/exit-requests",
        json.dumps({"code": service_code, "organisation": panti.pk}),
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()[0]["organisation"] == PANTI
    assert Client().get(f"/api/v1/public/exit-requests/{service_code}").status_code == 200
    assert Client().get("/api/v1/public/exit-requests/LY-22222-22222").status_code == 404
    bad = Client().post(
        "/api/v1/public/exit-requests",
        json.dumps({"code": service_code, "organisation": 999999}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    listed = Client().get("/api/v1/exit-requests/", **bearer(WORKER)).json()
    assert listed["count"] >= 1


def test_the_health_check_counts_requests_to_leave_each_provider():
    ask(code(), PANTI)
    dinsos = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    since = clock.localdate() - datetime.timedelta(days=365)
    rows = exits_by_provider({dinsos.pk}, since)
    assert rows[0]["organisation"] == "Dinas Sosial Kota Pekanbaru"
    assert rows[0]["requests"] == 1
    assert rows[0]["cases_opened"] >= 1


def test_the_audit_log_keeps_only_the_tail_of_a_bearer_code():
    """Whoever reads the log (an admin, an auditor) must not be able to use a service or
    survey code; the tail is left for matching a code read out on the phone."""
    from jejaring.audit.models import AuditEntry
    from jejaring.public.actions import survey as survey_actions
    from jejaring.public.models import ServiceCode, SurveyInvitation

    code()
    survey_actions.issue_invitation(acting_user=user(WORKER))
    rows = AuditEntry.objects.filter(
        object_type__in=["public.servicecode", "public.surveyinvitation"]
    )
    logged = json.dumps([[row.before, row.after, row.message] for row in rows], ensure_ascii=False)
    secrets = [
        *ServiceCode.objects.values_list("code", flat=True),
        *SurveyInvitation.objects.values_list("code", flat=True),
    ]
    assert len(secrets) >= 2 and rows.count() >= len(secrets)  # the demo's and these
    for secret in secrets:
        assert secret not in logged
        assert secret.replace("-", "") not in logged.replace("-", "")
        assert f'•{secret[-3:]}"' in logged
