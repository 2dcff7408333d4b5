"""SPM as a workspace (issue 14, point 3): the dashboard opens on the user's own region,
this year, on a service type with a target there; the yearly-report link is always on
it; the printable report is a letter from the region's social office (letterhead, date
in long form, the head of office's signature block) listing only the service types of
the region's level; the open page says what "•" means and why everything is hidden.

The demo sets targets for Kota Pekanbaru (14.71, children outside institutions) and
Kabupaten Bandung (32.04, elderly people outside institutions) for 2025 and 2026.
"""

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jejaring.accounts import actions as account_actions
from jejaring.accounts.roles import Role
from jejaring.core import clock
from jejaring.network.models import Organisation
from jejaring.spm.models import SpmLevel, SpmServiceType

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)
ANAK = "kab_anak_terlantar_luar_panti"
LANSIA = "kab_lansia_luar_panti"


@pytest.fixture
def today():
    with clock.set_to(TODAY):
        yield TODAY


@pytest.fixture
def riau_head(db):
    """The head of Dinas Sosial Provinsi Riau (the persona ``pimpinan.riau``)."""
    return account_actions.create_user(
        username="pimpinan.riau",
        organisation=Organisation.objects.get(code="dinsos-prov-riau"),
        roles=[Role.OFFICE_HEAD],
        password=None,
        acting_user=None,
        first_name="Hasan",
        last_name="Basri",
    )


