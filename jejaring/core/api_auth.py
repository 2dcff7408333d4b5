"""API authentication: a personal Bearer token, or the browser session with CSRF."""

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from jejaring.accounts.backends import USER_WITH_ORGANISATION, keep_role_codes, role_codes_of
from jejaring.accounts.models import TOKEN_PREFIX, ApiToken, hash_token


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token.startswith(TOKEN_PREFIX):
            raise HttpError(401, _("This token is not valid."))
        # get(), not first(): the hash is unique, and first()'s ORDER BY was an eighth
        # of this lookup's cost on every API call.
        try:
            found = (
                ApiToken.objects.select_related(*(f"user__{p}" for p in USER_WITH_ORGANISATION))
                .annotate(joined_role_codes=role_codes_of("user_id"))
                .get(key_hash=hash_token(token))
            )
        except ApiToken.DoesNotExist:
            found = None
        # A disabled user's tokens are revoked too; saying "disabled" tells why.
        if found is not None and not found.user.is_active:
            raise HttpError(401, _("This token belongs to a disabled user."))
        if found is None or found.revoked_at is not None:
            raise HttpError(401, _("This token is not valid or has been revoked."))
        found.mark_used()
        keep_role_codes(found.user, found.joined_role_codes)
        request.user = found.user
        return found.user


class SessionUserAuth(SessionAuth):
    """Django's session; ninja checks CSRF for unsafe methods before calling this."""

    def authenticate(self, request, key):
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


def authenticated():
    return [BearerTokenAuth(), SessionUserAuth()]
