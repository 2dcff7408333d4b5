"""What the collaboration API modules add to the shared toolkit (core.api_helpers):
the forum a path names, and forums named in a body."""

from django.utils.translation import gettext as _

from jejaring.core.api_helpers import Inputs as CoreInputs
from jejaring.core.api_helpers import acting_organisation
from jejaring.core.scoping import VIEW, get_scoped_or_404

from ..models import Forum

__all__ = ["Inputs", "acting_organisation", "forum_for"]


def forum_for(request, forum_id: int, action: str = VIEW) -> Forum:
    return get_scoped_or_404(
        Forum.objects.select_related("region", "convened_by"), request.auth, action, pk=forum_id
    )


class Inputs(CoreInputs):
    def forum(self, pk: int | None, field: str = "forum") -> Forum | None:
        return self.scoped(Forum, pk, field, _("Unknown forum."))
