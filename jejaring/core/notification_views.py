"""The user's notifications: list, open (marks read and follows the link), mark all,
and the choice of how to hear of each kind."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import Notification
from .notification_filters import NotificationFilter
from .notifications import mark_read, preferences, render_many, set_preferences
from .pages import form_page, listing
from .scoping import get_scoped_or_404

PAGE_SIZE = 30


@login_required
def notification_list(request):
    context = listing(
        request, Notification.objects.restrict(request.user), NotificationFilter, per_page=PAGE_SIZE
    )
    # Each person named as this reader may see them, for the whole page at once.
    context["rows"] = render_many(context["page_obj"].object_list, request.user)
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


class PreferencesForm(forms.Form):
    """Two boxes per kind: ``<kind>-in_app`` and ``<kind>-by_email``."""

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for title, choices in groups:
            rows = []
            for choice in choices:
                for part, initial in (("in_app", choice.in_app), ("by_email", choice.by_email)):
                    self.fields[f"{choice.kind}-{part}"] = forms.BooleanField(
                        required=False, initial=initial, label=choice.label
                    )
                rows.append(
                    (choice, self[f"{choice.kind}-in_app"], self[f"{choice.kind}-by_email"])
                )
            self.groups.append((title, rows))

    def choices(self) -> dict:
        data = self.cleaned_data
        kinds = {name.rsplit("-", 1)[0] for name in self.fields}
        return {k: (data[f"{k}-in_app"], data[f"{k}-by_email"]) for k in kinds}


@login_required
def notification_preferences(request):
    form = PreferencesForm(preferences(request.user), request.POST or None)
    return form_page(
        request,
        form,
        "core/notifications_preferences.html",
        lambda data: set_preferences(form.choices(), acting_user=request.user),
        success=_("Your notification choices are saved."),
        then=lambda result: "core:notification_preferences",
    )
