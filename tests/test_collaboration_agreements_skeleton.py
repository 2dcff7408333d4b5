"""Agreements and resource sharing on the shared skeleton (issue 13): one FilterSet per
listed model for the page and the API, children and links fetched through the scope,
files served by core.files (a lost file is a 404), rules in the actions, and document
versions numbered inside the upload's transaction."""

import contextlib
import datetime
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.cases.models import Case, CaseState
from jejaring.collaboration import actions
from jejaring.collaboration.models import (
    Agreement,
    AgreementDocument,
    AgreementState,
    BoardPost,
    DistributionState,
    PostState,
)
from jejaring.core import clock
from jejaring.core.scoping import ScopePolicy
from jejaring.network.models import Organisation
from jejaring.regions.models import Region
from tests.test_security_races import at_once, committed_network  # noqa: F401

API = "/api/v1/collaboration"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
OWNER = "petugas.pekanbaru"  # Dinas Sosial Kota Pekanbaru, a party below

pytestmark = pytest.mark.django_db


def org(code):
    return Organisation.objects.get(code=code)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def user(username: str = OWNER) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class Hiding(ScopePolicy):
    """A model's own policy, with some rows taken out of everyone's sight: how a test
    makes a child the user may not see, whatever the real rules are today."""

    def __init__(self, policy, hidden):
        self.policy, self.hidden = policy, set(hidden)

    def filter(self, scope, action):
        return self.policy.filter(scope, action) & ~Q(pk__in=self.hidden)


def draft(title="PKS Uji Kerangka", *, ends_in_days=365):
    dinsos, lksa = org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")
    today = clock.localdate()
    return actions.draft_agreement(
        kind="pks",
        title=unique(title),
        drafted_by=dinsos,
        parties=[(dinsos, ""), (lksa, "")],
        clauses=[("Tujuan", "Pengasuhan sementara.")],
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=ends_in_days),
        acting_user=user(),
    )


