"""SPM pages: the dashboard with drill-down, the yearly report and the targets."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from jejaring.core import clock
from jejaring.core.pages import perform, refusal_text
from jejaring.regions.models import Region
from jejaring.registry.presenters import audit_shown

from . import actions, figures
from .filters import TargetFilter
from .models import SpmServiceType, Target
from .policies import may_manage

YEARS_SHOWN = 5


def _choices(request):
    """Year, service type, region and quarter from the query string, with safe defaults."""
    today = clock.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        actions.check_year(year)
    except (ValueError, ValidationError):
        year = today.year
    types = list(SpmServiceType.objects.filter(is_active=True))
    kind = next(
        (t for t in types if t.code == request.GET.get("type")), types[0] if types else None
    )
    code = request.GET.get("region", "")
    region = Region.objects.filter(code=code).first() if code else None
    try:
        quarter = min(max(int(request.GET.get("quarter", 4)), 1), 4)
    except ValueError:
        quarter = 4
    return year, kind, region, quarter, types


@login_required
def dashboard(request):
    request.nav_section = "spm"
    year, kind, region, quarter, types = _choices(request)
    total, rows = figures.breakdown(region, year, kind, quarter) if kind else (None, [])
    ranking = sorted((r for r in rows if r.percent is not None), key=lambda r: -r.percent)
    years = list(range(year - YEARS_SHOWN + 1, year + 1))
    gap_people = figures.gap_people(region, year, kind, request.user) if kind else []
    if gap_people:
        # The list names people (masked as usual): one audit row naming them all.
        audit_shown(
            [view for view, *_rest in gap_people],
            acting_user=request.user,
            what="spm gap list",
            filters=[k for k in ("year", "type", "region", "quarter") if request.GET.get(k)],
        )
    context = {
        "year": year,
        "kind": kind,
        "region": region,
        "quarter": quarter,
        "types": types,
        "total": total,
        "rows": rows,
        "ranking": ranking,
        "ancestors": region.ancestors() if region else [],
        "trend": figures.trend(region, kind, years) if kind else [],
        "summary": figures.region_summary(region, year, quarter),
        "needs": figures.needs(region, year, kind) if kind else [],
        "gap_people": gap_people,
        "service_rows": figures.service_breakdown(region, year, kind)
        if kind and region is not None and region.level != "province"
        else [],
        "years": range(actions.FIRST_YEAR, clock.localdate().year + 1),
        "chart": {
            "labels": [r.name or "—" for r in rows if r.code != "~"],
            "percent": [r.percent for r in rows if r.code != "~"],
        },
    }
    return render(request, "spm/dashboard.html", context)


@login_required
def export_csv(request):
    """The aggregated figures of the dashboard's view as CSV (no personal data)."""
    from jejaring.core.exports import csv_writer

    year, kind, region, quarter, _types = _choices(request)
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
    from .disclosure import suppress

    request.nav_section = "open_data"
    year, kind, _region, quarter, types = _choices(request)
    region = get_object_or_404(Region, code=code) if code else None
    total, rows = figures.breakdown(region, year, kind, quarter)
    published, published_total = suppress([r.served for r in rows], total.served)
    table = [
        {"cell": r, "served": v, "percent": r.percent if v is not None else None}
        for r, v in zip(rows, published, strict=True)
    ]
    context = {
        "year": year,
        "kind": kind,
        "region": region,
        "types": types,
        "table": table,
        "total": total,
        "total_served": published_total,
        "total_percent": total.percent if published_total is not None else None,
        "ancestors": region.ancestors() if region else [],
        "years": range(actions.FIRST_YEAR, clock.localdate().year + 1),
    }
    return render(request, "spm/public.html", context)


def _report_region_year(code: str, year: int):
    region = get_object_or_404(Region, code=code)
    actions.check_year(year)  # a future year's report does not exist yet
    return region


def _no_such_report(request, exc: ValidationError):
    return render(request, "error.html", {"status": 400, "message": refusal_text(exc)}, status=400)


@login_required
def report_page(request, code: str, year: int):
    """The printable report, with the office's own text (letterhead, steps, problems).
    Every member may read it; the region's social office writes it (a POST from
    anyone else is refused by the action: 403)."""
    from .forms import ReportNotesForm
    from .report import STEPS, report_data

    request.nav_section = "spm"
    try:
        region = _report_region_year(code, year)
    except ValidationError as exc:
        return _no_such_report(request, exc)
    data = report_data(region, year)
    form = ReportNotesForm(request.POST or None, instance=data["notes"])
    if request.method == "POST" and form.is_valid():
        saved = perform(
            request,
            lambda: actions.save_report_notes(
                region, year, form.cleaned_data, acting_user=request.user
            ),
            success=_("Report saved."),
            form=form,
        )
        if saved:
            data = report_data(region, year)
    steps = [
        (label, getattr(data["notes"], field, "") if data["notes"] else "")
        for field, label in STEPS
    ]
    may_edit = may_manage(request.user, region)
    return render(
        request, "spm/report.html", {**data, "form": form, "may_edit": may_edit, "steps": steps}
    )


@login_required
def report_xlsx(request, code: str, year: int):
    from .report import workbook

    try:
        region = _report_region_year(code, year)
    except ValidationError as exc:
        return _no_such_report(request, exc)
    response = HttpResponse(
        workbook(region, year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="laporan-spm-{code}-{year}.xlsx"'
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
    form = TargetForm(
        request.POST or None,
        user=request.user,
        initial={"year": clock.localdate().year, "region": request.GET.get("region", "")},
    )
    if request.method == "POST" and form.is_valid():
        perform(
            request,
            lambda: _set_target(request, form.cleaned_data),
            success=lambda row: _("Target saved: %(n)s people.") % {"n": row.target},
            form=form,
        )
    shown = {"region": request.POST.get("region", "")} if request.method == "POST" else request.GET
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
