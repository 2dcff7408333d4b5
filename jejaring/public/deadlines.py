"""When a complaint's stage is due: days from reference data (``ComplaintDeadline``),
counted as working days (Monday to Friday, without the holidays in ``PublicHoliday``)
or as calendar days, as each rule says."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import ComplaintDeadline, PublicHoliday


def add_working_days(
    start: datetime.date, days: int, holidays: set[datetime.date]
) -> datetime.date:
    day = start
    left = days
    while left > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


def due_after(moment: datetime.datetime, stage: str) -> datetime.datetime | None:
    """The end of the day the stage entered at ``moment`` is due (local time), or None
    where no rule is set for the stage."""
    rule = ComplaintDeadline.objects.active().filter(stage=stage).first()
    if rule is None:
        return None
    local = timezone.localtime(moment)
    if rule.working_days:
        horizon = local.date() + datetime.timedelta(days=rule.days * 3 + 30)
        holidays = set(
            PublicHoliday.objects.filter(date__gt=local.date(), date__lte=horizon).values_list(
                "date", flat=True
            )
        )
        last = add_working_days(local.date(), rule.days, holidays)
    else:
        last = local.date() + datetime.timedelta(days=rule.days)
    end = datetime.datetime.combine(last, datetime.time(23, 59, 59))
    return timezone.make_aware(end, local.tzinfo)
