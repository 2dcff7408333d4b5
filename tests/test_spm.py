"""SPM achievement on a small, hand-checkable Kabupaten Bandung.

Type: basic rehabilitation of neglected children outside institutions (regency/city):
served to standard = 3 different basic services, delivered to standard, in the year.
Target 2025 for Kabupaten Bandung: 4 children. What happened in 2025:

  A  permakanan (Jan), sandang (Feb), bimbingan sosial (Mar)      → served, Q1
  B  permakanan twice, sandang                                   → 2 kinds: not served
  C  permakanan, sandang, bimbingan sosial — the last below standard → not served
  D  two services in Kab. Bandung, moved to Kota Bandung, third there → served in Kota Bandung
  E  permakanan, sandang (Apr), fasilitasi NIK (May)                → served, Q2
  F  three services, all in 2024                                  → not in 2025

So Kabupaten Bandung: 2 of 4 = 50.0 %; Kota Bandung: 1 served, no target; Jawa Barat:
3 served, target 4 (its regencies' sum) = 75.0 %.
"""

import datetime

import pytest
from django.test import Client

from jejaring.cases.actions import open_case, record_service
from jejaring.cases.models import ServiceType
from jejaring.network import actions as network_actions
from jejaring.network.models import Organisation, OrganisationType
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions as registry_actions
from jejaring.spm import actions as spm_actions
from jejaring.spm import engine, figures
from jejaring.spm.models import AchievementCount, PersonAchievement, SpmServiceType

YEAR = 2025
D = datetime.date


def village(prefix, index=0):
    return Region.objects.filter(code__startswith=f"{prefix}.", level="village").order_by("code")[
        index
    ]


def kota_bandung_office():
    return network_actions.create_organisation(
        {
            "code": "dinsos-kota-bandung",
            "name": "Dinas Sosial Kota Bandung",
            "sector": "government",
            "level": "kabupaten_kota",
            "type": OrganisationType.objects.get(code="dinas_sosial_kabupaten_kota"),
            "home_region": Region.objects.get(code="32.73"),
            "status": "active",
        },
        acting_user=None,
    )


def child(name, region):
    return registry_actions.create_person(
        {"full_name": name, "sex": "M", "birth_date": D(2015, 1, 1), "region": region},
        organisation=Organisation.objects.get(code="dinsos-kab-bandung"),
        acting_user=None,
        categories=[PmksCategory.objects.get(code="anak_terlantar")],
        confirmed_new=True,
    )


def serve(case, code, day, met=True):
    record_service(
        case, ServiceType.objects.get(code=code), day, acting_user=None, met_standard=met
    )


@pytest.fixture
def bandung(db):
    kab = Organisation.objects.get(code="dinsos-kab-bandung")
    kota = kota_bandung_office()
    category = PmksCategory.objects.get(code="anak_terlantar")
    kind = SpmServiceType.objects.get(code="kab_anak_terlantar_luar_panti")
    spm_actions.set_target(Region.objects.get(code="32.04"), YEAR, kind, 4, acting_user=None)
    people = {}
    first, second = village("32.04", 0), village("32.04", 40)  # two districts
    for name, region in [
        ("Anak A", first),
        ("Anak B", first),
        ("Anak C", second),
        ("Anak D", second),
        ("Anak E", second),
        ("Anak F", first),
    ]:
        person = child(name, region)
        people[name[-1]] = (person, open_case(person, category, organisation=kab, acting_user=None))
    _, a = people["A"]
    serve(a, "permakanan", D(YEAR, 1, 10))
    serve(a, "sandang", D(YEAR, 2, 10))
    serve(a, "bimbingan_sosial", D(YEAR, 3, 10))
    _, b = people["B"]
    serve(b, "permakanan", D(YEAR, 1, 5))
    serve(b, "permakanan", D(YEAR, 6, 5))
    serve(b, "sandang", D(YEAR, 7, 5))
    _, c = people["C"]
    serve(c, "permakanan", D(YEAR, 1, 5))
    serve(c, "sandang", D(YEAR, 2, 5))
    serve(c, "bimbingan_sosial", D(YEAR, 3, 5), met=False)
    person_d, d = people["D"]
    serve(d, "permakanan", D(YEAR, 2, 1))
    serve(d, "sandang", D(YEAR, 3, 1))
    registry_actions.update_person(
        person_d, {"region": village("32.73")}, expected_version=person_d.version, acting_user=None
    )
    d_kota = open_case(person_d, category, organisation=kota, acting_user=None)
    serve(d_kota, "bimbingan_sosial", D(YEAR, 8, 1))
    _, e = people["E"]
    serve(e, "permakanan", D(YEAR, 4, 1))
    serve(e, "sandang", D(YEAR, 4, 20))
    serve(e, "fasilitasi_nik", D(YEAR, 5, 2))
    _, f = people["F"]
    for code, month in [("permakanan", 3), ("sandang", 4), ("bimbingan_sosial", 5)]:
        serve(f, code, D(YEAR - 1, month, 1))
    return kind