def text(response) -> str:
    """The page's visible text, tags dropped and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- the dashboard's defaults --------------------------------------------------------


def test_a_city_data_officer_opens_on_kota_pekanbaru_this_year(as_user, today):
    page = as_user("data.pekanbaru").get(reverse("spm:dashboard"))
    assert page.status_code == 200
    context = page.context
    assert context["region"].code == "14.71"
    assert [a.name for a in context["ancestors"]] == ["Riau"]
    assert context["year"] == today.year
    assert context["kind"].code == ANAK  # the type with a target there
    assert context["total"].target == 20  # the demo's 2026 target, not "no target"
    body = text(page)
    assert "Riau › Kota Pekanbaru" in body
    assert "Kota Pekanbaru" in page.content.decode().split("<h1>")[1].split("</h1>")[0]


def test_an_office_head_opens_on_the_province_and_its_targeted_type(as_user, today):
    page = as_user("pimpinan.jabar").get(reverse("spm:dashboard"))
    assert page.context["region"].name == "Jawa Barat"
    assert page.context["kind"].code == LANSIA  # Kabupaten Bandung's target, summed up
    assert page.context["total"].target == 20
    assert page.context["targeted_types"] == [SpmServiceType.objects.get(code=LANSIA)]


def test_the_riau_office_head_opens_on_riau(as_user, riau_head, today):
    page = as_user("pimpinan.riau").get(reverse("spm:dashboard"))
    assert page.context["region"].code == "14"
    assert page.context["kind"].code == ANAK


def test_a_network_administrator_opens_on_the_whole_country(as_user, today):
    page = as_user("admin").get(reverse("spm:dashboard"))
    assert page.context["region"] is None
    assert page.context["kind"].code == ANAK  # the first type with a target in the country
    # Provinces with neither a target nor anyone served are named together, not as rows.
    assert {r.code for r in page.context["active_rows"]} == {"14"}
    assert len(page.context["quiet_rows"]) == len(page.context["rows"]) - 1
    assert 'id="spm-quiet"' in page.content.decode()


def test_a_village_office_opens_on_its_city(as_user, today):
    page = as_user("kelurahan.kampungtengah").get(reverse("spm:dashboard"))
    assert page.context["region"].code == "14.71"


def test_filters_still_change_region_year_and_type(as_user, today):
    client = as_user("data.pekanbaru")
    national = client.get(reverse("spm:dashboard"), {"region": ""})
    assert national.context["region"] is None
    bandung = client.get(reverse("spm:dashboard"), {"region": "32.04", "year": 2025})
    assert (bandung.context["region"].code, bandung.context["year"]) == ("32.04", 2025)
    assert bandung.context["kind"].code == LANSIA
    chosen = client.get(reverse("spm:dashboard"), {"type": "prov_lansia_dalam_panti"})
    assert chosen.context["kind"].code == "prov_lansia_dalam_panti"
    assert chosen.context["region"].code == "14.71"
    # The breadcrumb's "Indonesia" and the filter form carry the region explicitly.
    html = chosen.content.decode()
    assert 'region=">Indonesia</a>' in html
    assert '<input type="hidden" name="region" value="14.71">' in html


def test_the_yearly_report_link_is_always_there(as_user, today):
    city = as_user("data.pekanbaru").get(reverse("spm:dashboard"))
    assert reverse("spm:report", args=["14.71", 2026]) in city.content.decode()
    national = as_user("admin").get(reverse("spm:dashboard"))
    link = reverse("spm:report", args=[2026])
    assert link in national.content.decode()
    report = as_user("admin").get(link)
    assert report.status_code == 200
    assert "KEMENTERIAN SOSIAL REPUBLIK INDONESIA" in text(report)
    assert "Menteri Sosial Republik Indonesia" in text(report)
    xlsx = as_user("admin").get(reverse("spm:report_xlsx", args=[2026]))
    assert xlsx.status_code == 200


def test_the_chart_library_loads_only_where_a_chart_is_drawn(as_user, today):
    client = as_user("data.pekanbaru")
    with_chart = client.get(reverse("spm:dashboard")).content.decode()
    # Not a <script> of its own: spm.js fetches it when the chart comes near the screen,
    # and the canvas comes after the table that carries the same figures.
    assert "chart.umd.min.js" in with_chart
    assert '<script src="/static/vendor/chartjs' not in with_chart
    assert with_chart.index('id="spm-table"') < with_chart.index('id="spm-chart"')
    without = client.get(reverse("spm:dashboard"), {"type": "prov_gepeng_dalam_panti"})
    assert without.context["chart"] is None
    assert "chart.umd.min.js" not in without.content.decode()
    assert "spm.js" not in without.content.decode()


def test_dashboard_tables_label_their_cells(as_user, today):
    html = as_user("data.pekanbaru").get(reverse("spm:dashboard")).content.decode()
    cells = re.findall(r"<td(?: [^>]*)?>", html)
    assert cells and all("data-label=" in c for c in cells)


# -- the printable report ------------------------------------------------------------


def test_a_city_report_has_letterhead_date_signature_and_only_regency_types(as_user, today):
    response = as_user("data.pekanbaru").get(reverse("spm:report", args=["14.71", 2026]))
    assert response.status_code == 200
    body = text(response)
    assert "PEMERINTAH KOTA PEKANBARU" in body
    assert "DINAS SOSIAL KOTA PEKANBARU" in body
    assert "Pekanbaru, 2 Desember 2026" in body  # the month written out
    assert "Kepala Dinas Sosial Kota Pekanbaru" in body
    # The head of Pekanbaru's office signs with the name on their account (kadis.pekanbaru).
    assert "Arif Wibowo" in body
    # Nobody holds the office-head role in Kabupaten Bandung's office: a blank line to sign on.
    bandung = as_user("petugas.bandung").get(reverse("spm:report", args=["32.04", 2026]))
    assert 'class="signature-name signature-blank"' in bandung.content.decode()
    levels = {kind.level for kind, _cell in response.context["rows"]}
    assert levels == {SpmLevel.REGENCY}
    for kind in SpmServiceType.objects.filter(level=SpmLevel.PROVINCE):
        assert kind.name not in body
    assert "jejaring/spm-print.css" in response.content.decode()


def test_the_head_of_office_signs_from_their_account_or_the_reports_text(as_user, riau_head, today):
    client = as_user("pimpinan.riau")
    response = client.get(reverse("spm:report", args=["14", 2026]))
    body = text(response)
    assert "PEMERINTAH PROVINSI RIAU" in body
    assert "Kepala Dinas Sosial Provinsi Riau" in body
    assert "Hasan Basri" in body
    assert {kind.level for kind, _c in response.context["rows"]} == {SpmLevel.PROVINCE}
    client.post(
        reverse("spm:report", args=["14", 2026]),
        {"head_name": "Drs. H. Hasan Basri, M.Si", "head_nip": "196801011990031001"},
    )
    body = text(client.get(reverse("spm:report", args=["14", 2026])))
    assert "Drs. H. Hasan Basri, M.Si" in body and "NIP 196801011990031001" in body


def test_the_jawa_barat_head_signs_his_provinces_report(as_user, today):
    body = text(as_user("pimpinan.jabar").get(reverse("spm:report", args=["32", 2026])))
    assert "Kepala Dinas Sosial Provinsi Jawa Barat" in body
    assert "Dadang Kurniawan" in body


def test_the_excel_report_carries_the_signature_and_only_regency_types(as_user, today):
    response = as_user("data.pekanbaru").get(reverse("spm:report_xlsx", args=["14.71", 2026]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert sheet["A1"].value == "Dinas Sosial Kota Pekanbaru"
    assert "Pekanbaru, 2 Desember 2026" in values
    assert "Kepala Dinas Sosial Kota Pekanbaru" in values
    province_names = set(
        SpmServiceType.objects.filter(level=SpmLevel.PROVINCE).values_list("name", flat=True)
    )
    assert not province_names & set(values)
    assert SpmServiceType.objects.get(code=ANAK).name in values


# -- the open page -------------------------------------------------------------------


def test_the_open_page_explains_the_bullet_and_labels_its_cells(today):
    page = Client().get(reverse("open_data:spm"))
    assert page.status_code == 200
    body = text(page)
    assert "disamarkan karena kurang dari 5 orang, demi privasi" in body
    cells = re.findall(r"<td(?: [^>]*)?>", page.content.decode())
    assert cells and all("data-label=" in c for c in cells)
    assert page.context["kind"].code in {ANAK, LANSIA}  # a type with a target somewhere


def test_the_open_page_says_why_everything_is_hidden(today):
    # Nobody in Riau is an elderly person served to standard: the total hides too.
    page = Client().get(reverse("open_data:spm_region", args=["14"]), {"type": LANSIA})
    assert page.context["total_served"] is None
    assert "dirahasiakan untuk melindungi privasi mereka" in text(page)
    assert 'id="public-all-hidden"' in page.content.decode()


def test_a_districts_report_is_its_citys(as_user, today):
    client = as_user("data.pekanbaru")
    district = client.get(reverse("spm:dashboard"), {"region": "14.71.01"})
    assert district.context["region"].code == "14.71.01"
    assert reverse("spm:report", args=["14.71", 2026]) in district.content.decode()
    response = client.get(reverse("spm:report", args=["14.71.01", 2026]))
    assert response.status_code == 302
    assert response["Location"] == reverse("spm:report", args=["14.71", 2026])


def test_the_targets_page_opens_on_the_offices_region(as_user, today):
    page = as_user("data.pekanbaru").get(reverse("spm:targets"))
    assert page.context["region"].code == "14.71"
    assert {t.year for t in page.context["rows"]} == {2025, 2026}
    assert page.context["form"]["region"].value() == "14.71"


def test_a_derived_targets_note_dates_in_the_readers_format(today):
    from django.utils import translation

    from jejaring.regions.models import Region
    from jejaring.spm import actions as spm_actions

    kind = SpmServiceType.objects.get(code=ANAK)
    with translation.override("en"):
        row = spm_actions.derive_target(
            Region.objects.get(code="14.71"),
            2026,
            kind,
            acting_user=None,
            reference_date=datetime.date(2026, 6, 1),
        )
    assert row.source_note.endswith("06/01/2026")
