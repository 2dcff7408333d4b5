"""The review queue: the most doubtful pairs first, both records as the reviewer may see
them, the evidence behind each match weight, and the decisions kept for training.

The pairs' weights and evidence are written here as the engine would store them
(``loading._reviews``, ``actions.find_duplicates``): the queue's order and what a page
shows of a given pair are what these tests pin, not what the engine computes. One test
runs the real scan end to end.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.imports import actions as import_actions
from jejaring.imports import linkage
from jejaring.imports.models import LinkReview, ReviewStatus
from jejaring.imports.training import labelled_pairs
from jejaring.reference.models import PmksCategory
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person
from jejaring.registry.names import name_key
from tests.helpers import register_person

pytestmark = pytest.mark.django_db

OFFICER = "data.pekanbaru"
QUEUE = reverse("imports:reviews")
API = "/api/v1/imports/reviews"
UNVERIFIED_NIK = "1471015113150000"  # Excel's loss of the last digit
EVIDENCE = [
    ["prior", "prior", -9.4],
    ["name", "exact", 7.26],
    ["birth", "swapped", 3.1],
    ["sex", "equal", 0.9],
    ["nik", "null", 0.0],
    ["geo", "elsewhere", -2.6],
]


def officer() -> User:
    return User.objects.get(username=OFFICER)


def person(name: str, *, username="petugas.pekanbaru", **data) -> Person:
    data.setdefault("birth_date", datetime.date(2012, 4, 9))
    return register_person(username, full_name=name, **data)


def pair(record, candidate, weight, *, organisation=None, evidence=(), reasons=()):
    return LinkReview.objects.create(
        organisation=organisation or officer().organisation,
        record=record,
        candidate=candidate,
        score=weight,
        evidence=[list(part) for part in evidence],
        reasons=list(reasons),
    )


def queued(html: str) -> list[int]:
    """The pairs of a queue page, in the order shown."""
    return [int(pk) for pk in re.findall(r'data-review="(\d+)"', html)]


@pytest.fixture
def three_pairs(db):
    a, b, c, d = (person(n) for n in ("Rudi Hartono", "Rudy Hartono", "Sari Dewi", "Sari Dewi"))
    e, f = person("Bayu Saputra"), person("Bayu Saputro")
    sure = pair(b, a, 8.0)
    doubtful = pair(d, c, -0.5)
    middling = pair(f, e, 3.0)
    return sure, doubtful, middling


# --- order --------------------------------------------------------------------------------


def test_the_most_doubtful_pairs_come_first(three_pairs, as_user, bearer):
    sure, doubtful, middling = three_pairs
    client = as_user(OFFICER)
    by_doubt = [doubtful.pk, middling.pk, sure.pk]  # |w| = 0.5, 3, 8
    by_weight = [sure.pk, middling.pk, doubtful.pk]
    assert queued(client.get(QUEUE).content.decode()) == by_doubt
    page = client.get(QUEUE, {"ordering": "-weight"}).content.decode()
    assert queued(page) == by_weight
    # The switch says which order is on, and keeps the status.
    assert 'href="?status=pending&amp;ordering=-weight" aria-current="page"' in page
    assert "Paling mirip dulu" in page

    headers = bearer(OFFICER)
    api = Client().get(API, **headers).json()
    assert [item["id"] for item in api["items"]] == by_doubt
    api = Client().get(API, {"ordering": "-weight"}, **headers).json()
    assert [item["id"] for item in api["items"]] == by_weight


def test_status_and_job_filter_the_queue(three_pairs, as_user, bearer):
    sure, doubtful, middling = three_pairs
    import_actions.decide_review(sure, ReviewStatus.KEPT_APART, acting_user=officer())
    client = as_user(OFFICER)
    assert queued(client.get(QUEUE).content.decode()) == [doubtful.pk, middling.pk]
    assert queued(client.get(QUEUE, {"status": "kept_apart"}).content.decode()) == [sure.pk]
    api = Client().get(API, {"status": "kept_apart"}, **bearer(OFFICER)).json()
    assert [item["id"] for item in api["items"]] == [sure.pk]
    # Pairs from a search of the registry belong to no import.
    assert queued(client.get(QUEUE, {"job": 99999}).content.decode()) == []


def test_bad_filter_values_get_a_message_not_an_error(three_pairs, as_user, bearer):
    client = as_user(OFFICER)
    for bad in ({"ordering": "name"}, {"status": "gone"}, {"job": "x"}, {"job": 10**30}):
        page = client.get(QUEUE, bad)
        assert page.status_code == 200, bad
        assert 'class="errors" role="alert"' in page.content.decode()
        assert queued(page.content.decode()) == []
    for bad in ({"ordering": "name"}, {"job": 10**30}):
        assert Client().get(API, bad, **bearer(OFFICER)).status_code == 422, bad


# --- both records, masked where the reviewer may not see them ------------------------------


def test_each_pair_shows_both_records_with_their_nik_state(as_user, bearer):
    verified = person(
        "Dimas Anggara", nik="1471011106150007", birth_date=datetime.date(2015, 6, 11)
    )
    without = person("Dimas Anggara Putra", birth_date=datetime.date(2015, 6, 11))
    review = pair(without, verified, 1.2)
    html = as_user(OFFICER).get(QUEUE).content.decode()
    assert "Dimas Anggara Putra" in html and "Dimas Anggara" in html
    assert "11-06-2015" in html and "Laki-laki" in html and "Jadirejo" in html
    # A data officer reconciles data: the list shows them the whole NIK, and its state.
    assert "1471011106150007 (terverifikasi)" in html
    assert "belum ada NIK" in html
    item = Client().get(API, **bearer(OFFICER)).json()["items"][0]
    assert item["id"] == review.pk
    assert item["new_record"]["name"] == "Dimas Anggara Putra"
    assert item["existing_record"]["nik_state"] == "verified"
    assert item["new_record"]["nik_state"] == "none"
    assert item["weight"] == 1.2 and item["probability"] == round(linkage.probability(1.2), 4)


def test_an_unverified_nik_is_shown_as_such(as_user):
    record = person("Wawan Setiawan")
    candidate = person("Wawan Setiyawan")
    # The registry's form path for a failing NIK is another change's; the field is enough.
    Person.objects.filter(pk=record.pk).update(nik_unverified=UNVERIFIED_NIK)
    pair(record, candidate, 0.4)
    html = as_user(OFFICER).get(QUEUE).content.decode()
    assert f"{UNVERIFIED_NIK} (belum terverifikasi)" in html


@pytest.fixture
def masked_pair(db):
    """A pair the administrator's office queued while both records were plain, whose
    newer record then became a protected child's: the administrator sees it masked."""
    older = person("Fajar Nugroho Siregar", mother_name="Siti Khadijah Rangkuti")
    newer = person("Fajar Nugraha Siregar", mother_name="Siti Khadijah Rangkuti")
    Person.objects.filter(pk=newer.pk).update(nik_unverified=UNVERIFIED_NIK)
    admin = User.objects.get(username="admin")
    review = pair(
        newer,
        older,
        6.0,
        organisation=admin.organisation,
        evidence=EVIDENCE,
        reasons=["name", "mother"],
    )
    registry_actions.set_category(
        newer,
        PmksCategory.objects.get(code="anak_korban_tindak_kekerasan"),
        acting_user=User.objects.get(username="petugas.pekanbaru"),
    )
    return review


