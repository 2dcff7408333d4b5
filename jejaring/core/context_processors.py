import functools

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import scope_for

# The sections of the product, each with the page it opens (every one is built: the
# menu announces nothing that is not there).
SECTIONS = [
    ("home", _("Home"), "core:home"),
    ("registry", _("Registry"), "registry:list"),
    ("field", _("Field work"), "field:page"),
    ("imports", _("Import"), "imports:list"),
    ("cases", _("Cases & Referrals"), "cases:board"),
    ("reports", _("Public reports"), "reports:queue"),
    ("complaints", _("Complaints desk"), "complaints:desk"),
    ("survey", _("Satisfaction survey"), "survey:results"),
    ("spm", _("SPM"), "spm:dashboard"),
    ("collaboration", _("Collaboration"), "collaboration:index"),
    ("network", _("Network"), "network:list"),
    ("regions", _("Regions"), "regions:index"),
    ("open_data", _("Open Data"), "open_data:home"),
    ("report", _("Report a person in need"), "lapor:new"),
    ("complain", _("Complain about a service"), "pengaduan:new"),
]


# The other links of every page's header, by name in the template (nav_urls.profile).
HEADER_LINKS = {
    "home": "core:home",
    "audit": "audit:list",
    "users": "accounts:user_list",
    "reference_data": "admin:index",
    "set_language": "set_language",
    "notifications": "core:notifications",
    "profile": "accounts:profile",
    "logout": "accounts:logout",
    "login": "accounts:login",
}


@functools.cache
def _header_urls(script_prefix: str) -> tuple[list, dict]:
    """Every header link resolved once per process (and prefix): the header is on
    every page, and resolving its fifteen links each time was ~2 % of a page's work."""
    sections = [(key, label, reverse(url_name)) for key, label, url_name in SECTIONS]
    return sections, {key: reverse(url_name) for key, url_name in HEADER_LINKS.items()}


def navigation(request):
    scope = scope_for(getattr(request, "user", None))
    unread = 0
    if scope is not None:
        from jejaring.core.notifications import unread_count

        unread = unread_count(scope.user_id)
    from jejaring.imports.policies import may_import

    sections, urls = _header_urls(get_script_prefix())
    # Importing is a data officer's job: the section is not shown to other roles.
    if not may_import(scope):
        sections = [s for s in sections if s[0] != "imports"]
    return {
        "unread_notifications": unread,
        "nav_sections": sections,
        "nav_urls": urls,
        "nav_active": getattr(request, "nav_section", ""),
        "is_network_admin": bool(scope and scope.is_network_admin),
    }
