from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jejaring.core.schema_types import Year
from jejaring.core.scoping import region_subtree
from jejaring.regions.fields import region_by_code
from jejaring.regions.models import Region, RegionLevel

from . import actions, figures
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


def _type(code: str) -> SpmServiceType:
    found = SpmServiceType.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({"type": _("Unknown SPM service type: %(code)s.") % {"code": code}})
    return found


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    try:
        return region_by_code(code)
    except ValidationError as exc:
        raise ValidationError({"region": exc.messages}) from exc


@router.get("/service-types", response=list[ServiceTypeOut])
def service_types(request):
    return SpmServiceType.objects.filter(is_active=True).select_related("spm_group")


@router.get("/targets", response=list[TargetOut])
def list_targets(request, year: Year, region: str | None = None, type: str | None = None):
    rows = Target.objects.filter(year=year).select_related("service_type")
    if region:
        rows = rows.filter(region_subtree("region__code", _region(region).code))
    if type:
        rows = rows.filter(service_type=_type(type))
    return rows


@router.put("/targets", response=TargetOut, summary="Set a target (or a milestone year)")
def put_target(request, payload: TargetIn):
    row = actions.set_target(
        _region(payload.region),
        payload.year,
        _type(payload.service_type),
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
    row = actions.derive_target(
        _region(payload.region), payload.year, _type(payload.service_type), acting_user=request.auth
    )
    return Target.objects.select_related("service_type").get(pk=row.pk)


@router.get("/achievement", response=dict, summary="People served to standard ÷ target, per region")
def achievement(request, filters: Query[AchievementQuery]):
    actions.check_year(filters.year)
    kind = _type(filters.type)
    region = _region(filters.region)
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

    region = _region(code)
    actions.check_year(year)
    data = report_data(region, year)
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
