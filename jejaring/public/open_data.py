"""The open data: figures anyone may read and download, with small counts suppressed, and
the DCAT-AP catalogue that describes them for the regional open-data portals (CKAN's
DCAT harvester reads ``/data/catalog.json``; docs/public.md).

Every count of people goes through ``spm.disclosure.suppress``: under 5 is hidden, and a
second cell with it where one alone could be recovered from the total. Complaint
handling and satisfaction figures are published per office only from their own minimum
counts (``COMPLAINTS_MIN``, ``SKM_MIN_RESPONSES``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Max
from django.urls import reverse

from jejaring.core import clock
from jejaring.core.scoping import region_subtree
from jejaring.spm import figures
from jejaring.spm.disclosure import THRESHOLD, suppress
from jejaring.spm.models import SpmServiceType

from .complaint_figures import office_figures
from .survey_results import open_results

# An office's complaint figures are published from this many complaints in the year:
# fewer could point at the person who complained.
COMPLAINTS_MIN = THRESHOLD
LICENCE = "http://creativecommons.org/licenses/by/4.0/"


def spm_table(region, year: int, service_type: SpmServiceType) -> dict:
    """People served against the target per child region, suppressed as on the page."""
    total, rows = figures.breakdown(region, year, service_type)
    published, published_total = suppress([r.served for r in rows], total.served)
    return {
        "region": region.code if region else "",
        "year": year,
        "service_type": service_type.code,
        "threshold": THRESHOLD,
        "total_served": published_total,
        "total_target": total.target,
        "rows": [
            {
                "region": r.code,
                "name": r.name,
                "target": r.target,
                "served": value,
                "percent": r.percent if value is not None else None,
            }
            for r, value in zip(rows, published, strict=True)
        ],
    }


def spm_overview(region, year: int) -> list[dict]:
    """Each service type with a target in the region and year: people served to standard
    against it. Each type is its own figure (the types do not add up to a published
    total), so a type's count under the threshold is hidden on its own."""
    from jejaring.spm.figures import region_summary

    rows = []
    for kind, cell in region_summary(region, year, own_level=region is not None):
        if cell.target is None:
            continue
        shown = cell.served if cell.served >= THRESHOLD else None
        rows.append(
            {
                "code": kind.code,
                "name": kind.name,
                "target": cell.target,
                "served": shown,
                "percent": cell.percent if shown is not None else None,
            }
        )
    return rows


def _published(labels: list[tuple[str, str]], values: list[int], **head) -> dict:
    shown, total = suppress(values, sum(values))
    return {
        **head,
        "threshold": THRESHOLD,
        "total": total,
        "rows": [
            {"code": code, "name": name, "count": value}
            for (code, name), value in zip(labels, shown, strict=True)
        ],
    }


def pmks_table(region, year: int) -> dict:
    """People holding each PMKS category during the year, in the region. The sensitive
    categories (child victims, trafficking, HIV…) are never published, however many."""
    from django.db.models import Count, Q

    from jejaring.reference.models import PmksCategory
    from jejaring.registry.models import PersonCategory

    held = PersonCategory.objects.filter(
        person__merged_into__isnull=True,
        category__is_sensitive=False,
    ).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=datetime.date(year, 12, 31)),
        Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)),
    )
    if region is not None:
        held = held.filter(region_subtree("person__region__code", region.code))
    counts = dict(held.values_list("category_id").annotate(n=Count("person_id", distinct=True)))
    categories = list(PmksCategory.objects.active().filter(is_sensitive=False))
    return _published(
        [(c.code, c.name) for c in categories],
        [counts.get(c.pk, 0) for c in categories],
        region=region.code if region else "",
        year=year,
    )


def services_table(region, year: int) -> dict:
    """People who received each kind of service during the year, in the region."""
    from django.db.models import Count

    from jejaring.cases.models import Service, ServiceType

    given = Service.objects.filter(delivered_on__year=year)
    if region is not None:
        given = given.filter(region_subtree("region__code", region.code))
    counts = dict(
        given.values_list("service_type_id").annotate(n=Count("person_id", distinct=True))
    )
    kinds = list(ServiceType.objects.active())
    return _published(
        [(k.code, k.name) for k in kinds],
        [counts.get(k.pk, 0) for k in kinds],
        region=region.code if region else "",
        year=year,
    )


def complaint_table(year: int) -> list[dict]:
    """Per handling office: complaints received and how they were handled, for offices
    with at least ``COMPLAINTS_MIN`` complaints in the year (the rest are left out)."""
    return [
        {
            "organisation": row.organisation,
            "received": row.received,
            "answered": row.answered,
            "share_within_deadline": row.share_within_deadline,
            "median_days_to_answer": row.median_days_to_answer,
            "average_rating": row.average_rating,
        }
        for row in office_figures(None, year, everyone=True)
        if row.received >= COMPLAINTS_MIN
    ]


def skm_table(year: int) -> list[dict]:
    return [
        {
            "organisation": office.organisation,
            "respondents": office.result.respondents,
            "ikm": float(office.result.ikm),
            "grade": office.result.grade,
        }
        for office in open_results(year)
    ]


def _licence() -> dict:
    return {"@id": LICENCE, "@type": "dct:LicenseDocument"}


def _date(value: datetime.date) -> dict:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _modified() -> datetime.date:
    from jejaring.cases.models import Service

    from .models import Complaint

    latest = [
        Service.objects.aggregate(m=Max("delivered_on"))["m"],
        Complaint.objects.aggregate(m=Max("updated_at"))["m"],
    ]
    days = [v.date() if isinstance(v, datetime.datetime) else v for v in latest if v]
    return max(days) if days else clock.localdate()


