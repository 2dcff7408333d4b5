"""Issue #12, finding 9: a masked record shows nothing a protected category implies.

The remaining hints, each seen by someone who may reach the record but not its identity:
the kind of help given or asked for (case page, referral page, the service API), the
case's category on the board of the handling organisation's forum facilitator, an
"open a case" form the server refuses anyway, and the sex (and the matching reasons) in
the import review's side-by-side compare.
"""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.accounts import actions as account_actions
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, ServiceType
from jejaring.imports import actions as import_actions
from jejaring.imports.models import LinkReview
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person
from tests.helpers import register_person

pytestmark = pytest.mark.django_db

PROTECTED_CATEGORY = "Anak korban tindak kekerasan"
# Seen by dukcapil.pekanbaru (it governs her district) only masked.
MASKED_READER = "dukcapil.pekanbaru"


def worker() -> User:
    return User.objects.get(username="petugas.pekanbaru")


def putris_case() -> Case:
    """The demo's protected child's case, at Dinsos Pekanbaru."""
    return Case.objects.get(person__full_name="Putri Ayu Lestari")


def food_aid() -> ServiceType:
    return ServiceType.objects.get(code="permakanan")


def facilitator() -> User:
    """A forum facilitator at the handling organisation: a role without sensitive
    identities (accounts.roles.SENSITIVE_IDENTITY_ROLES)."""
    return account_actions.create_user(
        username="fasilitator.pekanbaru",
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        roles=[Role.FORUM_FACILITATOR],
        password=None,
        acting_user=None,
    )


def bearer_for(user: User) -> dict:
    token = account_actions.issue_token(user, acting_user=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_case_page_shows_a_count_not_the_kind_of_help(as_user):
    case = putris_case()
    case_actions.record_service(
        case, food_aid(), datetime.date.today(), acting_user=worker(), quantity=2
    )
    count = case.services.count()
    masked = as_user(MASKED_READER).get(reverse("cases:detail", args=[case.pk]))
    assert masked.context["view"].identity is False
    text = masked.content.decode()
    assert food_aid().name not in text
    assert f"{count} tercatat; jenis bantuannya dilindungi." in text
    # The handling case worker still sees the list.
    full = as_user("petugas.pekanbaru").get(reverse("cases:detail", args=[case.pk]))
    assert food_aid().name in full.content.decode()


def test_referral_page_shows_a_count_not_the_services_asked_for(as_user):
    referral = case_actions.send_referral(
        putris_case(),
        Organisation.objects.get(code="dp3a-pekanbaru"),
        acting_user=worker(),
        reason="Perlu pendampingan",
        services=[food_aid()],
    )
    url = reverse("cases:referral", args=[referral.pk])
    masked = as_user(MASKED_READER).get(url)
    assert masked.status_code == 200 and masked.context["view"].identity is False
    text = masked.content.decode()
    assert food_aid().name not in text
    assert "1 diminta; jenis bantuannya dilindungi." in text
    assert food_aid().name in as_user("petugas.pekanbaru").get(url).content.decode()


def test_service_api_names_no_kind_of_help_for_a_masked_person():
    case = putris_case()
    payload = json.dumps(
        {"service_type": food_aid().code, "delivered_on": datetime.date.today().isoformat()}
    )

    def post(user):
        return Client().post(
            f"/api/v1/cases/{case.pk}/services",
            data=payload,
            content_type="application/json",
            **bearer_for(user),
        )

    # The facilitator's organisation handles the case, so it may record the service…
    masked = post(facilitator())
    assert masked.status_code == 201
    # …but its answer does not name the help given to a person it sees masked.
    assert masked.json()["service_type"] is None
    assert post(worker()).json()["service_type"] == food_aid().code


def test_board_hides_the_category_from_a_facilitator_of_the_handling_office(as_user):
    case = putris_case()
    page = as_user(facilitator().username).get(reverse("cases:board"))
    assert case in page.context["cases"]
    text = page.content.decode()
    assert "P. A. L." in text  # the name, masked: the row is there
    assert PROTECTED_CATEGORY not in text
    full = as_user("petugas.pekanbaru").get(reverse("cases:board"))
    assert PROTECTED_CATEGORY in full.content.decode()


def test_masked_record_offers_no_open_case_form(as_user):
    person = putris_case().person
    open_url = reverse("cases:open", args=[person.pk])
    fold_url = reverse("registry:fold", args=[person.pk, "open-case"])
    masked = as_user(MASKED_READER).get(reverse("registry:detail", args=[person.pk]))
    assert masked.context["view"].identity is False
    assert open_url not in masked.content.decode() and fold_url not in masked.content.decode()
    # Nor does its fold, asked for directly (403, as below).
    assert as_user(MASKED_READER).get(fold_url, HTTP_HX_REQUEST="true").status_code == 403
    # The server refuses it anyway (403: the record is seen, its identity is not).
    category = PmksCategory.objects.get(code="anak_korban_tindak_kekerasan")
    refused = as_user(MASKED_READER).post(
        open_url, {"category": category.pk, "state": "registered"}
    )
    assert refused.status_code == 403
    worker = as_user("petugas.pekanbaru")
    assert fold_url in worker.get(reverse("registry:detail", args=[person.pk])).content.decode()
    assert open_url in worker.get(fold_url, HTTP_HX_REQUEST="true").content.decode()


def register(full_name: str, sex: str) -> Person:
    return register_person(
        full_name=full_name,
        sex=sex,
        birth_date=datetime.date(2011, 9, 23),
        mother_name="Siti Khadijah Rangkuti",
    )


def test_import_review_compare_masks_the_sex_of_a_protected_record(as_user):
    # Two look-alike records the administrator may see in full, queued as a possible
    # duplicate; then the newer one is found to be a child victim of violence.
    older, newer = register("Fajar Nugraha Siregar", "M"), register("Fajar Nugraha Siregar", "M")
    admin = User.objects.get(username="admin")
    import_actions.find_duplicates(admin.organisation, acting_user=admin)
    review = LinkReview.objects.get(record=newer, candidate=older)
    registry_actions.set_category(
        newer,
        PmksCategory.objects.get(code="anak_korban_tindak_kekerasan"),
        acting_user=worker(),
    )
    assert Person.objects.get(pk=newer.pk).is_sensitive
    page = as_user("admin").get(reverse("imports:review", args=[review.pk]))
    assert page.context["record"].identity is False
    assert page.context["candidate"].identity is True
    rows = {str(label): (left, right) for label, left, right in page.context["rows"]}
    assert rows["Jenis kelamin"] == ("dilindungi", "Laki-laki")
    # The matching reasons ("same village", "same mother") would tell the masked
    # record's facts through the visible one.
    text = page.content.decode()
    assert "Siti Khadijah" not in text
    for label in review.reason_labels:
        assert f'<span class="tag">{label}</span>' not in text
