"""The user's own notifications over the API (what the bell shows on the pages)."""

import datetime

from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from .models import Notification
from .notifications import render
from .scoping import get_scoped_or_404

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read: bool

    @staticmethod
    def resolve_title(obj):
        return render(obj)[0]

    @staticmethod
    def resolve_body(obj):
        return render(obj)[1]

    @staticmethod
    def resolve_read(obj):
        return obj.read_at is not None


@router.get("/", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(LimitOffsetPagination)
def list_notifications(request, unread: bool = False):
    rows = Notification.objects.restrict(request.auth)
    return rows.filter(read_at__isnull=True) if unread else rows


@router.post("/{int:notification_id}/read", response=NotificationOut, summary="Mark one as read")
def mark_read(request, notification_id: int):
    notification = get_scoped_or_404(Notification, request.auth, pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@router.post("/read-all", response=dict, summary="Mark all my notifications as read")
def mark_all_read(request):
    count = (
        Notification.objects.restrict(request.auth)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    return {"marked": count}
