"""The API root under /api/v1/: one NinjaAPI, routers from each domain app."""

from functools import wraps

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.parser import Parser

from . import api_errors
from .api_auth import BearerTokenAuth, authenticated
from .middleware import BadInput, check_text


class CheckedParser(Parser):
    """Form and query values checked like the middleware checks the rest.

    Large uploads pass the middleware unread (their files stay on disk), so the
    text fields sent beside a file are checked here, where ninja reads them.
    """

    def parse_querydict(self, data, list_fields, request):
        try:
            for key, values in data.lists():
                for value in values:
                    # ninja reads request.FILES through here too: files are not text.
                    if isinstance(value, str):
                        check_text("form", key, value)
        except BadInput as bad:
            raise ValidationError(
                [{"loc": (bad.source, bad.field), "msg": bad.message, "type": bad.kind}]
            ) from None
        return super().parse_querydict(data, list_fields, request)


def docs_access(view):
    """The schema and the Swagger page: for logged-in users and token holders only.

    They list every operation and field of a registry of vulnerable people; a visitor
    has no use for that map. Swagger UI sets styles inline, so its page alone may.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.API_DOCS_PUBLIC and not _docs_reader(request):
            if request.path.endswith(".json"):
                message = gettext(
                    "Authentication required: log in, or send 'Authorization: Bearer <token>'."
                )
                return JsonResponse({"detail": message}, status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return csp_update({"style-src": ["'unsafe-inline'"]})(guarded)


def _docs_reader(request):
    from ninja.errors import HttpError

    if request.user.is_authenticated and request.user.is_active:
        return request.user
    bearer = BearerTokenAuth()
    try:
        return bearer(request)
    except HttpError:
        return None


api = NinjaAPI(
    title="Jejaring API",
    version="1",
    description=str(
        _(
            "The shared workspace of the social welfare network. Authenticate with "
            "'Authorization: Bearer <token>' (create one with `jejaring token USERNAME`) or "
            "with the browser session. Every list and lookup is limited to what the "
            "user's organisation may see; objects outside it answer 404."
        )
    ),
    auth=authenticated(),
    urls_namespace="api",
    parser=CheckedParser(),
    docs_decorator=docs_access,
)
api_errors.install(api)


def register_routers() -> None:
    from jejaring.accounts.api import router as accounts_router
    from jejaring.audit.api import router as audit_router
    from jejaring.cases.api import router as cases_router
    from jejaring.collaboration.api import router as collaboration_router
    from jejaring.core.notifications_api import router as notifications_router
    from jejaring.field.api import router as field_router
    from jejaring.imports.api import router as imports_router
    from jejaring.network.api import router as network_router
    from jejaring.public.api import citizen_routers, staff_routers
    from jejaring.reference.api import router as reference_router
    from jejaring.regions.api import router as regions_router
    from jejaring.registry.api import router as registry_router
    from jejaring.spm.api import router as spm_router

    api.add_router("/regions/", regions_router)
    api.add_router("/reference/", reference_router)
    api.add_router("/organisations/", network_router)
    api.add_router("/persons/", registry_router)
    api.add_router("/", cases_router)
    api.add_router("/spm/", spm_router)
    api.add_router("/accounts/", accounts_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/notifications/", notifications_router)
    api.add_router("/collaboration/", collaboration_router)
    api.add_router("/imports/", imports_router)
    api.add_router("/field/", field_router)
    for prefix, router in [*citizen_routers, *staff_routers]:
        api.add_router(prefix, router)


register_routers()
