"""The user's notifications: list, open (marks read and follows the link), mark all."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .notifications import render as render_notification
from .scoping import get_scoped_or_404


@login_required
def notification_list(request):
    page = Paginator(Notification.objects.restrict(request.user), 30).get_page(
        request.GET.get("page")
    )
    rows = [(n, *render_notification(n)) for n in page.object_list]
    return render(request, "core/notifications.html", {"page": page, "rows": rows})


@login_required
def notification_open(request, notification_id: int):
    notification = get_scoped_or_404(Notification, request.user, pk=notification_id)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    # Only links inside the app are followed.
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.restrict(request.user).filter(read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("core:notifications")
