from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from jejaring.core.scoping import scope_for

from .filters import AuditFilter
from .models import AuditEntry
from .presenters import present_entries


@login_required
def audit_list(request):
    scope = scope_for(request.user)
    if not scope.is_network_admin:
        raise PermissionDenied(_("Only network administrators may read the audit log."))
    request.nav_section = "audit"
    filterset = AuditFilter(request.GET or None, queryset=AuditEntry.objects.restrict(request.user))
    entries = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page_obj = Paginator(entries, 50).get_page(request.GET.get("page"))
    # The page's rows as this reader may see them (protected identities masked).
    page_obj.object_list = present_entries(page_obj.object_list, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"filterset": filterset, "page_obj": page_obj, "query_string": query.urlencode()},
    )
