from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from jejaring.core.pages import listing
from jejaring.core.scoping import scope_for

from .filters import AuditFilter
from .models import AuditEntry
from .presenters import present_entries

PAGE_SIZE = 50


@login_required
def audit_list(request):
    scope = scope_for(request.user)
    if not scope.is_network_admin:
        raise PermissionDenied(_("Only network administrators may read the audit log."))
    request.nav_section = "audit"
    context = listing(
        request, AuditEntry.objects.restrict(request.user), AuditFilter, per_page=PAGE_SIZE
    )
    page_obj = context["page_obj"]
    # The page's rows as this reader may see them (protected identities masked).
    page_obj.object_list = present_entries(page_obj.object_list, request.user)
    return render(request, "audit/list.html", context)