def test_a_hidden_record_is_masked_in_the_queue_the_pair_and_the_api(masked_pair, as_user, bearer):
    client = as_user("admin")
    assert masked_pair.pk in queued(client.get(QUEUE).content.decode())
    for url in (QUEUE, reverse("imports:review", args=[masked_pair.pk])):
        html = client.get(url).content.decode()
        assert "F. N. S. (dilindungi)" in html
        # Not the name, not even in a title or a label; not the mother either; the
        # unverified NIK masked as a NIK is (region and serial only where it has 16).
        assert "Nugraha" not in html and "Siti Khadijah" not in html
        assert UNVERIFIED_NIK not in html and "147101••••••0000 (belum terverifikasi)" in html
    detail = client.get(reverse("imports:review", args=[masked_pair.pk])).content.decode()
    # "same mother", "the same village" would tell the masked record's facts.
    assert 'id="waterfall"' not in detail and 'id="evidence-hidden"' in detail
    assert "data-comparison" not in detail and "wf-row" not in detail
    for code, level, _weight in EVIDENCE:
        label = str(linkage.COMPARISON_LABELS[code])
        shown = f"{label[:1].upper()}{label[1:]}: {linkage.LEVEL_LABELS[(code, level)]}"
        assert shown not in detail

    item = next(
        i for i in Client().get(API, **bearer("admin")).json()["items"] if i["id"] == masked_pair.pk
    )
    assert item["new_record"]["identity_protected"] is True
    assert item["new_record"]["name"] == "F. N. S. (dilindungi)"
    assert item["new_record"]["sex"] is None
    assert item["evidence"] == [] and item["reasons"] == []
    assert "Nugraha" not in str(item) and UNVERIFIED_NIK not in str(item)
    # The visible record is shown in full.
    assert item["existing_record"]["name"] == "Fajar Nugroho Siregar"