def activate(agreement):
    actions.move_agreement(agreement, AgreementState.AWAITING_SIGNATURES, acting_user=None)
    for party in (org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")):
        actions.sign_agreement(
            agreement, party, signatory_name="X", signatory_position="Y", acting_user=None
        )
    agreement.refresh_from_db()
    return agreement


def upload(agreement, name="draf.pdf"):
    return actions.upload_agreement_document(
        agreement, SimpleUploadedFile(name, PDF), acting_user=user()
    )


def board_post(kind, code, category, title, *, acting_user=None):
    return actions.post_to_board(
        kind=kind,
        organisation=org(code),
        category=category,
        title=unique(title),
        region=Region.objects.get(code="14.71"),
        acting_user=acting_user,
    )


def open_case():
    return (
        Case.objects.filter(organisation__code="dinsos-kota-pekanbaru")
        .exclude(state__in=[CaseState.CLOSED, CaseState.REPORTED])
        .order_by("pk")
        .first()
    )


def api_get(bearer, path, username=OWNER, **params):
    return Client().get(f"{API}{path}", params, **bearer(username))


def field_errors(response) -> dict:
    assert response.status_code == 422, response.content
    errors: dict = {}
    for error in response.json()["detail"]:
        errors.setdefault(error["field"], []).append(error["msg"])
    return errors


# --- Children and links through the scope ------------------------------------------------


def test_a_document_out_of_sight_is_absent_from_the_api_and_the_page(
    as_user, bearer, media, monkeypatch
):
    agreement = draft()
    first, second = upload(agreement, "v1.pdf"), upload(agreement, "v2.pdf")
    monkeypatch.setattr(
        AgreementDocument, "scope_policy", Hiding(AgreementDocument.scope_policy, [first.pk])
    )
    detail = api_get(bearer, f"/agreements/{agreement.pk}").json()
    assert [d["id"] for d in detail["documents"]] == [second.pk]
    listed = api_get(bearer, f"/agreements/{agreement.pk}/documents").json()
    assert [d["id"] for d in listed] == [second.pk]
    page = as_user(OWNER).get(reverse("collaboration:agreement", args=[agreement.pk]))
    assert [d.pk for d in page.context["documents"]] == [second.pk]


def test_a_renewal_out_of_sight_is_not_named_by_the_api_nor_the_page(as_user, bearer, monkeypatch):
    agreement = activate(draft("MoU Diperpanjang"))
    today = clock.localdate()
    renewal = actions.renew_agreement(
        agreement,
        starts_on=today + datetime.timedelta(days=400),
        ends_on=today + datetime.timedelta(days=800),
        acting_user=user(),
    )
    path, page = (
        f"/agreements/{agreement.pk}",
        reverse("collaboration:agreement", args=[agreement.pk]),
    )
    assert api_get(bearer, path).json()["renewed_by"] == renewal.pk
    assert as_user(OWNER).get(page).context["renewal"] == renewal

    monkeypatch.setattr(Agreement, "scope_policy", Hiding(Agreement.scope_policy, [renewal.pk]))
    assert api_get(bearer, path).json()["renewed_by"] is None
    assert as_user(OWNER).get(page).context["renewal"] is None


def test_a_document_whose_file_is_lost_answers_404_on_the_page_and_the_api(as_user, bearer, media):
    document = upload(draft())
    document.file.storage.delete(document.file.name)
    page = as_user(OWNER).get(reverse("collaboration:document", args=[document.pk]))
    assert page.status_code == 404
    assert api_get(bearer, f"/agreement-documents/{document.pk}").status_code == 404


# --- Document versions: numbered inside the upload's one transaction ---------------------


def test_versions_follow_each_other_and_each_upload_is_audited(media):
    from jejaring.audit.models import AuditEntry

    agreement = draft()
    versions = [upload(agreement, f"v{n}.pdf").version for n in (1, 2, 3)]
    assert versions == [1, 2, 3]
    created = AuditEntry.objects.filter(
        object_type__endswith="agreementdocument", parent_id=str(agreement.pk)
    )
    assert created.count() == 3


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_become_two_versions(
    committed_network,  # noqa: F811 - the fixture imported above
    settings,
    tmp_path,
    monkeypatch,
):
    settings.MEDIA_ROOT = tmp_path
    agreement = draft("PKS Unggah Bersamaan")
    # Both uploads have written their file before either numbers its version: the moment
    # at which numbering outside the transaction gave both the same number.
    storage = AgreementDocument._meta.get_field("file").storage
    both_written = threading.Barrier(2, timeout=5)
    save = storage.save

    def written_then_wait(*args, **kwargs):
        name = save(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_written.wait()
        return name

    monkeypatch.setattr(storage, "save", written_then_wait)
    documents = at_once([lambda: upload(agreement, "a.pdf"), lambda: upload(agreement, "b.pdf")])
    assert sorted(d.version for d in documents) == [1, 2]
    assert sorted(agreement.documents.values_list("version", flat=True)) == [1, 2]


# --- FilterSets: the page and the API --------------------------------------------------


def test_agreement_filter_on_the_page(as_user):
    expiring = activate(draft("MoU Hampir Habis", ends_in_days=20))
    later = activate(draft("MoU Masih Lama"))
    client = as_user(OWNER)
    listed = client.get(reverse("collaboration:agreements"), {"state": "expiring"})
    shown = {a.pk for a in listed.context["page_obj"]}
    assert expiring.pk in shown and later.pk not in shown
    bad = client.get(reverse("collaboration:agreements"), {"state": "bogus"})
    assert bad.status_code == 200
    assert "state" in bad.context["filterset"].errors
    assert 'class="error"' in bad.content.decode()


def test_agreement_filter_in_the_api(bearer):
    expiring = activate(draft("MoU Hampir Habis", ends_in_days=20))
    later = activate(draft("MoU Masih Lama"))
    # "expiring" is the page's extra state, and the API's too: one filter for both.
    found = {
        a["id"]
        for a in api_get(bearer, "/agreements/", state="expiring", limit=500).json()["items"]
    }
    assert expiring.pk in found and later.pk not in found
    party = api_get(bearer, "/agreements/", party=org("lksa-harapan-bunda").pk, limit=500)
    assert {expiring.pk, later.pk} <= {a["id"] for a in party.json()["items"]}
    assert "state" in field_errors(api_get(bearer, "/agreements/", state="bogus"))
    assert "party" in field_errors(api_get(bearer, "/agreements/", party=0))


def test_exchange_filter_on_the_page_and_in_the_api(as_user, bearer):
    dinsos, lksa = org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")
    training = actions.record_exchange(
        kind="training",
        giver=dinsos,
        receiver=lksa,
        description=unique("Pelatihan"),
        acting_user=user(),
    )
    equipment = actions.record_exchange(
        kind="equipment",
        giver=lksa,
        receiver=dinsos,
        description=unique("Kasur"),
        acting_user=user(),
    )
    client = as_user(OWNER)
    page = client.get(reverse("collaboration:exchanges"), {"kind": "training"})
    shown = {e.pk for e in page.context["page_obj"]}
    assert training.pk in shown and equipment.pk not in shown
    bad = client.get(reverse("collaboration:exchanges"), {"kind": "bogus"})
    assert bad.status_code == 200 and "kind" in bad.context["filterset"].errors

    found = {
        e["id"]
        for e in api_get(bearer, "/exchanges/", organisation=lksa.pk, limit=500).json()["items"]
    }
    assert {training.pk, equipment.pk} <= found
    assert "organisation" in field_errors(api_get(bearer, "/exchanges/", organisation=0))


def test_board_filter_on_the_page_keeps_its_default_and_shows_bad_values(as_user):
    mine = board_post(
        "offer", "dinsos-kota-pekanbaru", "equipment", "Tenda lipat", acting_user=user()
    )
    actions.close_post(mine, acting_user=user())
    client = as_user(OWNER)
    # The board shows what is open; "only mine" shows one's own posts in every state.
    assert mine not in client.get(reverse("collaboration:board")).context["page_obj"]
    own = client.get(reverse("collaboration:board"), {"mine": "on"}).context["page_obj"]
    assert mine in own
    assert all(p.organisation_id == mine.organisation_id for p in own)
    bad = client.get(reverse("collaboration:board"), {"kind": "x", "province": "99"})
    assert bad.status_code == 200
    assert {"kind", "province"} <= set(bad.context["filterset"].errors)


def test_board_filter_in_the_api(bearer):
    wanted = board_post("request", "lksa-harapan-bunda", "personnel", "Butuh psikolog")
    mine = api_get(bearer, "/board/", "mitra.lksa", mine="true", limit=500).json()["items"]
    assert wanted.pk in {p["id"] for p in mine}
    assert {p["organisation"] for p in mine} == {wanted.organisation_id}
    # Another organisation's "mine" is its own posts: this one is not among them.
    assert wanted.pk not in {
        p["id"] for p in api_get(bearer, "/board/", mine="true", limit=500).json()["items"]
    }
    assert "region" in field_errors(api_get(bearer, "/board/", region="99.99"))


def test_distribution_filter_in_the_api(bearer):
    case = open_case()
    distribution = actions.schedule_distribution(
        case,
        device="Kursi roda",
        method="pickup",
        scheduled_for=clock.localdate(),
        place="Kantor Dinas Sosial",
        acting_user=user(),
    )
    found = api_get(bearer, "/distributions/", case=case.pk, state="scheduled").json()["items"]
    assert distribution.pk in {d["id"] for d in found}
    assert all(d["case"] == case.pk and d["state"] == DistributionState.SCHEDULED for d in found)
    assert "case" in field_errors(api_get(bearer, "/distributions/", case=0))


# --- Rules that moved into the actions -------------------------------------------------


def test_only_the_two_organisations_concerned_agree_a_match_whoever_calls():
    offer = board_post("offer", "lksa-harapan-bunda", "equipment", "Kasur")
    wanted = board_post("request", "dinsos-kota-pekanbaru", "equipment", "Butuh kasur")
    with pytest.raises(PermissionDenied):
        actions.match_posts(offer, wanted, acting_user=user("petugas.bandung"))
    assert BoardPost.objects.get(pk=offer.pk).state == PostState.OPEN


def test_a_device_comes_from_an_offer_whoever_schedules_it():
    case = open_case()
    request_post = board_post(
        "request", "dinsos-kota-pekanbaru", "assistive_device", "Butuh kursi roda"
    )
    with pytest.raises(ValidationError) as refused:
        actions.schedule_distribution(
            case,
            device="Kursi roda",
            method="pickup",
            scheduled_for=clock.localdate(),
            place="Kantor",
            source_offer=request_post,
            acting_user=user(),
        )
    assert "source_offer" in refused.value.message_dict
