"""`jejaring serve`: the production application server — gunicorn with
jejaring/gunicorn_conf.py, serving jejaring.wsgi.

    jejaring serve                        # JEJARING_BIND or 127.0.0.1:8000, workers from the cores
    jejaring serve --bind 0.0.0.0:8000 --workers 4

The command runs Django's system checks and warns about unapplied migrations (as
runserver does; `jejaring` itself refuses to start without ALLOWED_HOSTS when DEBUG is
off, jejaring/cli.py), then replaces itself with gunicorn (exec). Exec rather than
gunicorn's in-process application: the arbiter then holds no Django state, no open
database connection to hand down through fork, and the process that systemd or the
container supervises is gunicorn itself, receiving its signals (TERM: a graceful stop;
HUP: new workers on new code).
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

CONFIG = "python:jejaring.gunicorn_conf"


def gunicorn_argv(*, bind: str | None = None, workers: int | None = None) -> list[str]:
    """The command line `serve` execs: this interpreter's gunicorn with our configuration,
    the options given on top (gunicorn's command line wins over its config file)."""
    argv = [sys.executable, "-m", "gunicorn", "--config", CONFIG]
    if bind:
        argv += ["--bind", bind]
    if workers:
        argv += ["--workers", str(workers)]
    return [*argv, "jejaring.wsgi:application"]


class Command(BaseCommand):
    help = "Serve Jejaring in production: gunicorn with jejaring/gunicorn_conf.py"

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", help="address to listen on, e.g. 0.0.0.0:8000 (default: JEJARING_BIND)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="worker processes (default: WEB_CONCURRENCY, else 2 × cores + 1)",
        )

    def handle(self, *args, bind=None, workers=None, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1")
        self.check_migrations()
        # Nothing opened here may survive into gunicorn's processes.
        connections.close_all()
        sys.stdout.flush()
        sys.stderr.flush()
        argv = gunicorn_argv(bind=bind, workers=workers)
        os.execv(argv[0], argv)  # noqa: S606 — this interpreter, our own arguments
