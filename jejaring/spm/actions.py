"""Business operations on SPM targets and reports (one transaction each, audited).

Who may set a region's targets and write its report is ``policies.TargetPolicy``'s
rule; every operation checks it first (``check_manages``: 403 for another region's),
so pages, the API and commands cannot skip it. ``acting_user=None`` is the system."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.core import clock
from jejaring.core.scoping import region_subtree

from .models import ReportNotes, SpmServiceType, Target, TargetSource
from .policies import check_manages

FIRST_YEAR = 2018  # PP 2/2018 made social services an SPM basic service


def check_year(year: int, *, future_allowed: int = 0) -> None:
    latest = clock.localdate().year + future_allowed
    if not FIRST_YEAR <= year <= latest:
        raise ValidationError(
            {
                "year": _("Choose a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": latest}
            }
        )


@transaction.atomic
def set_target(
    region,
    year: int,
    service_type: SpmServiceType,
    target: int,
    *,
    acting_user,
    baseline: int | None = None,
    source: str = TargetSource.ENTERED,
    source_note: str = "",
) -> Target:
    """Set a target; milestones of the multi-year plan are targets for later years."""
    check_manages(acting_user, region)
    check_year(year, future_allowed=5)
    if target is None or target < 0:
        raise ValidationError({"target": _("A target is a number of people, 0 or more.")})
    row = Target.objects.filter(region=region, year=year, service_type=service_type).first()
    before = audit.snapshot(row) if row else None
    row = row or Target(region=region, year=year, service_type=service_type)
    row.target, row.baseline, row.source, row.source_note = target, baseline, source, source_note
    row.set_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    row.save()
    if before is None:
        audit.record_create(row, acting_user=acting_user)
    else:
        audit.record_update(row, before, acting_user=acting_user)
    return row


def registry_count(region, service_type: SpmServiceType, reference_date: datetime.date) -> int:
    """Verified people of the type's target group living in the region on a date (not
    those who had moved away or died by then)."""
    from jejaring.registry.actions import present_on
    from jejaring.registry.models import Person, VerificationStatus

    people = Person.objects.filter(
        region_subtree("region__code", region.code), merged_into__isnull=True
    )
    return (
        present_on(people, reference_date)
        .filter(
            categories__category__spm_group=service_type.spm_group,
            categories__status=VerificationStatus.VERIFIED,
            categories__start_date__lte=reference_date,
        )
        .exclude(categories__end_date__lt=reference_date)
        .distinct()
        .count()
    )


@transaction.atomic
def derive_target(
    region,
    year: int,
    service_type: SpmServiceType,
    *,
    acting_user,
    reference_date: datetime.date | None = None,
) -> Target:
    """Target from the registry (the data-collection step done in the product)."""
    check_manages(acting_user, region)  # before counting anyone in the region
    reference_date = reference_date or datetime.date(year, 1, 1)
    count = registry_count(region, service_type, reference_date)
    return set_target(
        region,
        year,
        service_type,
        count,
        acting_user=acting_user,
        source=TargetSource.DERIVED,
        source_note=_("verified people in the registry on %(date)s")
        % {"date": date_format(reference_date, "SHORT_DATE_FORMAT")},
    )


@transaction.atomic
def save_report_notes(region, year: int, data: dict, *, acting_user) -> ReportNotes:
    check_manages(acting_user, region)
    check_year(year)
    notes, created = ReportNotes.objects.get_or_create(region=region, year=year)
    before = None if created else audit.snapshot(notes)
    for field, value in data.items():
        setattr(notes, field, value)
    notes.updated_by = (
        acting_user if acting_user is not None and acting_user.is_authenticated else None
    )
    notes.save()
    if created:
        audit.record_create(notes, acting_user=acting_user)
    else:
        audit.record_update(notes, before, acting_user=acting_user)
    return notes
