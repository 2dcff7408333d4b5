"""`jejaring backup [--output DIR] [--name NAME]`: one archive of the database and the media.

The archive holds the whole registry, protected identities included: it is written with
mode 0600, and docs/backup.md says how to keep, encrypt and copy it off-site.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from jejaring.core.backups import BackupError, create_backup, describe
from jejaring.core.backups import prune as prune_archives


class Command(BaseCommand):
    help = "Write a backup archive of the database and the media files (docs/backup.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default="backups", help="Folder the archive is written to (./backups)."
        )
        parser.add_argument(
            "--name", default="", help="File name (default jejaring-backup-YYYYmmdd-HHMMSS.tar)."
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Then delete older archives, keeping 7 daily, 4 weekly and 12 monthly ones.",
        )

    def handle(self, *args, output: str, name: str, prune: bool, **options):
        try:
            path, manifest = create_backup(Path(output), name)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        figures = describe(manifest)
        self.stdout.write(
            _(
                "Backup written: %(path)s (%(size)s; %(tables)d tables, %(rows)d rows, "
                "%(files)d media files)."
            )
            % {"path": path, "size": filesizeformat(path.stat().st_size), **figures}
        )
        if prune:
            deleted = prune_archives(Path(output))
            self.stdout.write(_("Older backups deleted: %(count)d.") % {"count": len(deleted)})
