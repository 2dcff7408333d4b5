"""What the collaboration pages share: thin views run an action and say how it went."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from jejaring.core.scoping import scope_for


def report_errors(request, exc: ValidationError) -> None:
    """An action refused: show its reasons, in the user's language, as a message."""
    messages.error(request, " ".join(exc.messages))


def user_organisation(request):
    """The organisation the signed-in user acts for (None for a user without one)."""
    scope = scope_for(request.user)
    return request.user.organisation if scope and scope.organisation_id else None
