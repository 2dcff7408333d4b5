from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from jejaring.core.filtering import filtered

from .fields import normalise_code
from .filters import RegionFilter
from .models import Region, RegionLevel

router = Router(tags=["regions"], auth=None)


class RegionOut(Schema):
    code: str
    name: str
    level: RegionLevel
    parent: str | None = Field(None, alias="parent_id")


class RegionQuery(Schema):
    level: RegionLevel | None = None
    parent: str | None = Field(None, description="Code of the parent region, e.g. 14.71")
    q: str | None = Field(None, description="Part of the name, or the start of the code")


@router.get("", response=list[RegionOut], summary="List regions (public)")
@paginate(LimitOffsetPagination)
def list_regions(request, filters: Query[RegionQuery]):
    return filtered(RegionFilter, filters.dict(exclude_none=True), Region.objects.all())


@router.get("/{code}", response=RegionOut, summary="One region (public)")
def get_region(request, code: str):
    return get_object_or_404(Region, code=normalise_code(code))
