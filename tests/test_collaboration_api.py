"""The collaboration API (/api/v1/collaboration/): the main flow of each part, scoping
(an outsider gets 404 and sees nothing in lists), and the bad input the issue lists,
each answered 422 with the field named."""

import datetime
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from jejaring.accounts.models import User
from jejaring.cases.models import Case
from jejaring.collaboration import actions
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region

API = "/api/v1/collaboration"
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def org(code):
    return Organisation.objects.get(code=code)


def user(username):
    return User.objects.get(username=username)


def unique(name):
    return f"{name} {uuid.uuid4().hex[:6]}"


class Caller:
    """A client that sends one user's Bearer token to the collaboration API."""

    def __init__(self, headers):
        self.client = Client()
        self.headers = headers

    def get(self, path, **params):
        return self.client.get(API + path, params, **self.headers)

    def _send(self, method, path, payload):
        return getattr(self.client, method)(
            API + path,
            json.dumps(payload if payload is not None else {}),
            content_type="application/json",
            **self.headers,
        )

    def post(self, path, payload=None):
        return self._send("post", path, payload)

    def put(self, path, payload=None):
        return self._send("put", path, payload)

    def delete(self, path):
        return self.client.delete(API + path, **self.headers)

    def form(self, path, data):
        """multipart/form-data, for uploads and fulfilment evidence."""
        return self.client.post(API + path, data, **self.headers)


@pytest.fixture
def api(bearer):
    callers = {}

    def make(username):
        if username not in callers:
            callers[username] = Caller(bearer(username))
        return callers[username]

    return make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, field):
    """422 naming ``field``; returns that field's message."""
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    messages = [e["msg"] for e in detail if e["field"] == field]
    assert messages, detail
    return messages[0]


def ids(response):
    return {row["id"] for row in ok(response)["items"]}


@pytest.fixture
def forum(db):
    """A Pekanbaru forum convened by Dinas Sosial with Dukcapil and an LKSA."""
    return actions.create_forum(
        name=unique("Forum Uji API"),
        region=Region.objects.get(code="14.71"),
        convened_by=org("dinsos-kota-pekanbaru"),
        members=[org("dukcapil-pekanbaru"), org("lksa-harapan-bunda")],
        allows_fallback_vote=True,
        acting_user=user("petugas.pekanbaru"),
    )


def meeting_for(forum, *, days=2, title="Rapat uji"):
    start = timezone.now() + datetime.timedelta(days=days)
    return actions.schedule_meeting(
        forum,
        title=title,
        mode="online",
        online_link="https://meet.example.org/uji",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        acting_user=user("petugas.pekanbaru"),
    )


# Forums -------------------------------------------------------------------------


