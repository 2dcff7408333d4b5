"""The user's own notifications over the API (what the bell shows on the pages)."""

import datetime

from ninja import Field, Query, Router, Schema

from . import notifications
from .api_helpers import filtered_list, paged, scoped_or_404
from .models import Notification
from .notification_filters import NotificationFilter
from .notifications import Reading, render

router = Router(tags=["notifications"])


def _rendered(obj) -> tuple[str, str]:
    # Rendered for the caller by the handler (a list: NotificationPage, all at once).
    cached = getattr(obj, "_rendered", None)
    if cached is None:
        cached = obj._rendered = render(obj, Reading([obj], obj.user))
    return cached


class NotificationOut(Schema):
    id: int
    kind: str
    title: str = Field(description="Named as the caller may see the person")
    body: str
    url: str
    created_at: datetime.datetime
    read: bool

    @staticmethod
    def resolve_title(obj):
        return _rendered(obj)[0]

    @staticmethod
    def resolve_body(obj):
        return _rendered(obj)[1]

    @staticmethod
    def resolve_read(obj):
        return obj.read_at is not None


class NotificationQuery(Schema):
    unread: bool = Field(False, description="Only the unread ones")


class NotificationPage:
    """A page of notifications, paginated like a queryset: the rows of the page asked
    for are rendered together for the caller (:class:`Reading`), in a fixed number of
    queries however many rows."""

    def __init__(self, queryset, user):
        self.queryset, self.user = queryset, user

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        rows = list(self.queryset[item])
        reading = Reading(rows, self.user)
        for row in rows:
            row._rendered = render(row, reading)
        return rows


@router.get("/", response=list[NotificationOut], summary="My notifications, newest first")
@paged
def list_notifications(request, filters: Query[NotificationQuery]):
    return NotificationPage(
        filtered_list(
            request, NotificationFilter, Notification.objects.restrict(request.auth), filters
        ),
        request.auth,
    )


class PreferenceItem(Schema):
    kind: str = Field(description="A notification kind (see `kind` of a notification)")
    in_app: bool = Field(description="Shown in the app")
    by_email: bool = Field(description="Sent by e-mail (never naming the person)")


class PreferenceOut(PreferenceItem):
    label: str
    group: str


class PreferencesOut(Schema):
    preferences: list[PreferenceOut]


class PreferencesIn(Schema):
    preferences: list[PreferenceItem] = Field(
        description="The kinds to change; kinds left out keep their choice"
    )


def _preferences_out(groups) -> dict:
    return {
        "preferences": [
            {
                "kind": c.kind,
                "label": str(c.label),
                "group": title,
                "in_app": c.in_app,
                "by_email": c.by_email,
            }
            for title, choices in groups
            for c in choices
        ]
    }


@router.get(
    "/preferences",
    response=PreferencesOut,
    summary="How I am told of each kind of notification",
)
def get_preferences(request):
    return _preferences_out(notifications.preferences(request.auth))


@router.put(
    "/preferences",
    response=PreferencesOut,
    summary="Choose, per kind, in the app and/or by e-mail",
)
def put_preferences(request, payload: PreferencesIn):
    choices = {item.kind: (item.in_app, item.by_email) for item in payload.preferences}
    return _preferences_out(notifications.set_preferences(choices, acting_user=request.auth))


@router.post("/{int:notification_id}/read", response=NotificationOut, summary="Mark one as read")
def mark_read(request, notification_id: int):
    notification = scoped_or_404(Notification, request, pk=notification_id)
    notifications.mark_read([notification], acting_user=request.auth)
    notification.refresh_from_db(fields=["read_at"])
    notification._rendered = render(notification, Reading([notification], request.auth))
    return notification


@router.post("/read-all", response=dict, summary="Mark all my notifications as read")
def mark_all_read(request):
    return {"marked": notifications.mark_read(acting_user=request.auth)}
