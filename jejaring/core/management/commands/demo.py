from django.core.management.base import BaseCommand, CommandError

from jejaring.core.demo import DEMO_PASSWORD, USERS, DemoError, create_demo_network


class Command(BaseCommand):
    help = "Create the fictional demo network and its users (idempotent)."

    def handle(self, *args, **options):
        try:
            created = create_demo_network()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Demo network: {created['organisations']} organisations and "
            f"{created['users']} users and {created['people']} people created "
            "(existing ones kept)."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, org_code, roles in USERS:
            self.stdout.write(
                f"  {username:<24} {', '.join(str(r.label) for r in roles)} — {org_code}"
            )
