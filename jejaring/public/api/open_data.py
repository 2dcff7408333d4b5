"""The open-data API (no account): the figures of the open pages as JSON or CSV, never a
count under the suppression threshold (``public.open_data``)."""

import io

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from jejaring.core import clock
from jejaring.core.exports import csv_writer
from jejaring.regions.fields import normalise_code
from jejaring.regions.models import Region
from jejaring.spm.models import SpmServiceType

from .. import open_data
from ..throttling import OpenDataThrottle

router = Router(tags=["open data (no account)"], auth=None, throttle=[OpenDataThrottle()])


class ErrorOut(Schema):
    detail: str


def _year(year: int | None) -> int:
    return year if year and 2000 <= year <= clock.localdate().year else clock.localdate().year


def _csv(rows: list[dict], name: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    if rows:
        writer.writerow(list(rows[0]))
        for row in rows:
            writer.writerow(["" if v is None else v for v in row.values()])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@router.get(
    "/spm",
    response={200: dict, 404: ErrorOut, 429: ErrorOut},
    url_name="public-open-spm",
    summary="SPM achievement per region (open data)",
)
def spm(request, region: str = "", year: int | None = None, type: str = "", format: str = "json"):  # noqa: A002
    chosen = get_object_or_404(Region, code=normalise_code(region)) if region else None
    kinds = SpmServiceType.objects.filter(is_active=True)
    kind = kinds.filter(code=type).first() if type else kinds.first()
    if kind is None:
        return Status(404, {"detail": _("Unknown service type.")})
    table = open_data.spm_table(chosen, _year(year), kind)
    if format == "csv":
        return _csv(table["rows"], f"spm-{table['region'] or 'indonesia'}-{table['year']}")
    return table


def _region(code: str):
    return get_object_or_404(Region, code=normalise_code(code)) if code else None


@router.get(
    "/pmks",
    response={200: dict, 429: ErrorOut},
    url_name="public-open-pmks",
    summary="People by PMKS category (open data; sensitive categories never)",
)
def pmks(request, region: str = "", year: int | None = None, format: str = "json"):  # noqa: A002
    table = open_data.pmks_table(_region(region), _year(year))
    if format == "csv":
        return _csv(table["rows"], f"pmks-{table['region'] or 'indonesia'}-{table['year']}")
    return table


@router.get(
    "/services",
    response={200: dict, 429: ErrorOut},
    url_name="public-open-services",
    summary="People served by kind of service (open data)",
)
def services(request, region: str = "", year: int | None = None, format: str = "json"):  # noqa: A002
    table = open_data.services_table(_region(region), _year(year))
    if format == "csv":
        return _csv(table["rows"], f"layanan-{table['region'] or 'indonesia'}-{table['year']}")
    return table


@router.get(
    "/complaints",
    response={200: list[dict], 429: ErrorOut},
    url_name="public-open-complaints",
    summary="Complaint handling per office (open data)",
)
def complaints(request, year: int | None = None, format: str = "json"):  # noqa: A002
    rows = open_data.complaint_table(_year(year))
    return _csv(rows, f"pengaduan-{_year(year)}") if format == "csv" else rows


@router.get(
    "/skm",
    response={200: list[dict], 429: ErrorOut},
    url_name="public-open-skm",
    summary="Public satisfaction index per office (open data)",
)
def skm(request, year: int | None = None, format: str = "json"):  # noqa: A002
    rows = open_data.skm_table(_year(year))
    return _csv(rows, f"ikm-{_year(year)}") if format == "csv" else rows
