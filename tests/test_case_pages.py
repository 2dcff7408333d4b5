"""The case pages: open, assess, serve, refer and decide, as a person clicks through."""

from django.urls import reverse
from django.utils import timezone

from jejaring.cases.models import Case, Referral, Service
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.registry.models import Person


def demo_person():
    return Person.objects.get(full_name="Muhammad Rizki")


def test_person_page_shows_cases_and_timeline(as_user):
    person = demo_person()
    page = as_user("petugas.pekanbaru").get(reverse("registry:detail", args=[person.pk]))
    assert page.status_code == 200
    assert len(page.context["timeline"]) >= 1
    assert [c.organisation.code for c in page.context["cases"]] == ["dinsos-kota-pekanbaru"]


def test_open_case_assess_serve_and_refer_through_pages(as_user):
    client = as_user("petugas.pekanbaru")
    person = demo_person()
    category = PmksCategory.objects.get(code="anak_terlantar")
    response = client.post(
        reverse("cases:open", args=[person.pk]),
        {"category": category.pk, "state": "registered", "summary": "baru"},
    )
    case = Case.objects.filter(person=person, category=category).get()
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert client.get(response.url).status_code == 200

    needs = [
        s.pk
        for s in Case._meta.get_field("needs").related_model.objects.filter(
            code__in=["permakanan", "fasilitasi_nik"]
        )
    ]
    client.post(reverse("cases:needs", args=[case.pk]), {"needs": needs})
    case.refresh_from_db()
    assert case.state == "assessed"

    service_type = needs[0]
    client.post(
        reverse("cases:service", args=[case.pk]),
        {
            "service_type": service_type,
            "delivered_on": timezone.localdate().isoformat(),
            "quantity": 2,
            "met_standard": "on",
        },
    )
    assert Service.objects.filter(case=case, quantity=2).exists()
    case.refresh_from_db()
    assert case.state == "in_service"

    # The suggestion radio and the "other organisation" select share one field.
    dukcapil = Organisation.objects.get(code="dukcapil-pekanbaru")
    client.post(
        reverse("cases:refer", args=[case.pk]),
        {"to_organisation": str(dukcapil.pk), "to_organisation_other": "", "reason": "NIK"},
    )
    referral = Referral.objects.get(from_case=case)
    assert referral.to_organisation == dukcapil

    receiver = as_user("dukcapil.pekanbaru")
    board = receiver.get(reverse("cases:board"))
    assert referral in list(board.context["waiting"])
    accepted = receiver.post(reverse("cases:decide", args=[referral.pk, "accept"]))
    referral.refresh_from_db()
    assert referral.state == "accepted"
    assert accepted.url == reverse("cases:detail", args=[referral.receiver_case_id])


def test_only_the_receiver_decides(as_user):
    client = as_user("petugas.pekanbaru")
    case = Case.objects.get(person=demo_person())
    dukcapil = Organisation.objects.get(code="dukcapil-pekanbaru")
    client.post(
        reverse("cases:refer", args=[case.pk]),
        {"to_organisation_other": str(dukcapil.pk), "reason": "NIK"},
    )
    referral = Referral.objects.get(from_case=case)
    assert client.post(reverse("cases:decide", args=[referral.pk, "accept"])).status_code == 403
    outsider = as_user("petugas.bandung")
    assert outsider.get(reverse("cases:referral", args=[referral.pk])).status_code == 404
    assert outsider.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_closing_without_reason_is_refused_on_the_page(as_user):
    client = as_user("petugas.pekanbaru")
    case = Case.objects.get(person=demo_person())
    client.post(
        reverse("cases:transition", args=[case.pk]),
        {"state": "closed", "closing_reason": "", "version": case.version},
    )
    case.refresh_from_db()
    assert case.state == "registered"