DATASETS = [
    (
        "pmks",
        "Penerima layanan menurut kategori PMKS",
        "Orang yang tercatat dengan setiap kategori PMKS (Permensos 8/2012) per wilayah dan "
        "tahun. Kategori yang sensitif tidak diterbitkan; jumlah di bawah 5 disembunyikan.",
        "public-open-pmks",
        ["PMKS", "PPKS", "kesejahteraan sosial"],
    ),
    (
        "layanan",
        "Layanan sosial yang diberikan",
        "Orang yang menerima setiap jenis layanan per wilayah dan tahun; jumlah di bawah 5 "
        "disembunyikan, bersama sel kedua bila perlu.",
        "public-open-services",
        ["layanan sosial", "SPM", "rehabilitasi sosial"],
    ),
    (
        "spm",
        "Capaian Standar Pelayanan Minimal bidang sosial",
        "Orang yang dilayani dan target SPM (PP 2/2018, Permensos 9/2018) per wilayah, jenis "
        "layanan dan tahun. Jumlah di bawah 5 orang disembunyikan, bersama sel kedua bila perlu.",
        "public-open-spm",
        ["SPM", "pelayanan sosial", "kesejahteraan sosial"],
    ),
    (
        "pengaduan",
        "Penanganan pengaduan layanan sosial",
        "Pengaduan yang diterima dan dijawab per kantor, bagian yang dijawab tepat waktu, median "
        "hari sampai dijawab dan penilaian pengadu; hanya kantor dengan sedikitnya 5 pengaduan.",
        "public-open-complaints",
        ["pengaduan", "SP4N-LAPOR!", "pelayanan publik"],
    ),
    (
        "skm",
        "Indeks Kepuasan Masyarakat (IKM) layanan sosial",
        "Hasil Survei Kepuasan Masyarakat (PermenPANRB 14/2017) per kantor dan tahun; hanya "
        "kantor dengan jawaban yang cukup banyak.",
        "public-open-skm",
        ["SKM", "IKM", "kepuasan masyarakat"],
    ),
]


def catalog(base_url: str, year: int | None = None) -> dict:
    """The DCAT-AP catalogue in JSON-LD with an inline prefix context: harvesters parse it
    without fetching a remote context (docs/research/skm-and-dcat.md §B). Each vocabulary
    term carries its class (licence, language, frequency, file type…), which DCAT-AP's
    SHACL shapes require and a validator cannot know without loading the vocabularies."""
    year = year or clock.localdate().year
    modified = _modified()
    publisher = {
        "@id": f"{base_url}/organisasi/",
        "@type": "foaf:Agent",
        "foaf:name": settings.OPEN_DATA_PUBLISHER,
    }
    datasets = []
    for code, title, description, route, keywords in DATASETS:
        api = f"{base_url}{reverse(f'api:{route}')}"
        datasets.append(
            {
                "@id": f"{base_url}/data/dataset/{code}",
                "@type": "dcat:Dataset",
                "dct:identifier": code,
                "dcat:landingPage": {
                    "@id": f"{base_url}{reverse('open_data:home')}#{code}",
                    "@type": "foaf:Document",
                },
                "dct:title": {"@value": title, "@language": "id"},
                "dct:description": {"@value": description, "@language": "id"},
                "dcat:keyword": keywords,
                "dct:publisher": {"@id": publisher["@id"]},
                "dct:modified": _date(modified),
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": _date(datetime.date(year, 1, 1)),
                    "dcat:endDate": _date(datetime.date(year, 12, 31)),
                },
                "dct:spatial": {
                    "@id": "https://sws.geonames.org/1643084/",
                    "@type": "dct:Location",
                },
                "dct:accrualPeriodicity": {
                    "@id": "http://publications.europa.eu/resource/authority/frequency/DAILY",
                    "@type": "dct:Frequency",
                },
                "dcat:distribution": [
                    {
                        "@id": f"{base_url}/data/dataset/{code}/{fmt}",
                        "@type": "dcat:Distribution",
                        "dct:title": f"{title} ({fmt.upper()})",
                        "dcat:accessURL": {"@id": f"{api}?year={year}&format={fmt}"},
                        "dcat:downloadURL": {"@id": f"{api}?year={year}&format={fmt}"},
                        "dct:format": {
                            "@id": "http://publications.europa.eu/resource/authority/file-type/"
                            + fmt.upper(),
                            "@type": "dct:MediaTypeOrExtent",
                        },
                        "dcat:mediaType": {
                            "@id": "https://www.iana.org/assignments/media-types/"
                            + ("text/csv" if fmt == "csv" else "application/json"),
                            "@type": "dct:MediaType",
                        },
                        "dct:license": _licence(),
                    }
                    for fmt in ("csv", "json")
                ],
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base_url}/data/catalog.json",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "Katalog data terbuka Jejaring", "@language": "id"},
        "dct:description": {
            "@value": "Data terbuka jejaring kesejahteraan sosial: capaian SPM, penanganan "
            "pengaduan dan indeks kepuasan masyarakat, tanpa data pribadi.",
            "@language": "id",
        },
        "dct:publisher": publisher,
        "dct:language": {
            "@id": "http://publications.europa.eu/resource/authority/language/IND",
            "@type": "dct:LinguisticSystem",
        },
        "dct:license": _licence(),
        "dct:modified": _date(modified),
        "foaf:homepage": {
            "@id": f"{base_url}{reverse('open_data:home')}",
            "@type": "foaf:Document",
        },
        "dcat:dataset": datasets,
    }
