"""Notifications, reminders, integration levels, the network graph and the health
pages — on the demo's Pekanbaru forum and on records made here."""

import datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case
from jejaring.collaboration import actions
from jejaring.collaboration.demo import FORUM_NAME
from jejaring.collaboration.integration import CLOSENESS, COORDINATION, INTEGRATION, collect
from jejaring.collaboration.models import Commitment, Forum
from jejaring.collaboration.reminders import send_reminders
from jejaring.core.models import Notification
from jejaring.network.models import Organisation


def org(code):
    return Organisation.objects.get(code=code)


def test_demo_forum_is_running_with_its_year_of_records(db):
    forum = Forum.objects.get(name=FORUM_NAME)
    assert forum.meetings.filter(state="held").count() == 6
    assert forum.meetings.filter(state="planned").exists()
    assert set(forum.proposals.values_list("state", flat=True)) >= {
        "consensus",
        "adopted_by_vote",
        "open",
    }
    states = set(forum.agreements.values_list("state", flat=True))
    assert {"active", "negotiation", "awaiting_signatures", "draft"} <= states
    assert forum.exchanges.count() >= 8
    assert forum.commitments.filter(state="fulfilled").exists()


def test_health_pages_show_the_demo_forum(as_user):
    client = as_user("petugas.pekanbaru")
    forum = Forum.objects.get(name=FORUM_NAME)
    page = client.get(reverse("collaboration:forum_health", args=[forum.pk]))
    assert page.status_code == 200
    report = page.context["report"]
    assert report.facts["meetings_held"] == 6
    assert all(d.score is not None for d in report.dimensions)
    network = client.get(reverse("collaboration:health"))
    assert network.status_code == 200 and network.context["report"].facts["members"] >= 9


def test_outsider_cannot_open_the_forum_health_page(as_user):
    forum = Forum.objects.get(name=FORUM_NAME)
    page = as_user("petugas.bandung").get(reverse("collaboration:forum_health", args=[forum.pk]))
    assert page.status_code == 404


def test_survey_is_anonymous_and_once_a_month(as_user):
    client = as_user("mitra.lksa")
    forum = Forum.objects.get(name=FORUM_NAME)
    url = reverse("collaboration:survey", args=[forum.pk])
    answers = {
        code: "4"
        for code in [
            "face_to_face",
            "trust",
            "commitment",
            "understanding",
            "outcomes",
            "design",
            "leadership",
        ]
    }
    assert client.post(url, answers).status_code == 302
    client.post(url, answers)
    stored = forum.survey_responses.get()
    assert stored.answers["trust"] == 4
    # Nothing in the row points back to the user.
    fields = {f.name for f in type(stored)._meta.fields}
    assert fields == {"id", "forum", "period", "respondent_hash", "answers", "submitted_on"}
    incomplete = client.post(url, {"trust": "9"})
    assert incomplete.status_code == 200  # the form again, with the message


def test_integration_ladder_from_records(db):
    pairs = collect(User.objects.get(username="admin"))
    key = tuple(sorted([org("dinsos-kota-pekanbaru").pk, org("lksa-harapan-bunda").pk]))
    # The demo: an active PKS plus training given → integration.
    assert pairs[key].level == INTEGRATION
    # Add grant management and mutual aid → closeness.
    for kind in ("grant_management", "mutual_aid"):
        actions.record_exchange(
            kind=kind,
            giver=org("dinsos-kota-pekanbaru"),
            receiver=org("lksa-harapan-bunda"),
            description=kind,
            acting_user=None,
        )
    assert collect(User.objects.get(username="admin"))[key].level == CLOSENESS
    only_forum = tuple(sorted([org("dinkes-pekanbaru").pk, org("fpsi-umr").pk]))
    assert pairs[only_forum].level == COORDINATION


def test_graph_data_is_scoped_and_weighted(as_user):
    data = as_user("petugas.pekanbaru").get(reverse("collaboration:graph_data")).json()
    names = {n["label"] for n in data["nodes"]}
    assert "Dinas Sosial Kota Pekanbaru" in names
    assert all(e["weight"] >= 1 for e in data["edges"])
    outsider = as_user("petugas.bandung").get(reverse("collaboration:graph_data")).json()
    assert "LKSA Harapan Bunda Pekanbaru" not in {n["label"] for n in outsider["nodes"]}
    page = as_user("petugas.pekanbaru").get(reverse("collaboration:graph"))
    assert b"vendor/cytoscape/cytoscape.min.js" in page.content


