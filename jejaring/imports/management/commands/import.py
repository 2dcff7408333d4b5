"""`jejaring import FILE --organisation CODE`: a spreadsheet into the registry from the
console, through the same actions as the page (check, then load, batch by batch)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from jejaring.accounts.models import User
from jejaring.imports import actions
from jejaring.imports.models import ImportJob, JobStatus
from jejaring.imports.policies import IMPORTER_ROLES
from jejaring.network.models import Organisation


class Command(BaseCommand):
    help = "Import a CSV or Excel file of people, categories, cases and services."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", help="not needed with --resume")
        parser.add_argument("--organisation", required=True, help="the organisation's code")
        parser.add_argument(
            "--user", help="who imports (default: the organisation's first data officer)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--resume", type=int, metavar="JOB", help="resume a stopped import")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with code {options['organisation']!r}.")
        user = self._user(organisation, options.get("user"))
        try:
            if options.get("resume"):
                job = ImportJob.objects.get(pk=options["resume"], organisation=organisation)
                # A job whose worker died is stopped first; a stopped check runs again.
                if actions.recover_if_stale(job).status == JobStatus.MAPPING:
                    actions.start_check(job, acting_user=user, background=False)
                    actions.run_check(job, acting_user=user)
            else:
                if options["file"] is None:
                    raise CommandError("Name the file to import, or --resume JOB.")
                job = self._upload(options["file"], organisation, user)
                actions.start_check(job, acting_user=user, background=False)
                actions.run_check(job, acting_user=user)
                self._report(job)
                if options["dry_run"]:
                    return
            actions.start_import(job, acting_user=user, background=False)
            actions.run_import(job, acting_user=user)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from exc
        except ImportJob.DoesNotExist as exc:
            raise CommandError("No such import for this organisation.") from exc
        job.refresh_from_db()
        self._report(job)

    def _user(self, organisation, username):
        users = User.objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
        else:
            user = (
                users.filter(organisation=organisation, roles__role__in=IMPORTER_ROLES)
                .order_by("pk")
                .first()
            )
        if user is None:
            raise CommandError(
                "No importing user: pass --user, or give the organisation a data officer."
            )
        return user

    def _upload(self, path: Path, organisation, user):
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            job = actions.upload_file(upload, organisation=organisation, acting_user=user)
        missing = actions.columns.missing_required(job.mapping)
        if missing:
            raise CommandError(f"Columns not recognised: {', '.join(missing)}.")
        return job

    def _report(self, job):
        counts = job.counts
        self.stdout.write(
            f"import #{job.pk} [{JobStatus(job.status).label}]: {counts.get('rows', 0)} rows, "
            f"{job.error_rows} with errors, {counts.get('created', 0)} new, "
            f"{counts.get('linked', 0)} linked, {counts.get('review', 0)} for review, "
            f"{counts.get('same_in_file', 0)} repeated in the file, "
            f"{counts.get('already', 0)} imported before"
        )
        for problem in job.problems.all()[:20]:
            self.stdout.write(f"  row {problem.row} {problem.column}: {problem.message}")
