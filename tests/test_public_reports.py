"""Public reports of people in need (issue 15, first part): a citizen reports without an
account, the report goes to the office the leading-sector table names for its village,
escalates one level when nobody picks it up in time, and becomes a case through the
registry's duplicate guard; the reporter follows it by its code and never learns
anything about the person; who reported is for the handling office only."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.audit.presenters import present_entries
from jejaring.core import clock
from jejaring.core.management.commands.setup import seed_reference_data
from jejaring.core.models import Notification
from jejaring.public.actions import reports as actions
from jejaring.public.models import PublicReport, ReportState, ReportTopic
from jejaring.registry.models import Person

pytestmark = pytest.mark.django_db

KAMPUNG_TENGAH = "14.71.01.1003"
WORKER = "petugas.pekanbaru"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def user(username) -> User:
    return User.objects.get(username=username)


def form_data(**changes) -> dict:
    data = {
        "topic": ReportTopic.objects.get(code="anak_jalanan").pk,
        "region": KAMPUNG_TENGAH,
        "place": "Di bawah jembatan Siak, dekat pasar",
        "description": "Anak laki-laki sekitar 10 tahun tidur di bawah jembatan tiap malam.",
        "person_name": "Andi",
        "reporter_name": "Ibu Warga",
        "reporter_contact": "0812-1111-2222",
        "website": "",
    }
    data.update(changes)
    return data


def send(client=None, **changes):
    return (client or Client()).post(reverse("lapor:new"), form_data(**changes))


def the_report() -> PublicReport:
    return PublicReport.objects.latest("pk")


def test_the_topics_are_reference_data_seeded_once():
    assert ReportTopic.objects.filter(code="anak_jalanan").exists()
    ReportTopic.objects.filter(code="anak_jalanan").update(pickup_hours=3)
    seed_reference_data()  # an administrator's edit survives the next `make run`
    assert ReportTopic.objects.get(code="anak_jalanan").pickup_hours == 3


def test_a_citizen_reports_without_an_account_and_gets_a_tracking_code():
    response = send()
    report = the_report()
    assert response.status_code == 302
    assert report.tracking_code in response["Location"]
    assert report.handling_organisation.name == "Dinas Sosial Kota Pekanbaru"
    assert report.handling_region_id == "14.71"
    assert report.is_sensitive  # a child: protected from the start
    assert report.pickup_due is not None
    status = Client().get(response["Location"])
    assert status.status_code == 200
    assert report.tracking_code in status.content.decode()


def test_the_handling_office_workers_are_told_without_the_childs_details():
    send()
    report = the_report()
    told = Notification.objects.filter(
        kind=Notification.Kind.PUBLIC_REPORT_ROUTED, params__report=report.pk
    )
    assert set(told.values_list("user__username", flat=True)) >= {WORKER}
    for notification in told:
        assert "Andi" not in str(notification.params)
        assert "jembatan" not in str(notification.params)


def test_the_status_page_never_shows_the_person():
    send()
    report = the_report()
    page = Client().get(reverse("lapor:status"), {"kode": report.tracking_code}).content.decode()
    for secret in ("Andi", "jembatan", "Ibu Warga", "0812"):
        assert secret not in page
    assert "Kampung Tengah" in page


def test_a_code_typed_back_loosely_is_found_and_an_unknown_one_says_so():
    send()
    code = the_report().tracking_code
    loose = code.lower().replace("-", " ")
    page = Client().get(reverse("lapor:status"), {"kode": loose}).content.decode()
    assert code in page
    unknown = Client().get(reverse("lapor:status"), {"kode": "LM-22222-22222"})
    assert unknown.status_code == 200
    assert "LM-7K3QP-9XPAW" in unknown.content.decode()  # the example, not a report


def test_the_honeypot_keeps_nothing():
    before = PublicReport.objects.count()
    response = send(website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("lapor:sent")
    assert PublicReport.objects.count() == before


def test_too_many_reports_from_one_address_are_refused_in_words(settings):
    settings.PUBLIC_REPORTS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="10.9.9.9")
    assert send(client).status_code == 302
    assert send(client).status_code == 302
    refused = send(client)
    assert refused.status_code == 200
    assert "last hour" in refused.content.decode() or "jam terakhir" in refused.content.decode()
    assert send(Client(REMOTE_ADDR="10.9.9.10")).status_code == 302


def test_a_village_typed_by_name_is_taken_and_a_regency_is_refused():
    assert send(region="jadirejo").status_code == 302
    assert the_report().region_id == "14.71.01.1002"
    # Several villages have this name: the page offers them, without script too.
    several = send(region="Kampung Tengah")
    assert several.status_code == 200
    assert f'value="{KAMPUNG_TENGAH}"' in several.content.decode()
    refused = send(region="14.71")
    assert refused.status_code == 200
    assert PublicReport.objects.filter(region_id="14.71").count() == 0


def test_bad_input_is_said_on_the_form_and_never_a_500():
    for changes in (
        {"topic": "999999"},
        {"region": "Desa Yang Tidak Ada"},
        {"description": ""},
        {"place": "x" * 400},
    ):
        response = send(**changes)
        assert response.status_code == 200, changes
        assert 'role="alert"' in response.content.decode(), changes
    # Coordinates come from the phone, not the person: bad ones are left out, the report kept.
    for latitude in ("not-a-number", "NaN", "1e999", "91"):
        assert send(latitude=latitude, longitude="101.45").status_code == 302, latitude
        assert the_report().latitude is None
    assert send(latitude="0.5071", longitude="101.4478").status_code == 302
    assert str(the_report().latitude) == "0.507100"


def test_photos_are_checked_like_every_upload():
    fake = SimpleUploadedFile("anak.png", b"not an image at all", content_type="image/png")
    refused = Client().post(reverse("lapor:new"), {**form_data(), "photos": fake})
    assert refused.status_code == 200
    assert PublicReport.objects.filter(description__contains="10 tahun").count() == 0
    real = SimpleUploadedFile("anak.png", PNG, content_type="image/png")
    assert Client().post(reverse("lapor:new"), {**form_data(), "photos": real}).status_code == 302
    assert the_report().photos.count() == 1


def test_who_sees_what_of_a_childs_report(as_user):
    send()
    report = the_report()
    url = reverse("reports:detail", args=[report.pk])
    handling = as_user(WORKER).get(url).content.decode()
    assert "Andi" in handling and "Ibu Warga" in handling
    province = as_user("admin").get(url)
    assert province.status_code == 200
    shown = province.content.decode()
    assert "Andi" not in shown and "Ibu Warga" not in shown and "jembatan" not in shown
    assert as_user("petugas.bandung").get(url).status_code == 404
    assert as_user("mitra.lksa").get(url).status_code == 404


def test_an_adults_report_shows_its_contents_to_the_governing_offices_not_the_reporter(as_user):
    send(topic=ReportTopic.objects.get(code="lansia_terlantar").pk, person_name="Nenek Siti")
    report = the_report()
    assert not report.is_sensitive
    shown = as_user("admin").get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Nenek Siti" in shown
    assert "Ibu Warga" not in shown and "0812-1111-2222" not in shown


def test_the_audit_log_keeps_the_routing_never_the_words_nor_the_reporter():
    send()
    report = the_report()
    rows = AuditEntry.objects.filter(object_type="public.publicreport", object_id=str(report.pk))
    assert rows.exists()
    for row in rows:
        text = f"{row.before} {row.after} {row.message} {row.object_repr}"
        for secret in ("Andi", "jembatan", "Ibu Warga", "0812"):
            assert secret not in text
    shown = present_entries(list(rows), user("admin"))
    assert shown


def test_picking_up_stops_the_escalation(as_user):
    send()
    report = the_report()
    as_user(WORKER).post(reverse("reports:pick_up", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == ReportState.IN_PROGRESS and report.pickup_due is None
    assert not actions.escalate_report(report.pk, now=clock.now() + datetime.timedelta(days=3))


def test_a_report_nobody_picks_up_goes_to_the_province_and_stops_there():
    send()
    report = the_report()
    later = report.pickup_due + datetime.timedelta(minutes=1)
    assert not actions.escalate_report(report.pk, now=report.pickup_due - datetime.timedelta(1))
    overdue = PublicReport.objects.filter(state=ReportState.RECEIVED, pickup_due__lte=later)
    due = overdue.count()
    assert due >= 1
    assert actions.escalate_overdue_reports(now=later) == due
    report.refresh_from_db()
    assert report.handling_organisation.name == "Dinas Sosial Provinsi Riau"
    assert report.handling_region_id == "14" and report.escalations == 1
    assert report.pickup_due is None  # nobody above the province
    told = Notification.objects.filter(kind=Notification.Kind.PUBLIC_REPORT_ESCALATED)
    assert told.filter(params__report=report.pk).exists()
    assert not actions.escalate_report(report.pk, now=later + datetime.timedelta(days=9))
    report.refresh_from_db()
    assert report.handling_region_id == "14" and report.escalations == 1


def test_the_escalation_is_scheduled_as_a_task_when_the_report_is_sent(
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        send()
    report = the_report()
    tasks = DBTaskResult.objects.filter(
        task_path__endswith="escalate_report_task", args_kwargs__args__0=report.pk
    )
    assert [t.run_after for t in tasks] == [report.pickup_due]


def test_remind_sweeps_overdue_reports(capsys):
    from django.core.management import call_command

    send()
    report = the_report()
    with clock.set_to(report.pickup_due + datetime.timedelta(hours=1)):
        call_command("remind")
    report.refresh_from_db()
    assert report.escalations == 1
    assert re.search(r"public reports escalated: [1-9]", capsys.readouterr().out)


def test_a_case_from_a_report_runs_the_duplicate_guard_and_attaches_to_the_known_person(as_user):
    send(person_name="Muhammad Rizki")
    report = the_report()
    client = as_user(WORKER)
    url = reverse("reports:open_case", args=[report.pk])
    rizki = Person.objects.filter(full_name="Muhammad Rizki").first()
    guard = client.post(
        url,
        {
            "full_name": "Muhammad Rizki",
            "sex": rizki.sex,
            "birth_date": rizki.birth_date.isoformat() if rizki.birth_date else "",
            "birth_date_precision": "exact",
            "region": KAMPUNG_TENGAH,
            "categories": [report.topic.category_id],
        },
    )
    assert guard.status_code == 200
    assert (
        "may already be registered" in guard.content.decode()
        or "sudah terdaftar" in guard.content.decode()
    )
    people = Person.objects.count()
    chosen = client.post(url, {"existing": rizki.pk})
    assert chosen.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.HANDLED
    assert report.case.person_id == rizki.pk
    assert Person.objects.count() == people
    status = Client().get(reverse("lapor:status"), {"kode": report.tracking_code}).content.decode()
    assert "Rizki" not in status


def test_a_report_of_someone_new_registers_them_and_opens_the_case(as_user):
    send(person_name="Budi Jembatan")
    report = the_report()
    response = as_user(WORKER).post(
        reverse("reports:open_case", args=[report.pk]),
        {
            "full_name": "Budi Jembatan",
            "sex": "M",
            "birth_date_precision": "estimated",
            "region": KAMPUNG_TENGAH,
            "categories": [report.topic.category_id],
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.case.person.full_name == "Budi Jembatan"
    assert report.case.organisation.name == "Dinas Sosial Kota Pekanbaru"


def test_only_the_handling_office_changes_a_report(as_user):
    send()
    report = the_report()
    for username in ("admin", "dukcapil.pekanbaru", "petugas.bandung"):
        as_user(username).post(reverse("reports:spam", args=[report.pk]))
        report.refresh_from_db()
        assert report.state == ReportState.RECEIVED, username


def test_closing_says_why_to_the_reporter(as_user):
    send()
    report = the_report()
    as_user(WORKER).post(reverse("reports:close", args=[report.pk]), {"outcome": "not_found"})
    report.refresh_from_db()
    assert report.state == ReportState.CLOSED
    page = Client().get(reverse("lapor:status"), {"kode": report.tracking_code}).content.decode()
    assert "Nobody was found" in page or "Tidak ada orang" in page


def test_spam_is_audited(as_user):
    send()
    report = the_report()
    as_user(WORKER).post(reverse("reports:spam", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == ReportState.SPAM
    assert AuditEntry.objects.filter(
        object_type="public.publicreport", object_id=str(report.pk), message="marked as spam"
    ).exists()


def test_the_queue_lists_what_the_office_must_do(as_user):
    send()
    report = the_report()
    page = as_user(WORKER).get(reverse("reports:queue")).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in page
    other = as_user("petugas.bandung").get(reverse("reports:queue")).content.decode()
    assert reverse("reports:detail", args=[report.pk]) not in other
