"""Error pages in the user's language; the API answers JSON instead of HTML."""

from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def _respond(request, status: int, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def permission_denied(request, exception=None):
    message = (
        str(exception)
        if exception and str(exception)
        else _("You do not have permission to do this.")
    )
    return _respond(request, 403, message)


def page_not_found(request, exception=None):
    return _respond(request, 404, _("The page or record you asked for was not found."))


def bad_request(request, exception=None):
    """400, e.g. a Host header not in ALLOWED_HOSTS (`make run` answers only the local host).
    The bare page, like the 500 one: the page shell would ask the request for its host again."""
    message = _("The request could not be served at this address. Check the address you used.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    html = loader.get_template("500.html").render({"message": message, "status": 400})
    return HttpResponseBadRequest(html)


def server_error(request):
    # Rendered without the page shell or context processors: when the database is down,
    # the error page itself must not need it.
    message = _("Something went wrong on our side. The error has been logged.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render({"message": message}))
