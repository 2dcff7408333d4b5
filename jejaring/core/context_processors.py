from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import scope_for

# The sections of the product, each with the page it opens (every one is built: the
# menu announces nothing that is not there).
SECTIONS = [
    ("home", _("Home"), "core:home"),
    ("registry", _("Registry"), "registry:list"),
    ("imports", _("Import"), "imports:list"),
    ("cases", _("Cases & Referrals"), "cases:board"),
    ("spm", _("SPM"), "spm:dashboard"),
    ("collaboration", _("Collaboration"), "collaboration:index"),
    ("network", _("Network"), "network:list"),
    ("regions", _("Regions"), "regions:index"),
    ("open_data", _("Open Data"), "open_data:spm"),
]


def navigation(request):
    scope = scope_for(getattr(request, "user", None))
    unread = 0
    if scope is not None:
        from jejaring.core.models import Notification

        unread = Notification.objects.filter(user_id=scope.user_id, read_at__isnull=True).count()
    from jejaring.imports.policies import may_import

    # Importing is a data officer's job: the section is not shown to other roles.
    sections = SECTIONS if may_import(scope) else [s for s in SECTIONS if s[0] != "imports"]
    return {
        "unread_notifications": unread,
        "nav_sections": sections,
        "nav_active": getattr(request, "nav_section", ""),
        "is_network_admin": bool(scope and scope.is_network_admin),
    }
