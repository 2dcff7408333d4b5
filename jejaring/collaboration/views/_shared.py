"""What the collaboration pages share: the organisation the signed-in user acts for."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jejaring.core.scoping import scope_for


def user_organisation(request):
    """The organisation the signed-in user acts for (None for a user without one)."""
    scope = scope_for(request.user)
    return request.user.organisation if scope and scope.organisation_id else None


def own_organisation(request):
    """The organisation the user acts for; a page that acts for one refuses without it."""
    organisation = user_organisation(request)
    if organisation is None:
        raise PermissionDenied(_("Your account belongs to no organisation."))
    return organisation
