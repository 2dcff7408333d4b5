import contextlib
import datetime

from django.core.management.base import BaseCommand

from jejaring.collaboration.reminders import send_reminders
from jejaring.core import clock
from jejaring.public.actions.complaints import escalate_overdue_complaints
from jejaring.public.actions.reports import escalate_overdue_reports


class Command(BaseCommand):
    help = (
        "Send the daily reminders (commitments due and overdue, agreements expiring, "
        "referrals waiting), expire agreements past their end date, and send public "
        "reports nobody picked up in time one level up. Run once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="Act as if today were YYYY-MM-DD."
        )

    def handle(self, *args, **options):
        today = options.get("date")
        if isinstance(today, str):  # from call_command(date="YYYY-MM-DD")
            today = datetime.date.fromisoformat(today)
        result = send_reminders(today)
        # Each report schedules its own escalation task; this sweep catches any a stopped
        # worker missed.
        # Complaints past a stage's deadline go to the office head.
        with clock.set_to(today) if today is not None else contextlib.nullcontext():
            escalated = escalate_overdue_reports()
            complaints = escalate_overdue_complaints()
        self.stdout.write(
            "Agreements expired: {expired}, agreement reminders: {reminded}, "
            "commitment reminders: {commitments}, referral reminders: {referrals}, "
            "public reports escalated: {escalated}, complaints escalated: {late}, "
            "answered complaints closed: {closed}".format(
                **result,
                escalated=escalated,
                late=complaints["escalated"],
                closed=complaints["closed"],
            )
        )
