"""Issue 11 §1: a NIK that fails a rule is kept, as an unverified NIK with its reason.

The person exists all the same: a worker registers (or edits) them saying why the digits
are kept; the page, API, search, filter and export show the digits under the NIK's own
masking rule; verifying or replacing them is a version-checked action with an audit row.
"""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.audit import log as audit
from jejaring.audit.models import AuditEntry
from jejaring.registry import actions
from jejaring.registry.models import Person
from tests.helpers import register_person

pytestmark = pytest.mark.django_db

BORN = datetime.date(2015, 6, 11)
# Male, born 11-06-2015, Sukajadi (Kota Pekanbaru); the serial 0000 is no NIK's.
SERIAL_0000 = "1471011106150000"
GOOD_NIK = "1471011106150007"
# A boy's NIK whose date says 12-06-15 while the card's holder was born 11-06-2015.
WRONG_DAY = "1471011206150003"
RIZKI_NIK = "1471011203140001"  # the demo's boy, visible to Dinsos Pekanbaru
WORKER = "petugas.pekanbaru"
MASKED_READER = "dukcapil.pekanbaru"  # governs Pekanbaru: sees protected people masked
OUTSIDER = "petugas.bandung"
PROTECTED = ("anak_korban_tindak_kekerasan",)


def kept(nik=SERIAL_0000, reason="KTP rusak", username=WORKER, **data) -> Person:
    """A boy registered with a failing NIK kept as unverified, through the action."""
    fields = {"birth_date": BORN, "nik": nik, "nik_unverified_reason": reason, **data}
    return register_person(username, **fields)


def api(method, url, username, body=None):
    from jejaring.accounts.actions import issue_token

    token = issue_token(User.objects.get(username=username), acting_user=None)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is None:
        return getattr(Client(), method)(url, **headers)
    return getattr(Client(), method)(
        url, data=json.dumps(body), content_type="application/json", **headers
    )


def form_data(**change) -> dict:
    return {
        "full_name": "Ahmad Fauzan",
        "sex": "M",
        "birth_date": "2015-06-11",
        "birth_date_precision": "exact",
        "region": "14.71.01.1002",
        "nik": SERIAL_0000,
        "confirmed_new": "1",
        **change,
    }


# --- storing ---------------------------------------------------------------------------


def test_a_failing_nik_is_kept_apart_with_the_rule_and_the_workers_reason():
    person = kept()
    assert person.nik == ""
    assert person.nik_unverified == SERIAL_0000
    # The rule's message, in Indonesian, then what the worker saw.
    assert "0000" in person.nik_unverified_reason
    assert person.nik_unverified_reason.endswith("Alasan petugas: KTP rusak")
    # A NIK that passes is the NIK, reason or not.
    passing = kept(nik=GOOD_NIK, full_name="Bima Sakti")
    assert (passing.nik, passing.nik_unverified, passing.nik_unverified_reason) == (
        GOOD_NIK,
        "",
        "",
    )


def test_without_a_reason_the_failing_nik_is_still_refused():
    with pytest.raises(ValidationError) as refused:
        kept(reason="")
    assert "0000" in " ".join(refused.value.message_dict["nik"])


def test_the_form_offers_to_keep_a_failing_nik_and_requires_the_reason(as_user):
    client = as_user(WORKER)
    first = client.post(reverse("registry:create"), form_data())
    html = first.content.decode()
    assert first.status_code == 200
    assert "0000" in html  # the rule's message
    assert "Simpan sebagai NIK belum terverifikasi" in html
    no_reason = client.post(reverse("registry:create"), form_data(keep_unverified_nik="on"))
    assert no_reason.status_code == 200
    assert no_reason.context["form"].errors["nik_unverified_reason"]
    assert not Person.objects.filter(nik_unverified=SERIAL_0000).exists()
    saved = client.post(
        reverse("registry:create"),
        form_data(keep_unverified_nik="on", nik_unverified_reason="NIK dari KK lama"),
    )
    assert saved.status_code == 302
    person = Person.objects.get(nik_unverified=SERIAL_0000)
    assert person.nik == "" and "NIK dari KK lama" in person.nik_unverified_reason