def cell(code, kind, quarter=4):
    got = figures.served([code], YEAR, [kind.pk], quarter).get((code, kind.pk), 0)
    aim = figures.targets([code], YEAR, [kind.pk]).get((code, kind.pk))
    return figures.Cell(code, code, aim, got)


def test_the_hand_checked_percentages(bandung):
    kab, kota, jabar = cell("32.04", bandung), cell("32.73", bandung), cell("32", bandung)
    assert (kab.served, kab.target, kab.percent) == (2, 4, 50.0)
    assert (kota.served, kota.target, kota.percent) == (1, None, None)
    assert (jabar.served, jabar.target, jabar.percent) == (3, 4, 75.0)
    assert cell("32.04", bandung, quarter=1).served == 1
    assert cell("32.04", bandung, quarter=2).served == 2
    assert cell("32.04", bandung).gap == 2


def test_roll_ups_equal_the_sum_of_their_parts(bandung):
    for parent in (None, Region.objects.get(code="32"), Region.objects.get(code="32.04")):
        total, rows = figures.breakdown(parent, YEAR, bandung)
        assert total.served == sum(r.served for r in rows)
    total, rows = figures.breakdown(Region.objects.get(code="32.04"), YEAR, bandung)
    assert sorted(r.served for r in rows if r.served) == [1, 1]  # one child per district


def test_incremental_figures_match_a_full_rebuild(bandung):
    def snapshot():
        return sorted(
            AchievementCount.objects.filter(year=YEAR, served__gt=0).values_list(
                "region_code", "service_type_id", "quarter", "served"
            )
        )

    incremental = snapshot()
    engine.rebuild(YEAR)
    assert snapshot() == incremental


def test_a_merge_recomputes_both_people(bandung):
    from jejaring.registry.models import Person

    b = Person.objects.get(full_name="Anak B")
    c = Person.objects.get(full_name="Anak C")
    registry_actions.merge_persons(c, b, acting_user=None)
    # C now has permakanan, sandang (to standard) and no third kind: still not served;
    # B's standing moved away with its services.
    assert not PersonAchievement.objects.filter(person=b, year=YEAR).exists()
    assert cell("32.04", bandung).served == 2


def test_zero_target_is_no_target_not_an_error(bandung):
    spm_actions.set_target(Region.objects.get(code="32.04"), YEAR, bandung, 0, acting_user=None)
    kab = cell("32.04", bandung)
    assert kab.percent is None and kab.served == 2


def test_targets_derive_from_verified_registry_people(bandung):
    from jejaring.registry.models import Person

    for name in ("Anak A", "Anak B"):
        registry_actions.set_category(
            Person.objects.get(full_name=name),
            PmksCategory.objects.get(code="anak_terlantar"),
            acting_user=None,
            status="verified",
            start_date=D(YEAR, 1, 1),
        )
    derived = spm_actions.derive_target(
        Region.objects.get(code="32.04"),
        YEAR,
        bandung,
        acting_user=None,
        reference_date=D(YEAR, 6, 1),
    )
    assert (derived.target, derived.source) == (2, "derived")


def test_api_achievement_filters(bandung, bearer):
    body = (
        Client()
        .get(
            "/api/v1/spm/achievement",
            {"region": "32.04", "year": YEAR, "type": bandung.code},
            **bearer("pimpinan.jabar"),
        )
        .json()
    )
    assert body["total"]["percent"] == 50.0
    assert sum(r["served"] for r in body["rows"]) == body["total"]["served"]
    bad = Client().get(
        "/api/v1/spm/achievement",
        {"region": "99", "year": YEAR, "type": bandung.code},
        **bearer("pimpinan.jabar"),
    )
    assert bad.status_code == 422


def test_dashboard_drills_down_and_exports(bandung, as_user):
    from django.urls import reverse

    client = as_user("pimpinan.jabar")
    page = client.get(
        reverse("spm:dashboard"), {"year": YEAR, "type": bandung.code, "region": "32"}
    )
    assert page.status_code == 200
    rows = {r.code: r for r in page.context["rows"]}
    assert rows["32.04"].percent == 50.0
    assert page.context["total"].percent == 75.0
    csv_text = client.get(
        reverse("spm:export"), {"year": YEAR, "type": bandung.code, "region": "32.04"}
    ).content.decode("utf-8-sig")
    assert csv_text.splitlines()[-1].split(",")[-1] == "50.0"
    future = client.get(reverse("spm:dashboard"), {"year": 2999, "type": bandung.code})
    assert future.status_code == 200 and future.context["year"] != 2999


@pytest.mark.parametrize(
    ("values", "total", "published"),
    [
        ([10, 3, 7], 20, [10, None, None]),  # one small cell: the next smallest hides too
        ([10, 3, 2, 7], 22, [10, None, None, 7]),  # two small cells hide each other
        ([10, 12], 22, [10, 12]),
        ([1, 2], 3, [None, None]),  # a small total hides everything
    ],
)
def test_complementary_suppression(values, total, published):
    from jejaring.spm.disclosure import suppress

    cells, shown_total = suppress(values, total)
    assert cells == published
    hidden = [v for v, c in zip(values, cells, strict=True) if c is None]
    assert len(hidden) != 1  # never a single hidden cell recoverable from the total


