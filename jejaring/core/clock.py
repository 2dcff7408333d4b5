"""The time actions stamp on what they record, which tests and the demo can set.

Actions ask ``clock.now()`` / ``clock.localdate()`` instead of ``timezone.now()``.
Normally that is the real time. Inside ``with clock.set_to(moment):`` it is ``moment``
(moving on with the real clock, so two rows stamped in turn stay in order): the demo
builds a network with a year of history by running the same actions at past dates,
instead of rewriting rows behind them, and a test can see what an action records on
a chosen day.

The setting is a context variable, so it holds for the code running inside the
``with`` only — another request or thread keeps the real time.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

# How far the clock is set back (or forward) from the real time; None: the real time.
_offset: ContextVar[datetime.timedelta | None] = ContextVar("jejaring_clock_offset", default=None)


def now() -> datetime.datetime:
    offset = _offset.get()
    real = timezone.now()
    return real if offset is None else real + offset


def localdate() -> datetime.date:
    return timezone.localtime(now()).date()


@contextmanager
def set_to(moment: datetime.datetime | datetime.date):
    """Run the block as if it were ``moment`` (a date means that day at 09:00 local)."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(9, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _offset.set(moment - timezone.now())
    try:
        yield
    finally:
        _offset.reset(token)


def days_ago(days: float) -> datetime.datetime:
    """The moment ``days`` before now (on the clock as it is set)."""
    return now() - datetime.timedelta(days=days)
