from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render

from jejaring.core.filtering import filtered
from jejaring.core.pages import list_template, listing, paged

from .fields import normalise_code
from .filters import RegionFilter
from .models import Region, RegionLevel

PAGE_SIZE = 50


def index(request):
    """Public region browser: the provinces, or search results by name or code."""
    request.nav_section = "regions"
    query = request.GET.get("q", "").strip()
    if query:
        context = listing(
            request, Region.objects.select_related("parent"), RegionFilter, per_page=PAGE_SIZE
        )
    else:
        context = paged(
            request, Region.objects.filter(level=RegionLevel.PROVINCE), per_page=PAGE_SIZE
        )
    context.update(query=query, searching=bool(query))
    return render(
        request, list_template(request, "regions/index.html", "regions/_results.html"), context
    )


def detail(request, code: str):
    """One region with its ancestors (breadcrumb) and its children to drill down."""
    request.nav_section = "regions"
    region = get_object_or_404(Region, code=normalise_code(code))
    context = {
        "region": region,
        "ancestors": region.ancestors(),
        **paged(request, region.children.all(), per_page=PAGE_SIZE),
    }
    return render(request, "regions/detail.html", context)


SUGGESTION_LIMIT = 20


def suggest(request):
    """<option>s for a region-code input's datalist, as the person types a name or code."""
    # The input sends its own name (e.g. home_region=…); a plain ?q= works too. A village
    # input asks for villages only (?level=village).
    level = request.GET.get("level", "")
    typed = [v for k, v in request.GET.items() if k != "level"]
    query = (request.GET.get("q") or next(iter(typed), "")).strip()
    regions = []
    if len(query) >= 2:
        try:
            regions = filtered(
                RegionFilter,
                {"q": query, **({"level": level} if level else {})},
                Region.objects.select_related("parent__parent"),
            )[:SUGGESTION_LIMIT]
        except ValidationError:
            regions = []
    return render(request, "regions/_options.html", {"regions": regions})