def test_referral_notifies_the_receiver_and_the_page_marks_it_read(as_user):
    case = Case.objects.get(
        person__full_name="Muhammad Rizki", organisation__code="dinsos-kota-pekanbaru"
    )
    referral = case_actions.send_referral(
        case, org("dukcapil-pekanbaru"), reason="Penerbitan NIK", acting_user=None
    )
    client = as_user("dukcapil.pekanbaru")
    note = Notification.objects.get(user__username="dukcapil.pekanbaru", kind="referral_waiting")
    listing = client.get(reverse("core:notifications"))
    # The notification names the person for its reader, not the referral's number.
    assert case.person.full_name.encode() in listing.content
    assert listing.context["unread_notifications"] >= 1
    opened = client.get(reverse("core:notification_open", args=[note.pk]))
    assert opened.url == reverse("cases:referral", args=[referral.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    # Someone else's notification is not there for another user.
    assert (
        as_user("mitra.lksa").get(reverse("core:notification_open", args=[note.pk])).status_code
        == 404
    )


def test_reminders_go_out_once_and_by_email(db, mailoutbox, django_capture_on_commit_callbacks):
    User.objects.filter(username="dinkes.reminder").delete()
    forum = Forum.objects.get(name=FORUM_NAME)
    overdue = Commitment.objects.get(forum=forum, title__startswith="Pemeriksaan kesehatan")
    staff = User.objects.create_user(
        "dinkes.reminder", email="dinkes@example.org", organisation=overdue.owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders()
    assert first["commitments"] >= 1
    note = Notification.objects.get(user=staff, kind="commitment_overdue")
    assert note.params["commitment"] == overdue.title
    assert any("Pemeriksaan kesehatan" in m.subject for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert Notification.objects.filter(user=staff, kind="commitment_overdue").count() == 1


def test_remind_command_runs(db, capsys):
    call_command("remind", date=(timezone.localdate() + datetime.timedelta(days=1)).isoformat())
    assert "Agreements expired" in capsys.readouterr().out


def test_notifications_and_survey_over_the_api(bearer):
    from django.test import Client

    forum = Forum.objects.get(name=FORUM_NAME)
    client, auth = Client(), bearer("mitra.lksa")
    mine = client.get("/api/v1/notifications/?unread=true", **auth).json()
    assert mine["count"] >= 1 and all(not n["read"] for n in mine["items"])
    first = mine["items"][0]
    assert first["title"]  # rendered in the reader's language
    assert client.post(f"/api/v1/notifications/{first['id']}/read", **auth).json()["read"]
    other = Notification.objects.exclude(user__username="mitra.lksa").first()
    assert client.post(f"/api/v1/notifications/{other.pk}/read", **auth).status_code == 404
    answers = dict.fromkeys(
        [
            "face_to_face",
            "trust",
            "commitment",
            "understanding",
            "outcomes",
            "design",
            "leadership",
        ],
        5,
    )
    url = f"/api/v1/collaboration/forums/{forum.pk}/survey"
    post = lambda body: client.post(url, body, content_type="application/json", **auth)  # noqa: E731
    assert post(answers).status_code == 201
    assert post(answers).status_code == 422  # once a month
    assert post({**answers, "trust": 9}).status_code == 422


def test_network_survey_once_a_month_too(bearer):
    from django.test import Client

    answers = dict.fromkeys(
        [
            "face_to_face",
            "trust",
            "commitment",
            "understanding",
            "outcomes",
            "design",
            "leadership",
        ],
        4,
    )
    client, auth = Client(), bearer("mitra.lksa")
    post = lambda: client.post(  # noqa: E731
        "/api/v1/collaboration/survey", answers, content_type="application/json", **auth
    )
    assert [post().status_code, post().status_code] == [201, 422]


def test_huge_ids_are_bad_input_not_a_crash(bearer):
    from django.test import Client

    response = Client().get(
        "/api/v1/collaboration/agreements/?party=" + "9" * 20, **bearer("admin")
    )
    # SQLite cannot hold the number (422); PostgreSQL finds no such party (empty list).
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["count"] == 0
