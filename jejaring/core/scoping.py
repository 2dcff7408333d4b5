"""The one scoping layer: what a user may see and change.

Modelled on NetBox's ``RestrictedQuerySet.restrict(user, action)``: every list and every
lookup, in pages and API alike, goes through ``Model.objects.restrict(user, action)``.
Each scoped model names a ``scope_policy`` that turns a user's :class:`Scope` into a
queryset filter. An object outside the scope is simply absent from the queryset, so
lookups answer 404 — never 403 — and do not reveal that the object exists.

The base rules (domain.md §2, issue #2):
- network administrators reach everything;
- government offices with a regional jurisdiction reach their region's subtree;
- everyone else (partners, technical units) reaches their own organisation's records;
- later capabilities widen a policy, e.g. what a referral shares with its receiver.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Field, Prefetch, Q
from django.db.models.lookups import In
from django.http import Http404
from django.utils.translation import gettext as _

from jejaring.accounts.roles import Role

NOTHING = Q(pk__in=[])
EVERYTHING = Q()

VIEW = "view"
# The non-public parts of a record that is otherwise visible (e.g. contact persons).
VIEW_PRIVATE = "view_private"
# A person's identity (name, NIK, address…) where the record may be masked (issue #3).
VIEW_IDENTITY = "view_identity"
CHANGE = "change"
DELETE = "delete"


@dataclass(frozen=True)
class Scope:
    """The reach of one authenticated user, computed once per request."""

    user_id: int
    organisation_id: int | None
    roles: frozenset[str] = field(default_factory=frozenset)
    is_network_admin: bool = False
    # Kemendagri code of the region this user's office governs, if it governs one.
    jurisdiction_code: str | None = None
    # A social office (Dinas Sosial) also supervises the partners registered in its region.
    supervises_partners: bool = False

    def condition(self, model, action: str) -> Q:
        """``model``'s scope policy for this scope and ``action``, built once per process
        (:func:`_policy_condition`)."""
        return _policy_condition(self, model.scope_policy, action)

    def has_any_role(self, roles) -> bool:
        return bool(self.roles & set(roles))


@functools.lru_cache(maxsize=4096)
def _policy_condition(scope: Scope, policy: ScopePolicy, action: str) -> Q:
    """The policy's Q, memoised on the scope's values (not on the request): a page
    restricts the same models several times (the person, its cases, their services…), the
    same user asks again on every request, and a policy's Q holds subqueries that cost as
    much to build as to compile. A policy's Q depends on the scope alone (it reads no rows
    and no clock: the subqueries run in the SQL; tests/test_scoping_permissions.py holds
    it for every policy), and a scope that changes (a new role, another organisation) is
    another key (so is another policy object). Q objects are never changed by filtering:
    Django resolves copies."""
    if scope.is_network_admin:
        return policy.filter_for_admin(scope, action)
    return policy.filter(scope, action)


def scope_for(user) -> Scope | None:
    """The user's scope, or None for anonymous and disabled users (who reach nothing)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_jejaring_scope", None)
    if cached is not None:
        return cached
    roles = frozenset(user.role_codes())
    organisation = None
    if user.organisation_id is not None:
        relation = user._meta.get_field("organisation")
        if relation.is_cached(user) and relation.related_model._meta.get_field("type").is_cached(
            user.organisation
        ):
            # The session's and the token's user come with them (accounts.backends).
            organisation = user.organisation
        else:
            # One query for the organisation and its type; cached on the user below.
            organisation = relation.related_model.objects.select_related("type").get(
                pk=user.organisation_id
            )
            user.organisation = organisation
    jurisdiction = None
    supervises = False
    if organisation is not None and organisation.type.regional_jurisdiction:
        jurisdiction = organisation.home_region_id
        supervises = organisation.type.is_social_office
    scope = Scope(
        user_id=user.pk,
        organisation_id=user.organisation_id,
        roles=roles,
        is_network_admin=user.is_superuser or Role.NETWORK_ADMIN in roles,
        jurisdiction_code=jurisdiction,
        supervises_partners=supervises,
    )
    user._jejaring_scope = scope
    return scope


