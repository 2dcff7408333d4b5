"""Complaints (pengaduan, issue 15): a complaint passes every stage with its deadline —
verified, followed up, answered, rated and closed, or rejected with a reason; a stage past
its deadline goes to the office head; the deadlines are reference data counted in working
days with the holiday calendar; the complainant follows it by code and rates the answer;
who complained is for the handling office's workers only; every office has its figures and
an export in the shape SP4N-LAPOR! receives."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.core import clock
from jejaring.core.models import Notification
from jejaring.network.models import Organisation, OrganisationStatus
from jejaring.public.actions import complaints as actions
from jejaring.public.complaint_figures import office_figures
from jejaring.public.deadlines import add_working_days, due_after
from jejaring.public.models import (
    Complaint,
    ComplaintCategory,
    ComplaintDeadline,
    ComplaintStage,
    PublicHoliday,
)

pytestmark = pytest.mark.django_db

WORKER = "petugas.pekanbaru"
HEAD = "kadis.pekanbaru"
DINSOS = "dinsos-kota-pekanbaru"
JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


def user(username) -> User:
    return User.objects.get(username=username)


def org(code) -> Organisation:
    return Organisation.objects.select_related("type").get(code=code)


def form(**changes) -> dict:
    data = {
        "category": ComplaintCategory.objects.get(code="layanan_lambat").pk,
        "concerned_organisation": "Dinas Sosial Kota Pekanbaru",
        "subject": "Bantuan permakanan tidak diterima",
        "description": "Nama ibu saya ada di daftar, tetapi tiga bulan tidak menerima apa-apa.",
        "complainant_name": "Ibu Rahmawati",
        "complainant_contact": "0813-5555-0000",
        "website": "",
    }
    data.update(changes)
    return data


def send(client=None, **changes):
    return (client or Client()).post(reverse("pengaduan:new"), form(**changes))


def latest() -> Complaint:
    return Complaint.objects.latest("pk")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JAKARTA)


# --- deadlines: reference data, working days, the holiday calendar ----------------------


def test_working_days_skip_weekends_and_holidays():
    # Friday 14 August 2026 + 3 working days: Mon 17 Aug is Independence Day, so Tue 18,
    # Wed 19, Thu 20.
    holidays = {datetime.date(2026, 8, 17)}
    assert add_working_days(datetime.date(2026, 8, 14), 3, holidays) == datetime.date(2026, 8, 20)
    assert add_working_days(datetime.date(2026, 8, 14), 3, set()) == datetime.date(2026, 8, 19)


def test_a_stage_is_due_at_the_end_of_its_last_day_by_the_reference_rule():
    assert PublicHoliday.objects.filter(date=datetime.date(2026, 8, 17)).exists()  # seeded
    received = due_after(at(2026, 8, 14, 10, 0), ComplaintStage.RECEIVED)  # 3 working days
    assert timezone.localtime(received).date() == datetime.date(2026, 8, 20)
    assert timezone.localtime(received).time() == datetime.time(23, 59, 59)
    answer = due_after(at(2026, 8, 14, 10, 0), ComplaintStage.IN_FOLLOW_UP)  # 14 days
    assert timezone.localtime(answer).date() == datetime.date(2026, 8, 28)
    # An administrator shortens verification to 1 calendar day: the next complaint obeys.
    ComplaintDeadline.objects.filter(stage=ComplaintStage.RECEIVED).update(
        days=1, working_days=False
    )
    shorter = due_after(at(2026, 8, 14, 10, 0), ComplaintStage.RECEIVED)
    assert timezone.localtime(shorter).date() == datetime.date(2026, 8, 15)


def test_every_default_deadline_cites_its_source():
    for rule in ComplaintDeadline.objects.all():
        assert rule.legal_basis and rule.description, rule.code
    assert set(ComplaintDeadline.objects.values_list("stage", flat=True)) == {
        "received",
        "verified",
        "in_follow_up",
        "answered",
    }


# --- the whole life of a complaint -----------------------------------------------------------


def test_a_complaint_passes_every_stage_with_its_deadlines_one_of_them_late(as_user):
    with clock.set_to(at(2026, 8, 14, 10, 0)):  # a Friday
        assert send().status_code == 302
    complaint = latest()
    assert complaint.handling_organisation.code == DINSOS
    assert timezone.localtime(complaint.stage_due).date() == datetime.date(2026, 8, 20)
    told = Notification.objects.filter(kind=Notification.Kind.COMPLAINT_RECEIVED)
    assert told.filter(user__username=WORKER, params__complaint=complaint.pk).exists()

    # Verification is late: the daily sweep on 21 August sends it to the office head, once.
    with clock.set_to(at(2026, 8, 21, 6, 0)):
        assert actions.escalate_overdue_complaints()["escalated"] >= 1
        assert actions.escalate_overdue_complaints()["escalated"] == 0
    complaint.refresh_from_db()
    assert complaint.escalated_stage == ComplaintStage.RECEIVED
    late = Notification.objects.filter(
        kind=Notification.Kind.COMPLAINT_OVERDUE, params__complaint=complaint.pk
    )
    assert list(late.values_list("user__username", flat=True)) == [HEAD]

    worker = as_user(WORKER)
    with clock.set_to(at(2026, 8, 21, 9, 0)):
        worker.post(reverse("complaints:verify", args=[complaint.pk]))
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.VERIFIED
    # 5 working days from Friday 21 August: 28 August.
    assert timezone.localtime(complaint.stage_due).date() == datetime.date(2026, 8, 28)

    with clock.set_to(at(2026, 8, 24, 9, 0)):
        worker.post(reverse("complaints:follow_up", args=[complaint.pk]))
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.IN_FOLLOW_UP
    assert timezone.localtime(complaint.answer_due).date() == datetime.date(2026, 9, 7)

    with clock.set_to(at(2026, 9, 1, 9, 0)):
        worker.post(
            reverse("complaints:answer", args=[complaint.pk]),
            {"answer": "Nama ibu sudah dimasukkan kembali; bantuan diantar minggu ini."},
        )
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.ANSWERED
    assert complaint.answered_at <= complaint.answer_due  # within the deadline

    page = Client().get(reverse("pengaduan:status"), {"kode": complaint.tracking_code})
    assert "bantuan diantar minggu ini" in page.content.decode()
    with clock.set_to(at(2026, 9, 2, 9, 0)):
        rated = Client().post(
            reverse("pengaduan:status"), {"kode": complaint.tracking_code, "rating": "4"}
        )
    assert rated.status_code == 302
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.CLOSED and complaint.rating == 4
    stages = list(complaint.events.filter(kind="stage").values_list("stage", flat=True))
    assert stages == ["received", "verified", "in_follow_up", "answered", "closed"]


def test_an_answer_nobody_replies_to_closes_after_the_window(as_user):
    complaint = _answered()
    assert complaint.stage == ComplaintStage.ANSWERED
    with clock.set_to(complaint.stage_due + datetime.timedelta(hours=1)):
        assert actions.escalate_overdue_complaints()["closed"] >= 1
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.CLOSED and complaint.rating is None


def _answered() -> Complaint:
    send()
    complaint = latest()
    worker = user(WORKER)
    actions.verify_complaint(complaint, acting_user=worker)
    actions.start_follow_up(complaint, acting_user=worker)
    return actions.answer_complaint(
        complaint, "Sudah ditindaklanjuti oleh seksi.", acting_user=worker
    )


def test_a_rejection_needs_a_reason_and_the_complainant_reads_it(as_user):
    send()
    complaint = latest()
    worker = as_user(WORKER)
    worker.post(reverse("complaints:reject", args=[complaint.pk]), {"reason": ""})
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.RECEIVED
    worker.post(
        reverse("complaints:reject", args=[complaint.pk]),
        {"reason": "Bukan layanan kantor ini: silakan ke Dukcapil."},
    )
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.REJECTED
    page = Client().get(reverse("pengaduan:status"), {"kode": complaint.tracking_code})
    assert "silakan ke Dukcapil" in page.content.decode()


def test_stages_keep_their_order(as_user):
    send()
    complaint = latest()
    with pytest.raises(ValidationError):
        actions.answer_complaint(complaint, "Jawaban terlalu cepat.", acting_user=user(WORKER))
    with pytest.raises(ValidationError):
        actions.rate_answer(complaint.tracking_code, 5)
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.RECEIVED and complaint.rating is None


def test_a_rating_is_given_once_and_from_one_to_five():
    complaint = _answered()
    with pytest.raises(ValidationError) as refused:
        actions.rate_answer(complaint.tracking_code, 9)
    assert "rating" in refused.value.error_dict
    actions.rate_answer(complaint.tracking_code, 5)
    with pytest.raises(ValidationError):
        actions.rate_answer(complaint.tracking_code, 1)
    complaint.refresh_from_db()
    assert complaint.rating == 5


# --- who handles, who sees -------------------------------------------------------------------


def test_a_complaint_about_a_partner_goes_to_the_social_office_supervising_it():
    send(concerned_organisation="LKSA Harapan Bunda Pekanbaru")
    complaint = latest()
    assert complaint.concerned_organisation.code == "lksa-harapan-bunda"
    assert complaint.handling_organisation.code == DINSOS


def test_a_partner_with_no_social_office_on_the_network_goes_to_the_ministry_never_itself():
    partner = org("lksa-harapan-bunda")
    chain = Organisation.objects.filter(
        type__is_social_office=True, type__regional_jurisdiction=True
    )
    chain.update(status=OrganisationStatus.INACTIVE)
    assert actions.handling_office(partner).code == "kemensos"
    Organisation.objects.filter(code="kemensos").update(status=OrganisationStatus.INACTIVE)
    before = Complaint.objects.count()
    response = send(concerned_organisation="LKSA Harapan Bunda Pekanbaru")
    assert response.status_code == 200  # the form again, with what was typed
    page = response.content.decode()
    assert "SP4N-LAPOR!" in page and "tiga bulan tidak menerima" in page
    assert Complaint.objects.count() == before


def test_a_complaint_about_a_government_office_goes_to_that_office():
    send(concerned_organisation="Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru")
    assert latest().handling_organisation.code == "dukcapil-pekanbaru"


def test_late_complaints_go_to_the_governing_office_head_where_the_office_has_none():
    heads = actions.office_heads(org("dukcapil-pekanbaru"))
    assert [u.username for u in heads] == [HEAD]  # Dinas Sosial Kota Pekanbaru's head


def test_who_complained_is_for_the_handling_office_workers_only(as_user):
    send()
    complaint = latest()
    url = reverse("complaints:detail", args=[complaint.pk])
    assert "Ibu Rahmawati" in as_user(WORKER).get(url).content.decode()
    admin = as_user("admin").get(url)
    assert admin.status_code == 200 and "Ibu Rahmawati" not in admin.content.decode()
    assert as_user("petugas.bandung").get(url).status_code == 404
    assert as_user("mitra.lksa").get(url).status_code == 404


def test_the_status_page_never_shows_who_complained():
    send()
    page = Client().get(reverse("pengaduan:status"), {"kode": latest().tracking_code})
    text = page.content.decode()
    assert "Ibu Rahmawati" not in text and "0813-5555-0000" not in text
    assert "Dinas Sosial Kota Pekanbaru" in text


def test_the_audit_log_keeps_the_stages_never_the_words_nor_the_complainant():
    complaint = _answered()
    rows = AuditEntry.objects.filter(object_type="public.complaint", object_id=str(complaint.pk))
    assert rows.count() == 4
    for row in rows:
        text = json.dumps([row.before, row.after, row.message, row.object_repr])
        for secret in ("Rahmawati", "0813", "permakanan", "tiga bulan", "ditindaklanjuti"):
            assert secret not in text


def test_only_the_handling_office_moves_a_complaint(as_user):
    send()
    complaint = latest()
    for username in ("admin", "petugas.bandung", "dukcapil.pekanbaru"):
        as_user(username).post(reverse("complaints:verify", args=[complaint.pk]))
        complaint.refresh_from_db()
        assert complaint.stage == ComplaintStage.RECEIVED, username


# --- bad input and abuse -------------------------------------------------------------------


def test_bad_input_is_said_on_the_form_and_never_a_500():
    for changes in (
        {"category": "9999"},
        {"concerned_organisation": "Kantor Yang Tidak Ada"},
        {"concerned_organisation": "LKS Cahaya Madani"},  # awaiting verification: not public
        {"subject": ""},
        {"description": ""},
        {"happened_on": "kemarin"},
    ):
        response = send(**changes)
        assert response.status_code == 200, changes
        assert 'role="alert"' in response.content.decode(), changes


def test_the_honeypot_and_the_rate_limit(settings):
    before = Complaint.objects.count()
    assert send(website="http://spam.example")["Location"] == reverse("lapor:sent")
    assert Complaint.objects.count() == before
    settings.PUBLIC_COMPLAINTS_PER_HOUR = 1
    client = Client(REMOTE_ADDR="10.8.8.8")
    assert send(client).status_code == 302
    assert send(client).status_code == 200


def test_the_api_without_an_account(bearer):
    body = {
        "category": "pungutan",
        "organisation": org(DINSOS).pk,
        "subject": "Diminta uang untuk surat",
        "description": "Petugas meminta uang lima puluh ribu untuk surat keterangan.",
    }
    sent = Client().post(
        "/api/v1/public/complaints", json.dumps(body), content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    code = sent.json()["tracking_code"]
    status = Client().get(f"/api/v1/public/complaints/{code}").json()
    assert status["stage_code"] == "received" and status["office"] == "Dinas Sosial Kota Pekanbaru"
    assert Client().get("/api/v1/public/complaints/PG-22222-22222").status_code == 404
    bad = Client().post(
        "/api/v1/public/complaints",
        json.dumps({**body, "category": "nope", "organisation": 999999}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"category", "organisation"}
    desk = Client().get("/api/v1/complaints/", **bearer(WORKER)).json()
    item = next(i for i in desk["items"] if i["tracking_code"] == code)
    assert item["stage"] == "received"
    admin = Client().get(f"/api/v1/complaints/{item['id']}", **bearer("admin")).json()
    assert admin["complainant_name"] is None


# --- figures and export --------------------------------------------------------------------


def test_the_dashboard_counts_by_hand(as_user):
    year = clock.localdate().year
    before = {r.organisation_id: r for r in office_figures(user(WORKER), year)}
    base = before.get(org(DINSOS).pk)
    _answered()  # answered at once: within its deadline
    send()  # one more, still open
    rows = {r.organisation_id: r for r in office_figures(user(WORKER), year)}
    now = rows[org(DINSOS).pk]
    assert now.received == (base.received if base else 0) + 2
    assert now.answered == (base.answered if base else 0) + 1
    assert now.within_deadline == (base.within_deadline if base else 0) + 1
    assert now.open == (base.open if base else 0) + 2  # answered is still open until rated
    page = as_user(WORKER).get(reverse("complaints:dashboard"))
    assert page.status_code == 200 and "Dinas Sosial Kota Pekanbaru" in page.content.decode()
    assert as_user(WORKER).get(reverse("complaints:dashboard"), {"tahun": "x"}).status_code == 200


def test_the_export_has_lapors_columns_and_no_complainant(as_user):
    send()
    response = as_user(WORKER).get(reverse("complaints:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["tracking_id", "classification_id", "title", "content"]
    assert any(latest().tracking_code == row[0] for row in rows[1:])
    assert "Ibu Rahmawati" not in json.dumps(rows)


def test_remind_runs_the_complaint_sweep(capsys):
    from django.core.management import call_command

    call_command("remind")
    assert "complaints escalated:" in capsys.readouterr().out


def test_the_office_suggestions_narrow_by_every_word_in_the_name_or_the_region():
    def suggested(typed: str) -> list[str]:
        import re

        page = Client().get(reverse("pengaduan:organisations"), {"q": typed}).content.decode()
        return re.findall(r'<option value="([^"]+)">', page)

    riau_lksa = suggested("lksa riau")  # the region's name is not in the LKSA's name
    assert "LKSA Harapan Bunda Pekanbaru" in riau_lksa
    assert all("LKSA" in name for name in riau_lksa)
    pekanbaru = suggested("dinas sosial pekanbaru")
    assert pekanbaru == ["Dinas Sosial Kota Pekanbaru"]
    assert suggested("ab") == []  # too short to suggest
    pending = Organisation.objects.exclude(status=OrganisationStatus.ACTIVE).first()
    if pending is not None:
        assert pending.name not in suggested(pending.name)
