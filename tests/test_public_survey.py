"""The satisfaction survey (SKM, PermenPANRB 14/2017, issue 15): the IKM of known answers
as computed by hand, the grade bands, the weights some offices print, the codes that
answer once and lead back to nobody, results only from enough answers, the yearly report
and the open page."""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.public.actions import survey as actions
from jejaring.public.models import SurveyElement, SurveyInvitation, SurveyResponse
from jejaring.public.survey import compute, element_grade, grade
from jejaring.public.survey_results import open_results, results_for

pytestmark = pytest.mark.django_db

# An office the demo has no answers for (it has twelve for Kota Pekanbaru).
WORKER = "petugas.bandung"
OFFICE = "Dinas Sosial Kabupaten Bandung"
# The worked example: ten respondents, every element answered; the sums per element.
SUMS = {"u1": 34, "u2": 32, "u3": 29, "u4": 38, "u5": 33, "u6": 35, "u7": 36, "u8": 31, "u9": 28}


def rows_with_sums(sums: dict, respondents: int = 10) -> list[dict]:
    """``respondents`` answer rows whose scores add up to ``sums`` per element (3s,
    with as many 4s or 2s as the sum needs)."""
    rows = [{} for _ in range(respondents)]
    for code, total in sums.items():
        values = [3] * respondents
        for i in range(abs(total - 3 * respondents)):
            values[i] = 4 if total > 3 * respondents else 2
        for row, value in zip(rows, values, strict=True):
            row[code] = value
    return rows


def elements():
    return list(SurveyElement.objects.active())


def test_the_nine_elements_are_seeded_in_the_regulations_order():
    assert [e.code for e in elements()] == [f"u{i}" for i in range(1, 10)]
    assert elements()[7].name == "Penanganan Pengaduan, Saran dan Masukan"
    assert elements()[3].answers()[0] == (4, "Gratis")


def test_the_ikm_of_known_answers_is_the_one_computed_by_hand():
    # By hand: NRR = 3.40, 3.20, 2.90, 3.80, 3.30, 3.50, 3.60, 3.10, 2.80 (sum 29.60);
    # × 1/9 = 3.288888…; × 25 = 82.2222… → 82.22, B (76.61 ≤ 82.22 < 88.31), "Baik".
    result = compute(rows_with_sums(SUMS), elements())
    assert result.respondents == 10
    assert [e.nrr for e in result.elements] == [
        Decimal(x) for x in ("3.4", "3.2", "2.9", "3.8", "3.3", "3.5", "3.6", "3.1", "2.8")
    ]
    assert result.ikm == Decimal("82.22")
    assert result.grade == "B"
    # Per element, on the unconverted bands: 2.90 and 2.80 are C, 3.80 and 3.60 are A.
    assert [e.grade for e in result.elements] == ["B", "B", "C", "A", "B", "B", "A", "B", "C"]


def test_the_printed_weights_some_offices_use(settings):
    settings.SKM_WEIGHT = "0.11"
    assert compute(rows_with_sums(SUMS), elements()).ikm == Decimal("81.40")  # 29.6×0.11×25
    settings.SKM_WEIGHT = "0.111"
    assert compute(rows_with_sums(SUMS), elements()).ikm == Decimal("82.14")  # 29.6×0.111×25
    all_fours = [dict.fromkeys(SUMS, 4)] * 10
    assert compute(all_fours, elements()).ikm == Decimal("99.90")  # 36×0.111×25 = 99.9
    settings.SKM_WEIGHT = "exact"
    assert compute(all_fours, elements()).ikm == Decimal("100.00")


def test_the_grade_bands_and_their_edges():
    assert grade(Decimal("88.31"))[0] == "A" and grade(Decimal("88.30"))[0] == "B"
    assert grade(Decimal("76.61"))[0] == "B" and grade(Decimal("76.60"))[0] == "C"
    assert grade(Decimal("65.00"))[0] == "C" and grade(Decimal("64.99"))[0] == "D"
    assert element_grade(Decimal("3.5324")) == "A" and element_grade(Decimal("3.5323")) == "B"


def test_an_element_left_out_is_divided_by_those_who_answered_it():
    rows = [{"u1": 4, "u2": 2}, {"u1": 2}]
    result = compute(rows, elements())
    assert result.elements[0].nrr == Decimal(3) and result.elements[0].answered == 2
    assert result.elements[1].nrr == Decimal(2) and result.elements[1].answered == 1
    # Elements nobody answered are left out: (3 + 2) / 2 × 25 = 62.50, not 5/9 × 25.
    assert result.ikm == Decimal("62.50") and result.grade == "D"


def _answer_many(n: int, scores: dict, *, service_type=None) -> None:
    worker = User.objects.get(username=WORKER)
    for _ in range(n):
        code = actions.issue_invitation(service_type=service_type, acting_user=worker).code
        actions.answer_survey(code, scores)


