from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from jejaring.core.filtering import filtered, is_htmx

from .fields import normalise_code
from .filters import RegionFilter
from .models import Region, RegionLevel

PAGE_SIZE = 50


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def index(request):
    """Public region browser: the provinces, or search results by name or code."""
    request.nav_section = "regions"
    query = request.GET.get("q", "").strip()
    errors = None
    if query:
        try:
            regions = filtered(RegionFilter, request.GET, Region.objects.select_related("parent"))
        except ValidationError as exc:
            regions, errors = Region.objects.none(), exc.messages
    else:
        regions = Region.objects.filter(level=RegionLevel.PROVINCE)
    context = {
        "query": query,
        "page_obj": _page(request, regions),
        "errors": errors,
        "query_string": f"q={query}",
        "searching": bool(query),
    }
    template = "regions/_results.html" if is_htmx(request) else "regions/index.html"
    return render(request, template, context)


def detail(request, code: str):
    """One region with its ancestors (breadcrumb) and its children to drill down."""
    request.nav_section = "regions"
    region = get_object_or_404(Region, code=normalise_code(code))
    context = {
        "region": region,
        "ancestors": region.ancestors(),
        "page_obj": _page(request, region.children.all()),
        "query_string": "",
    }
    return render(request, "regions/detail.html", context)


SUGGESTION_LIMIT = 20


def suggest(request):
    """<option>s for a region-code input's datalist, as the person types a name or code."""
    # The input sends its own name (e.g. home_region=…); a plain ?q= works too.
    query = (request.GET.get("q") or next(iter(request.GET.values()), "")).strip()
    regions = []
    if len(query) >= 2:
        try:
            regions = filtered(RegionFilter, {"q": query}, Region.objects.select_related("parent"))[
                :SUGGESTION_LIMIT
            ]
        except ValidationError:
            regions = []
    return render(request, "regions/_options.html", {"regions": regions})
