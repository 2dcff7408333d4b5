from django.urls import path

from . import notification_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("notifikasi/", notification_views.notification_list, name="notifications"),
    path(
        "notifikasi/<int:notification_id>/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path("notifikasi/baca/", notification_views.notification_read_all, name="notifications_read"),
    path(
        "notifikasi/pengaturan/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
]
