"""`jejaring restore FILE [--yes]`: a backup archive into an empty instance.

Nothing is touched until the whole archive has been read and checked against its manifest
and the target found empty (docs/backup.md says what "empty" means). Afterwards every
table's row count and checksum, the triggers and the media files are compared with the
manifest, and a difference fails the command loudly.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from jejaring.core.backups import BackupError, describe, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and media folder (docs/backup.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive (.tar) written by `jejaring backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file: str, yes: bool, **options):
        try:
            restored = restore_backup(Path(file), confirm=None if yes else self.confirm)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        figures = describe(restored.manifest)
        self.stdout.write(_("Database restored: %(tables)d tables, %(rows)d rows.") % figures)
        self.stdout.write(_("Media files restored: %(count)d.") % {"count": restored.media_files})
        if restored.problems:
            raise CommandError(
                _("THE RESTORED DATA DOES NOT MATCH THE BACKUP: %(problems)s")
                % {"problems": "; ".join(restored.problems)}
            )
        self.stdout.write(
            _(
                "Verified: the row count and checksum of every table, the triggers and the "
                "media files match the backup. Run `jejaring setup` next."
            )
        )

    def confirm(self, manifest: dict) -> bool:
        self.stdout.write(
            _(
                "Backup of %(created)s (Jejaring %(version)s, %(engine)s): %(tables)d tables, "
                "%(rows)d rows, %(files)d media files."
            )
            % describe(manifest)
        )
        if not sys.stdin.isatty():
            raise CommandError(_("Add --yes to restore without a question. Nothing was changed."))
        answer = input(
            _("Restore it into %(database)s and %(media)s? Type 'ya' to continue: ")
            % {"database": connection.settings_dict["NAME"], "media": settings.MEDIA_ROOT}
        )
        return answer.strip().lower() in {"ya", "y", "yes"}
