from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import scope_for

# The sections of the product. Those without a url are still to come (later issues);
# they are shown disabled so people see where the product is going.
SECTIONS = [
    ("home", _("Home"), "core:home"),
    ("registry", _("Registry"), "registry:list"),
    ("cases", _("Cases & Referrals"), "cases:board"),
    ("spm", _("SPM"), "spm:dashboard"),
    ("collaboration", _("Collaboration"), None),
    ("network", _("Network"), "network:list"),
    ("regions", _("Regions"), "regions:index"),
    ("open_data", _("Open Data"), "open_data:spm"),
]


def navigation(request):
    scope = scope_for(getattr(request, "user", None))
    return {
        "nav_sections": SECTIONS,
        "nav_active": getattr(request, "nav_section", ""),
        "is_network_admin": bool(scope and scope.is_network_admin),
    }
