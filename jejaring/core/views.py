from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jejaring.core import workspace


@login_required
def home(request):
    """My work: what waits for the user, per role, each item one click from acting on
    it (the queries are core.workspace's, through the scoping layer)."""
    request.nav_section = "home"
    work = workspace.build(request.user)  # first: it loads the user's organisation once
    context = {"organisation": request.user.organisation, "work": work}
    return render(request, "core/home.html", context)


@never_cache
def healthz(request):
    """200 when the database answers; 503 otherwise (for load balancers and uptime checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means "unhealthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def csrf_failure(request, reason=""):
    """Django's CSRF rejection, explained in the user's language."""
    message = _(
        "Your form could not be sent because its security token is missing or expired. "
        "Go back, reload the page and try again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "core/csrf_failure.html", {"message": message}, status=403)
