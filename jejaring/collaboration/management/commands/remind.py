import datetime

from django.core.management.base import BaseCommand

from jejaring.collaboration.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send the daily reminders (commitments due and overdue, agreements expiring, "
        "referrals waiting) and expire agreements past their end date. Run once a day."
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
        self.stdout.write(
            "Agreements expired: {expired}, agreement reminders: {reminded}, "
            "commitment reminders: {commitments}, referral reminders: {referrals}".format(**result)
        )
