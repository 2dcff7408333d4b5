"""The signed-in user, loaded in one query with what every request asks of it.

The scoping layer (core.scoping.scope_for) reads the user's roles and organisation, with
the organisation's type, on every signed-in request. Loaded apart they are two more
queries per page and API call, ~1.5 ms of a sync worker's time each request; here they
come with the user (the session's, in the backend below, and a token's, in
core.api_auth)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Aggregate, CharField, OuterRef, Subquery

USER_WITH_ORGANISATION = ("organisation__type",)


class CommaJoined(Aggregate):
    """The group's values joined with commas (role codes are identifiers: no commas)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def role_codes_of(user_field: str) -> Subquery:
    """The role codes of the user at ``user_field``, comma-joined ("" or NULL: none)."""
    from .models import UserRole

    return Subquery(
        UserRole.objects.filter(user_id=OuterRef(user_field))
        .values("user_id")
        .annotate(codes=CommaJoined("role"))
        .values("codes")[:1]
    )


def keep_role_codes(user, codes: str | None) -> None:
    """What User.role_codes() answers, from the joined codes loaded with the user."""
    user._role_codes = sorted(codes.split(",")) if codes else []


def signed_in_users():
    return (
        get_user_model()
        ._default_manager.select_related(*USER_WITH_ORGANISATION)
        .annotate(joined_role_codes=role_codes_of("pk"))
    )


class ModelBackendWithOrganisation(ModelBackend):
    """Django's ModelBackend; the user of a session comes with its organisation and
    roles.

    Django's own ModelBackend stays listed after this one (settings.py) only for the
    sessions made before this backend existed: a session names the backend that signed it
    in, and one no longer listed would sign every user out at the upgrade. So that a wrong
    password is not checked (hashed) a second time by that backend, a failed attempt here
    ends the authentication (PermissionDenied: Django then signals the failure, which
    django-axes counts, exactly once)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            # get(), as Django's own backend: by primary key there is no order to ask for.
            user = signed_in_users().get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        keep_role_codes(user, user.joined_role_codes)
        return user