def test_a_form_without_the_choice_shows_none_of_it(as_user):
    page = as_user(WORKER).get(reverse("registry:create")).content.decode()
    assert "unverified-nik-choice" not in page
    # The sex stays required on the form though the model now allows it blank.
    missing_sex = as_user(WORKER).post(reverse("registry:create"), form_data(sex="", nik=""))
    assert missing_sex.context["form"].errors["sex"]


def test_the_edit_form_keeps_a_failing_nik_too(as_user):
    person = register_person(WORKER, birth_date=BORN, nik=GOOD_NIK)
    client = as_user(WORKER)
    url = reverse("registry:edit", args=[person.pk])
    data = {**form_data(nik=WRONG_DAY, version="1"), "confirmed_new": ""}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "unverified-nik-choice" in refused.content.decode()
    saved = client.post(
        url, {**data, "keep_unverified_nik": "on", "nik_unverified_reason": "KTP rusak"}
    )
    assert saved.status_code == 302
    person.refresh_from_db()
    assert (person.nik, person.nik_unverified) == ("", WRONG_DAY)
    assert "12-06-15" in person.nik_unverified_reason and person.version == 2


def test_an_edit_that_does_not_touch_the_nik_leaves_the_unverified_one():
    person = kept()
    actions.update_person(person, {"phone": "0812"}, expected_version=1, acting_user=None)
    person.refresh_from_db()
    assert person.nik_unverified == SERIAL_0000 and person.phone == "0812"


