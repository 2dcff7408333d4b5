"""SPM on the shared skeleton: the scope policy of targets and reports, the one
FilterSet the targets page and the API list share, and the API's answers for another
region (403, never 422) and for unknown names (422 on the field that named them).

The demo sets targets for Kota Pekanbaru (14.71) and Kabupaten Bandung (32.04) for
2025 and 2026; its personas: pimpinan.jabar heads the provincial social office of Jawa
Barat, data.pekanbaru is Pekanbaru's data officer, petugas.pekanbaru a case worker
there, admin a network administrator."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.regions.models import Region
from jejaring.spm import actions
from jejaring.spm.filters import TargetFilter
from jejaring.spm.models import ReportNotes, SpmServiceType, Target
from jejaring.spm.policies import may_manage

pytestmark = pytest.mark.django_db

ANAK = "kab_anak_terlantar_luar_panti"
LANSIA = "kab_lansia_luar_panti"


def user(name):
    return User.objects.get(username=name)


def region(code):
    return Region.objects.get(code=code)


def put(client, body, headers):
    return client.put(
        "/api/v1/spm/targets", json.dumps(body), content_type="application/json", **headers
    )


def fields(response) -> dict:
    return {e["field"]: e["msg"] for e in response.json()["detail"]}


@pytest.mark.parametrize(
    ("persona", "bandung", "pekanbaru"),
    [
        ("admin", True, True),
        ("pimpinan.jabar", True, False),  # its province's regencies, not Riau's
        ("data.pekanbaru", False, True),  # a data officer of the city's social office
        ("petugas.pekanbaru", False, False),  # a case worker does not set targets
        ("mitra.lksa", False, False),  # a partner governs no region
    ],
)
def test_who_changes_a_regions_targets_and_everyone_sees_them(persona, bandung, pekanbaru):
    viewer = user(persona)
    changeable = set(
        Target.objects.restrict(viewer, "change").values_list("region_id", flat=True).distinct()
    )
    assert ("32.04" in changeable, "14.71" in changeable) == (bandung, pekanbaru)
    assert (may_manage(viewer, region("32.04")), may_manage(viewer, region("14.71"))) == (
        bandung,
        pekanbaru,
    )
    # Targets are public figures (the open SPM page publishes them).
    assert Target.objects.restrict(viewer).count() == Target.objects.count() > 0
    assert ReportNotes.objects.restrict(viewer, "change").model is ReportNotes


def test_setting_another_regions_target_is_403_not_422(bearer):
    before = Target.objects.get(region="32.04", year=2026, service_type__code=LANSIA).target
    body = {"region": "32.04", "year": 2026, "service_type": LANSIA, "target": 1}
    refused = put(Client(), body, bearer("data.pekanbaru"))
    assert refused.status_code == 403
    assert region("32.04").name in refused.json()["detail"]  # whose office sets it
    derive = Client().post(
        "/api/v1/spm/targets/derive",
        json.dumps({"region": "32.04", "year": 2026, "service_type": LANSIA}),
        content_type="application/json",
        **bearer("data.pekanbaru"),
    )
    assert derive.status_code == 403
    assert Target.objects.get(region="32.04", year=2026, service_type__code=LANSIA).target == before
    done = put(Client(), {**body, "target": 21}, bearer("pimpinan.jabar"))
    assert done.status_code == 200 and done.json()["target"] == 21


def test_the_action_refuses_another_region_whoever_calls_it():
    from django.core.exceptions import PermissionDenied

    kind = SpmServiceType.objects.get(code=LANSIA)
    with pytest.raises(PermissionDenied):
        actions.set_target(region("32.04"), 2026, kind, 3, acting_user=user("data.pekanbaru"))
    with pytest.raises(PermissionDenied):
        actions.save_report_notes(
            region("32.04"), 2025, {"problems": "x"}, acting_user=user("petugas.pekanbaru")
        )
    # The system itself (the demo, commands) acts without a user.
    assert actions.set_target(region("32.04"), 2026, kind, 3, acting_user=None).target == 3


def test_unknown_names_are_422_on_the_field_that_named_them(bearer):
    headers = bearer("pimpinan.jabar")
    both = put(
        Client(),
        {"region": "99.99", "year": 2026, "service_type": "no_such_type", "target": 1},
        headers,
    )
    assert both.status_code == 422
    errors = fields(both)
    assert set(errors) == {"region", "service_type"}  # the body's own field names
    assert "99.99" in errors["region"] and "no_such_type" in errors["service_type"]
    listed = Client().get("/api/v1/spm/targets", {"year": 2026, "type": "nope"}, **headers)
    assert listed.status_code == 422 and "nope" in fields(listed)["type"]


def test_the_api_list_filters_through_the_shared_filterset(bearer):
    headers = bearer("petugas.pekanbaru")

    def listed(**query):
        response = Client().get("/api/v1/spm/targets", {"year": 2026, **query}, **headers)
        assert response.status_code == 200, response.content
        return {(r["region"], r["service_type"]) for r in response.json()}

    assert listed(region="32") == {("32.04", LANSIA)}  # the province and what is inside it
    assert listed(type=ANAK) == {("14.71", ANAK)}
    assert listed(region="3204", type=LANSIA) == {("32.04", LANSIA)}  # a typed code works
    assert listed(source="derived") == set()
    assert ("14.71", ANAK) in listed(source="entered")
    data = {"year": "2026", "region": "32"}
    expected = Target.objects.filter(year=2026, region__code__startswith="32.")
    assert set(TargetFilter(data, queryset=Target.objects.all()).qs) == set(expected)
    assert not TargetFilter(data, queryset=Target.objects.all(), subtree=False).qs.exists()


def test_the_api_list_costs_the_same_queries_however_many_targets(
    bearer, django_assert_num_queries
):
    headers = bearer("petugas.pekanbaru")
    Client().get("/api/v1/spm/targets", {"year": 2026}, **headers)  # warm the token's caches
    with django_assert_num_queries(2):
        few = Client().get("/api/v1/spm/targets", {"year": 2026}, **headers)
    kinds = list(SpmServiceType.objects.all()[:5])
    for code in ("32.01", "32.02", "32.03"):
        for kind in kinds:
            actions.set_target(region(code), 2026, kind, 5, acting_user=None)
    with django_assert_num_queries(2):
        many = Client().get("/api/v1/spm/targets", {"year": 2026}, **headers)
    assert len(many.json()) == len(few.json()) + 3 * len(kinds)


def test_targets_page_lists_the_regions_own_rows_and_refuses_another_on_the_field(as_user):
    kind = SpmServiceType.objects.get(code=LANSIA)
    actions.set_target(region("32"), 2026, kind, 99, acting_user=None)
    page = as_user("pimpinan.jabar").get(reverse("spm:targets"), {"region": "32"})
    assert [(t.region_id, t.target) for t in page.context["rows"]] == [("32", 99)]
    assert isinstance(page.context["filterset"], TargetFilter)

    form = {"region": "32.04", "year": 2026, "service_type": kind.pk, "target": 1, "save": "1"}
    refused = as_user("data.pekanbaru").post(reverse("spm:targets"), form)
    assert refused.status_code == 200
    assert refused.context["form"].errors["region"]  # on the field, the input kept
    assert refused.context["form"]["region"].value() == "32.04"
    assert Target.objects.get(region="32.04", year=2026, service_type=kind).target == 20


def test_a_report_is_read_by_all_and_written_only_by_the_regions_office(as_user):
    url = reverse("spm:report", args=["32.04", 2025])
    outsider = as_user("data.pekanbaru")
    page = outsider.get(url)
    assert page.status_code == 200 and page.context["may_edit"] is False
    refused = outsider.post(url, {"problems": "bukan urusan saya"})
    assert refused.status_code == 403
    assert not ReportNotes.objects.filter(problems="bukan urusan saya").exists()
    office = as_user("pimpinan.jabar")
    assert office.get(url).context["may_edit"] is True
    saved = office.post(url, {"problems": "Kurang pekerja sosial"})
    assert saved.status_code == 200
    assert ReportNotes.objects.get(region="32.04", year=2025).problems == "Kurang pekerja sosial"
