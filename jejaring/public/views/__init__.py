"""The public side's pages, one module per part (``reports``, ``complaints``,
``survey``, ``exits``)."""

from jejaring.core import clock


def year_param(request) -> int:
    """The year a figures page shows (``?tahun=``): this year unless a sane one is asked."""
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        return clock.localdate().year
    return year if 2000 <= year <= 2100 else clock.localdate().year
