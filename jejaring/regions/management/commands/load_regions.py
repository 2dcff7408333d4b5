import time

from django.core.management.base import BaseCommand

from jejaring.regions.loader import load_regions


class Command(BaseCommand):
    help = "Load the Kemendagri regions (idempotent: skipped when already current)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--provinces",
            default="",
            help="Comma-separated province codes to load only those (e.g. 14,31,32).",
        )
        parser.add_argument("--force", action="store_true", help="Reload even when current.")

    def handle(self, *args, provinces: str, force: bool, **options):
        started = time.monotonic()
        result = load_regions(provinces.split(","), force=force)
        counts = ", ".join(f"{n} {level}" for level, n in result.counts.items())
        verb = "already current" if result.skipped else "loaded"
        self.stdout.write(f"Regions {verb}: {counts} ({time.monotonic() - started:.1f} s)")