def region_subtree(field_path: str, code: str) -> Q:
    """Rows whose region (at ``field_path``) is ``code`` or lies inside it.

    Kemendagri codes are dot-separated and fixed-width per level, so the subtree of
    ``14.71`` is ``14.71`` itself and every code starting with ``14.71.``.
    """
    return Q(**{field_path: code}) | Q(**{f"{field_path}__startswith": f"{code}."})


def prefixed(condition: Q, prefix: str) -> Q:
    """The same condition seen from a related model: prefixed(Q(region=…), 'person__')
    is Q(person__region=…). Lets a policy reuse another model's rules."""
    clone = Q()
    clone.connector, clone.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            clone.children.append(prefixed(child, prefix))
        else:
            key, value = child
            clone.children.append((f"{prefix}{key}", value))
    return clone


class InSubquery(In):
    """``Q(pk__in_subquery=queryset)``: ``pk__in`` for the small id sets a policy ORs
    into a big table's filter ("people with a case at my organisation").

    PostgreSQL plans ``id IN (subquery)`` inside an OR as a hashed subplan: it cannot use
    an index, and is guessed to keep half of the rows. A partner seeing twenty of a
    million people then waited two seconds while a list walked the whole name index.
    ``id = ANY(ARRAY(subquery))`` runs the subquery once, first, and the OR becomes a
    bitmap of index scans. Other databases get the plain ``IN``.
    """

    lookup_name = "in_subquery"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", (*lhs_params, *rhs_params)


Field.register_lookup(InSubquery)


class ScopePolicy:
    """Turns a scope into a filter for one model. Subclasses override :meth:`filter`."""

    def filter(self, scope: Scope, action: str) -> Q:
        raise NotImplementedError(f"{type(self).__name__} must say what a scope reaches")

    def filter_for_admin(self, scope: Scope, action: str) -> Q:
        """Network administrators reach everything, unless a policy says otherwise
        (sensitive identities are for the organisations handling the person only)."""
        return EVERYTHING


class AdminOnlyPolicy(ScopePolicy):
    """Records only network administrators reach (e.g. the audit log)."""

    def filter(self, scope: Scope, action: str) -> Q:
        return NOTHING


class _AnsweringIterable(models.query.ModelIterable):
    """Rows that keep what ``with_permissions`` asked about them, for :func:`can`."""

    def __iter__(self):
        user_pk, asked = self.queryset._permissions_asked
        for obj in super().__iter__():
            for path, action in asked:
                target = obj
                for step in filter(None, path.split("__")):
                    target = getattr(target, step)
                answers = target.__dict__.setdefault("_jejaring_may", {})
                answers[(user_pk, action)] = bool(getattr(obj, _permission_column(path, action)))
            yield obj


class RestrictedQuerySet(models.QuerySet):
    _permissions_asked = None

    def _clone(self):
        clone = super()._clone()
        clone._permissions_asked = self._permissions_asked
        return clone

    def with_permissions(self, user, *may) -> RestrictedQuerySet:
        """The rows with what ``user`` may do with each, in the same query.

        ``may`` names actions (``CHANGE``) or ``(path, action)`` for a related object the
        page shows through ``select_related`` (``("person", VIEW_IDENTITY)``). Each answer
        is a column computed from the same policy as :meth:`restrict`, kept on its row;
        :func:`can` and the person presenters read it instead of asking again."""
        asked = [(("", wanted) if isinstance(wanted, str) else tuple(wanted)) for wanted in may]
        if not asked:
            return self
        clone = self.annotate(
            **{
                _permission_column(path, wanted): permitted(user, self.model, wanted, path)
                for path, wanted in asked
            }
        )
        previous = clone._permissions_asked[1] if clone._permissions_asked else []
        clone._permissions_asked = (getattr(user, "pk", None), [*previous, *asked])
        clone._iterable_class = _AnsweringIterable
        return clone

    def restrict(self, user, action: str = VIEW) -> RestrictedQuerySet:
        scope = scope_for(user)
        if scope is None:
            return self.none()
        condition = scope.condition(self.model, action)
        if scope.is_network_admin and condition == EVERYTHING:
            return self
        return self.filter(condition)


