"""`jejaring setup`: everything a fresh database needs, safe to run again and again.

Its output is in the product's language from the first run: the catalogues are compiled
before anything prints (the `jejaring` entry point does it even before Django starts, and
this command again, dropping catalogues a caller may already have cached).
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jejaring.cli import compile_messages
from jejaring.reference.loading import seed_from_fixture
from jejaring.regions.loader import load_regions
from jejaring.regions.models import RegionLevel

__all__ = ["compile_messages", "seed_reference_data", "Command"]

REFERENCE_FIXTURES = [
    "reference/fixtures/spm_groups.json",
    "reference/fixtures/pmks_categories.json",
    "reference/fixtures/psks_types.json",
    "network/fixtures/organisation_types.json",
    "cases/fixtures/service_types.json",
    "spm/fixtures/spm_standards.json",
    "public/fixtures/report_topics.json",
    "public/fixtures/complaint_categories.json",
    "public/fixtures/complaint_deadlines.json",
    "public/fixtures/public_holidays.json",
    "public/fixtures/survey_elements.json",
]


def seed_reference_data() -> int:
    return sum(seed_from_fixture(Path(settings.BASE_DIR, f)) for f in REFERENCE_FIXTURES)


def forget_loaded_catalogues() -> None:
    """Drop the catalogues this process cached, so freshly compiled ones are read (what
    the development server's reloader does when a .mo file changes)."""
    import gettext

    from django.utils.translation import trans_real

    gettext._translations = {}
    trans_real._translations = {}
    trans_real._default = None


class Command(BaseCommand):
    help = (
        "Migrate, compile translations, load regions and reference data, collect the static "
        "files (and the demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also create the demo network.")
        parser.add_argument(
            "--provinces",
            default="",
            help="Comma-separated province codes to load only those regions (e.g. 14,31,32).",
        )

    def handle(self, *args, demo: bool, provinces: str, **options):
        started = time.monotonic()
        compiled = compile_messages()
        if compiled:
            forget_loaded_catalogues()
        self.stdout.write(_("Translations compiled: %(count)d.") % {"count": compiled})
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(_("Database migrated."))
        self._load_regions(provinces.split(","))
        self.stdout.write(
            _("Reference data rows created: %(count)d.") % {"count": seed_reference_data()}
        )
        # The manifest storage (DEBUG off) needs the collected, hashed files to name them.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            _("Static files collected into %(folder)s.") % {"folder": settings.STATIC_ROOT}
        )
        if demo:
            call_command("demo", stdout=self.stdout)
        self.stdout.write(
            _("Set-up done in %(seconds)s s.")
            % {"seconds": number_format(time.monotonic() - started, 1)}
        )

    def _load_regions(self, provinces: list[str]) -> None:
        started = time.monotonic()
        result = load_regions(provinces)
        labels = dict(RegionLevel.choices)
        counts = ", ".join(f"{n} {labels.get(level, level)}" for level, n in result.counts.items())
        message = (
            _("Regions already current: %(counts)s (%(seconds)s s).")
            if result.skipped
            else _("Regions loaded: %(counts)s (%(seconds)s s).")
        )
        seconds = number_format(time.monotonic() - started, 1)
        self.stdout.write(message % {"counts": counts, "seconds": seconds})
