from django.core.management.base import BaseCommand, CommandError

from jejaring.accounts.actions import issue_token
from jejaring.accounts.models import User


class Command(BaseCommand):
    help = "Print a new personal API token for USERNAME (use it as 'Authorization: Bearer …')."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A label for the token.")

    def handle(self, *args, username: str, name: str, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is disabled; no token issued.")
        self.stdout.write(issue_token(user, name=name, acting_user=None))