def test_forum_flow_members_coordinator_rules_goals_outcomes(api):
    dinsos = api("petugas.pekanbaru")
    name = unique("Forum Perlindungan Anak")
    created = ok(
        dinsos.post(
            "/forums/",
            {
                "name": name,
                "region": "14.71",
                "members": [org("dukcapil-pekanbaru").pk, org("lksa-harapan-bunda").pk],
                "problem_statement": "Anak jalanan tanpa dokumen.",
            },
        ),
        201,
    )
    forum_id = created["id"]
    assert created["convened_by_name"] == org("dinsos-kota-pekanbaru").name
    assert created["coordinator"] == org("dinsos-kota-pekanbaru").pk
    assert created["member_count"] == 3
    assert {m["organisation_code"] for m in created["members"]} == {
        "dinsos-kota-pekanbaru",
        "dukcapil-pekanbaru",
        "lksa-harapan-bunda",
    }
    assert forum_id in ids(dinsos.get("/forums/", mine="true"))

    dp3a = org("dp3a-pekanbaru").pk
    ok(dinsos.post(f"/forums/{forum_id}/members", {"organisation": dp3a}), 201)
    assert "sudah menjadi anggota" in refused(
        dinsos.post(f"/forums/{forum_id}/members", {"organisation": dp3a}), "organisation"
    )

    rotated = ok(
        dinsos.post(
            f"/forums/{forum_id}/coordinators", {"organisation": org("dukcapil-pekanbaru").pk}
        ),
        201,
    )
    assert rotated["organisation_name"] == org("dukcapil-pekanbaru").name
    refused(
        dinsos.post(f"/forums/{forum_id}/coordinators", {"organisation": org("fpsi-umr").pk}),
        "organisation",
    )
    history = ok(dinsos.get(f"/forums/{forum_id}/coordinators"))
    assert [c["ends_on"] is None for c in history] == [True, False]

    rule = ok(
        dinsos.post(
            f"/forums/{forum_id}/ground-rules",
            {"kind": "sop", "title": "Serah terima kasus", "text": "Dalam 24 jam."},
        ),
        201,
    )
    assert rule["kind_label"]
    refused(
        dinsos.post(f"/forums/{forum_id}/ground-rules", {"title": "Kosong", "text": " "}),
        "text",
    )
    goal = ok(dinsos.post(f"/forums/{forum_id}/goals", {"title": "Semua anak punya NIK"}), 201)
    outcome = ok(
        dinsos.post(
            f"/forums/{forum_id}/outcomes",
            {"title": "50 akta lahir terbit", "achieved_on": str(TODAY), "goal": goal["id"]},
        ),
        201,
    )
    assert outcome["goal_title"] == "Semua anak punya NIK"
    refused(
        dinsos.post(
            f"/forums/{forum_id}/outcomes",
            {"title": "Nanti", "achieved_on": str(TODAY + datetime.timedelta(days=3))},
        ),
        "achieved_on",
    )
    assert ids(dinsos.get(f"/forums/{forum_id}/outcomes")) == {outcome["id"]}

    detail = ok(dinsos.get(f"/forums/{forum_id}"))
    assert detail["coordinator"] == org("dukcapil-pekanbaru").pk
    assert [r["title"] for r in detail["ground_rules"]] == ["Serah terima kasus"]
    assert [g["title"] for g in detail["goals"]] == ["Semua anak punya NIK"]

    # A member may leave by itself; the seat's history stays.
    lksa_seat = next(
        m["id"] for m in detail["members"] if m["organisation_code"] == "lksa-harapan-bunda"
    )
    left = ok(api("mitra.lksa").delete(f"/forums/{forum_id}/members/{lksa_seat}"))
    assert left["left_on"] == str(TODAY)
    current = ok(dinsos.get(f"/forums/{forum_id}/members"))
    everyone = ok(dinsos.get(f"/forums/{forum_id}/members", former="true"))
    assert len(everyone) == len(current) + 1


def test_forums_are_scoped(api, forum):
    outsider = api("petugas.bandung")
    assert outsider.get(f"/forums/{forum.pk}").status_code == 404
    assert forum.pk not in ids(outsider.get("/forums/", limit=500))
    assert outsider.get(f"/forums/{forum.pk}/meetings").status_code == 404
    assert outsider.post(f"/forums/{forum.pk}/goals", {"title": "x"}).status_code == 404
    # A member sees the forum but does not run it.
    member = api("mitra.lksa")
    assert ok(member.get(f"/forums/{forum.pk}"))["name"] == forum.name
    assert member.post(f"/forums/{forum.pk}/goals", {"title": "x"}).status_code == 403


def test_forum_bad_input_answers_422_per_field(api):
    dinsos = api("petugas.pekanbaru")
    response = dinsos.post(
        "/forums/", {"name": unique("Forum"), "region": "99.99", "members": [987654321]}
    )
    assert "99.99" in refused(response, "region")
    refused(response, "members")
    refused(
        dinsos.post("/forums/", {"name": unique("Forum"), "region": "14.71", "quorum_percent": 0}),
        "quorum_percent",
    )
    refused(dinsos.post("/forums/", {"region": "14.71"}), "name")


def test_an_account_without_organisation_cannot_act(api, bearer):
    from jejaring.accounts.actions import create_user

    create_user(
        username="tanpa.organisasi", organisation=None, roles=[], password=None, acting_user=None
    )
    caller = Caller(bearer("tanpa.organisasi"))
    response = caller.post(
        "/board/", {"kind": "offer", "category": "other", "title": "x", "region": "14.71"}
    )
    assert response.status_code == 422
    with translation.override("id"):
        expected = translation.gettext("Your account belongs to no organisation.")
    assert response.json()["detail"][0]["msg"] == expected
    assert ok(caller.get("/forums/"))["items"] == []


# Meetings -----------------------------------------------------------------------


