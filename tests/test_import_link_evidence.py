"""Any link an import made can be explained: the row that went to an existing person, or
to an earlier row of its file, keeps the match weight and each comparison's part under the
job's own model — in the rows API and on the row's page, as a waterfall."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.imports import actions
from jejaring.imports.models import ImportedRow, RowOutcome
from tests.helpers import SUKAJADI_VILLAGE, register_person

ORG = "dinsos-kota-pekanbaru"
OFFICER = "data.pekanbaru"

pytestmark = pytest.mark.django_db

# Row 3 is row 2 spelt another way (the Muhammad form, the surname initialled); row 4 is
# Sri Wahyuni, whom the registry already holds, her birth year typed one off.
FILE = (
    "Nama,JK,Tgl Lahir,Kode Wilayah,Nama Ibu\n"
    f"Muhammad Rizal Saputra,L,17/08/2013,{SUKAJADI_VILLAGE},Sulastri\n"
    f"Moch. Rizal S.,L,17/08/2013,{SUKAJADI_VILLAGE},Sulastri\n"
    f"Sri Wahyuni,P,05/04/1981,{SUKAJADI_VILLAGE},Aminah\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def officer():
    return User.objects.get(username=OFFICER)


@pytest.fixture
def imported(org):
    register_person(
        full_name="Sri Wahyuni",
        sex="F",
        birth_date=datetime.date(1980, 4, 5),
        mother_name="Aminah",
    )
    job = actions.upload_file(
        SimpleUploadedFile("tautan.csv", FILE.encode()),
        organisation=org(ORG),
        acting_user=officer(),
    )
    actions.start_check(job, acting_user=officer(), background=False)
    job = actions.run_check(job, acting_user=officer())
    actions.start_import(job, acting_user=officer(), background=False)
    return actions.run_import(job, acting_user=officer())


def test_each_linked_row_keeps_its_weight_and_waterfall(imported):
    rows = {r.row: r for r in ImportedRow.objects.filter(job=imported)}
    assert rows[2].outcome == RowOutcome.CREATED and rows[2].evidence == []
    assert rows[3].outcome == RowOutcome.SAME_IN_FILE and rows[3].person_id == rows[2].person_id
    assert rows[4].outcome == RowOutcome.LINKED
    for linked in (rows[3], rows[4]):
        comparisons = [c for c, _level, _w in linked.evidence]
        assert comparisons[0] == "prior" and {"name", "birth", "geo"} <= set(comparisons)
        # The parts are the weight: nothing hidden in the sum.
        assert linked.weight == pytest.approx(sum(w for *_cl, w in linked.evidence), abs=0.1)
    assert dict((c, level) for c, level, _w in rows[4].evidence)["birth"] == "year_pm1"


def test_the_rows_api_gives_the_evidence_in_words(imported, client, bearer):
    response = client.get(f"/api/v1/imports/{imported.pk}/rows?outcome=linked", **bearer(OFFICER))
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["row"] == 4 and item["weight"] > 0
    birth = next(e for e in item["evidence"] if e["comparison"] == "birth")
    assert birth["level"] == "year_pm1" and birth["label"] and birth["label"] != "year_pm1"


def test_the_row_page_draws_the_waterfall(imported, as_user):
    client = as_user(OFFICER)
    listing = client.get(reverse("imports:rows", args=[imported.pk])).content.decode()
    assert reverse("imports:row", args=[imported.pk, 3]) in listing
    page = client.get(reverse("imports:row", args=[imported.pk, 3])).content.decode()
    assert 'id="waterfall"' in page and 'data-comparison="name"' in page
    assert 'id="probability"' in page
    created = client.get(reverse("imports:row", args=[imported.pk, 2])).content.decode()
    assert 'id="waterfall"' not in created


def test_another_organisations_row_page_is_not_found(imported, as_user):
    outsider = as_user("pimpinan.jabar")  # an office head of another province
    assert outsider.get(reverse("imports:row", args=[imported.pk, 3])).status_code == 404
    assert as_user(OFFICER).get(reverse("imports:row", args=[imported.pk, 99])).status_code == 404
