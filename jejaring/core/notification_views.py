"""The user's notifications: list, open (marks read and follows the link), mark all."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .notification_filters import NotificationFilter
from .notifications import mark_read
from .notifications import render as render_notification
from .pages import listing
from .scoping import get_scoped_or_404

PAGE_SIZE = 30


@login_required
def notification_list(request):
    context = listing(
        request, Notification.objects.restrict(request.user), NotificationFilter, per_page=PAGE_SIZE
    )
    context["rows"] = [(n, *render_notification(n)) for n in context["page_obj"].object_list]
    return render(request, "core/notifications.html", context)


@login_required
def notification_open(request, notification_id: int):
    notification = get_scoped_or_404(Notification, request.user, pk=notification_id)
    mark_read([notification], acting_user=request.user)
    # Only links inside the app are followed.
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read_all(request):
    mark_read(acting_user=request.user)
    return redirect("core:notifications")