def test_meeting_flow_invitations_attendance_minutes_and_ics(api, forum):
    dinsos = api("petugas.pekanbaru")
    start = timezone.now() + datetime.timedelta(days=3)
    payload = {
        "title": "Rapat Koordinasi Uji",
        "mode": "hybrid",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=2)).isoformat(),
        "location": "Aula Dinas Sosial",
        "guests": [org("satpol-pp-pekanbaru").pk],
    }
    refused(dinsos.post(f"/forums/{forum.pk}/meetings", payload), "online_link")
    payload["online_link"] = "https://meet.example.org/rakor"
    meeting = ok(dinsos.post(f"/forums/{forum.pk}/meetings", payload), 201)
    assert meeting["state"] == "planned" and meeting["mode_label"]
    assert len(meeting["participants"]) == 4  # three members and the guest

    invited = ok(dinsos.post(f"/meetings/{meeting['id']}/invitations"))
    assert invited["invitations_sent_at"]
    assert all(p["invited_at"] for p in invited["participants"])
    assert meeting["id"] in ids(dinsos.get("/meetings/", upcoming="true", limit=500))

    response = dinsos.get(f"/meetings/{meeting['id']}/invitation.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode().replace("\r\n ", "")  # unfold RFC 5545 lines
    assert "BEGIN:VEVENT" in body and "Rapat Koordinasi Uji" in body
    forum_calendar = dinsos.get(f"/forums/{forum.pk}/calendar.ics")
    assert forum_calendar["Content-Type"].startswith("text/calendar")
    assert forum_calendar.content.decode().count("BEGIN:VEVENT") == 1

    # The outsider reaches neither the meeting nor its calendar file.
    outsider = api("petugas.bandung")
    assert outsider.get(f"/meetings/{meeting['id']}").status_code == 404
    assert outsider.get(f"/meetings/{meeting['id']}/invitation.ics").status_code == 404
    assert meeting["id"] not in ids(outsider.get("/meetings/", limit=500))

    cancelled = ok(dinsos.post(f"/meetings/{meeting['id']}/cancel"))
    assert cancelled["state"] == "cancelled"


def test_invitation_for_a_past_meeting_is_refused_and_attendance_recorded(api, forum):
    dinsos = api("petugas.pekanbaru")
    past = meeting_for(forum, days=-1, title="Rapat kemarin")
    assert "sudah dimulai" in refused(dinsos.post(f"/meetings/{past.pk}/invitations"), "starts_at")
    held = ok(
        dinsos.put(
            f"/meetings/{past.pk}/attendance",
            {
                "attendance": [
                    {"organisation": org("dinsos-kota-pekanbaru").pk, "names": "Rahmat"},
                    {"organisation": org("dukcapil-pekanbaru").pk, "names": ""},
                ]
            },
        )
    )
    assert held["state"] == "held"
    attended = {p["organisation"]: p["attended"] for p in held["participants"]}
    assert attended[org("dinsos-kota-pekanbaru").pk] is True
    assert attended[org("lksa-harapan-bunda").pk] is False
    refused(
        dinsos.put(
            f"/meetings/{past.pk}/attendance",
            {"attendance": [{"organisation": 987654321, "names": "X"}]},
        ),
        "attendance",
    )
    refused(dinsos.put(f"/meetings/{past.pk}/minutes", {"minutes": "  "}), "minutes")
    minuted = ok(dinsos.put(f"/meetings/{past.pk}/minutes", {"minutes": "Disepakati pos."}))
    assert minuted["minutes"] == "Disepakati pos."
    # Members see the meeting but only the forum's runners change it.
    assert api("mitra.lksa").post(f"/meetings/{past.pk}/cancel").status_code == 403


def test_meeting_attachment_upload_and_download(api, forum, media):
    dinsos = api("petugas.pekanbaru")
    meeting = meeting_for(forum)
    attachment = ok(
        dinsos.form(
            f"/meetings/{meeting.pk}/attachments",
            {"file": SimpleUploadedFile("undangan.pdf", PDF), "description": "undangan"},
        ),
        201,
    )
    response = dinsos.get(f"/meeting-attachments/{attachment['id']}")
    assert b"".join(response.streaming_content) == PDF
    assert api("petugas.bandung").get(f"/meeting-attachments/{attachment['id']}").status_code == 404
    refused(
        dinsos.form(
            f"/meetings/{meeting.pk}/attachments", {"file": SimpleUploadedFile("x.exe", b"MZ")}
        ),
        "file",
    )


# Decisions and commitments ------------------------------------------------------


def test_proposal_positions_close_and_fallback_vote(api, forum):
    dinsos, dukcapil, lksa = api("petugas.pekanbaru"), api("dukcapil.pekanbaru"), api("mitra.lksa")
    deadline = str(TODAY + datetime.timedelta(days=7))
    refused(
        dinsos.post(
            f"/forums/{forum.pk}/proposals",
            {"title": "Lama", "text": "x", "deadline": str(TODAY - datetime.timedelta(days=1))},
        ),
        "deadline",
    )
    proposal = ok(
        dinsos.post(
            f"/forums/{forum.pk}/proposals",
            {"title": "Iuran anggota", "text": "Iuran bulanan.", "deadline": deadline},
        ),
        201,
    )
    pid = proposal["id"]
    assert proposal["proposed_by"] == org("dinsos-kota-pekanbaru").pk
    assert proposal["current_tally"]["members"] == 3

    ok(dinsos.post(f"/proposals/{pid}/positions", {"stance": "agree"}))
    refused(dukcapil.post(f"/proposals/{pid}/positions", {"stance": "reservations"}), "reason")
    assert "alasan" in refused(
        lksa.post(f"/proposals/{pid}/positions", {"stance": "block"}), "reason"
    )
    refused(lksa.post(f"/proposals/{pid}/positions", {"stance": "maybe"}), "stance")
    ok(dukcapil.post(f"/proposals/{pid}/comments", {"text": "Berapa besarnya?"}), 201)

    # Before the deadline, closing needs every member's position.
    early = dinsos.post(f"/proposals/{pid}/close", {})
    assert early.status_code == 422 and "belum menyatakan sikap" in early.json()["detail"][0]["msg"]
    ok(dukcapil.post(f"/proposals/{pid}/positions", {"stance": "agree"}))
    blocked = ok(
        lksa.post(f"/proposals/{pid}/positions", {"stance": "block", "reason": "Tidak ada dana"})
    )
    assert {p["stance"] for p in blocked["positions"]} == {"agree", "block"}
    assert [c["text"] for c in blocked["comments"]] == ["Berapa besarnya?"]

    # Members state positions; only the forum's runners close.
    assert lksa.post(f"/proposals/{pid}/close", {}).status_code == 403
    closed = ok(dinsos.post(f"/proposals/{pid}/close", {"note": "Diblok"}))
    assert closed["state"] == "no_consensus"
    assert closed["tally"]["counts"]["block"] == 1
    refused(
        dinsos.post(f"/proposals/{pid}/vote", {"votes_for": 2, "votes_against": -1}),
        "votes_against",
    )
    voted = ok(
        dinsos.post(
            f"/proposals/{pid}/vote", {"votes_for": 3, "votes_against": 0, "abstentions": 0}
        )
    )
    assert voted["state"] == "adopted_by_vote" and voted["tally"]["vote"]["for"] == 3
    assert pid in ids(lksa.get("/proposals/", forum=forum.pk))
    assert api("petugas.bandung").get(f"/proposals/{pid}").status_code == 404


def test_a_non_members_position_is_refused(api):
    # Dukcapil governs Kota Pekanbaru, so it sees this forum, but it has no seat in it.
    forum = actions.create_forum(
        name=unique("Forum Tanpa Dukcapil"),
        region=Region.objects.get(code="14.71"),
        convened_by=org("dinsos-kota-pekanbaru"),
        members=[org("lksa-harapan-bunda")],
        acting_user=user("petugas.pekanbaru"),
    )
    proposal = actions.open_proposal(
        forum,
        title="Jadwal rapat",
        text="Senin pertama.",
        deadline=TODAY + datetime.timedelta(days=7),
        proposed_by=org("dinsos-kota-pekanbaru"),
        acting_user=user("petugas.pekanbaru"),
    )
    dukcapil = api("dukcapil.pekanbaru")
    assert ok(dukcapil.get(f"/proposals/{proposal.pk}"))["title"] == "Jadwal rapat"
    message = refused(
        dukcapil.post(f"/proposals/{proposal.pk}/positions", {"stance": "agree"}), "organisation"
    )
    assert "bukan anggota" in message
    refused(
        dukcapil.post(
            f"/forums/{forum.pk}/proposals",
            {"title": "Usul", "text": "x", "deadline": str(TODAY + datetime.timedelta(days=2))},
        ),
        "proposed_by",
    )


def test_withdraw_by_the_proposer_or_the_runners_only(api, forum):
    proposal = actions.open_proposal(
        forum,
        title="Usul Dukcapil",
        text="Layanan jemput bola.",
        deadline=TODAY + datetime.timedelta(days=7),
        proposed_by=org("dukcapil-pekanbaru"),
        acting_user=user("dukcapil.pekanbaru"),
    )
    assert api("mitra.lksa").post(f"/proposals/{proposal.pk}/withdraw").status_code == 403
    assert ok(api("dukcapil.pekanbaru").post(f"/proposals/{proposal.pk}/withdraw"))["state"] == (
        "withdrawn"
    )


def test_commitments_owner_fulfilment_and_rates(api, forum, media):
    dinsos, dukcapil = api("petugas.pekanbaru"), api("dukcapil.pekanbaru")
    due = str(TODAY + datetime.timedelta(days=5))
    assert "penanggung jawab" in refused(
        dinsos.post(f"/forums/{forum.pk}/commitments", {"title": "Data anak", "due_on": due}),
        "owner",
    )
    refused(
        dinsos.post(
            f"/forums/{forum.pk}/commitments",
            {"title": "Data anak", "due_on": due, "owner": 987654321},
        ),
        "owner",
    )
    refused(
        dinsos.post(
            f"/forums/{forum.pk}/commitments",
            {"title": "Data anak", "due_on": due, "owner": org("fpsi-umr").pk},
        ),
        "owner",
    )
    refused(
        dinsos.post(
            f"/forums/{forum.pk}/commitments",
            {"title": "Data anak", "owner": org("dukcapil-pekanbaru").pk},
        ),
        "due_on",
    )
    commitment = ok(
        dinsos.post(
            f"/forums/{forum.pk}/commitments",
            {"title": "Rekap NIK anak", "due_on": due, "owner": org("dukcapil-pekanbaru").pk},
        ),
        201,
    )
    assert commitment["owner_name"] == org("dukcapil-pekanbaru").name
    assert commitment["id"] in ids(dukcapil.get("/commitments/", mine="true", limit=500))

    # The owner fulfils, with evidence (form data, a file optional).
    refused(dukcapil.form(f"/commitments/{commitment['id']}/fulfil", {"evidence": ""}), "evidence")
    done = ok(
        dukcapil.form(
            f"/commitments/{commitment['id']}/fulfil",
            {"evidence": "Rekap dikirim", "evidence_file": SimpleUploadedFile("rekap.pdf", PDF)},
        )
    )
    assert done["state"] == "fulfilled" and done["has_evidence_file"]
    evidence = dinsos.get(f"/commitments/{commitment['id']}/evidence")
    assert b"".join(evidence.streaming_content) == PDF

    other = ok(
        dinsos.post(
            f"/forums/{forum.pk}/commitments",
            {"title": "Sosialisasi", "due_on": due, "owner": org("lksa-harapan-bunda").pk},
        ),
        201,
    )
    refused(dinsos.post(f"/commitments/{other['id']}/cancel", {"reason": " "}), "reason")
    assert ok(dinsos.post(f"/commitments/{other['id']}/cancel", {"reason": "Ditunda"}))[
        "state"
    ] == ("cancelled")

    rates = ok(dinsos.get(f"/forums/{forum.pk}/fulfilment-rates"))
    assert rates == [
        {
            "organisation": org("dukcapil-pekanbaru").pk,
            "organisation_name": org("dukcapil-pekanbaru").name,
            "due": 1,
            "fulfilled": 1,
            "on_time": 1,
            "rate": 100,
        }
    ]
    assert api("petugas.bandung").get(f"/commitments/{commitment['id']}").status_code == 404
    assert api("petugas.bandung").get(f"/forums/{forum.pk}/fulfilment-rates").status_code == 404


# Agreements ---------------------------------------------------------------------


def agreement_payload(**changes):
    payload = {
        "kind": "pks",
        "title": unique("PKS Pengasuhan Anak"),
        "parties": [
            {"organisation": org("dinsos-kota-pekanbaru").pk, "obligations": "Merujuk anak"},
            {"organisation": org("lksa-harapan-bunda").pk, "obligations": "Mengasuh anak"},
        ],
        "clauses": [{"heading": "Ruang lingkup", "text": "Pengasuhan sementara."}],
        "starts_on": str(TODAY),
        "ends_on": str(TODAY + datetime.timedelta(days=365)),
        "categories": ["anak_jalanan"],
        "service_types": ["alat_bantu"],
        "regions": ["14.71"],
    }
    payload.update(changes)
    return payload


def test_agreement_bad_input(api):
    dinsos = api("petugas.pekanbaru")
    response = dinsos.post(
        "/agreements/",
        agreement_payload(
            categories=["bukan_kategori"], service_types=["bukan_layanan"], regions=["99.99"]
        ),
    )
    assert "bukan_kategori" in refused(response, "categories")
    assert "bukan_layanan" in refused(response, "service_types")
    assert "99.99" in refused(response, "regions")
    one_party = dinsos.post(
        "/agreements/",
        agreement_payload(parties=[{"organisation": org("dinsos-kota-pekanbaru").pk}]),
    )
    assert "dua pihak" in refused(one_party, "parties")
    refused(
        dinsos.post(
            "/agreements/",
            agreement_payload(
                parties=[
                    {"organisation": org("dukcapil-pekanbaru").pk},
                    {"organisation": org("lksa-harapan-bunda").pk},
                ]
            ),
        ),
        "parties",
    )
    refused(dinsos.post("/agreements/", agreement_payload(kind="kontrak")), "kind")
    refused(dinsos.post("/agreements/", agreement_payload(forum=987654321)), "forum")


def test_agreement_flow_negotiation_signatures_renewal_termination(api, media):
    dinsos, lksa = api("petugas.pekanbaru"), api("mitra.lksa")
    agreement = ok(dinsos.post("/agreements/", agreement_payload()), 201)
    aid = agreement["id"]
    assert agreement["state"] == "draft" and agreement["state_label"]
    assert agreement["categories"] == ["anak_jalanan"]
    assert agreement["service_types"] == ["alat_bantu"]
    assert agreement["regions"] == ["14.71"]
    assert [p["organisation_name"] for p in agreement["parties"]] == [
        org("dinsos-kota-pekanbaru").name,
        org("lksa-harapan-bunda").name,
    ]

    ok(dinsos.post(f"/agreements/{aid}/state", {"state": "negotiation"}))
    clause_id = agreement["clauses"][0]["id"]
    ok(
        lksa.post(f"/agreements/{aid}/clauses/{clause_id}/comments", {"text": "Tambah 6 bulan"}),
        201,
    )
    added = ok(
        lksa.post(f"/agreements/{aid}/clauses", {"heading": "Masa", "text": "6 bulan."}), 201
    )
    assert added["number"] == 2
    refused(lksa.post(f"/agreements/{aid}/clauses", {"text": " "}), "text")
    ok(dinsos.post(f"/agreements/{aid}/state", {"state": "awaiting_signatures"}))
    refused(dinsos.post(f"/agreements/{aid}/state", {"state": "selesai"}), "state")

    # Dukcapil governs the parties' region: it sees the agreement but cannot sign it.
    dukcapil = api("dukcapil.pekanbaru")
    assert ok(dukcapil.get(f"/agreements/{aid}"))["id"] == aid
    assert (
        dukcapil.post(
            f"/agreements/{aid}/sign", {"signatory_name": "X", "signatory_position": "Y"}
        ).status_code
        == 403
    )
    refused(
        dinsos.post(
            f"/agreements/{aid}/sign", {"signatory_name": " ", "signatory_position": "Kadis"}
        ),
        "signatory_name",
    )
    signed = ok(
        dinsos.post(
            f"/agreements/{aid}/sign",
            {"signatory_name": "Kepala Dinas", "signatory_position": "Kadis"},
        )
    )
    assert signed["state"] == "awaiting_signatures"
    active = ok(
        lksa.post(
            f"/agreements/{aid}/sign", {"signatory_name": "Ketua", "signatory_position": "Ketua"}
        )
    )
    assert active["state"] == "active"
    assert [e["to_state"] for e in active["events"]] == [
        "draft",
        "negotiation",
        "awaiting_signatures",
        "active",
    ]
    assert [c["text"] for c in active["clauses"][0]["comments"]] == ["Tambah 6 bulan"]

    document = ok(
        dinsos.form(
            f"/agreements/{aid}/documents",
            {"file": SimpleUploadedFile("pks.pdf", PDF), "note": "ditandatangani"},
        ),
        201,
    )
    assert document["version"] == 1
    download = lksa.get(f"/agreement-documents/{document['id']}")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF

    renewal = ok(
        dinsos.post(
            f"/agreements/{aid}/renew",
            {
                "starts_on": str(TODAY + datetime.timedelta(days=365)),
                "ends_on": str(TODAY + datetime.timedelta(days=730)),
            },
        ),
        201,
    )
    assert renewal["renews"] == aid and renewal["state"] == "draft"
    assert ok(dinsos.get(f"/agreements/{aid}"))["renewed_by"] == renewal["id"]
    refused(dinsos.post(f"/agreements/{aid}/terminate", {"reason": " "}), "reason")
    ended = ok(dinsos.post(f"/agreements/{aid}/terminate", {"reason": "Yayasan tutup"}))
    assert ended["state"] == "terminated" and ended["termination_reason"] == "Yayasan tutup"
    assert {aid, renewal["id"]} <= ids(lksa.get("/agreements/", limit=500))


def test_agreements_are_scoped(api, media):
    agreement = ok(api("petugas.pekanbaru").post("/agreements/", agreement_payload()), 201)
    outsider = api("petugas.bandung")
    assert outsider.get(f"/agreements/{agreement['id']}").status_code == 404
    assert agreement["id"] not in ids(outsider.get("/agreements/", limit=500))
    assert (
        outsider.post(f"/agreements/{agreement['id']}/state", {"state": "negotiation"}).status_code
        == 404
    )


# Resource sharing ---------------------------------------------------------------


def test_board_suggestions_match_and_close(api):
    lksa, dinsos = api("mitra.lksa"), api("petugas.pekanbaru")
    offer = ok(
        lksa.post(
            "/board/",
            {
                "kind": "offer",
                "category": "assistive_device",
                "title": unique("Kursi roda tersedia"),
                "quantity": 10,
                "unit": "unit",
                "region": "14.71",
            },
        ),
        201,
    )
    request = ok(
        dinsos.post(
            "/board/",
            {
                "kind": "request",
                "category": "assistive_device",
                "title": unique("Butuh kursi roda"),
                "quantity": 4,
                "region": "14.71",
            },
        ),
        201,
    )
    refused(
        dinsos.post(
            "/board/", {"kind": "offer", "category": "other", "title": "x", "region": "99.99"}
        ),
        "region",
    )
    refused(
        dinsos.post(
            "/board/", {"kind": "offer", "category": "rockets", "title": "x", "region": "14.71"}
        ),
        "category",
    )
    suggestions = ok(dinsos.get(f"/board/{request['id']}/suggestions", limit=20))
    ours = next(s for s in suggestions if s["post"]["id"] == offer["id"])
    assert ours["score"] >= 50 and ours["reasons"]
    assert all(s["post"]["kind"] == "offer" for s in suggestions)
    # The board is open to every member, including the outsider.
    assert offer["id"] in ids(api("petugas.bandung").get("/board/", kind="offer", limit=500))
    assert (
        api("petugas.bandung").post(
            "/board/match", {"offer": offer["id"], "request": request["id"]}
        )
    ).status_code == 403
    refused(
        dinsos.post("/board/match", {"offer": request["id"], "request": offer["id"]}), "request"
    )

    # The requester can ask, not decide: only the offering organisation agrees to give.
    refused(dinsos.post("/board/match", {"offer": offer["id"], "request": request["id"]}), "offer")
    exchange = ok(lksa.post("/board/match", {"offer": offer["id"], "request": request["id"]}), 201)
    assert (exchange["giver"], exchange["receiver"], exchange["quantity"]) == (
        org("lksa-harapan-bunda").pk,
        org("dinsos-kota-pekanbaru").pk,
        4,
    )
    assert ok(dinsos.get(f"/board/{offer['id']}"))["state"] == "matched"
    assert exchange["id"] in ids(lksa.get("/exchanges/", limit=500))
    assert exchange["id"] not in ids(api("petugas.bandung").get("/exchanges/", limit=500))

    spare = ok(
        lksa.post(
            "/board/",
            {
                "kind": "offer",
                "category": "training",
                "title": unique("Pelatihan"),
                "region": "14.71",
            },
        ),
        201,
    )
    assert dinsos.post(f"/board/{spare['id']}/close").status_code == 403
    assert ok(lksa.post(f"/board/{spare['id']}/close"))["state"] == "closed"


def test_exchanges_record_and_refuse_bad_input(api):
    dinsos = api("petugas.pekanbaru")
    exchange = ok(
        dinsos.post(
            "/exchanges/",
            {
                "kind": "training",
                "giver": org("dinsos-kota-pekanbaru").pk,
                "receiver": org("lksa-harapan-bunda").pk,
                "description": "Pelatihan pengasuhan",
                "value_idr": 1500000,
            },
        ),
        201,
    )
    assert exchange["kind_label"] and exchange["value_idr"] == 1500000
    refused(
        dinsos.post(
            "/exchanges/",
            {
                "kind": "training",
                "giver": org("dukcapil-pekanbaru").pk,
                "receiver": org("lksa-harapan-bunda").pk,
                "description": "Bukan urusan kami",
            },
        ),
        "giver",
    )
    refused(
        dinsos.post(
            "/exchanges/",
            {
                "kind": "training",
                "giver": org("dinsos-kota-pekanbaru").pk,
                "receiver": 987654321,
                "description": "x",
            },
        ),
        "receiver",
    )


def test_device_distribution_schedule_hand_over_cancel(api):
    dinsos = api("petugas.pekanbaru")
    case = Case.objects.get(person__full_name="Muhammad Rizki")
    payload = {
        "case": case.pk,
        "device": "Kursi roda",
        "method": "delivery",
        "scheduled_for": str(TODAY + datetime.timedelta(days=2)),
    }
    refused(dinsos.post("/distributions/", payload), "place")
    refused(
        dinsos.post(
            "/distributions/",
            {
                **payload,
                "place": "Jl. Sudirman",
                "scheduled_for": str(TODAY - datetime.timedelta(1)),
            },
        ),
        "scheduled_for",
    )
    payload["place"] = "Jl. Sudirman 1"
    scheduled = ok(dinsos.post("/distributions/", payload), 201)
    assert scheduled["state"] == "scheduled" and scheduled["place"] == "Jl. Sudirman 1"
    assert scheduled["id"] in ids(dinsos.get("/distributions/", case=case.pk))
    assert scheduled["id"] not in ids(api("petugas.bandung").get("/distributions/", limit=500))
    assert api("petugas.bandung").post("/distributions/", payload).status_code == 404

    handed = ok(dinsos.post(f"/distributions/{scheduled['id']}/hand-over", {}))
    assert handed["state"] == "handed_over" and handed["service"]
    refused_again = dinsos.post(f"/distributions/{scheduled['id']}/cancel")
    assert refused_again.status_code == 422

    second = ok(dinsos.post("/distributions/", {**payload, "device": "Kruk"}), 201)
    assert ok(dinsos.post(f"/distributions/{second['id']}/cancel"))["state"] == "cancelled"


# Schema and query counts --------------------------------------------------------


def test_openapi_lists_the_collaboration_paths(as_user):
    paths = as_user("petugas.bandung").get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/collaboration/forums/",
        "/api/v1/collaboration/meetings/{meeting_id}/invitation.ics",
        "/api/v1/collaboration/proposals/{proposal_id}/positions",
        "/api/v1/collaboration/commitments/{commitment_id}/fulfil",
        "/api/v1/collaboration/agreements/",
        "/api/v1/collaboration/board/match",
        "/api/v1/collaboration/distributions/",
        "/api/v1/collaboration/health",
        "/api/v1/collaboration/graph",
    ]:
        assert path in paths, path