def test_the_queue_is_audited_by_ids(three_pairs, as_user):
    as_user(OFFICER).get(QUEUE)
    entry = AuditEntry.objects.filter(action="read", message__startswith="review queue").latest(
        "id"
    )
    shown = {r.record_id for r in three_pairs} | {r.candidate_id for r in three_pairs}
    assert set(entry.after["person_ids"]) == shown
    assert "Rudi" not in str(entry.after) and "Rudi" not in entry.message


# --- the evidence -------------------------------------------------------------------------


def test_the_waterfall_shows_each_part(as_user):
    record, candidate = person("Nanda Pratama"), person("Nanda Pratama")
    review = pair(record, candidate, sum(w for *_c, w in EVIDENCE), evidence=EVIDENCE)
    html = as_user(OFFICER).get(reverse("imports:review", args=[review.pk])).content.decode()
    assert 'id="waterfall"' in html
    for comparison, level, _weight in EVIDENCE:
        assert f'<tr data-comparison="{comparison}">' in html
        assert str(linkage.LEVEL_LABELS[(comparison, level)]) in html
        label = str(linkage.COMPARISON_LABELS[comparison])
        assert label[:1].upper() + label[1:] in html
    # Bars scaled to the largest part (the prior, 9.4): right for agreement, left against.
    assert '<div class="wf-row wf-for">' in html and '<div class="wf-row wf-against">' in html
    assert "pct-100" in html  # the prior
    assert f"pct-{round(7.26 / 9.4 * 100)}" in html  # the name
    assert "+7,3" in html  # rounded, not cut
    assert "\u22129,4" in html  # a real minus sign
    # The probability, in per cent.
    assert "Peluang keduanya orang yang sama" in html
    probability = linkage.probability(review.score) * 100
    assert f"{probability:.1f}%".replace(".", ",") in html


def test_a_pair_from_before_the_evidence_shows_its_reasons(as_user):
    record, candidate = person("Indra Gunawan"), person("Indra Gunawan")
    review = pair(record, candidate, 7.0, reasons=["name", "birth_date"])
    html = as_user(OFFICER).get(reverse("imports:review", args=[review.pk])).content.decode()
    assert 'id="waterfall"' not in html
    assert review.reason_labels
    for label in review.reason_labels:
        assert f'<span class="tag">{label}</span>' in html


def test_a_scanned_pair_explains_itself(as_user, bearer):
    # The demo holds two records of one boy (spelling variants): the scan queues them
    # with each comparison's part, and the page draws every part.
    import_actions.find_duplicates(officer().organisation, acting_user=officer())
    review = LinkReview.objects.get(status=ReviewStatus.PENDING, job=None)
    assert review.evidence
    assert sum(w for *_x, w in review.evidence) == pytest.approx(review.score, abs=0.05)
    html = as_user(OFFICER).get(reverse("imports:review", args=[review.pk])).content.decode()
    assert html.count('<tr data-comparison="') == len(review.evidence)
    item = Client().get(API, **bearer(OFFICER)).json()["items"][0]
    assert [e["comparison"] for e in item["evidence"]] == [c for c, *_r in review.evidence]


