"""The pages for agreements, the ground-rules register, resource exchanges, the
offers-and-requests board and assistive-device distribution: each flow through the
pages, the scope (404 for outsiders), and bad input answered without a 500.

The demo may hold agreements, exchanges and posts of its own, so every test makes its
own objects with unique titles and checks those, or compares totals before and after.
"""

import datetime
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from jejaring.accounts.models import User
from jejaring.cases.models import Case, CaseState, Service
from jejaring.collaboration import actions
from jejaring.collaboration.matching import score, suggest_matches
from jejaring.collaboration.models import (
    Agreement,
    AgreementState,
    BoardPost,
    DeviceDistribution,
    DistributionState,
    Exchange,
    GroundRule,
    PostState,
)
from jejaring.network.models import Organisation
from jejaring.regions.models import Region

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_AS_PDF = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def org(code):
    return Organisation.objects.get(code=code)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def translated(message: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Agreements -----------------------------------------------------------------------


def draft_through_page(client, title, *, parties=()):
    return client.post(
        reverse("collaboration:agreement_create"),
        {
            "kind": "pks",
            "title": title,
            "number": "001/PKS/2026",
            "purpose": "Pengasuhan sementara anak terlantar.",
            "parties": [p.pk for p in parties],
            "regions": "14.71",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=365)).isoformat(),
        },
    )


def test_agreement_from_draft_to_active_through_the_pages(as_user):
    dinsos_client, lksa_client = as_user("petugas.pekanbaru"), as_user("mitra.lksa")
    lksa = org("lksa-harapan-bunda")
    title = unique("PKS Pengasuhan Uji")
    response = draft_through_page(dinsos_client, title, parties=[lksa])
    agreement = Agreement.objects.get(title=title)
    assert response.status_code == 302
    assert response.url == reverse("collaboration:agreement", args=[agreement.pk])
    assert {p.organisation.code for p in agreement.parties.all()} == {
        "dinsos-kota-pekanbaru",
        "lksa-harapan-bunda",
    }
    assert [r.code for r in agreement.regions.all()] == ["14.71"]
    detail = reverse("collaboration:agreement", args=[agreement.pk])

    # Obligations per party (second step), then a clause.
    dinsos_client.post(detail, {"organisation": lksa.pk, "obligations": "Mengasuh anak rujukan"})
    assert agreement.parties.get(organisation=lksa).obligations == "Mengasuh anak rujukan"
    dinsos_client.post(
        reverse("collaboration:clause_add", args=[agreement.pk]),
        {"heading": "Ruang lingkup", "text": "Pengasuhan sementara paling lama 6 bulan."},
    )
    clause = agreement.clauses.get()
    assert clause.number == 1

    move = reverse("collaboration:agreement_move", args=[agreement.pk])
    dinsos_client.post(move, {"state": "negotiation"})
    lksa_client.post(
        reverse("collaboration:clause_comment", args=[clause.pk]),
        {"text": "Usul: masa pengasuhan 3 bulan"},
    )
    assert clause.comments.get().organisation.code == "lksa-harapan-bunda"
    page = dinsos_client.get(detail)
    assert page.status_code == 200
    assert "Usul: masa pengasuhan 3 bulan" in page.content.decode()

    lksa_client.post(move, {"state": "awaiting_signatures"})
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.AWAITING_SIGNATURES
    # The text is final now: a comment is refused with the action's message.
    refused = dinsos_client.post(
        reverse("collaboration:clause_comment", args=[clause.pk]),
        {"text": "Terlambat"},
        follow=True,
    )
    assert translated("Negotiation is over: the text is final.") in messages_of(refused)
    assert 'id="sign-form"' in dinsos_client.get(detail).content.decode()

    sign = reverse("collaboration:agreement_sign", args=[agreement.pk])
    dinsos_client.post(sign, {"signatory_name": "Kepala Dinas", "signatory_position": "Kadis"})
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.AWAITING_SIGNATURES
    lksa_client.post(sign, {"signatory_name": "Ketua", "signatory_position": "Ketua Yayasan"})
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert [(e.to_state, e.by.username) for e in agreement.events.all()] == [
        ("draft", "petugas.pekanbaru"),
        ("negotiation", "petugas.pekanbaru"),
        ("awaiting_signatures", "mitra.lksa"),
        ("active", "mitra.lksa"),
    ]
    party = agreement.parties.get(organisation=lksa)
    assert (party.signatory_name, party.signed_by.username) == ("Ketua", "mitra.lksa")

    listing = dinsos_client.get(reverse("collaboration:agreements"), {"state": "active"})
    assert title in listing.content.decode()
    counts = {value: n for value, _label, n in listing.context["state_counts"]}
    assert counts["active"] >= 1
    # Ending in a year: active, not yet "expiring".
    assert agreement.display_state() == AgreementState.ACTIVE.label


