from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jejaring.accounts.actions import issue_token
from jejaring.accounts.models import User


class Command(BaseCommand):
    help = "Print a new personal API token for USERNAME (use it as 'Authorization: Bearer …')."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default=_("command line"), help="A label for the token.")

    def handle(self, *args, username: str, name: str, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(_("No user named %(username)s.") % {"username": username}) from exc
        if not user.is_active:
            raise CommandError(
                _("User %(username)s is disabled; no token issued.") % {"username": username}
            )
        self.stdout.write(issue_token(user, name=name, acting_user=None))
