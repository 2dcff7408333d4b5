"""Open data (issue 15): the public API answers without an account and never returns a
count under the threshold (with complementary suppression), and /data/catalog.json is a
DCAT-AP catalogue in JSON-LD that RDFLib — what CKAN's DCAT harvester reads it with —
parses into datasets and distributions with the properties DCAT-AP requires."""

import csv
import io
import json

import pytest
from django.test import Client
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from jejaring.network.models import Organisation
from jejaring.public.actions import complaints as complaint_actions
from jejaring.public.models import ComplaintCategory
from jejaring.regions.models import Region
from jejaring.spm import figures
from jejaring.spm.disclosure import THRESHOLD
from jejaring.spm.models import SpmServiceType

pytestmark = pytest.mark.django_db

DCAT = Namespace("http://www.w3.org/ns/dcat#")


def catalog_graph() -> tuple[Graph, object]:
    response = Client().get("/data/catalog.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.content.decode(), format="json-ld")
    return graph, response


def test_the_catalogue_parses_as_dcat_ap_json_ld():
    graph, _ = catalog_graph()
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    catalog = catalogs[0]
    # DCAT-AP's mandatory properties (its SHACL shapes' minCount 1).
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher):
        assert graph.value(catalog, prop) is not None, prop
    assert graph.value(graph.value(catalog, DCTERMS.publisher), FOAF.name) is not None
    datasets = list(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 5
    for dataset in datasets:
        assert isinstance(dataset, URIRef)  # a stable IRI: the harvester's guid
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        assert graph.value(dataset, DCTERMS.title) is not None
        assert graph.value(dataset, DCTERMS.description) is not None
        assert graph.value(dataset, DCTERMS.temporal) is not None
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) == 2
        for distribution in distributions:
            url = graph.value(distribution, DCAT.accessURL)
            assert url is not None
            assert graph.value(distribution, DCTERMS.license) is not None
            # Every distribution answers, without an account.
            path = str(url).split("testserver", 1)[1]
            assert Client().get(path).status_code == 200, path


def test_the_spm_api_never_returns_a_count_under_the_threshold():
    kind = SpmServiceType.objects.filter(is_active=True).first()
    for region in ("", "14", "14.71", "32.04"):
        body = (
            Client()
            .get("/api/v1/public/open/spm", {"region": region, "year": 2026, "type": kind.code})
            .json()
        )
        for row in body["rows"]:
            assert row["served"] is None or row["served"] >= THRESHOLD, row
        parent = Region.objects.get(code=region) if region else None
        raw = {c.code: c.served for c in figures.breakdown(parent, 2026, kind)[1]}
        small = [code for code, n in raw.items() if n < THRESHOLD]
        hidden = [row["region"] for row in body["rows"] if row["served"] is None]
        assert set(small) <= set(hidden)
        if len(small) == 1 and len(raw) > 1:
            assert len(hidden) >= 2  # one hidden cell alone could be recovered from the total