def test_renewal_and_termination_through_the_pages(as_user):
    client = as_user("petugas.pekanbaru")
    dinsos, lksa = org("dinsos-kota-pekanbaru"), org("lksa-harapan-bunda")
    agreement = actions.draft_agreement(
        kind="mou",
        title=unique("MoU Rumah Aman Uji"),
        drafted_by=dinsos,
        parties=[(dinsos, ""), (lksa, "")],
        clauses=[("Tujuan", "Rumah aman.")],
        starts_on=TODAY - datetime.timedelta(days=300),
        ends_on=TODAY + datetime.timedelta(days=20),
        acting_user=None,
    )
    actions.move_agreement(agreement, AgreementState.AWAITING_SIGNATURES, acting_user=None)
    for party in (dinsos, lksa):
        actions.sign_agreement(
            agreement, party, signatory_name="X", signatory_position="Y", acting_user=None
        )
    agreement.refresh_from_db()
    assert agreement.is_expiring
    listing = client.get(reverse("collaboration:agreements"), {"state": "expiring"})
    assert agreement.title in listing.content.decode()

    response = client.post(
        reverse("collaboration:agreement_renew", args=[agreement.pk]),
        {
            "starts_on": (TODAY + datetime.timedelta(days=21)).isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=400)).isoformat(),
        },
    )
    renewal = Agreement.objects.get(renews=agreement)
    assert response.url == reverse("collaboration:agreement", args=[renewal.pk])
    assert renewal.state == AgreementState.DRAFT and renewal.clauses.count() == 1
    page = client.get(reverse("collaboration:agreement", args=[agreement.pk]))
    assert reverse("collaboration:agreement", args=[renewal.pk]) in page.content.decode()

    terminate = reverse("collaboration:agreement_terminate", args=[agreement.pk])
    empty = client.post(terminate, {"reason": ""}, follow=True)
    assert empty.status_code == 200
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    client.post(terminate, {"reason": "Lembaga mitra tutup"})
    agreement.refresh_from_db()
    assert (agreement.state, agreement.termination_reason) == (
        AgreementState.TERMINATED,
        "Lembaga mitra tutup",
    )


def test_one_party_agreement_is_refused_with_the_message(as_user):
    client = as_user("petugas.pekanbaru")
    title = unique("PKS Sepihak")
    response = draft_through_page(client, title)
    assert response.status_code == 200
    assert not Agreement.objects.filter(title=title).exists()
    errors = response.context["form"].errors["parties"]
    assert errors == [translated("An agreement needs at least two different parties.")]
    assert 'class="error"' in response.content.decode()