def test_public_page_never_shows_a_count_under_five(bandung):
    from django.urls import reverse

    page = Client().get(
        reverse("open_data:spm_region", args=["32"]), {"year": YEAR, "type": bandung.code}
    )
    assert page.status_code == 200
    shown = [row["served"] for row in page.context["table"]]
    assert all(v is None or v >= 5 for v in shown)
    assert page.context["total_served"] is None  # 3 people in Jawa Barat: all hidden
    assert "Anak" not in page.content.decode()


def test_excel_report_opens_with_the_right_numbers(bandung, as_user):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    client = as_user("pimpinan.jabar")
    client.post(
        reverse("spm:report", args=["32.04", YEAR]),
        {"office_name": "Dinas Sosial Kabupaten Bandung", "problems": "Kurang pekerja sosial"},
    )
    response = client.get(reverse("spm:report_xlsx", args=["32.04", YEAR]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Dinas Sosial Kabupaten Bandung"
    rows = {
        sheet.cell(r, 1).value: (
            sheet.cell(r, 2).value,
            sheet.cell(r, 3).value,
            sheet.cell(r, 4).value,
        )
        for r in range(1, sheet.max_row + 1)
    }
    assert rows[bandung.name] == (4, 2, 50.0)
    assert "Kurang pekerja sosial" in [sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)]


def test_report_for_a_future_year_is_a_clear_message(bandung, as_user):
    from django.urls import reverse

    response = as_user("pimpinan.jabar").get(reverse("spm:report", args=["32.04", 2999]))
    assert response.status_code == 400
    assert "2018" in response.content.decode()


def test_only_the_regions_office_writes_its_report(bandung, as_user):
    from django.urls import reverse

    from jejaring.spm.models import ReportNotes

    as_user("petugas.pekanbaru").post(
        reverse("spm:report", args=["32.04", YEAR]), {"problems": "bukan urusan saya"}
    )
    assert not ReportNotes.objects.filter(problems="bukan urusan saya").exists()


def test_needs_multiply_people_still_to_serve_by_unit_costs(bandung):
    from jejaring.spm.models import UnitCost

    UnitCost.objects.create(
        service=ServiceType.objects.get(code="permakanan"), year=YEAR, amount=1_500_000
    )
    lines = {n.service: n for n in figures.needs(Region.objects.get(code="32.04"), YEAR, bandung)}
    assert lines["Permakanan (makanan)"].amount == 2 * 1_500_000  # gap of 2 children
    assert lines["Sandang (pakaian)"].amount is None


def test_gap_lists_people_in_progress_with_what_they_lack(bandung, as_user):
    from django.urls import reverse

    page = as_user("petugas.bandung").get(
        reverse("spm:dashboard"), {"year": YEAR, "type": bandung.code, "region": "32.04"}
    )
    names = {view.name: lacking for view, _got, _needed, lacking in page.context["gap_people"]}
    assert set(names) == {"Anak B", "Anak C"}  # A and E reached it; D counts in Kota Bandung
    assert "Bimbingan sosial" in names["Anak B"]
    assert {name for name, _n, _s in page.context["service_rows"]} >= {"Permakanan (makanan)"}
    outsider = as_user("petugas.pekanbaru").get(
        reverse("spm:dashboard"), {"year": YEAR, "type": bandung.code, "region": "32.04"}
    )
    assert outsider.context["gap_people"] == []  # people outside one's scope are not listed


def test_report_api(bandung, bearer):
    body = Client().get(f"/api/v1/spm/report/32.04/{YEAR}", **bearer("pimpinan.jabar")).json()
    row = next(r for r in body["achievement"] if r["type"] == bandung.code)
    assert (row["served"], row["target"], row["percent"]) == (2, 4, 50.0)
    future = Client().get("/api/v1/spm/report/32.04/2999", **bearer("pimpinan.jabar"))
    assert future.status_code == 422


def test_targets_page_sets_and_refuses_other_regions(bandung, as_user):
    from django.urls import reverse

    from jejaring.spm.models import Target

    form = {
        "region": "32.04",
        "year": YEAR + 1,
        "service_type": bandung.pk,
        "target": 30,
        "baseline": 12,
        "source_note": "pendataan 2025",
        "save": "1",
    }
    page = as_user("pimpinan.jabar").post(reverse("spm:targets"), form)
    assert page.status_code == 200
    assert Target.objects.get(region="32.04", year=YEAR + 1, service_type=bandung).target == 30
    as_user("petugas.pekanbaru").post(reverse("spm:targets"), {**form, "target": 1})
    assert Target.objects.get(region="32.04", year=YEAR + 1, service_type=bandung).target == 30
    bad = as_user("pimpinan.jabar").post(reverse("spm:targets"), {**form, "year": 1990})
    assert Target.objects.filter(year=1990).count() == 0 and bad.status_code == 200