def test_the_spm_api_as_csv_and_bad_input():
    response = Client().get("/api/v1/public/open/spm", {"region": "14", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["region", "name", "target", "served", "percent"]
    assert Client().get("/api/v1/public/open/spm", {"region": "99.99"}).status_code == 404
    assert Client().get("/api/v1/public/open/spm", {"type": "nope"}).status_code == 404
    assert Client().get("/api/v1/public/open/spm", {"year": "x"}).status_code == 422


@pytest.mark.parametrize("path", ["/api/v1/public/open/pmks", "/api/v1/public/open/services"])
def test_counts_of_people_are_suppressed_under_the_threshold(path):
    for region in ("", "14", "14.71", "14.71.01"):
        body = Client().get(path, {"region": region, "year": 2026}).json()
        counts = [row["count"] for row in body["rows"]]
        assert all(n is None or n >= THRESHOLD for n in counts), (region, counts)
        small = sum(1 for n in counts if n is None)
        assert small != 1 or body["total"] is None  # never one hidden cell alone
    assert Client().get(path, {"region": "99.99"}).status_code == 404
    csv_body = Client().get(path, {"region": "14", "format": "csv"}).content.decode()
    assert csv_body.splitlines()[0] == "code,name,count"


def test_sensitive_categories_are_never_published():
    from jejaring.reference.models import PmksCategory

    body = Client().get("/api/v1/public/open/pmks").json()
    published = {row["code"] for row in body["rows"]}
    sensitive = set(PmksCategory.objects.filter(is_sensitive=True).values_list("code", flat=True))
    assert sensitive and not published & sensitive


def test_the_people_counts_match_the_registry_where_shown():
    from jejaring.reference.models import PmksCategory
    from jejaring.registry import actions as registry_actions
    from jejaring.registry.models import Person

    category = PmksCategory.objects.get(code="pemulung")
    village = Region.objects.get(code="14.71.01.1002")
    office = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    for i in range(THRESHOLD + 1):
        registry_actions.create_person(
            {"full_name": f"Pemulung Terbuka {i}", "sex": "M", "region": village},
            organisation=office,
            acting_user=None,
            categories=[category],
            confirmed_new=True,
        )
    body = Client().get("/api/v1/public/open/pmks", {"region": "14.71", "year": 2026}).json()
    row = next(r for r in body["rows"] if r["code"] == "pemulung")
    expected = (
        Person.objects.filter(categories__category=category, region__code__startswith="14.71.")
        .distinct()
        .count()
    )
    assert row["count"] == expected >= THRESHOLD + 1


def test_complaint_figures_only_for_offices_with_enough_complaints():
    office = Organisation.objects.select_related("type").get(code="dukcapil-pekanbaru")
    category = ComplaintCategory.objects.get(code="informasi")

    def listed():
        rows = Client().get("/api/v1/public/open/complaints").json()
        return [r for r in rows if r["organisation"] == office.name]

    for i in range(THRESHOLD):
        assert not listed()
        complaint_actions.submit_complaint(
            {
                "category": category,
                "concerned_organisation": office,
                "subject": f"Syarat {i}",
                "description": "Syarat akta tidak jelas.",
            },
            sender_address=f"open-{i}",
        )
    [row] = listed()
    assert row["received"] == THRESHOLD
    text = json.dumps(row)
    assert "Syarat" not in text  # counts only, never what was written


def test_the_ikm_as_open_data():
    rows = Client().get("/api/v1/public/open/skm", {"year": 2026}).json()
    pekanbaru = [r for r in rows if r["organisation"] == "Dinas Sosial Kota Pekanbaru"]
    assert pekanbaru and 25 <= pekanbaru[0]["ikm"] <= 100  # the demo's twelve answers
    csv_rows = Client().get("/api/v1/public/open/skm", {"year": 2026, "format": "csv"})
    assert b"Dinas Sosial Kota Pekanbaru" in csv_rows.content


def test_the_open_api_is_rate_limited_per_address_across_processes(settings):
    from django.core.cache import caches
    from django.db import connection

    settings.OPEN_DATA_RATE = "3/m"
    one, other = Client(REMOTE_ADDR="10.1.2.3"), Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(3):
        assert one.get("/api/v1/public/open/skm").status_code == 200
    refused = one.get("/api/v1/public/open/pmks")  # the limit counts every open endpoint
    assert refused.status_code == 429
    assert refused.json()["detail"] == "Terlalu banyak permintaan; coba lagi nanti."
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other.get("/api/v1/public/open/skm").status_code == 200  # another address
    # The counts are rows of a table, so every gunicorn worker sees the same ones; the
    # key is a keyed hash: the cache holds no address.
    assert caches["throttle"].__class__.__name__ == "DatabaseCache"
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM jejaring_throttle")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 2
    assert not any("10.1.2.3" in key or "10.9.9.9" in key for key in keys)


def _chart(page: str, chart_id: str) -> tuple[list[tuple[str, str, float]], list[str]]:
    """(label, words, bar length) of each bar of a chart, and the labels it hides."""
    import html
    import re

    block = re.search(rf'<ul class="bar-chart" id="{chart_id}".*?</ul>', page, re.S).group(0)
    bars = [
        (html.unescape(label), html.unescape(words), float(length))
        for label, length, words in re.findall(
            r'<span class="bar-label">(.*?)</span>.*?<rect width="([0-9.]+)".*?'
            r'<span class="bar-value">(.*?)</span>',
            block,
            re.S,
        )
    ]
    hidden = re.search(rf'<p class="muted" id="{chart_id}-hidden">[^:]*: (.*?)\.</p>', page, re.S)
    names = html.unescape(hidden.group(1)).split(", ") if hidden else []
    return bars, names


@pytest.mark.parametrize(
    ("chart_id", "path"),
    [
        ("chart-pmks", "/api/v1/public/open/pmks"),
        ("chart-services", "/api/v1/public/open/services"),
    ],
)
@pytest.mark.parametrize("region", ["", "14"])
def test_the_open_data_home_charts_only_what_the_api_publishes(chart_id, path, region):
    page = Client().get("/data/", {"tahun": 2026, "wilayah": region}).content.decode()
    bars, hidden = _chart(page, chart_id)
    body = Client().get(path, {"year": 2026, "region": region}).json()
    shown = {row["name"]: row["count"] for row in body["rows"] if row["count"] is not None}
    assert shown, "the demo must publish some figures, not hide them all"
    assert {label: int(words.replace(".", "")) for label, words, _ in bars} == shown
    assert set(hidden) == {row["name"] for row in body["rows"] if row["count"] is None}
    largest = max(shown.values())
    for label, _, length in bars:  # each bar's length is its count against the largest
        assert length == pytest.approx(shown[label] * 100 / largest, abs=0.1)


def test_the_open_data_home_explains_privacy_and_offers_every_download():
    import re

    page = Client().get("/data/", {"tahun": 2026}).content.decode()
    assert "Cara kami melindungi privasi" in page
    assert "disembunyikan" in page
    spm_bars, _ = _chart(page, "chart-spm")
    assert spm_bars and all(re.fullmatch(r"\d+,\d% \(\d+ dari \d+\)", w) for _, w, _ in spm_bars)
    links = re.findall(r'href="(/api/v1/public/open/[a-z]+\?[^"]+)"', page)
    assert {link.split("?")[0].rsplit("/", 1)[1] for link in links} == {
        "spm",
        "pmks",
        "services",
        "complaints",
        "skm",
    }
    for link in links:
        response = Client().get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        wanted = "text/csv" if "format=csv" in link else "application/json"
        assert response["Content-Type"].startswith(wanted), link
    # The catalogue's landing pages are this page's sections.
    graph, _ = catalog_graph()
    for landing in graph.objects(None, DCAT.landingPage):
        path, anchor = str(landing).split("testserver", 1)[1].split("#")
        assert path == "/data/" and f'id="{anchor}"' in page


def test_the_spm_page_charts_each_region_with_a_target():
    from jejaring.public.open_data import spm_overview

    kind = next(row for row in spm_overview(None, 2026) if row["served"] is not None)
    kind = SpmServiceType.objects.get(code=kind["code"])
    page = Client().get("/data/spm/", {"year": 2026, "type": kind.code}).content.decode()
    bars, hidden = _chart(page, "chart-regions")
    body = Client().get("/api/v1/public/open/spm", {"year": 2026, "type": kind.code}).json()
    targeted = [row for row in body["rows"] if row["target"]]
    assert [label for label, _, _ in bars] == [
        r["name"] for r in targeted if r["percent"] is not None
    ]
    assert hidden == [r["name"] for r in targeted if r["percent"] is None]
    assert "/api/v1/public/open/spm?year=2026" in page


def test_the_catalogue_conforms_to_the_dcat_ap_shapes():
    """DCAT-AP 3.0.1's own SHACL shapes (cardinalities, datatypes, node kinds), vendored
    from SEMICeu/DCAT-AP: the check the EU's DCAT-AP validator makes."""
    from pathlib import Path

    from pyshacl import validate

    graph, _ = catalog_graph()
    shapes = Graph().parse(
        Path(__file__).parent / "fixtures" / "dcat-ap" / "dcat-ap-SHACL.ttl", format="turtle"
    )
    conforms, _, report = validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, report