def test_deciding_through_the_api_answers_with_the_pair(three_pairs, bearer):
    _sure, doubtful, _middling = three_pairs
    response = Client().post(
        f"{API}/{doubtful.pk}/decision",
        {"decision": "kept_apart"},
        content_type="application/json",
        **bearer(OFFICER),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "kept_apart"
    assert response.json()["new_record"]["name"] == "Sari Dewi"
    queue = Client().get(API, **bearer(OFFICER)).json()
    assert doubtful.pk not in [i["id"] for i in queue["items"]]


def test_the_queue_page_does_not_query_per_pair(as_user, django_assert_max_num_queries):
    client = as_user(OFFICER)
    first, second = person("Lukman Hakim"), person("Lukman Hakim")
    pair(second, first, 1.0)
    client.get(QUEUE)
    with django_assert_max_num_queries(40) as few:
        client.get(QUEUE)
    for i in range(6):
        a, b = person(f"Orang Ke{i} Satu"), person(f"Orang Ke{i} Satu")
        pair(b, a, float(i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(QUEUE)


# --- decisions kept for training ------------------------------------------------------------


def test_labelled_pairs_are_the_decided_reviews():
    survivor = person("Yusuf Maulana")
    merged = person("Yusuf Maulana", nik="1471011106150007", birth_date=datetime.date(2015, 6, 11))
    apart_a, apart_b = person("Rina Kartika"), person("Rina Kartika Sari")
    pending_a, pending_b = person("Dedi Kurnia"), person("Dedi Kurniawan")
    undone_a, undone_b = person("Agus Salim"), person("Agus Salim")
    me = officer()
    import_actions.decide_review(pair(merged, survivor, 5.0), "merged", acting_user=me)
    import_actions.decide_review(pair(apart_b, apart_a, -1.0), "kept_apart", acting_user=me)
    pair(pending_b, pending_a, 0.0)
    undone = import_actions.decide_review(pair(undone_b, undone_a, 4.0), "merged", acting_user=me)
    registry_actions.undo_merge(undone.merge, acting_user=me)
    # Another office's decisions teach this office's model nothing.
    other = User.objects.get(username="admin").organisation
    x, y = person("Lina Marlina"), person("Lina Marlina")
    LinkReview.objects.create(
        organisation=other, record=y, candidate=x, score=1.0, status=ReviewStatus.KEPT_APART
    )

    confirmed, rejected = labelled_pairs(me.organisation)
    assert [(a.ref, b.ref) for a, b in confirmed] == [(survivor.pk, merged.pk)]
    assert [(a.ref, b.ref) for a, b in rejected] == [(apart_b.pk, apart_a.pk)]
    first, second = confirmed[0]
    assert first.name_key == second.name_key == name_key("Yusuf Maulana")
    # The merge moved the NIK onto the survivor; the reviewer saw it on the other record.
    assert Person.objects.get(pk=survivor.pk).nik == "1471011106150007"
    assert first.nik == "" and second.nik == "1471011106150007"
    assert all(isinstance(r, linkage.LinkRecord) for p in confirmed + rejected for r in p)


def test_labelled_pairs_are_bounded_to_the_newest(monkeypatch):
    from jejaring.imports import training

    me = officer()
    older = pair(person("Hendra Wijaya"), person("Hendra Wijaya"), 1.0)
    newer = pair(person("Tono Sugiarto"), person("Tono Sugiarto"), 1.0)
    import_actions.decide_review(older, "kept_apart", acting_user=me)
    import_actions.decide_review(newer, "kept_apart", acting_user=me)
    monkeypatch.setattr(training, "MAX_LABELLED", 1)
    _confirmed, rejected = labelled_pairs(me.organisation)
    assert [(a.ref, b.ref) for a, b in rejected] == [(newer.record_id, newer.candidate_id)]
