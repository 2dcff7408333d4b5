"""Bar charts for the pages that show figures (the open-data pages first): rows of a table
become bars drawn by ``_bars.html`` as a list with one decorative SVG per bar, so a
screen reader reads label and value, a phone needs no script, and the strict CSP (no
inline style) holds: the bar's length is an SVG attribute."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _


@dataclass
class Bar:
    """One bar of an open page's chart: its label, the words shown beside it and its
    length as a share of the longest (0–100)."""

    label: str
    text: str
    length: float


@dataclass
class Chart:
    """The bars of the figures shown, and the labels of those hidden for privacy, named
    apart in one line: a hidden count has no bar, since a bar would show what the
    figure hides."""

    bars: list[Bar]
    hidden: list[str]


def chart(rows: list[dict], value: str, text, *, scale: float | None = None) -> Chart:
    """A chart from table rows: ``value`` is the key of the number drawn (None where it is
    suppressed), ``text`` makes the words beside a bar from its row; the longest bar is
    ``scale`` (a percentage's 100) or, without it, the largest value."""
    shown = [row for row in rows if row[value] is not None]
    longest = scale or max((row[value] for row in shown), default=0) or 1
    return Chart(
        bars=[
            Bar(
                label=row["name"],
                text=text(row),
                length=round(min(float(row[value]), longest) * 100 / longest, 1),
            )
            for row in shown
        ],
        hidden=[row["name"] for row in rows if row[value] is None],
    )


def count_text(row) -> str:
    """A bar's words for a count of people: "1.234"."""
    return number_format(row["count"], force_grouping=True)


def percent_text(row) -> str:
    """A bar's words for a share of a target: "25,0% (5 of 20)"."""
    return _("%(percent)s%% (%(served)s of %(target)s)") % {
        "percent": number_format(row["percent"], 1),
        "served": number_format(row["served"], force_grouping=True),
        "target": number_format(row["target"], force_grouping=True),
    }
