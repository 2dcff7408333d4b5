"""Every loop closes with a notification (issue 14, points 2 and 6): a referral decided
goes to its sender, an overlap to each organisation involved, a case assigned to its
worker, an import finished or stopped to its uploader, a consent withdrawn to the
receivers it covered — in the app and by e-mail, as each user chose; the person named
for the reader by the identity rule, never in an e-mail or a stored parameter."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from jejaring.accounts import actions as account_actions
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case
from jejaring.core import notifications
from jejaring.core.models import Notification, NotificationPreference
from jejaring.imports import actions as import_actions
from jejaring.imports.models import ImportJob, JobStatus
from jejaring.network.models import Organisation
from tests.helpers import register_person, run_queued_tasks

Kind = Notification.Kind
NAME = "Nadia Kusumawati"  # a name found nowhere else in the demo


def org(code):
    return Organisation.objects.get(code=code)


def user(username, email=""):
    found = User.objects.get(username=username)
    if email:
        User.objects.filter(pk=found.pk).update(email=email)
        found.refresh_from_db()
    return found


def referred_to_lksa(categories=("anak_jalanan",)):
    """A person of Dinas Sosial Kota Pekanbaru, with consent, referred to the LKSA by
    the case worker petugas.pekanbaru (who has an e-mail address)."""
    worker = user("petugas.pekanbaru", "rahmat@example.org")
    person = register_person(full_name=NAME, categories=categories)
    case = case_actions.open_case(
        person,
        person.categories.first().category,
        organisation=worker.organisation,
        acting_user=worker,
    )
    case_actions.record_consent(
        person,
        given_by_name="Ibu Kandung",
        given_by="parent",
        scope="Berbagi data untuk rujukan pengasuhan",
        given_on=datetime.date.today(),
        acting_user=worker,
    )
    referral = case_actions.send_referral(
        case, org("lksa-harapan-bunda"), reason="Pengasuhan sementara", acting_user=worker
    )
    return worker, person, case, referral


def mine(username, kind):
    return list(Notification.objects.filter(user__username=username, kind=kind))


# 1. The loops -------------------------------------------------------------------------


def test_a_referral_accepted_tells_its_sender_in_the_app_and_by_email(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    worker, person, case, referral = referred_to_lksa()
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.accept_referral(referral, acting_user=user("mitra.lksa"))
    [note] = mine("petugas.pekanbaru", Kind.REFERRAL_ACCEPTED)
    assert note.url == reverse("cases:referral", args=[referral.pk])
    # Ids and organisation names are stored, never the person's name.
    assert NAME not in json.dumps(note.params)
    [mail] = [m for m in mailoutbox if m.to == ["rahmat@example.org"]]
    assert "LKSA Harapan Bunda" in mail.subject
    assert NAME not in mail.subject + mail.body
    assert reverse("cases:referral", args=[referral.pk]) in mail.body
    # The sender reads the person by name: their organisation handles them.
    page = Client()
    page.force_login(worker)
    assert NAME in page.get(reverse("core:notifications")).content.decode()


def test_a_referral_declined_tells_its_sender_with_the_reason(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    worker, person, case, referral = referred_to_lksa()
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.decline_referral(
            referral, "Kapasitas asrama penuh bulan ini", acting_user=user("mitra.lksa")
        )
    [note] = mine("petugas.pekanbaru", Kind.REFERRAL_DECLINED)
    title, body = notifications.render_many([note], worker)[0][1:]
    assert NAME in title and "Kapasitas asrama penuh bulan ini" in body
    # The e-mail neither names the person nor quotes the reason (it may carry identity).
    [mail] = [m for m in mailoutbox if m.to == ["rahmat@example.org"]]
    assert NAME not in mail.subject + mail.body
    assert "Kapasitas asrama" not in mail.body


def test_a_decided_referral_without_a_sender_goes_to_the_sending_case_staff(db):
    _worker, _person, case, _referral = referred_to_lksa()
    system_sent = case_actions.send_referral(
        case, org("dukcapil-pekanbaru"), reason="Penerbitan NIK", acting_user=None
    )
    case_actions.accept_referral(system_sent, acting_user=user("dukcapil.pekanbaru"))
    told = Notification.objects.filter(kind=Kind.REFERRAL_ACCEPTED)
    users = set(told.values_list("user__username", flat=True))
    assert {"petugas.pekanbaru", "data.pekanbaru"} <= users
    assert all(
        u.organisation.code == "dinsos-kota-pekanbaru"
        for u in User.objects.filter(username__in=users)
    )


def test_a_case_assigned_tells_the_worker_not_the_one_who_took_it(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    worker = user("petugas.pekanbaru")
    colleague = user("data.pekanbaru", "dewi@example.org")
    person = register_person(full_name=NAME)
    case = case_actions.open_case(
        person,
        person.categories.first().category,
        organisation=worker.organisation,
        acting_user=worker,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.assign_worker(case, colleague, acting_user=worker)
    [note] = mine("data.pekanbaru", Kind.CASE_ASSIGNED)
    assert note.url == reverse("cases:detail", args=[case.pk])
    assert [m.to for m in mailoutbox] == [["dewi@example.org"]]
    # Taking a case oneself, or being assigned it again, tells nobody.
    case_actions.assign_worker(Case.objects.get(pk=case.pk), worker, acting_user=worker)
    case_actions.assign_worker(Case.objects.get(pk=case.pk), colleague, acting_user=worker)
    assert mine("petugas.pekanbaru", Kind.CASE_ASSIGNED) == []
    assert len(mine("data.pekanbaru", Kind.CASE_ASSIGNED)) == 2


def test_an_overlap_found_tells_each_organisation_involved_once(db):
    person = register_person(full_name=NAME)
    dinsos, dukcapil = user("petugas.pekanbaru"), user("dukcapil.pekanbaru")
    category = person.categories.first().category
    case_actions.open_case(person, category, organisation=dinsos.organisation, acting_user=dinsos)
    case_actions.open_case(person, category, organisation=dukcapil.organisation, acting_user=dinsos)
    run_queued_tasks()
    for username in ("petugas.pekanbaru", "dukcapil.pekanbaru"):
        [note] = mine(username, Kind.OVERLAP_FOUND)
        assert note.params["person"] == person.pk
        assert "Dinas Sosial Kota Pekanbaru" in note.params["organisations"]
    # The next refresh finds the same overlap: nobody hears of it again.
    from jejaring.cases.overlap import refresh_overlaps

    refresh_overlaps()
    assert len(mine("dukcapil.pekanbaru", Kind.OVERLAP_FOUND)) == 1


def test_a_consent_withdrawn_tells_the_receivers_it_covered(db):
    worker, person, _case, referral = referred_to_lksa()
    case_actions.accept_referral(referral, acting_user=user("mitra.lksa"))
    case_actions.withdraw_consent(person.consents.get(), acting_user=worker)
    [note] = mine("mitra.lksa", Kind.CONSENT_WITHDRAWN)
    assert note.url == reverse("cases:referral", args=[referral.pk])
    title, body = notifications.render_many([note], user("mitra.lksa"))[0][1:]
    assert NAME in title  # the LKSA handles the person now
    assert datetime.date.today().strftime("%d-%m-%Y") in body  # Indonesian date
    # The organisation that withdrew it, and government receivers, are not told.
    assert mine("petugas.pekanbaru", Kind.CONSENT_WITHDRAWN) == []


def test_an_import_stopped_tells_the_uploader(db):
    officer = user("data.pekanbaru")
    job = import_actions.upload_file(
        ContentFile(b"nama,tanggal_lahir\nAndi,2010-01-01\n", name="desa-sukajadi.csv"),
        organisation=officer.organisation,
        acting_user=officer,
    )
    import_actions._fail(job, "stopped for the test")
    [stopped] = mine("data.pekanbaru", Kind.IMPORT_FAILED)
    assert stopped.params["file"] == "desa-sukajadi.csv"
    assert "stopped for the test" not in json.dumps(stopped.params)
    assert stopped.url == reverse("imports:detail", args=[job.pk])


def test_an_import_run_to_the_end_tells_the_uploader_its_counts(db):
    officer = user("data.pekanbaru")
    fixture = Path(__file__).parent / "fixtures" / "imports" / "district.xlsx"
    with fixture.open("rb") as handle:
        job = import_actions.upload_file(
            File(handle, name="desa-sukajadi.xlsx"),
            organisation=officer.organisation,
            acting_user=officer,
        )
    import_actions.start_check(job, acting_user=officer, background=False)
    job = import_actions.run_check(job, acting_user=officer)
    import_actions.start_import(job, acting_user=officer, background=False)
    job = import_actions.run_import(job, acting_user=officer)
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE
    [done] = mine("data.pekanbaru", Kind.IMPORT_FINISHED)
    title, body = notifications.render_many([done], officer)[0][1:]
    assert "desa-sukajadi.xlsx" in title
    assert done.params["created"] + done.params["linked"] >= 1
    assert str(done.params["created"]) in body


# 2. Choices -------------------------------------------------------------------------


def test_turned_off_nothing_is_sent_and_email_only_is_not_shown(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    worker = user("petugas.pekanbaru", "rahmat@example.org")
    notifications.set_preferences({Kind.REFERRAL_ACCEPTED: (False, False)}, acting_user=worker)
    notifications.set_preferences({Kind.REFERRAL_DECLINED: (False, True)}, acting_user=worker)
    _w, _p, _c, accepted = referred_to_lksa()
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.accept_referral(accepted, acting_user=user("mitra.lksa"))
    assert mine("petugas.pekanbaru", Kind.REFERRAL_ACCEPTED) == []
    assert mailoutbox == []

    case = Case.objects.get(pk=accepted.from_case_id)
    declined = case_actions.send_referral(
        case, org("dukcapil-pekanbaru"), reason="Penerbitan NIK", acting_user=worker
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.decline_referral(
            declined, "Bukan wewenang kami", acting_user=user("dukcapil.pekanbaru")
        )
    [mail] = mailoutbox
    assert mail.to == ["rahmat@example.org"]
    # Mailed, but neither listed nor counted on the bell.
    client = Client()
    client.force_login(worker)
    page = client.get(reverse("core:notifications"))
    assert all(n.kind != Kind.REFERRAL_DECLINED for n, *_ in page.context["rows"])
    assert not Notification.objects.filter(
        user=worker, kind=Kind.REFERRAL_DECLINED, read_at__isnull=True
    ).exists()


def test_defaults_show_everything_and_mail_the_work(db):
    groups = notifications.preferences(user("petugas.pekanbaru"))
    choices = {c.kind: (c.in_app, c.by_email) for _title, rows in groups for c in rows}
    assert set(choices) == set(Kind.values)
    assert all(in_app for in_app, _ in choices.values())
    assert choices[Kind.REFERRAL_ACCEPTED] == (True, True)
    assert choices[Kind.IMPORT_FINISHED] == (True, False)


def test_preferences_page_saves_and_a_choice_back_to_default_keeps_no_row(as_user):
    client = as_user("petugas.pekanbaru")
    url = reverse("core:notification_preferences")
    page = client.get(url)
    assert page.status_code == 200
    assert (
        reverse("core:notification_preferences").encode()
        in client.get(reverse("core:notifications")).content
    )
    boxes = {
        f"{k}-{part}": "on"
        for k in Kind.values
        for part in ("in_app", "by_email")
        if (k, part) != (Kind.CASE_ASSIGNED, "by_email")
    }
    saved = client.post(url, boxes)
    assert saved.status_code == 302
    worker = user("petugas.pekanbaru")
    kept = NotificationPreference.objects.filter(user=worker)
    assert {(p.kind, p.in_app, p.by_email) for p in kept} == {
        (Kind.CASE_ASSIGNED, True, False),
        (Kind.IMPORT_FINISHED, True, True),
    }
    assert notifications.chosen([worker], Kind.CASE_ASSIGNED) == {worker.pk: (True, False)}
    # Another user's choices are untouched.
    assert not NotificationPreference.objects.exclude(user=worker).exists()


def test_preferences_over_the_api(bearer):
    client, auth = Client(), bearer("mitra.lksa")
    got = client.get("/api/v1/notifications/preferences", **auth)
    assert got.status_code == 200
    rows = {p["kind"]: p for p in got.json()["preferences"]}
    assert rows[Kind.REFERRAL_WAITING]["in_app"] and rows[Kind.REFERRAL_WAITING]["group"]
    put = client.put(
        "/api/v1/notifications/preferences",
        data=json.dumps(
            {"preferences": [{"kind": "referral_waiting", "in_app": True, "by_email": False}]}
        ),
        content_type="application/json",
        **auth,
    )
    assert put.status_code == 200
    assert {p["kind"]: p for p in put.json()["preferences"]}["referral_waiting"][
        "by_email"
    ] is False
    bad = client.put(
        "/api/v1/notifications/preferences",
        data=json.dumps({"preferences": [{"kind": "nope", "in_app": True, "by_email": True}]}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422


# 3. Names, not ids, by the identity rule for the reader ------------------------------


def test_the_person_is_named_for_the_reader_and_masked_where_they_may_not_see_it(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    # A child victim of violence: identity for the handling roles only. A facilitator
    # of the same office assigned the case reads initials; the e-mail names nobody.
    worker = user("petugas.pekanbaru")
    facilitator = account_actions.create_user(
        username="fasilitator.notif",
        organisation=worker.organisation,
        roles=[Role.FORUM_FACILITATOR],
        password=None,
        acting_user=None,
        email="fasilitator@example.org",
    )
    person = register_person(full_name=NAME, categories=("anak_korban_tindak_kekerasan",))
    assert person.is_sensitive
    case = case_actions.open_case(
        person,
        person.categories.first().category,
        organisation=worker.organisation,
        acting_user=worker,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.assign_worker(case, facilitator, acting_user=worker)
    [note] = mine("fasilitator.notif", Kind.CASE_ASSIGNED)
    client = Client()
    client.force_login(facilitator)
    page = client.get(reverse("core:notifications")).content.decode()
    assert NAME not in page and "N. K." in page
    [mail] = mailoutbox
    assert NAME not in mail.subject + mail.body and "N. K." not in mail.subject + mail.body
    # The case worker, who may see the identity, reads the name in the same wording.
    assert NAME in notifications.render_many([note], worker)[0][1]


def test_a_receiver_that_lost_the_person_reads_no_name_at_all(db):
    worker, person, _case, referral = referred_to_lksa()
    case_actions.decline_referral(referral, "Tidak ada tempat", acting_user=user("mitra.lksa"))
    case_actions.withdraw_consent(person.consents.get(), acting_user=worker)
    lksa = user("mitra.lksa")
    [note] = mine("mitra.lksa", Kind.CONSENT_WITHDRAWN)
    title, body = notifications.render_many([note], lksa)[0][1:]
    assert NAME not in title + body and "N. K." not in title
    assert notifications.render(note)[0] == title  # the neutral reading, as the e-mail


def test_old_rows_read_by_name_too(db):
    worker, person, case, referral = referred_to_lksa()
    [waiting] = Notification.objects.filter(kind=Kind.REFERRAL_WAITING, user=user("mitra.lksa"))
    title = notifications.render_many([waiting], user("mitra.lksa"))[0][1]
    assert NAME in title and f"#{referral.pk}" not in title


@pytest.mark.parametrize("path", ["/api/v1/notifications/"])
def test_the_api_list_names_people_for_the_caller(bearer, path):
    _w, _p, _c, referral = referred_to_lksa()
    items = Client().get(path, **bearer("mitra.lksa")).json()["items"]
    waiting = [i for i in items if i["kind"] == Kind.REFERRAL_WAITING]
    assert any(NAME in i["title"] for i in waiting)
    assert all(f"#{referral.pk}" not in i["title"] for i in waiting)


def test_the_bell_counts_what_the_list_shows_unread(db):
    """The header's count (one SQL statement, core.notifications.unread_count) agrees
    with the scoped list: the user's own, shown in the app, not yet opened."""
    worker = user("petugas.pekanbaru")
    other = user("mitra.lksa")

    def listed_unread(who):
        return Notification.objects.restrict(who).filter(read_at__isnull=True).count()

    before = notifications.unread_count(worker.pk)
    assert before == listed_unread(worker)
    made = notifications.notify([worker, other], Kind.CASE_ASSIGNED, {"case": 1}, url="/kasus/1/")
    notifications.set_preferences({Kind.PROPOSAL_OPEN: (False, True)}, acting_user=worker)
    notifications.notify([worker], Kind.PROPOSAL_OPEN, {"proposal": 1})  # e-mail only
    assert notifications.unread_count(worker.pk) == before + 1 == listed_unread(worker)
    notifications.mark_read([n for n in made if n.user_id == worker.pk], acting_user=worker)
    assert notifications.unread_count(worker.pk) == before == listed_unread(worker)
    assert notifications.unread_count(other.pk) == listed_unread(other) >= 1
    page = Client()
    page.force_login(worker)
    assert page.get(reverse("core:home")).context["unread_notifications"] == before
