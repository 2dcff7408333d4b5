"""The complaints dashboard's figures and the SP4N-LAPOR! export, over what the user may
see: per handling office, how many came, how many are open or late, how long answers take
and how many came within their deadline, and how the complainants rated them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q

from jejaring.core import clock

from .models import OFFICE_STAGES, OPEN_COMPLAINT_STAGES, Complaint, ComplaintStage


@dataclass
class OfficeFigures:
    organisation_id: int
    organisation: str
    received: int
    open: int
    overdue: int
    escalated: int
    answered: int
    within_deadline: int
    rejected: int
    median_days_to_answer: float | None
    average_rating: float | None

    @property
    def share_within_deadline(self) -> float | None:
        """Answered within the answer's deadline, of those answered (None before any)."""
        return round(100 * self.within_deadline / self.answered, 1) if self.answered else None


def office_figures(user, year: int, *, everyone: bool = False) -> list[OfficeFigures]:
    """One row per handling office the user sees (``everyone``: every office, for the
    open data, which publishes counts only), for complaints sent in ``year``: two
    queries however many complaints and offices."""
    now = clock.now()
    complaints = Complaint.objects.all() if everyone else Complaint.objects.restrict(user)
    sent = complaints.filter(submitted_at__year=year)
    rows = (
        sent.values("handling_organisation_id", "handling_organisation__name")
        .annotate(
            received=Count("pk"),
            open=Count("pk", filter=Q(stage__in=OPEN_COMPLAINT_STAGES)),
            overdue=Count("pk", filter=Q(stage__in=OFFICE_STAGES, stage_due__lt=now)),
            escalated=Count("pk", filter=~Q(escalated_stage="")),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            within=Count(
                "pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("answer_due"))
            ),
            rejected=Count("pk", filter=Q(stage=ComplaintStage.REJECTED)),
            rating=Avg("rating"),
        )
        .order_by("handling_organisation__name")
    )
    # Days to answer as a median, in Python: a year of one region's complaints is small,
    # and the databases disagree on interval arithmetic.
    waits: dict[int, list[float]] = {}
    for office, submitted, answered in sent.filter(answered_at__isnull=False).values_list(
        "handling_organisation_id", "submitted_at", "answered_at"
    ):
        waits.setdefault(office, []).append((answered - submitted).total_seconds() / 86400)
    return [
        OfficeFigures(
            organisation_id=row["handling_organisation_id"],
            organisation=row["handling_organisation__name"],
            received=row["received"],
            open=row["open"],
            overdue=row["overdue"],
            escalated=row["escalated"],
            answered=row["answered"],
            within_deadline=row["within"],
            rejected=row["rejected"],
            median_days_to_answer=(
                round(statistics.median(waits[row["handling_organisation_id"]]), 1)
                if row["handling_organisation_id"] in waits
                else None
            ),
            average_rating=round(row["rating"], 2) if row["rating"] is not None else None,
        )
        for row in rows
    ]


# Our complaint as SP4N-LAPOR! receives one (the fields of its public form, docs/public.md):
# its column name, then how ours fills it. LAPOR!'s classification 1 is PENGADUAN.
LAPOR_COLUMNS = [
    ("tracking_id", lambda c: c.tracking_code),
    ("classification_id", lambda c: 1),
    ("title", lambda c: c.subject),
    ("content", lambda c: c.description),
    ("date_of_incident", lambda c: c.happened_on.isoformat() if c.happened_on else ""),
    ("location_id", lambda c: c.concerned_organisation.home_region_id),
    ("category", lambda c: c.category.name),
    ("institution", lambda c: c.handling_organisation.name),
    ("reported_institution", lambda c: c.concerned_organisation.name),
    # The complainant's identity never leaves with the export: the report goes out as
    # anonymous; its content stays out of LAPOR!'s public pages.
    ("is_anonymous", lambda c: 1),
    ("is_secret", lambda c: 1),
    ("status", lambda c: c.stage),
    ("created_at", lambda c: c.submitted_at.isoformat()),
    ("answered_at", lambda c: c.answered_at.isoformat() if c.answered_at else ""),
    ("answer", lambda c: c.answer),
]


def lapor_rows(complaints):
    yield [name for name, _ in LAPOR_COLUMNS]
    for complaint in complaints:
        yield [value(complaint) for _, value in LAPOR_COLUMNS]
