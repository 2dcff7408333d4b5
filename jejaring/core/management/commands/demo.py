from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jejaring.core.demo import DEMO_PASSWORD, USERS, DemoError, create_demo_network


class Command(BaseCommand):
    help = "Create the fictional demo network and its users (idempotent)."

    def handle(self, *args, **options):
        try:
            created = create_demo_network()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Demo network: %(organisations)d organisations, %(users)d users and "
                "%(people)d people created (existing ones kept)."
            )
            % created
        )
        self.stdout.write(
            _("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        for username, _first, _last, org_code, roles in USERS:
            self.stdout.write(
                f"  {username:<24} {', '.join(str(r.label) for r in roles)} — {org_code}"
            )
