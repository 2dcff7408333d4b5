"""`jejaring import FILE --organisation CODE`: a spreadsheet into the registry from the
console, through the same actions as the page (check, then load, batch by batch).

``--mapping MAP.json`` says which column holds what ({"column label": "field code"}, as
``GET /api/v1/imports/fields`` lists the codes), over the guess from the header names;
``--json`` prints the summary as one JSON object on stdout and nothing else, for scripts.
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jejaring.accounts.models import User
from jejaring.imports import actions, columns
from jejaring.imports.models import ImportJob, JobStatus
from jejaring.imports.policies import IMPORTER_ROLES
from jejaring.network.models import Organisation

# A mapping that cannot be used is a usage error: nothing is imported.
BAD_MAPPING = 2
# The order the summary lists its numbers in.
SUMMARY = (
    "rows",
    "created",
    "linked",
    "review",
    "same_in_file",
    "already",
    "refused",
    "problems",
)


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
        parser.add_argument(
            "--mapping",
            type=Path,
            metavar="MAP.json",
            help='which column holds what: {"column label": "field code"}; "" skips a column',
        )
        parser.add_argument(
            "--json", action="store_true", help="print the summary as one JSON object, only"
        )

    def handle(self, *args, **options):
        self.as_json = options["json"]
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(
                _("No organisation with code %(code)s.") % {"code": repr(options["organisation"])}
            )
        user = self._user(organisation, options.get("user"))
        # Read before anything is stored: a bad file is told without a job left behind.
        # (call_command passes options as given, unconverted.)
        wanted = self._read_mapping(Path(options["mapping"])) if options.get("mapping") else None
        try:
            if options.get("resume"):
                job = ImportJob.objects.get(pk=options["resume"], organisation=organisation)
                # A job whose worker died is stopped first; a stopped check runs again.
                if actions.recover_if_stale(job).status == JobStatus.MAPPING:
                    actions.start_check(job, acting_user=user, background=False)
                    actions.run_check(job, acting_user=user)
            else:
                if options["file"] is None:
                    raise CommandError(_("Name the file to import, or --resume JOB."))
                job = self._upload(options["file"], organisation, user, wanted)
                actions.start_check(job, acting_user=user, background=False)
                actions.run_check(job, acting_user=user)
                if options["dry_run"]:
                    self._report(job)
                    return
                if not self.as_json:
                    self._report(job)
            actions.start_import(job, acting_user=user, background=False)
            actions.run_import(job, acting_user=user)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from exc
        except ImportJob.DoesNotExist as exc:
            raise CommandError(_("No such import for this organisation.")) from exc
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
                _("No importing user: pass --user, or give the organisation a data officer.")
            )
        return user

    def _read_mapping(self, path: Path) -> dict[str, str]:
        """The mapping file, checked for what it can be checked for without the file to
        import: JSON, an object of labels to field codes we know."""
        try:
            wanted = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(
                _("The mapping file %(path)s cannot be read.") % {"path": path},
                returncode=BAD_MAPPING,
            ) from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise CommandError(
                _("The mapping file is not valid JSON: %(why)s") % {"why": exc},
                returncode=BAD_MAPPING,
            ) from exc
        if not isinstance(wanted, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in wanted.items()
        ):
            raise CommandError(
                _('The mapping file must hold one object: {"column label": "field code"}.'),
                returncode=BAD_MAPPING,
            )
        known = {f.code for f in columns.FIELDS}
        unknown = sorted(code for code in wanted.values() if code and code not in known)
        if unknown:
            raise CommandError(
                _("“%(code)s” is not a field that can be imported. The fields are: %(codes)s.")
                % {"code": unknown[0], "codes": ", ".join(sorted(known))},
                returncode=BAD_MAPPING,
            )
        return wanted

    def _upload(self, path: Path, organisation, user, wanted: dict[str, str] | None):
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            job = actions.upload_file(upload, organisation=organisation, acting_user=user)
        if wanted is not None:
            try:
                actions.set_mapping(job, {**job.mapping, **wanted}, acting_user=user)
            except ValidationError as exc:
                # The job stays, cancelled, so the audit trail shows the attempt.
                actions.cancel_job(job, acting_user=user)
                raise CommandError(
                    " ".join(exc.messages)
                    + " "
                    + _("The columns of the file are: %(labels)s.")
                    % {"labels": ", ".join(f"“{h}”" for h in job.headers)},
                    returncode=BAD_MAPPING,
                ) from exc
        missing = columns.missing_required(job.mapping)
        if missing:
            raise CommandError(
                _("Columns not recognised: %(fields)s. Name them with --mapping.")
                % {"fields": ", ".join(missing)}
            )
        return job

    def _report(self, job):
        counts = job.exact_counts()
        summary = {
            "job": job.pk,
            "status": job.status,
            "counts": {key: counts.get(key, 0) for key in SUMMARY},
            "unused_columns": job.unused_columns,
        }
        if self.as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            _(
                "import #%(job)d [%(status)s]: %(rows)d rows, %(created)d new, %(linked)d "
                "linked, %(review)d pairs for review, %(same_in_file)d repeated in the file, "
                "%(already)d imported before, %(refused)d refused, %(problems)d problems"
            )
            % {"job": job.pk, "status": JobStatus(job.status).label, **summary["counts"]}
        )
        if job.unused_columns:
            self.stdout.write(
                _("Columns not read: %(labels)s")
                % {"labels": ", ".join(f"“{h}”" for h in job.unused_columns)}
            )
        for problem in job.problems.all()[:20]:
            self.stdout.write(
                _("  row %(row)d %(column)s: %(message)s")
                % {"row": problem.row, "column": problem.column, "message": problem.message}
            )
