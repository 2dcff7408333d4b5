from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jejaring.core import workspace

# Seconds since a background worker's last heartbeat (every 30 s) after which /readyz
# fails: four beats missed. settings.READY_WORKER_WITHIN overrides.
READY_WORKER_WITHIN = 120


@login_required
def home(request):
    """My work: what waits for the user, per role, each item one click from acting on
    it (the queries are core.workspace's, through the scoping layer)."""
    request.nav_section = "home"
    work = workspace.build(request.user)  # first: it loads the user's organisation once
    context = {"organisation": request.user.organisation, "work": work}
    return render(request, "core/home.html", context)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means "unhealthy"
        return False
    return True


@never_cache
def healthz(request):
    """Liveness: 200 when this process answers and the database does; 503 otherwise (for
    uptime checks and load balancers).

    It keeps its one ``SELECT 1``: a page without its database cannot be served, so an
    uptime check should not call the site up, and the query is one round trip on the
    worker's open connection. Everything dearer (migrations, the background worker) is
    in /readyz."""
    if not _database_answers():
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def unapplied_migrations(conn=connection) -> list[str]:
    """The migrations of this code that the database has not applied ("app.name")."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(conn)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def worker_check(now=None) -> str:
    """ "ok" when a background worker wrote its heartbeat within READY_WORKER_WITHIN
    seconds, "stale" when the newest is older, "none" when no worker ever ran, and
    "not used" when tasks do not go through the database queue (no worker needed)."""
    from django_tasks_db.backend import DatabaseBackend

    from jejaring.core.models import WorkerHeartbeat

    if not issubclass(import_string(settings.TASKS["default"]["BACKEND"]), DatabaseBackend):
        return "not used"
    newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
    seen_at = newest.first()
    if seen_at is None:
        return "none"
    within = timedelta(seconds=getattr(settings, "READY_WORKER_WITHIN", READY_WORKER_WITHIN))
    return "ok" if seen_at >= (now or timezone.now()) - within else "stale"


def readiness() -> dict[str, str]:
    """Each check of /readyz and what it found; "ok" (or "not used") passes."""
    if not _database_answers():
        return {"database": "unreachable", "migrations": "unknown", "worker": "unknown"}
    checks = {"database": "ok"}
    try:
        unapplied = unapplied_migrations()
    except DatabaseError:
        checks["migrations"] = "unknown"
    else:
        checks["migrations"] = f"{len(unapplied)} unapplied" if unapplied else "ok"
    try:
        checks["worker"] = worker_check()
    except DatabaseError:  # the heartbeat table itself not migrated yet
        checks["worker"] = "unknown"
    return checks


@never_cache
def readyz(request):
    """Readiness, for a deploy or an orchestrator: 200 only when the database answers, no
    migration of this code is unapplied and a background worker was seen within
    READY_WORKER_WITHIN seconds; 503 naming the checks that failed otherwise. Counts
    and states only, nothing about people."""
    checks = readiness()
    failed = [name for name, state in checks.items() if state not in {"ok", "not used"}]
    if failed:
        return JsonResponse({"status": "error", "failed": failed, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


def csrf_failure(request, reason=""):
    """Django's CSRF rejection, explained in the user's language."""
    message = _(
        "Your form could not be sent because its security token is missing or expired. "
        "Go back, reload the page and try again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "core/csrf_failure.html", {"message": message}, status=403)