def test_a_code_answers_once_and_the_answer_leads_back_to_nobody():
    worker = User.objects.get(username=WORKER)
    invitation = actions.issue_invitation(acting_user=worker)
    response = actions.answer_survey(invitation.code.lower(), {"u1": 4, "u7": 3}, "Ramah.")
    assert response.scores == {"u1": 4, "u7": 3}
    # No link between the code and the answer, and no time on either.
    fields = {f.name for f in SurveyResponse._meta.get_fields()}
    assert not fields & {"invitation", "person", "case", "created_at", "by"}
    invitation.refresh_from_db()
    assert invitation.used
    with pytest.raises(ValidationError):
        actions.answer_survey(invitation.code, {"u1": 1})
    assert not AuditEntry.objects.filter(object_type="public.surveyresponse").exists()
    assert AuditEntry.objects.filter(
        object_type="public.surveyinvitation",
        object_id=str(invitation.pk),
        message="survey code used",
    ).exists()


def test_bad_answers_are_refused_in_words_never_a_500():
    worker = User.objects.get(username=WORKER)
    code = actions.issue_invitation(acting_user=worker).code
    url = reverse("skm:answer")
    for bad in ({"u1": "9"}, {"u1": "x"}, {}):
        response = Client().post(url, {"kode": code, **bad})
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    assert not SurveyInvitation.objects.get(code=code).used
    unknown = Client().get(url, {"kode": "SK-22222-22222"})
    assert unknown.status_code == 200 and 'role="alert"' in unknown.content.decode()


def test_the_questionnaire_page_records_the_answers():
    worker = User.objects.get(username=WORKER)
    code = actions.issue_invitation(acting_user=worker).code
    page = Client().get(reverse("skm:answer"), {"kode": code})
    assert "Sangat sopan dan ramah" in page.content.decode()
    sent = Client().post(reverse("skm:answer"), {"kode": code, "u1": "4", "u9": "2"})
    assert sent["Location"] == reverse("skm:thanks")
    assert SurveyResponse.objects.filter(scores={"u1": 4, "u9": 2}).exists()


def test_results_only_from_enough_answers(settings, as_user):
    settings.SKM_MIN_RESPONSES = 5
    _answer_many(4, dict.fromkeys(SUMS, 3))
    office = next(
        o for o in results_for(User.objects.get(username=WORKER), 2026) if o.organisation == OFFICE
    )
    assert office.result is None and office.respondents == 4
    assert not [o for o in open_results(2026) if o.organisation == OFFICE]
    _answer_many(1, dict.fromkeys(SUMS, 4))
    office = next(
        o for o in results_for(User.objects.get(username=WORKER), 2026) if o.organisation == OFFICE
    )
    # (4 × 3 + 4) / 5 = 3.2 per element → IKM 80.00, B.
    assert office.result.ikm == Decimal("80.00") and office.result.grade == "B"
    public = Client().get(reverse("open_data:skm"), {"tahun": 2026}).content.decode()
    assert "80,00" in public or "80.00" in public
    elsewhere = as_user("petugas.pekanbaru").get(reverse("survey:results"), {"tahun": 2026})
    assert elsewhere.status_code == 200 and OFFICE not in elsewhere.content.decode()
    pekanbaru = results_for(User.objects.get(username="petugas.pekanbaru"), 2026)
    assert not [o for o in pekanbaru if o.organisation == OFFICE]


def test_the_yearly_report_workbook(settings, as_user):
    settings.SKM_MIN_RESPONSES = 2
    _answer_many(2, dict.fromkeys(SUMS, 4))
    response = as_user(WORKER).get(reverse("survey:report_xlsx"), {"tahun": 2026})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["IKM"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == OFFICE)
    ikm_row = next(row for row in rows[start:] if row[0] == "IKM")
    assert ikm_row[3] == 100.0 and ikm_row[4].startswith("A")


def test_the_api(bearer, settings):
    settings.SKM_MIN_RESPONSES = 1
    issued = Client().post(
        "/api/v1/skm/invitations",
        json.dumps({"service_type": None}),
        content_type="application/json",
        **bearer(WORKER),
    )
    assert issued.status_code == 201
    code = issued.json()["code"]
    questions = Client().get(f"/api/v1/public/skm/{code}").json()
    assert len(questions["questions"]) == 9
    answered = Client().post(
        f"/api/v1/public/skm/{code}",
        json.dumps({"scores": {"u1": 4}}),
        content_type="application/json",
    )
    assert answered.status_code == 201
    assert Client().get(f"/api/v1/public/skm/{code}").status_code == 404
    bad = Client().post(
        "/api/v1/skm/invitations",
        json.dumps({"service_type": "nope"}),
        content_type="application/json",
        **bearer(WORKER),
    )
    assert bad.status_code == 422
    published = Client().get("/api/v1/public/skm-results", {"year": 2026}).json()
    assert any(o["organisation"] == OFFICE and o["result"]["ikm"] == 100.0 for o in published)
