from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from jejaring.core.api_helpers import filtered_list, paged

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
@paged
def list_regions(request, filters: Query[RegionQuery]):
    return filtered_list(request, RegionFilter, Region.objects.all(), filters)


@router.get("/{code}", response=RegionOut, summary="One region (public)")
def get_region(request, code: str):
    return get_object_or_404(Region, code=normalise_code(code))
