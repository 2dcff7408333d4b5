"""`jejaring setup`: everything a fresh database needs, safe to run again and again."""

import time
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jejaring.reference.loading import seed_from_fixture

REFERENCE_FIXTURES = [
    "reference/fixtures/spm_groups.json",
    "reference/fixtures/pmks_categories.json",
    "reference/fixtures/psks_types.json",
    "network/fixtures/organisation_types.json",
    "cases/fixtures/service_types.json",
    "spm/fixtures/spm_standards.json",
]


PACKAGE_DIR = Path(__file__).resolve().parents[3]


def compile_messages() -> int:
    """Compile .po catalogues to .mo with polib (no GNU gettext needed on the machine).

    Needs no Django settings, so the test suite can run it before anything loads a
    translation catalogue (catalogues are cached for the life of the process).
    """
    compiled = 0
    for po_path in Path(PACKAGE_DIR, "locale").glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
    return compiled


def seed_reference_data() -> int:
    return sum(seed_from_fixture(Path(settings.BASE_DIR, f)) for f in REFERENCE_FIXTURES)


class Command(BaseCommand):
    help = "Migrate, compile translations, load regions and reference data (and the demo)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also create the demo network.")

    def handle(self, *args, demo: bool, **options):
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        self.stdout.write(f"Translations compiled: {compile_messages()}.")
        call_command("load_regions", stdout=self.stdout)
        self.stdout.write(f"Reference data rows created: {seed_reference_data()}.")
        if demo:
            call_command("demo", stdout=self.stdout)
        self.stdout.write(f"Set-up done in {time.monotonic() - started:.1f} s.")
