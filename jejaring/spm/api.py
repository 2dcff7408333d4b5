"""The SPM API: service types, targets (listed through ``filters.TargetFilter``, as the
targets page lists them), achievement figures and the yearly report.

Objects named in a body or query (a region, a service type) are checked by
``core.api_helpers.Inputs``: an unknown one is a 422 on its field. Setting another
region's target is the action's refusal, a 403 (``spm.policies``)."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jejaring.core.api_helpers import Inputs, filtered_list
from jejaring.core.schema_types import Year
from jejaring.core.scoping import region_subtree
from jejaring.regions.models import Region, RegionLevel

from . import actions, figures
from .filters import TargetFilter
from .models import SpmServiceType, Target, TargetSource

router = Router(tags=["SPM"])


class ServiceTypeOut(Schema):
    code: str
    name: str
    spm_group: str = Field(..., alias="spm_group.code")
    level: str
    setting: str


class TargetOut(Schema):
    region: str = Field(..., alias="region_id")
    year: int
    service_type: str = Field(..., alias="service_type.code")
    target: int
    baseline: int | None
    source: str
    source_note: str


class TargetIn(Schema):
    region: str
    year: Year
    service_type: str
    target: int = Field(..., ge=0)
    baseline: int | None = Field(None, ge=0)
    source_note: str = ""


class TargetQuery(Schema):
    year: Year
    region: str | None = Field(None, description="Region code: the region and those inside it")
    type: str | None = Field(None, description="SPM service type code")
    source: TargetSource | None = None


class DeriveIn(Schema):
    region: str
    year: Year
    service_type: str


class AchievementQuery(Schema):
    year: Year
    type: str = Field(..., description="SPM service type code")
    region: str | None = Field(None, description="Region code; empty = national")
    level: RegionLevel | None = Field(
        None, description="Rows at this level inside the region (default: its children)"
    )
    quarter: int = Field(4, ge=1, le=4, description="Cumulative up to this quarter")


class SpmInputs(Inputs):
    """``Inputs`` with the SPM service types, looked up by code."""

    def spm_service_type(self, code: str | None, field: str):
        return self._by_code(
            SpmServiceType.objects.all(), code, field, _("Unknown SPM service type: %(code)s.")
        )


def _named(request, *, region: str | None = None, kind: str | None = None, kind_field: str = ""):
    """The region and the SPM service type a request names (an empty region code is
    none, the whole country), or a 422 on each field naming what is unknown."""
    inputs = SpmInputs(request)
    found = inputs.region(region or None, "region"), inputs.spm_service_type(kind, kind_field)
    inputs.check()
    return found


@router.get("/service-types", response=list[ServiceTypeOut])
def service_types(request):
    return SpmServiceType.objects.filter(is_active=True).select_related("spm_group")


@router.get("/targets", response=list[TargetOut])
def list_targets(request, filters: Query[TargetQuery]):
    rows = Target.objects.restrict(request.auth).select_related("service_type")
    return filtered_list(request, TargetFilter, rows, filters)


@router.put("/targets", response=TargetOut, summary="Set a target (or a milestone year)")
def put_target(request, payload: TargetIn):
    region, kind = _named(
        request, region=payload.region, kind=payload.service_type, kind_field="service_type"
    )
    row = actions.set_target(
        region,
        payload.year,
        kind,
        payload.target,
        acting_user=request.auth,
        baseline=payload.baseline,
        source=TargetSource.ENTERED,
        source_note=payload.source_note,
    )
    return Target.objects.select_related("service_type").get(pk=row.pk)


@router.post(
    "/targets/derive",
    response=TargetOut,
    summary="Derive a target from verified people in the registry",
)
def derive(request, payload: DeriveIn):
    region, kind = _named(
        request, region=payload.region, kind=payload.service_type, kind_field="service_type"
    )
    row = actions.derive_target(region, payload.year, kind, acting_user=request.auth)
    return Target.objects.select_related("service_type").get(pk=row.pk)


@router.get("/achievement", response=dict, summary="People served to standard ÷ target, per region")
def achievement(request, filters: Query[AchievementQuery]):
    actions.check_year(filters.year)
    region, kind = _named(request, region=filters.region, kind=filters.type, kind_field="type")
    total, rows = figures.breakdown(region, filters.year, kind, filters.quarter)
    if filters.level:
        regions = Region.objects.filter(level=filters.level)
        if region is not None:
            regions = regions.filter(region_subtree("code", region.code))
        regions = list(regions.only("code", "name", "level"))
        codes = [r.code for r in regions]
        got = figures.served(codes, filters.year, [kind.pk], filters.quarter)
        aims = figures.targets(codes, filters.year, [kind.pk])
        rows = [
            figures.Cell(
                r.code, r.name, aims.get((r.code, kind.pk)), got.get((r.code, kind.pk), 0), r.level
            )
            for r in regions
        ]
    return {
        "year": filters.year,
        "type": kind.code,
        "quarter": filters.quarter,
        "total": total.as_dict(),
        "rows": [r.as_dict() for r in rows],
    }


@router.get(
    "/report/{code}/{int:year}",
    response=dict,
    summary="A region's yearly SPM report (figures and the office's text)",
)
def report(request, code: str, year: Year):
    from .report import STEPS, report_data

    region, _kind = _named(request, region=code)
    actions.check_year(year)
    data = report_data(region, year, request.user)
    notes = data["notes"]
    return {
        "region": region.code,
        "name": region.name,
        "year": year,
        "steps": {label: getattr(notes, field, "") if notes else "" for field, label in STEPS},
        "problems": notes.problems if notes else "",
        "follow_up": notes.follow_up if notes else "",
        "achievement": [{"type": kind.code, **cell.as_dict()} for kind, cell in data["rows"]],
    }