def test_the_api_stores_a_failing_nik_given_with_a_reason():
    body = {
        "full_name": "Ahmad Fauzan",
        "sex": "M",
        "birth_date": "2015-06-11",
        "nik": WRONG_DAY,
        "confirmed_new": True,
    }
    refused = api("post", "/api/v1/persons/", WORKER, body)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "nik"
    created = api(
        "post", "/api/v1/persons/", WORKER, {**body, "nik_unverified_reason": "KTP rusak"}
    )
    assert created.status_code == 201, created.content
    shown = created.json()
    assert shown["nik_unverified"] == WRONG_DAY  # a case worker's own record: in full
    assert "KTP rusak" in shown["nik_unverified_reason"]
    patched = api(
        "patch",
        f"/api/v1/persons/{shown['id']}",
        WORKER,
        {"version": 1, "nik": SERIAL_0000, "nik_unverified_reason": "Difotokopi buram"},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["nik_unverified"] == SERIAL_0000


# --- reading: one identity rule --------------------------------------------------------


def test_the_page_shows_the_digits_the_reason_and_the_actions_to_the_worker(as_user):
    person = kept()
    page = as_user(WORKER).get(reverse("registry:detail", args=[person.pk])).content.decode()
    assert SERIAL_0000 in page and "KTP rusak" in page
    assert "NIK belum terverifikasi" in page
    assert reverse("registry:nik_verify", args=[person.pk]) in page
    assert reverse("registry:nik_replace", args=[person.pk]) in page


def test_a_masked_reader_never_sees_the_unverified_digits(as_user):
    person = kept(categories=PROTECTED)
    masked = "147101••••••0000"
    page = as_user(MASKED_READER).get(reverse("registry:detail", args=[person.pk]))
    html = page.content.decode()
    assert page.context["view"].identity is False
    assert SERIAL_0000 not in html and masked in html
    assert "KTP rusak" not in html
    assert reverse("registry:nik_verify", args=[person.pk]) not in html
    shown = api("get", f"/api/v1/persons/{person.pk}", MASKED_READER).json()
    assert shown["nik_unverified"] == masked and shown["nik_unverified_reason"] is None
    listed = api("get", "/api/v1/persons/?region=14.71&limit=500", MASKED_READER).json()
    row = next(p for p in listed["items"] if p["id"] == person.pk)
    assert row["nik_unverified"] == masked
    export = as_user(MASKED_READER).post(reverse("registry:export"), {"region": "14.71"})
    text = export.content.decode("utf-8-sig")
    assert masked in text and SERIAL_0000 not in text and "KTP rusak" not in text


def test_lists_mask_the_unverified_nik_as_they_mask_the_nik(as_user):
    person = kept()
    listed = api("get", "/api/v1/persons/?nik_status=unverified", WORKER).json()
    row = next(p for p in listed["items"] if p["id"] == person.pk)
    assert row["nik_unverified"] == "147101••••••0000"
    assert row["nik_unverified_reason"] is None  # it quotes the hidden digits
    page = as_user(WORKER).post(reverse("registry:list"), {"nik_status": "unverified"})
    html = page.content.decode()
    assert "147101••••••0000" in html and SERIAL_0000 not in html
    assert "NIK belum terverifikasi" in html


def test_a_short_unverified_nik_hides_everything_after_the_region():
    person = kept(nik="147101110615000")  # Excel lost the 16th digit
    shown = api("get", "/api/v1/persons/?nik_status=unverified", WORKER).json()
    row = next(p for p in shown["items"] if p["id"] == person.pk)
    assert row["nik_unverified"] == "147101•••••••••"


def test_the_audit_log_shows_no_unverified_digits_to_a_masked_reader():
    person = kept(categories=PROTECTED)
    rows = api(
        "get",
        f"/api/v1/audit/?object_type=registry.person&object_id={person.pk}",
        "admin",
    ).json()
    assert rows["count"] >= 1
    text = json.dumps(rows, ensure_ascii=False)
    assert SERIAL_0000 not in text and "KTP rusak" not in text


# --- search and filter -----------------------------------------------------------------


def test_the_unverified_nik_is_searched_like_the_nik():
    person = kept()
    found = api("post", "/api/v1/persons/search", WORKER, {"q": "147101110615"}).json()
    assert [p["id"] for p in found["items"]] == [person.pk]
    # Same scope as the NIK: another province's worker finds nothing.
    assert api("post", "/api/v1/persons/search", OUTSIDER, {"q": SERIAL_0000}).json()["count"] == 0


def test_a_masked_record_is_not_found_by_its_unverified_nik():
    kept(categories=PROTECTED)
    found = api("post", "/api/v1/persons/search", MASKED_READER, {"q": SERIAL_0000}).json()
    assert found["count"] == 0


def test_the_page_search_finds_it_by_post(as_user):
    person = kept()
    page = as_user(WORKER).post(reverse("registry:list"), {"q": SERIAL_0000})
    assert [v.pk for v in page.context["people"]] == [person.pk]


def test_nik_status_filters_page_and_api():
    person = kept()
    unverified = api("get", "/api/v1/persons/?nik_status=unverified&limit=500", WORKER).json()
    assert [p["id"] for p in unverified["items"]] == [person.pk]
    verified = api("get", "/api/v1/persons/?nik_status=verified&limit=500", WORKER).json()
    assert person.pk not in [p["id"] for p in verified["items"]]
    assert verified["count"] >= 1
    bad = api("get", "/api/v1/persons/?nik_status=maybe", WORKER)
    assert bad.status_code == 422


# --- verify and replace ----------------------------------------------------------------


def test_verifying_digits_that_still_fail_is_refused_with_the_rule():
    person = kept(nik=WRONG_DAY)
    response = api("post", f"/api/v1/persons/{person.pk}/nik/verify", WORKER, {"version": 1})
    assert response.status_code == 422
    assert "12-06-15" in response.json()["detail"][0]["msg"]
    person.refresh_from_db()
    assert (person.nik, person.nik_unverified, person.version) == ("", WRONG_DAY, 1)


def test_verifying_after_the_birth_date_is_corrected_makes_the_digits_the_nik():
    person = kept(nik=WRONG_DAY)
    actions.update_person(
        person, {"birth_date": datetime.date(2015, 6, 12)}, expected_version=1, acting_user=None
    )
    stale = api("post", f"/api/v1/persons/{person.pk}/nik/verify", WORKER, {"version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    done = api("post", f"/api/v1/persons/{person.pk}/nik/verify", WORKER, {"version": 2})
    assert done.status_code == 200, done.content
    person.refresh_from_db()
    assert (person.nik, person.nik_unverified, person.nik_unverified_reason) == (WRONG_DAY, "", "")
    entry = AuditEntry.objects.filter(object_id=str(person.pk), message="nik verified").get()
    assert entry.actor_name == WORKER
    assert entry.before["nik_unverified"] == WRONG_DAY and entry.after["nik"] == WRONG_DAY
    assert WRONG_DAY not in entry.message


def test_replacing_with_the_correct_nik_from_the_card():
    person = kept()
    url = f"/api/v1/persons/{person.pk}/nik/replace"
    failing = api("post", url, WORKER, {"version": 1, "nik": WRONG_DAY})
    assert failing.status_code == 422 and "12-06-15" in failing.json()["detail"][0]["msg"]
    done = api("post", url, WORKER, {"version": 1, "nik": GOOD_NIK})
    assert done.status_code == 200, done.content
    assert done.json()["nik"] == GOOD_NIK and done.json()["nik_unverified"] == ""
    assert AuditEntry.objects.filter(object_id=str(person.pk), message="nik replaced").exists()


def test_replacing_with_a_nik_a_visible_person_holds_is_refused():
    person = kept(nik="1471011203140000", birth_date=datetime.date(2014, 3, 12))
    response = api(
        "post", f"/api/v1/persons/{person.pk}/nik/replace", WORKER, {"version": 1, "nik": RIZKI_NIK}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "nik"
    person.refresh_from_db()
    assert person.nik == "" and person.nik_unverified == "1471011203140000"


def test_replacing_with_a_hidden_holders_nik_answers_like_a_fresh_one():
    sari_nik = "1471014904130002"
    sari = register_person(
        WORKER,
        full_name="Sari Wulandari",
        sex="F",
        birth_date=datetime.date(2013, 4, 9),
        nik=sari_nik,
        categories=PROTECTED,
    )
    other = kept(
        username=OUTSIDER,
        nik="1471014904130000",
        full_name="Wulan",
        sex="F",
        birth_date=datetime.date(2013, 4, 9),
        region=None,
    )
    response = api(
        "post", f"/api/v1/persons/{other.pk}/nik/replace", OUTSIDER, {"version": 1, "nik": sari_nik}
    )
    assert response.status_code == 200, response.content
    other.refresh_from_db()
    assert other.nik == sari_nik and other.nik_shared_with == sari
    assert "Sari" not in response.content.decode()


def test_verify_and_replace_answer_404_outside_scope(as_user):
    person = kept()
    for path in ("verify", "replace"):
        url = f"/api/v1/persons/{person.pk}/nik/{path}"
        response = api("post", url, OUTSIDER, {"version": 1, "nik": GOOD_NIK})
        assert response.status_code == 404
    client = as_user(OUTSIDER)
    verify = client.post(reverse("registry:nik_verify", args=[person.pk]), {"version": "1"})
    replace = client.post(reverse("registry:nik_replace", args=[person.pk]), {"nik": GOOD_NIK})
    assert (verify.status_code, replace.status_code) == (404, 404)
    person.refresh_from_db()
    assert person.nik_unverified == SERIAL_0000


def test_the_audit_row_is_inside_the_transaction(monkeypatch):
    person = kept()

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record_update", broken)
    with pytest.raises(RuntimeError):
        actions.replace_nik(person, GOOD_NIK, expected_version=1, acting_user=None)
    person.refresh_from_db()
    # Without its audit row nothing changed.
    assert (person.nik, person.nik_unverified, person.version) == ("", SERIAL_0000, 1)


def test_the_pages_verify_and_replace(as_user):
    person = kept()
    client = as_user(WORKER)
    detail = reverse("registry:detail", args=[person.pk])
    refused = client.post(
        reverse("registry:nik_verify", args=[person.pk]), {"version": "1"}, follow=True
    )
    assert refused.redirect_chain == [(detail, 302)]
    notices = [str(m) for m in refused.context["messages"]]
    assert any("0000" in n for n in notices)  # the rule's message
    replace_url = reverse("registry:nik_replace", args=[person.pk])
    form = client.get(replace_url)
    assert form.status_code == 200 and SERIAL_0000 in form.content.decode()
    wrong = client.post(replace_url, {"nik": WRONG_DAY, "version": "1"})
    assert wrong.status_code == 200
    assert f'value="{WRONG_DAY}"' in wrong.content.decode()  # kept for correcting
    assert wrong.context["form"].errors["nik"]
    stale = client.post(replace_url, {"nik": GOOD_NIK, "version": "7"})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    done = client.post(replace_url, {"nik": GOOD_NIK, "version": "1"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert (person.nik, person.nik_unverified) == (GOOD_NIK, "")