def test_documents_are_versioned_checked_and_scoped(as_user, media):
    client = as_user("petugas.pekanbaru")
    title = unique("PKS Dokumen Uji")
    draft_through_page(client, title, parties=[org("lksa-harapan-bunda")])
    agreement = Agreement.objects.get(title=title)
    upload = reverse("collaboration:document_upload", args=[agreement.pk])
    client.post(upload, {"file": SimpleUploadedFile("draf.pdf", PDF), "note": "draf"})
    client.post(upload, {"file": SimpleUploadedFile("final.pdf", PDF + b"v2")})
    refused = client.post(upload, {"file": SimpleUploadedFile("foto.pdf", PNG_AS_PDF)}, follow=True)
    assert any("PDF" in m for m in messages_of(refused))
    versions = {d.version: d for d in agreement.documents.all()}
    assert sorted(versions) == [1, 2]

    first = client.get(reverse("collaboration:document", args=[versions[1].pk]))
    assert first.status_code == 200
    assert b"".join(first.streaming_content) == PDF
    assert first["Content-Type"] == "application/pdf"
    assert "draf.pdf" in first["Content-Disposition"]
    second = client.get(reverse("collaboration:document", args=[versions[2].pk]))
    assert b"".join(second.streaming_content) == PDF + b"v2"

    # The other party downloads too; an outsider sees neither the agreement nor its file.
    assert (
        as_user("mitra.lksa")
        .get(reverse("collaboration:document", args=[versions[1].pk]))
        .status_code
        == 200
    )
    outsider = as_user("petugas.bandung")
    assert outsider.get(reverse("collaboration:agreement", args=[agreement.pk])).status_code == 404
    assert outsider.get(reverse("collaboration:document", args=[versions[1].pk])).status_code == 404
    assert outsider.post(upload, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    assert title not in outsider.get(reverse("collaboration:agreements")).content.decode()


def test_governing_office_sees_but_does_not_change_an_agreement(as_user):
    client = as_user("petugas.pekanbaru")
    title = unique("PKS Pengawasan")
    draft_through_page(client, title, parties=[org("lksa-harapan-bunda")])
    agreement = Agreement.objects.get(title=title)
    dukcapil = as_user("dukcapil.pekanbaru")
    page = dukcapil.get(reverse("collaboration:agreement", args=[agreement.pk]))
    assert page.status_code == 200
    assert not page.context["may_change"]
    move = dukcapil.post(
        reverse("collaboration:agreement_move", args=[agreement.pk]), {"state": "negotiation"}
    )
    assert move.status_code == 403


def test_agreement_pages_survive_bad_input(as_user):
    client = as_user("petugas.pekanbaru")
    assert (
        client.get(reverse("collaboration:agreements"), {"state": "bogus", "page": "x"}).status_code
        == 200
    )
    assert client.get(reverse("collaboration:agreement", args=[999999999])).status_code == 404
    title = unique("PKS Input Buruk")
    draft_through_page(client, title, parties=[org("lksa-harapan-bunda")])
    agreement = Agreement.objects.get(title=title)
    detail = reverse("collaboration:agreement", args=[agreement.pk])
    for url, data in [
        (reverse("collaboration:agreement_move", args=[agreement.pk]), {"state": "active"}),
        (reverse("collaboration:agreement_move", args=[agreement.pk]), {"state": "nonsense"}),
        (reverse("collaboration:agreement_sign", args=[agreement.pk]), {}),
        (reverse("collaboration:agreement_renew", args=[agreement.pk]), {"starts_on": "kemarin"}),
        (reverse("collaboration:document_upload", args=[agreement.pk]), {}),
        (detail, {"organisation": "99999999999999999999", "obligations": "x"}),
        (reverse("collaboration:clause_add", args=[agreement.pk]), {"text": ""}),
    ]:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        assert messages_of(response), url
    # Sending for signature without clauses: the action's reason is shown.
    response = client.post(
        reverse("collaboration:agreement_move", args=[agreement.pk]),
        {"state": "awaiting_signatures"},
        follow=True,
    )
    assert translated("The agreement has no clauses yet.") in " ".join(messages_of(response))
    assert (
        client.post(
            reverse("collaboration:clause_comment", args=[999999999]), {"text": "x"}
        ).status_code
        == 404
    )


# --- Ground rules ---------------------------------------------------------------------


def test_network_rules_are_recorded_by_admins_and_read_by_everyone(as_user):
    title = unique("SOP Serah Terima Kasus")
    admin = as_user("admin")
    response = admin.post(
        reverse("collaboration:rules"),
        {
            "kind": "sop",
            "title": title,
            "text": "Serah terima dengan berita acara.",
            "adopted_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    rule = GroundRule.objects.get(title=title)
    assert rule.forum is None and rule.kind == "sop"
    worker = as_user("petugas.pekanbaru")
    page = worker.get(reverse("collaboration:rules"))
    assert title in page.content.decode()
    assert page.context["form"] is None
    assert (
        worker.post(
            reverse("collaboration:rules"), {"kind": "rule", "title": "x", "text": "y"}
        ).status_code
        == 403
    )
    bad = admin.post(
        reverse("collaboration:rules"), {"kind": "rule", "title": "", "text": "", "adopted_on": "x"}
    )
    assert bad.status_code == 200 and bad.context["form"].errors


def test_rules_of_a_forum_show_to_its_members_only(as_user):
    user = User.objects.get(username="petugas.pekanbaru")
    forum = actions.create_forum(
        name=unique("Forum Uji Aturan"),
        region=Region.objects.get(code="14.71"),
        convened_by=org("dinsos-kota-pekanbaru"),
        members=[org("lksa-harapan-bunda")],
        acting_user=user,
    )
    title = unique("Aturan bicara")
    actions.add_ground_rule(
        forum, title=title, text="Satu orang bicara.", kind="rule", acting_user=user
    )
    assert title in as_user("mitra.lksa").get(reverse("collaboration:rules")).content.decode()
    assert (
        title not in as_user("petugas.bandung").get(reverse("collaboration:rules")).content.decode()
    )


# --- Exchanges ------------------------------------------------------------------------


def totals_of(client) -> dict:
    response = client.get(reverse("collaboration:exchanges"))
    assert response.status_code == 200
    return {row["kind"]: row for row in response.context["totals"]}


def test_exchanges_are_recorded_with_their_direction_and_totals(as_user):
    client = as_user("petugas.pekanbaru")
    before, lksa_before = totals_of(client), totals_of(as_user("mitra.lksa"))
    # The eleven activities of seed 002: four given/received pairs and three joint kinds.
    assert sum(2 if "given" in row else 1 for row in before.values()) == 11
    url = reverse("collaboration:exchange_create")
    training = unique("Pelatihan pengasuhan")
    response = client.post(
        url,
        {
            "kind": "training",
            "other": org("lksa-harapan-bunda").pk,
            "direction": "gave",
            "occurred_on": TODAY.isoformat(),
            "description": training,
            "quantity": 12,
            "unit": "orang",
            "value_idr": "1500000",
        },
    )
    assert response.status_code == 302
    client.post(
        url,
        {
            "kind": "equipment",
            "other": org("pt-lancang-kuning-energi").pk,
            "direction": "received",
            "occurred_on": TODAY.isoformat(),
            "description": unique("Kursi roda CSR"),
        },
    )
    planning = unique("Rencana bersama")
    client.post(
        url,
        {
            "kind": "joint_planning",
            "other": org("dukcapil-pekanbaru").pk,
            "direction": "received",  # ignored: joint planning has no direction
            "occurred_on": TODAY.isoformat(),
            "description": planning,
        },
    )
    given = Exchange.objects.get(description=training)
    assert (given.giver.code, given.receiver.code, given.value_idr) == (
        "dinsos-kota-pekanbaru",
        "lksa-harapan-bunda",
        1500000,
    )
    joint = Exchange.objects.get(description=planning)
    assert joint.giver.code == "dinsos-kota-pekanbaru"
    after = totals_of(client)
    assert after["training"]["given"] == before["training"]["given"] + 1
    assert after["training"]["given_value"] == (before["training"]["given_value"] or 0) + 1500000
    assert after["equipment"]["received"] == before["equipment"]["received"] + 1
    assert after["joint_planning"]["joint"] == before["joint_planning"]["joint"] + 1
    assert after["mutual_aid"] == before["mutual_aid"]
    # The other end sees the same training as received.
    assert (
        totals_of(as_user("mitra.lksa"))["training"]["received"]
        == lksa_before["training"]["received"] + 1
    )
    filtered = client.get(reverse("collaboration:exchanges"), {"kind": "joint_planning"})
    assert planning in filtered.content.decode() and training not in filtered.content.decode()
    assert (
        training
        not in as_user("petugas.bandung").get(reverse("collaboration:exchanges")).content.decode()
    )


def test_exchange_form_refuses_bad_input(as_user):
    client = as_user("petugas.pekanbaru")
    url = reverse("collaboration:exchange_create")
    future = client.post(
        url,
        {
            "kind": "training",
            "other": org("lksa-harapan-bunda").pk,
            "direction": "gave",
            "occurred_on": (TODAY + datetime.timedelta(days=3)).isoformat(),
            "description": "Nanti",
        },
    )
    assert future.status_code == 200
    assert future.context["form"].errors["occurred_on"] == [
        translated("Record exchanges once they happened.")
    ]
    nonsense = client.post(
        url, {"kind": "bribe", "other": "abc", "occurred_on": "31-31-2026", "value_idr": "-5"}
    )
    assert nonsense.status_code == 200
    assert {"kind", "other", "occurred_on", "description", "value_idr"} <= set(
        nonsense.context["form"].errors
    )
    assert client.get(reverse("collaboration:exchanges"), {"kind": "bribe"}).status_code == 200


# --- The board and its matches ----------------------------------------------------------


@pytest.fixture
def wheelchair_request(db):
    user = User.objects.get(username="petugas.pekanbaru")
    return actions.post_to_board(
        kind="request",
        organisation=org("dinsos-kota-pekanbaru"),
        category="assistive_device",
        title=unique("Butuh kursi roda anak"),
        description="Untuk anak penyandang disabilitas",
        quantity=3,
        unit="unit",
        region=Region.objects.get(code="14.71"),
        acting_user=user,
    )


def offer(code, category, title, *, quantity=None, region="14.71", unit="unit"):
    return actions.post_to_board(
        kind="offer",
        organisation=org(code),
        category=category,
        title=title,
        quantity=quantity,
        unit=unit,
        region=Region.objects.get(code=region),
        acting_user=None,
    )


def test_board_post_through_the_page(as_user):
    client = as_user("petugas.pekanbaru")
    title = unique("Psikolog hari Minggu")
    response = client.post(
        reverse("collaboration:post_create"),
        {
            "kind": "request",
            "category": "personnel",
            "title": title,
            "region": "14.71",
            "available_until": (TODAY + datetime.timedelta(days=30)).isoformat(),
        },
    )
    post = BoardPost.objects.get(title=title)
    assert response.url == reverse("collaboration:post", args=[post.pk])
    assert (post.kind, post.organisation.code, post.region_id) == (
        "request",
        "dinsos-kota-pekanbaru",
        "14.71",
    )
    # Every member sees the board; filters narrow it.
    board = as_user("petugas.bandung").get(
        reverse("collaboration:board"),
        {"kind": "request", "category": "personnel", "province": "14"},
    )
    assert title in board.content.decode()
    elsewhere = as_user("petugas.bandung").get(reverse("collaboration:board"), {"province": "32"})
    assert title not in elsewhere.content.decode()
    bad = client.get(
        reverse("collaboration:board"), {"kind": "x", "province": "99.99", "page": "-1"}
    )
    assert bad.status_code == 200
    past = client.post(
        reverse("collaboration:post_create"),
        {
            "kind": "offer",
            "category": "funds",
            "title": "Dana",
            "region": "14.71",
            "available_until": "2000-01-01",
        },
    )
    assert past.context["form"].errors["available_until"] == [
        translated("This date is already past.")
    ]
    unknown_region = client.post(
        reverse("collaboration:post_create"),
        {"kind": "offer", "category": "funds", "title": "Dana", "region": "99.99"},
    )
    assert "region" in unknown_region.context["form"].errors


def test_suggestions_rank_the_same_category_first(wheelchair_request):
    same = offer(
        "pt-lancang-kuning-energi", "assistive_device", unique("Kursi roda tersedia"), quantity=10
    )
    other_category = offer(
        "lksa-harapan-bunda", "equipment", unique("Kursi roda bekas kantor"), quantity=10
    )
    far_away = offer(
        "dinsos-kab-bandung", "assistive_device", unique("Alat bantu dengar"), region="32.04"
    )
    own = actions.post_to_board(
        kind="offer",
        organisation=org("dinsos-kota-pekanbaru"),
        category="assistive_device",
        title=unique("Kursi roda kami"),
        region=Region.objects.get(code="14.71"),
        acting_user=None,
    )
    suggestions = suggest_matches(wheelchair_request, limit=50)
    ids = [post.pk for post, _score, _reasons in suggestions]
    assert suggestions[0][0].category == "assistive_device"
    # Another category ranks after the same category, if it shows at all.
    assert other_category.pk not in ids or ids.index(same.pk) < ids.index(other_category.pk)
    assert score(wheelchair_request, same)[0] > score(wheelchair_request, other_category)[0]
    assert same.pk in ids and own.pk not in ids
    scores = {post.pk: score for post, score, _reasons in suggestions}
    # Same category (50) + same city (15) + covers 3 of 10 (5) + some wording.
    assert scores[same.pk] >= 70
    assert scores[same.pk] > scores.get(far_away.pk, 0)
    reasons = dict((post.pk, r) for post, _s, r in suggestions)[same.pk]
    assert len(reasons) >= 3
    assert suggestions == sorted(suggestions, key=lambda s: -s[1])


def test_match_records_the_exchange_and_closes_both_posts(as_user, wheelchair_request):
    same = offer(
        "lksa-harapan-bunda", "assistive_device", unique("Kursi roda tersedia"), quantity=10
    )
    client = as_user("petugas.pekanbaru")
    page = client.get(reverse("collaboration:post", args=[wheelchair_request.pk]))
    assert page.status_code == 200
    assert same.pk in [s["post"].pk for s in page.context["suggestions"]]
    match = reverse("collaboration:post_match", args=[wheelchair_request.pk])
    # Neither organisation: refused.
    assert as_user("petugas.bandung").post(match, {"other": same.pk}).status_code == 403
    assert client.post(match, {"other": "abc"}, follow=True).status_code == 200
    # The requester can ask but not decide: the giver commits its own resources.
    asked = client.post(match, {"other": same.pk}, follow=True)
    same.refresh_from_db()
    assert same.state == PostState.OPEN
    assert any("LKSA Harapan Bunda" in m for m in messages_of(asked))
    giver = as_user("mitra.lksa")
    response = giver.post(match, {"other": same.pk}, follow=True)
    assert response.status_code == 200
    wheelchair_request.refresh_from_db()
    same.refresh_from_db()
    assert wheelchair_request.state == same.state == PostState.MATCHED
    exchange = wheelchair_request.exchange
    assert (exchange.kind, exchange.giver.code, exchange.receiver.code, exchange.quantity) == (
        "equipment",
        "lksa-harapan-bunda",
        "dinsos-kota-pekanbaru",
        3,
    )
    # Matched posts leave the open board; a second match is refused with a message.
    assert (
        wheelchair_request.title not in client.get(reverse("collaboration:board")).content.decode()
    )
    again = giver.post(match, {"other": same.pk}, follow=True)
    assert translated("One of the two posts is no longer open.") in " ".join(messages_of(again))


def test_only_the_owner_closes_a_post(as_user, wheelchair_request):
    close = reverse("collaboration:post_close", args=[wheelchair_request.pk])
    assert as_user("mitra.lksa").post(close).status_code == 403
    assert as_user("petugas.pekanbaru").post(close).status_code == 302
    wheelchair_request.refresh_from_db()
    assert wheelchair_request.state == PostState.CLOSED
    assert (
        as_user("petugas.pekanbaru")
        .get(reverse("collaboration:post", args=[999999999]))
        .status_code
        == 404
    )


# --- Assistive-device distribution ----------------------------------------------------


def pekanbaru_case(**filters):
    return (
        Case.objects.filter(organisation__code="dinsos-kota-pekanbaru", **filters)
        .exclude(state__in=[CaseState.CLOSED, CaseState.REPORTED])
        .order_by("pk")
        .first()
    )


def test_distribution_scheduled_and_handed_over_becomes_a_service(as_user):
    case = pekanbaru_case()
    client = as_user("petugas.pekanbaru")
    schedule = reverse("collaboration:distribution_create", args=[case.pk])
    assert client.get(schedule).status_code == 200
    device_offer = offer(
        "pt-lancang-kuning-energi", "assistive_device", unique("Kursi roda CSR"), quantity=5
    )
    device = unique("Kursi roda anak")
    response = client.post(
        schedule,
        {
            "device": device,
            "quantity": 1,
            "method": "pickup",
            "scheduled_for": TODAY.isoformat(),
            "place": "Kantor Dinas Sosial",
            "source_offer": device_offer.pk,
        },
    )
    assert response.url == reverse("cases:detail", args=[case.pk])
    distribution = DeviceDistribution.objects.get(device=device)
    assert distribution.source_offer == device_offer
    case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert device in case_page
    assert schedule in case_page
    listing = client.get(reverse("collaboration:distributions"))
    assert device in listing.content.decode()

    services_before = Service.objects.filter(case=case, service_type__code="alat_bantu").count()
    handover = reverse("collaboration:distribution_handover", args=[distribution.pk])
    response = client.post(handover, {"on": TODAY.isoformat(), "back": "case"})
    assert response.url == reverse("cases:detail", args=[case.pk])
    distribution.refresh_from_db()
    assert distribution.state == DistributionState.HANDED_OVER
    assert distribution.service.service_type.code == "alat_bantu"
    assert distribution.service.case_id == case.pk
    assert (
        Service.objects.filter(case=case, service_type__code="alat_bantu").count()
        == services_before + 1
    )
    again = client.post(handover, follow=True)
    assert translated("This distribution is no longer scheduled.") in " ".join(messages_of(again))


def test_distribution_refuses_bad_input_and_outsiders(as_user):
    case = pekanbaru_case()
    client = as_user("petugas.pekanbaru")
    schedule = reverse("collaboration:distribution_create", args=[case.pk])
    delivery = client.post(
        schedule,
        {"device": "Kruk", "quantity": 1, "method": "delivery", "scheduled_for": TODAY.isoformat()},
    )
    assert delivery.status_code == 200
    assert delivery.context["form"].errors["place"] == [
        translated("A delivery needs the address it goes to.")
    ]
    past = client.post(
        schedule,
        {
            "device": "Kruk",
            "quantity": 1,
            "method": "pickup",
            "place": "Kantor",
            "scheduled_for": "2001-01-01",
        },
    )
    assert "scheduled_for" in past.context["form"].errors
    garbage = client.post(schedule, {"quantity": "many", "method": "drone", "source_offer": "x"})
    assert garbage.status_code == 200 and garbage.context["form"].errors
    assert as_user("petugas.bandung").get(schedule).status_code == 404
    assert (
        client.get(reverse("collaboration:distribution_create", args=[999999999])).status_code
        == 404
    )

    distribution = actions.schedule_distribution(
        case,
        device="Tongkat",
        method="pickup",
        scheduled_for=TODAY,
        place="Kantor",
        acting_user=None,
    )
    assert (
        as_user("petugas.bandung")
        .post(reverse("collaboration:distribution_cancel", args=[distribution.pk]))
        .status_code
        == 404
    )
    client.post(reverse("collaboration:distribution_cancel", args=[distribution.pk]))
    distribution.refresh_from_db()
    assert distribution.state == DistributionState.CANCELLED


def test_distribution_list_masks_protected_people(as_user):
    """The girl of the demo holds a sensitive category: offices that see her case but
    not her identity get initials, and never the address the device goes to."""
    case = pekanbaru_case(person__full_name="Putri Ayu Lestari")
    device = unique("Alat bantu dengar")
    actions.schedule_distribution(
        case,
        device=device,
        method="delivery",
        scheduled_for=TODAY,
        place="Jl. Rahasia Nomor 7",
        acting_user=None,
    )
    own = as_user("petugas.pekanbaru").get(reverse("collaboration:distributions")).content.decode()
    assert "Putri Ayu Lestari" in own and "Jl. Rahasia Nomor 7" in own
    for username, sees_case in (
        ("dukcapil.pekanbaru", True),
        ("admin", True),
        ("petugas.bandung", False),
    ):
        page = as_user(username).get(reverse("collaboration:distributions")).content.decode()
        assert "Putri Ayu Lestari" not in page, username
        assert "Jl. Rahasia Nomor 7" not in page, username
        assert (device in page) is sees_case, username
        assert ("P. A. L." in page) is sees_case, username