def get_scoped_or_404(queryset, user, action: str = VIEW, *, may=(), **lookup):
    """Fetch one object through the scope.

    Out of the user's sight and missing look the same: 404. An object the user can
    see but not change or delete answers 403, since its existence is no secret; its
    private parts (VIEW_PRIVATE) stay 404, as if they did not exist.

    ``may``: what else the page asks about the object, answered in the same query
    (:meth:`RestrictedQuerySet.with_permissions`).
    """
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset.objects.all()
    try:
        return queryset.restrict(user, action).with_permissions(user, *may).get(**lookup)
    except queryset.model.DoesNotExist:
        pass
    except (ValueError, TypeError, ValidationError) as exc:  # malformed id in the URL
        raise Http404 from exc
    if action in (CHANGE, DELETE) and queryset.restrict(user, VIEW).filter(**lookup).exists():
        raise PermissionDenied(_("You may not change this record."))
    if action == VIEW_IDENTITY and queryset.restrict(user, VIEW).filter(**lookup).exists():
        raise PermissionDenied(
            _("This record is protected: only the organisations handling the person may do this.")
        )
    raise Http404


def _permission_column(path: str, action: str) -> str:
    return f"_may_{path}_{action}" if path else f"_may_{action}"


def permitted(user, model, action: str, path: str = "") -> models.Expression:
    """A boolean column: may ``user`` do ``action`` on the row (or on its related object
    at ``path``, a ``select_related`` path from ``model``)? The policy's own condition,
    as in :meth:`RestrictedQuerySet.restrict`, in the SELECT instead of the WHERE."""
    scope = scope_for(user)
    target = model
    for step in filter(None, path.split("__")):
        target = target._meta.get_field(step).related_model
    if scope is None:
        return models.Value(False)
    condition = scope.condition(target, action)
    if condition == EVERYTHING:
        return models.Value(True)
    if path:
        condition = prefixed(condition, f"{path}__")
    return models.ExpressionWrapper(condition, output_field=models.BooleanField())


def known_permission(user, action: str, obj: models.Model) -> bool | None:
    """What the fetch of ``obj`` answered for ``user`` and ``action``, or None."""
    return obj.__dict__.get("_jejaring_may", {}).get((getattr(user, "pk", None), action))


def can(user, action: str, obj: models.Model) -> bool:
    """Object check for templates and actions: may ``user`` do ``action`` on ``obj``?
    Answered from the fetch when it asked (``with_permissions``)."""
    known = known_permission(user, action, obj)
    if known is not None:
        return known
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


class RestrictedPrefetch(Prefetch):
    """A prefetch whose children are scoped like their parents (after NetBox's
    ``RestrictedPrefetch``): ``RestrictedPrefetch("documents", user, AgreementDocument)``
    fetches only the documents ``user`` may see, so an API that nests them cannot show
    more than the page does. ``queryset`` is the children's model or a queryset of it
    (to add select_related); the model must be scoped (have a ``scope_policy``)."""

    def __init__(self, lookup, user, queryset, *, action: str = VIEW, to_attr=None):
        if isinstance(queryset, type) and issubclass(queryset, models.Model):
            queryset = queryset.objects.all()
        self.restrict_user, self.restrict_action = user, action
        super().__init__(lookup, queryset=queryset, to_attr=to_attr)

    def get_current_querysets(self, level):
        querysets = super().get_current_querysets(level)
        if not querysets:
            return querysets
        return [querysets[0].restrict(self.restrict_user, self.restrict_action)]
