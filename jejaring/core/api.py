"""The API root under /api/v1/: one NinjaAPI, routers from each domain app."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from . import api_errors
from .api_auth import authenticated

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
)
api_errors.install(api)


def register_routers() -> None:
    from jejaring.accounts.api import router as accounts_router
    from jejaring.audit.api import router as audit_router
    from jejaring.cases.api import router as cases_router
    from jejaring.collaboration.api import router as collaboration_router
    from jejaring.core.notifications_api import router as notifications_router
    from jejaring.imports.api import router as imports_router
    from jejaring.network.api import router as network_router
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


register_routers()
