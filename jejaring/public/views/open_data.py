"""The open-data pages: the open-data home (/data/: each dataset with a chart, its
downloads and how small counts are hidden) and the DCAT-AP catalogue in JSON-LD at
/data/catalog.json, for CKAN's DCAT harvester and any other that reads RDF (served as
application/ld+json, which it recognises by the content type)."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format

from jejaring.core.charts import chart, count_text, percent_text
from jejaring.regions.fields import normalise_code
from jejaring.regions.models import Region, RegionLevel
from jejaring.spm.disclosure import THRESHOLD

from .. import open_data
from . import year_param


def catalog(request):
    base = request.build_absolute_uri("/").rstrip("/")
    body = json.dumps(open_data.catalog(base), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")


def home(request):
    """Every open dataset of the year (and province, if one is chosen) at a glance."""
    request.nav_section = "open_data"
    year = year_param(request)
    provinces = list(Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"))
    code = normalise_code(request.GET.get("wilayah", ""))
    region = next((p for p in provinces if p.code == code), None)
    spm = open_data.spm_overview(region, year)
    pmks = open_data.pmks_table(region, year)
    services = open_data.services_table(region, year)
    skm = [
        {"name": row["organisation"], "ikm": row["ikm"], "grade": row["grade"]}
        for row in open_data.skm_table(year)
    ]
    query = f"year={year}&region={region.code if region else ''}"
    context = {
        "year": year,
        "region": region,
        "provinces": provinces,
        "threshold": THRESHOLD,
        "query": query,
        "spm": spm,
        "spm_chart": chart(spm, "percent", percent_text, scale=100),
        "pmks_chart": chart(pmks["rows"], "count", count_text),
        "service_chart": chart(services["rows"], "count", count_text),
        "complaints": open_data.complaint_table(year),
        "skm_chart": chart(
            skm, "ikm", lambda row: f"{number_format(row['ikm'], 2)} ({row['grade']})", scale=100
        ),
    }
    return render(request, "public/open_data_home.html", context)
