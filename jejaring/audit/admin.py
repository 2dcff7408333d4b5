import json

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .presenters import hidden, present_entries, present_entry


class _PresentedChangeList(ChangeList):
    """The list's page, masked for the reader in one go (no query per row)."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        for entry, view in zip(
            self.result_list, present_entries(self.result_list, request.user), strict=True
        ):
            entry._presented = view


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only. Shows rows through the audit presenter, so a
    protected person's identity is masked here as on the audit page and in the API."""

    list_display = (
        "timestamp",
        "actor_name",
        "action",
        "object_type",
        "shown_object",
        "ip_address",
    )
    list_filter = ("action", "object_type")
    # Not the object's representation: searching it would confirm a name one may not see.
    search_fields = ("actor_name", "object_id", "request_id")
    fields = (
        "timestamp",
        "actor_name",
        "actor_organisation",
        "request_id",
        "ip_address",
        "action",
        "object_type",
        "object_id",
        "shown_object",
        "shown_parent",
        "shown_before",
        "shown_after",
        "shown_message",
    )
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):
        return _PresentedChangeList

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        if entry is not None:
            entry._presented = present_entry(entry, request.user)
        return entry

    @staticmethod
    def _view(entry):
        # Without a presentation (a code path that skipped it), show nothing rather
        # than the stored row.
        return getattr(entry, "_presented", None)

    @admin.display(description=_("object"))
    def shown_object(self, entry):
        view = self._view(entry)
        return view.object_repr if view is not None else hidden()

    @admin.display(description=_("parent object"))
    def shown_parent(self, entry):
        view = self._view(entry)
        if view is None:
            return hidden()
        return f"{view.parent_type} #{view.parent_id}" if view.parent_id else "—"

    @admin.display(description=_("note"))
    def shown_message(self, entry):
        view = self._view(entry)
        return view.message if view is not None else hidden()

    @admin.display(description=_("before"))
    def shown_before(self, entry):
        return self._json(entry, "before")

    @admin.display(description=_("after"))
    def shown_after(self, entry):
        return self._json(entry, "after")

    def _json(self, entry, side: str):
        view = self._view(entry)
        if view is None:
            return hidden()
        value = getattr(view, side)
        if value is None:
            return "—"
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
