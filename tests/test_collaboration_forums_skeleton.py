"""Forums, meetings, proposals and commitments on the shared skeleton (issue 13): one
FilterSet per listed model for the page and the API, the rules of who may withdraw a
proposal, remove a member or adopt a network rule in the actions themselves, and stored
files served through core.files.serve_file (a lost file is a 404, never a 500)."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.collaboration import actions
from jejaring.collaboration.models import (
    CommitmentState,
    Forum,
    ForumMembership,
    GroundRule,
    MeetingAttachment,
    ProposalState,
)
from jejaring.network.models import Organisation
from jejaring.regions.models import Region

API = "/api/v1/collaboration"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = timezone.localdate()


def org(code):
    return Organisation.objects.get(code=code)


def user(username):
    return User.objects.get(username=username)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def forum(db):
    """Dinas Sosial Kota Pekanbaru convenes (and runs); Dukcapil and the LKSA are members."""
    return actions.create_forum(
        name=f"Forum Uji Kerangka {uuid.uuid4().hex[:8]}",
        region=Region.objects.get(code="14.71"),
        convened_by=org("dinsos-kota-pekanbaru"),
        members=[org("dukcapil-pekanbaru"), org("lksa-harapan-bunda")],
        acting_user=user("petugas.pekanbaru"),
    )


@pytest.fixture
def api(bearer):
    def get(username, path, **params):
        return Client().get(API + path, params, **bearer(username))

    return get


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


def refused_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


def propose(forum, by="dukcapil-pekanbaru", username="dukcapil.pekanbaru"):
    return actions.open_proposal(
        forum,
        title="Layanan jemput bola",
        text="Dukcapil datang ke LKSA.",
        deadline=TODAY + datetime.timedelta(days=7),
        proposed_by=org(by),
        acting_user=user(username),
    )


def commit(forum, *, due_on, owner="lksa-harapan-bunda"):
    return actions.create_commitment(
        forum,
        title=f"Data anak {uuid.uuid4().hex[:6]}",
        owner=org(owner),
        due_on=due_on,
        acting_user=user("petugas.pekanbaru"),
    )


def meet(forum, *, starts_in: datetime.timedelta):
    start = timezone.now() + starts_in
    return actions.schedule_meeting(
        forum,
        title="Rapat koordinasi",
        mode="online",
        online_link="https://meet.example.org/forum",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        acting_user=user("petugas.pekanbaru"),
    )


# Rules in the actions -------------------------------------------------------------------


def test_withdrawing_is_for_the_proposer_or_the_forums_runners_in_the_action(forum):
    proposal = propose(forum)
    # A member that neither proposed it nor runs the forum: refused by the action itself.
    with pytest.raises(PermissionDenied):
        actions.withdraw_proposal(proposal, acting_user=user("mitra.lksa"))
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.OPEN

    assert (
        actions.withdraw_proposal(proposal, acting_user=user("dukcapil.pekanbaru")).state
        == ProposalState.WITHDRAWN
    )
    by_runner = actions.withdraw_proposal(propose(forum), acting_user=user("petugas.pekanbaru"))
    assert by_runner.state == ProposalState.WITHDRAWN


def test_the_withdraw_page_and_api_answer_the_actions_refusal_with_403(as_user, bearer, forum):
    proposal = propose(forum)
    page = as_user("mitra.lksa").post(
        reverse("collaboration:proposal_withdraw", args=[proposal.pk])
    )
    assert page.status_code == 403
    answer = Client().post(f"{API}/proposals/{proposal.pk}/withdraw", **bearer("mitra.lksa"))
    assert answer.status_code == 403
    assert "pengusul" in answer.json()["detail"]  # the action's own words, in Indonesian
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.OPEN


def test_a_member_leaves_by_itself_but_does_not_remove_another(forum):
    lksa = user("mitra.lksa")
    dukcapil_seat = ForumMembership.objects.get(
        forum=forum, organisation__code="dukcapil-pekanbaru"
    )
    with pytest.raises(PermissionDenied):
        actions.remove_member(dukcapil_seat, acting_user=lksa)
    dukcapil_seat.refresh_from_db()
    assert dukcapil_seat.left_on is None

    own_seat = ForumMembership.objects.get(forum=forum, organisation__code="lksa-harapan-bunda")
    assert actions.remove_member(own_seat, acting_user=lksa).left_on == TODAY
    # The forum's runners manage every seat.
    assert actions.remove_member(dukcapil_seat, acting_user=user("petugas.pekanbaru")).left_on


def test_only_network_administrators_adopt_network_rules_in_the_action(db):
    rule = {"title": "Kode etik", "text": "Data anak hanya untuk yang menangani.", "kind": "rule"}
    with pytest.raises(PermissionDenied):
        actions.add_ground_rule(None, acting_user=user("petugas.pekanbaru"), **rule)
    assert not GroundRule.objects.filter(forum=None, title="Kode etik").exists()
    assert actions.add_ground_rule(None, acting_user=user("admin"), **rule).forum is None
    # The system (the demo) adopts the network's first rules.
    assert actions.add_ground_rule(None, acting_user=None, **rule).pk


# Files served through serve_file ----------------------------------------------------------


def test_lost_commitment_evidence_answers_404_on_the_page_and_the_api(as_user, bearer, forum):
    commitment = commit(forum, due_on=TODAY + datetime.timedelta(days=3))
    actions.fulfil_commitment(
        commitment,
        evidence="Rekap dikirim",
        evidence_file=SimpleUploadedFile("rekap.pdf", PDF),
        acting_user=user("mitra.lksa"),
    )
    commitment.refresh_from_db()
    page_url = reverse("collaboration:commitment", args=[commitment.pk]) + "?download=evidence"
    dinsos = as_user("petugas.pekanbaru")
    assert b"".join(dinsos.get(page_url).streaming_content) == PDF

    commitment.evidence_file.storage.delete(commitment.evidence_file.name)
    assert dinsos.get(page_url).status_code == 404
    api_url = f"{API}/commitments/{commitment.pk}/evidence"
    assert Client().get(api_url, **bearer("petugas.pekanbaru")).status_code == 404


def test_lost_meeting_attachment_answers_404_on_the_page_and_the_api(as_user, bearer, forum):
    meeting = meet(forum, starts_in=datetime.timedelta(days=2))
    attachment = actions.attach_to_meeting(
        meeting,
        SimpleUploadedFile("undangan.pdf", PDF),
        description="Undangan",
        acting_user=user("petugas.pekanbaru"),
    )
    page_url = reverse("collaboration:meeting_attachment", args=[attachment.pk])
    dinsos = as_user("petugas.pekanbaru")
    assert b"".join(dinsos.get(page_url).streaming_content) == PDF

    stored = MeetingAttachment.objects.get(pk=attachment.pk).file
    stored.storage.delete(stored.name)
    assert dinsos.get(page_url).status_code == 404
    api_url = f"{API}/meeting-attachments/{attachment.pk}"
    assert Client().get(api_url, **bearer("petugas.pekanbaru")).status_code == 404


# FilterSets: the page and the API ---------------------------------------------------------


def test_forum_list_page_filters_by_region_and_shows_a_bad_code_on_the_form(as_user, forum):
    client = as_user("petugas.pekanbaru")
    url = reverse("collaboration:forums")
    assert forum in client.get(url, {"region": "14.71"}).context["mine"]
    elsewhere = client.get(url, {"region": "32"})
    assert forum not in elsewhere.context["mine"] + elsewhere.context["others"]
    bad = client.get(url, {"region": "99.99"})
    assert bad.status_code == 200
    assert "region" in bad.context["filterset"].form.errors
    assert forum in bad.context["mine"]  # a bad value filters nothing by it


def test_forum_api_filters_by_region_and_answers_a_bad_code_with_422(api, forum):
    assert forum.pk in ids(api("petugas.pekanbaru", "/forums/", region="14.71", limit=500))
    assert forum.pk not in ids(api("petugas.pekanbaru", "/forums/", region="32", limit=500))
    assert forum.pk in ids(api("mitra.lksa", "/forums/", mine="true", limit=500))
    assert refused_fields(api("petugas.pekanbaru", "/forums/", region="99.99")) == {"region"}


def test_meeting_api_filters_by_forum_and_state_and_refuses_a_bad_forum_id(api, forum):
    planned = meet(forum, starts_in=datetime.timedelta(days=3))
    cancelled = meet(forum, starts_in=datetime.timedelta(days=4))
    actions.cancel_meeting(cancelled, acting_user=user("petugas.pekanbaru"))
    found = ids(api("dukcapil.pekanbaru", "/meetings/", forum=forum.pk, state="planned"))
    assert found == {planned.pk}
    assert refused_fields(api("dukcapil.pekanbaru", "/meetings/", forum="9" * 20)) == {"forum"}
    assert refused_fields(api("dukcapil.pekanbaru", "/meetings/", state="someday")) == {"state"}


def test_proposal_api_filters_by_state_and_refuses_a_bad_state(api, forum):
    kept, withdrawn = propose(forum), propose(forum)
    actions.withdraw_proposal(withdrawn, acting_user=user("dukcapil.pekanbaru"))
    found = ids(api("mitra.lksa", "/proposals/", forum=forum.pk, state="withdrawn"))
    assert found == {withdrawn.pk}
    assert kept.pk in ids(api("mitra.lksa", "/proposals/", forum=forum.pk))
    assert refused_fields(api("mitra.lksa", "/proposals/", state="maybe")) == {"state"}


def test_commitment_list_page_filters_and_shows_a_bad_state_on_the_form(as_user, forum):
    late = commit(forum, due_on=TODAY - datetime.timedelta(days=2))
    later = commit(forum, due_on=TODAY + datetime.timedelta(days=9))
    owner = as_user("mitra.lksa")
    url = reverse("collaboration:commitments")
    overdue = owner.get(url, {"overdue": "on"})
    assert late in overdue.context["mine"] and later not in overdue.context["mine"]
    assert late in overdue.context["page_obj"] and later not in overdue.context["page_obj"]
    bad = owner.get(url, {"state": "bogus"})
    assert bad.status_code == 200
    assert "state" in bad.context["filterset"].form.errors
    assert 'role="alert"' in bad.content.decode()
    assert {late, later} <= set(bad.context["mine"])


def test_commitment_api_filters_overdue_and_refuses_a_bad_state(api, forum):
    late = commit(forum, due_on=TODAY - datetime.timedelta(days=2))
    later = commit(forum, due_on=TODAY + datetime.timedelta(days=9))
    found = ids(api("mitra.lksa", "/commitments/", forum=forum.pk, overdue="true"))
    assert found == {late.pk}
    everything = ids(api("mitra.lksa", "/commitments/", forum=forum.pk, overdue="false"))
    assert {late.pk, later.pk} <= everything
    assert refused_fields(api("mitra.lksa", "/commitments/", state="done-ish")) == {"state"}


# Small forms on a detail page ---------------------------------------------------------------


def test_a_refusal_the_form_cannot_show_is_a_message_on_the_page_it_returns_to(as_user, forum):
    commitment = commit(forum, due_on=TODAY + datetime.timedelta(days=3))
    actions.cancel_commitment(commitment, reason="Ditunda", acting_user=user("petugas.pekanbaru"))
    response = as_user("mitra.lksa").post(
        reverse("collaboration:commitment_fulfil", args=[commitment.pk]),
        {"evidence": "Sudah", "fulfilled_on": TODAY.isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "collaboration:commitment", args=[commitment.pk]
    )
    shown = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert shown and "tidak terbuka lagi" in shown[0]
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.CANCELLED


def test_a_forum_sections_bad_input_is_a_message_and_nothing_is_recorded(as_user, forum):
    response = as_user("petugas.pekanbaru").post(
        reverse("collaboration:goal_add", args=[forum.pk]), {"title": ""}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith("#goals")
    assert [m for m in response.context["messages"] if m.level_tag == "error"]
    assert not forum.goals.exists()


def test_a_survey_with_missing_answers_is_refused_with_a_message(as_user, forum):
    client = as_user("mitra.lksa")
    response = client.post(reverse("collaboration:survey", args=[forum.pk]), {"trust": "4"})
    assert response.status_code == 200
    assert [m for m in response.context["messages"] if m.level_tag == "error"]
    answers = dict.fromkeys(
        ["face_to_face", "trust", "commitment", "understanding", "outcomes", "design"], "4"
    )
    done = client.post(
        reverse("collaboration:survey", args=[forum.pk]), {**answers, "leadership": "5"}
    )
    assert done.status_code == 302
    assert done.url == reverse("collaboration:forum_health", args=[forum.pk])


def test_the_api_forum_list_keeps_its_default_of_active_forums(api, forum):
    # No action closes a forum yet; the flag is what a closed forum would carry.
    Forum.objects.filter(pk=forum.pk).update(is_active=False)
    assert forum.pk not in ids(api("petugas.pekanbaru", "/forums/", limit=500))
    assert forum.pk in ids(api("petugas.pekanbaru", "/forums/", active="false", limit=500))
