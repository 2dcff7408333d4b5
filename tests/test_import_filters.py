"""The imports FilterSets serve the pages and the API alike: the imports list by
status, the rows by outcome, the problems by severity, and a bad value is a message
(a 422 on its field in the API), never a 500."""

import pytest
from django.urls import reverse

from jejaring.imports.models import JobStatus, RowOutcome

from .test_import_rows_api import FLAT, imported, media  # noqa: F401 (media: a fixture)

OFFICER = "data.pekanbaru"

pytestmark = pytest.mark.django_db


def test_the_api_lists_imports_by_status_through_the_filterset(tmp_path, org, client, bearer):
    job = imported(tmp_path, org, FLAT)
    assert job.status == JobStatus.DONE
    headers = bearer(OFFICER)
    done = client.get("/api/v1/imports/?status=done", **headers).json()
    assert job.pk in [item["id"] for item in done["items"]]
    failed = client.get("/api/v1/imports/?status=failed", **headers).json()
    assert job.pk not in [item["id"] for item in failed["items"]]
    bad = client.get("/api/v1/imports/?status=nonsense", **headers)
    assert bad.status_code == 422
    assert bad.json()["detail"]


def test_the_rows_page_and_api_filter_by_outcome_alike(tmp_path, org, as_user, bearer, client):
    job = imported(tmp_path, org, FLAT)
    api = client.get(
        f"/api/v1/imports/{job.pk}/rows?outcome={RowOutcome.REFUSED}", **bearer(OFFICER)
    ).json()
    refused_rows = [item["row"] for item in api["items"]]
    assert refused_rows == [5]
    page = as_user(OFFICER).get(
        reverse("imports:rows", args=[job.pk]), {"outcome": RowOutcome.REFUSED}
    )
    assert page.status_code == 200
    assert [row.row for row in page.context["page_obj"]] == refused_rows
    assert page.context["outcome"] == RowOutcome.REFUSED
    # A bad value in a link: every row, no chosen tab, no 500.
    page = as_user(OFFICER).get(reverse("imports:rows", args=[job.pk]), {"outcome": "x"})
    assert page.status_code == 200
    assert page.context["outcome"] == ""
    assert page.context["page_obj"].paginator.count == 4


def test_the_problems_filter_by_severity_on_the_page(tmp_path, org, as_user):
    job = imported(tmp_path, org, FLAT)
    page = as_user(OFFICER).get(reverse("imports:detail", args=[job.pk]), {"severity": "error"})
    assert page.status_code == 200
    assert page.context["severity"] == "error"
    assert all(p.severity == "error" for p in page.context["problems"])
    page = as_user(OFFICER).get(reverse("imports:detail", args=[job.pk]), {"severity": "zzz"})
    assert page.status_code == 200 and page.context["severity"] == ""
