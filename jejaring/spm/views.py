"""SPM pages: the dashboard with drill-down, the yearly report and the targets."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jejaring.core import clock
from jejaring.core.charts import chart, percent_text
from jejaring.core.pages import perform, refusal_text
from jejaring.core.scoping import scope_for
from jejaring.regions.models import Region, RegionLevel
from jejaring.registry.presenters import audit_shown

from . import actions, figures
from .filters import TargetFilter
from .models import SpmServiceType, Target
from .policies import may_manage

YEARS_SHOWN = 5


def _year(request) -> int:
    today = clock.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        actions.check_year(year)
    except (ValueError, ValidationError):
        year = today.year
    return year


def spm_region(region: Region | None) -> Region | None:
    """The region answering for SPM at ``region``: itself for the country, a province or
    a regency/city; for a district or village, the regency/city it lies in (SPM targets
    and reports exist for provinces and regencies/cities only)."""
    if region is None or region.level in (RegionLevel.PROVINCE, RegionLevel.REGENCY):
        return region
    return Region.objects.filter(code=".".join(region.code.split(".")[:2])).first()


def home_region(user) -> Region | None:
    """Where a user's SPM figures open: their organisation's home region, or the whole
    country (``None``) for a network administrator or an account without one. SPM is
    measured for provinces and regencies/cities, so a district or village office opens
    on the regency/city it lies in."""
    scope = scope_for(user)
    if scope is None or scope.is_network_admin or scope.organisation_id is None:
        return None
    code = user.organisation.home_region_id
    return Region.objects.filter(code=".".join(code.split(".")[:2])).first()


def _choices(request, default_region=lambda: None, *, target_rows=None):
    """Year, service type, region and quarter from the query string, with safe defaults:
    this year; ``default_region()`` unless ``region`` is given (``region=`` is the whole
    country); the first service type with a target there. ``target_rows``: the year's
    targets when the page has fetched them already (figures.target_rows)."""
    year = _year(request)
    types = list(SpmServiceType.objects.filter(is_active=True).select_related("spm_group"))
    if "region" in request.GET:
        code = request.GET["region"]
        region = Region.objects.filter(code=code).first() if code else None
    else:
        region = default_region()
    kind = _kind(request, region, year, types, target_rows=target_rows)
    try:
        quarter = min(max(int(request.GET.get("quarter", 4)), 1), 4)
    except ValueError:
        quarter = 4
    return year, kind, region, quarter, types


def _kind(request, region, year: int, types: list, *, target_rows=None):
    chosen = next((t for t in types if t.code == request.GET.get("type")), None)
    if chosen is not None or not types:
        return chosen
    targeted = figures.targeted_types(region, year, types, target_rows=target_rows)
    if targeted:
        return targeted[0]
    level = figures.spm_level(region)
    return next((t for t in types if level is None or t.level == level), types[0])


def _split_types(region, year: int, types: list, *, target_rows=None) -> tuple[list, list]:
    """The service types with a target in the region and year, and the others."""
    targeted = figures.targeted_types(region, year, types, target_rows=target_rows)
    ids = {t.pk for t in targeted}
    return targeted, [t for t in types if t.pk not in ids]


def _chart(rows) -> dict | None:
    """What the bar chart draws: achievement per region where some region has a target,
    else the people served per region (a city's districts have no targets of their own);
    ``None`` when there is nothing to draw, and then the page loads no chart library."""
    located = [r for r in rows if r.code != "~"]
    if any(r.percent is not None for r in located):
        shown = [r for r in located if r.percent is not None]
        return {
            "unit": "%",
            "labels": [r.name for r in shown],
            "values": [r.percent for r in shown],
        }
    shown = [r for r in located if r.served]
    if not shown:
        return None
    return {"unit": "n", "labels": [r.name for r in shown], "values": [r.served for r in shown]}


@login_required
def dashboard(request):
    request.nav_section = "spm"
    # The year's targets, fetched once: the type choice, the table, the summary and the
    # needs all read them.
    aims = figures.target_rows(_year(request))
    year, kind, region, quarter, types = _choices(
        request, lambda: home_region(request.user), target_rows=aims
    )
    total, rows = (
        figures.breakdown(region, year, kind, quarter, target_rows=aims) if kind else (None, [])
    )
    # Regions with neither a target nor anyone served say nothing one by one: they are
    # named together under the table, so 38 provinces of zeros do not bury the figures.
    active_rows = [r for r in rows if r.target is not None or r.served]
    quiet_rows = [r for r in rows if r.target is None and not r.served]
    charted = [r for r in active_rows if r.code != "~" and r.percent is not None]
    ranking = sorted(charted, key=lambda r: -r.percent)
    years = list(range(year - YEARS_SHOWN + 1, year + 1))
    standard = figures.standard_for(kind, year) if kind else None
    gap_people = (
        figures.gap_people(region, year, kind, request.user, standard=standard) if kind else []
    )
    if gap_people:
        # The list names people (masked as usual): one audit row naming them all.
        audit_shown(
            [view for view, *_rest in gap_people],
            acting_user=request.user,
            what="spm gap list",
            filters=[k for k in ("year", "type", "region", "quarter") if request.GET.get(k)],
        )
    targeted, untargeted = _split_types(region, year, types, target_rows=aims)
    summary = figures.region_summary(region, year, quarter, target_rows=aims, active_types=types)
    context = {
        "year": year,
        "kind": kind,
        "region": region,
        "quarter": quarter,
        "types": types,
        "targeted_types": targeted,
        "untargeted_types": untargeted,
        "total": total,
        "rows": rows,
        "active_rows": active_rows,
        "quiet_rows": quiet_rows,
        "ranking": ranking,
        "ancestors": region.ancestors() if region else [],
        "report_region": spm_region(region),
        "trend": figures.trend(region, kind, years) if kind else [],
        "summary": [(t, c) for t, c in summary if c.target is not None or c.served],
        "summary_quiet": sum(1 for _t, c in summary if c.target is None and not c.served),
        "needs": figures.needs(region, year, kind, target_rows=aims, standard=standard)
        if kind
        else [],
        "gap_people": gap_people,
        "service_rows": figures.service_breakdown(region, year, kind)
        if kind and region is not None and region.level != "province"
        else [],
        "years": range(actions.FIRST_YEAR, clock.localdate().year + 1),
        "may_set_targets": region is not None and may_manage(request.user, region),
        "chart": _chart(active_rows),
    }
    return render(request, "spm/dashboard.html", context)


@login_required
def export_csv(request):
    """The aggregated figures of the dashboard's view as CSV (no personal data)."""
    from jejaring.core.exports import csv_writer

    year, kind, region, quarter, _types = _choices(request, lambda: home_region(request.user))
    if kind is None:
        return _no_such_report(request, ValidationError(_("No SPM service type is active.")))
    total, rows = figures.breakdown(region, year, kind, quarter)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spm-{year}-{kind.code}.csv"'
    response.write("\ufeff")
    writer = csv_writer(response)
    writer.writerow(
        [
            "kode_wilayah",
            "wilayah",
            "tahun",
            "jenis_layanan",
            "target",
            "terlayani",
            "capaian_persen",
        ]
    )
    for cell in [*rows, total]:
        writer.writerow(
            [cell.code, cell.name, year, kind.code, cell.target, cell.served, cell.percent]
        )
    return response


def public(request, code: str = ""):
    """The open page (no login): aggregated figures with small counts suppressed."""
    from .disclosure import THRESHOLD, suppress

    request.nav_section = "open_data"
    region = get_object_or_404(Region, code=code) if code else None
    year = _year(request)
    types = list(SpmServiceType.objects.filter(is_active=True))
    kind = _kind(request, region, year, types)
    if kind is None:
        raise Http404
    total, rows = figures.breakdown(region, year, kind)
    published, published_total = suppress([r.served for r in rows], total.served)
    table = [
        {"cell": r, "served": v, "percent": r.percent if v is not None else None}
        for r, v in zip(rows, published, strict=True)
    ]
    targeted, untargeted = _split_types(region, year, types)
    with_target = [
        {"name": row["cell"].name, "target": row["cell"].target, **row}
        for row in table
        if row["cell"].target and row["cell"].code != "~"
    ]
    context = {
        "year": year,
        "kind": kind,
        "chart": chart(with_target, "percent", percent_text, scale=100),
        "api_query": f"year={year}&region={region.code if region else ''}&type={kind.code}",
        "region": region,
        "types": types,
        "targeted_types": targeted,
        "untargeted_types": untargeted,
        "table": table,
        "total": total,
        "total_served": published_total,
        "total_percent": total.percent if published_total is not None else None,
        "threshold": THRESHOLD,
        "ancestors": region.ancestors() if region else [],
        "years": range(actions.FIRST_YEAR, clock.localdate().year + 1),
    }
    return render(request, "spm/public.html", context)


def _report_region_year(code: str | None, year: int):
    """The report's region (``None``: the national report) after checking the year."""
    region = get_object_or_404(Region, code=code) if code is not None else None
    actions.check_year(year)  # a future year's report does not exist yet
    return region


def _no_such_report(request, exc: ValidationError):
    return render(request, "error.html", {"status": 400, "message": refusal_text(exc)}, status=400)


@login_required
def report_page(request, year: int, code: str | None = None):
    """The printable report: the office's letterhead, its own text (steps, problems),
    the figures of the region's own service types and the head of office's signature
    block. Every member may read it; the region's social office writes it (a POST from
    anyone else is refused by the action: 403). Without ``code``, the national report
    (figures only: no office writes its text here)."""
    from .forms import ReportNotesForm
    from .report import STEPS, report_data

    request.nav_section = "spm"
    try:
        region = _report_region_year(code, year)
    except ValidationError as exc:
        return _no_such_report(request, exc)
    answering = spm_region(region)
    if answering != region:  # a district's or village's report is its regency's
        return redirect("spm:report", answering.code, year)
    data = report_data(region, year, request.user)
    may_edit = region is not None and may_manage(request.user, region)
    form = ReportNotesForm(request.POST or None, instance=data["notes"]) if region else None
    if request.method == "POST" and form is not None and form.is_valid():
        saved = perform(
            request,
            lambda: actions.save_report_notes(
                region, year, form.cleaned_data, acting_user=request.user
            ),
            success=_("Report saved."),
            form=form,
        )
        if saved:
            data = report_data(region, year, request.user)
    steps = [
        (label, getattr(data["notes"], field, "") if data["notes"] else "")
        for field, label in STEPS
    ]
    xlsx = (
        reverse("spm:report_xlsx", args=[region.code, year])
        if region is not None
        else reverse("spm:report_xlsx", args=[year])
    )
    return render(
        request,
        "spm/report.html",
        {
            **data,
            "form": form,
            "may_edit": may_edit,
            "steps": steps,
            "xlsx_url": xlsx,
            "place_name": region.name if region is not None else _("Indonesia"),
        },
    )


@login_required
def report_xlsx(request, year: int, code: str | None = None):
    from .report import workbook

    try:
        region = _report_region_year(code, year)
    except ValidationError as exc:
        return _no_such_report(request, exc)
    response = HttpResponse(
        workbook(region, year, request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"laporan-spm-{code or 'nasional'}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _set_target(request, data: dict):
    if "derive" in request.POST:
        return actions.derive_target(
            data["region"], data["year"], data["service_type"], acting_user=request.user
        )
    return actions.set_target(
        data["region"],
        data["year"],
        data["service_type"],
        data["target"],
        acting_user=request.user,
        baseline=data["baseline"],
        source_note=data["source_note"],
    )


@login_required
def target_page(request):
    """Set a region's targets (or later years' milestones), or derive them from the
    registry; the list shows what is set for the region, through the FilterSet the
    API lists with (the region's own rows, not those of the regions inside it)."""
    from .forms import TargetForm

    request.nav_section = "spm"
    chosen = request.GET.get("region")
    if chosen is None:
        home = home_region(request.user)
        chosen = home.code if home else ""
    form = TargetForm(
        request.POST or None,
        user=request.user,
        initial={"year": clock.localdate().year, "region": chosen},
    )
    if request.method == "POST" and form.is_valid():
        perform(
            request,
            lambda: _set_target(request, form.cleaned_data),
            success=lambda row: _("Target saved: %(n)s people.") % {"n": row.target},
            form=form,
        )
    if request.method == "POST":
        shown = {"region": request.POST.get("region", "")}
    else:
        shown = request.GET.copy()
        shown.setdefault("region", chosen)
    filterset = TargetFilter(
        shown,
        queryset=Target.objects.restrict(request.user)
        .select_related("service_type")
        .order_by("-year", "service_type__sort_order"),
        subtree=False,
    )
    region = filterset.form.cleaned_data.get("region") if filterset.is_valid() else None
    rows = filterset.qs if region is not None else []
    return render(
        request,
        "spm/targets.html",
        {"form": form, "filterset": filterset, "region": region, "rows": rows},
    )
