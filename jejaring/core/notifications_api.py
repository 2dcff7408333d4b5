"""The user's own notifications over the API (what the bell shows on the pages)."""

import datetime

from ninja import Field, Query, Router, Schema

from . import notifications
from .api_helpers import filtered_list, paged, scoped_or_404
from .models import Notification
from .notification_filters import NotificationFilter
from .notifications import render

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


class NotificationQuery(Schema):
    unread: bool = Field(False, description="Only the unread ones")


@router.get("/", response=list[NotificationOut], summary="My notifications, newest first")
@paged
def list_notifications(request, filters: Query[NotificationQuery]):
    return filtered_list(
        request, NotificationFilter, Notification.objects.restrict(request.auth), filters
    )


@router.post("/{int:notification_id}/read", response=NotificationOut, summary="Mark one as read")
def mark_read(request, notification_id: int):
    notification = scoped_or_404(Notification, request, pk=notification_id)
    notifications.mark_read([notification], acting_user=request.auth)
    notification.refresh_from_db(fields=["read_at"])
    return notification


@router.post("/read-all", response=dict, summary="Mark all my notifications as read")
def mark_all_read(request):
    return {"marked": notifications.mark_read(acting_user=request.auth)}