def _queries(caller, path):
    with CaptureQueriesContext(connection) as captured:
        assert caller.get(path, limit=500).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_rows(api):
    dinsos = api("petugas.pekanbaru")
    dinsos.get("/forums/")  # the token and the scope, once
    forums_before = _queries(dinsos, "/forums/")
    agreements_before = _queries(dinsos, "/agreements/")
    for _ in range(3):
        actions.create_forum(
            name=unique("Forum hitung"),
            region=Region.objects.get(code="14.71"),
            convened_by=org("dinsos-kota-pekanbaru"),
            members=[org("dukcapil-pekanbaru")],
            acting_user=None,
        )
        actions.draft_agreement(
            kind="mou",
            title=unique("MoU hitung"),
            drafted_by=org("dinsos-kota-pekanbaru"),
            parties=[(org("dinsos-kota-pekanbaru"), ""), (org("dukcapil-pekanbaru"), "")],
            categories=list(PmksCategory.objects.all()[:2]),
            acting_user=None,
        )
    assert _queries(dinsos, "/forums/") == forums_before
    assert _queries(dinsos, "/agreements/") == agreements_before


# Health check and the network picture ------------------------------------------


def test_forum_and_network_health(api, forum):
    dinsos = api("petugas.pekanbaru")
    report = ok(dinsos.get(f"/forums/{forum.pk}/health"))
    assert report["forum"] == forum.pk
    assert report["dimensions"] and all("score" in d for d in report["dimensions"])
    network = ok(dinsos.get("/health"))
    assert network["dimensions"] and "overall" in network
    assert api("petugas.bandung").get(f"/forums/{forum.pk}/health").status_code == 404


def test_graph_and_integration_levels(api, forum):
    dinsos = api("petugas.pekanbaru")
    pair = tuple(sorted([org("dinsos-kota-pekanbaru").pk, org("dukcapil-pekanbaru").pk]))
    graph = ok(dinsos.get("/graph"))
    assert {org("dinsos-kota-pekanbaru").pk, org("dukcapil-pekanbaru").pk} <= {
        n["id"] for n in graph["nodes"]
    }
    assert pair in {(e["source"], e["target"]) for e in graph["edges"]}
    levels = ok(dinsos.get("/integration"))
    row = next(r for r in levels if (r["a"], r["b"]) == pair)
    assert row["level"] in {"coordination", "integration", "closeness"} and row["reasons"]
    # The outsider's picture does not include this forum's ties.
    outsider_edges = ok(api("petugas.bandung").get("/graph"))["edges"]
    assert pair not in {(e["source"], e["target"]) for e in outsider_edges}
