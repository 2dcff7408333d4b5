"""What every API module shares (django-ninja): the acting organisation, look-ups of
the objects a request names, and filtered lists.

Two kinds of "not found", each said one way everywhere:
- an object in the **path** (``/cases/12``) goes through the scope: missing and out of
  sight are the same 404 (:func:`scoped_or_404`);
- an object named in the **body or query** (``{"organisation": 7}``) is checked by
  :class:`Inputs`: an unknown one, or one out of sight, is a 422 message on its field
  — the same words for both, so an answer never tells whether a hidden id exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import model_serializer

from . import paging
from .filtering import filtered
from .paging import COUNT_LIMIT, bounded_count
from .scoping import VIEW, get_scoped_or_404, scope_for


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """?limit=&offset=, answering {"items", "count"}; the count stops at COUNT_LIMIT
    (core.paging), and past it the answer adds ``"count_capped": true``."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description=f"How many match, counted up to {COUNT_LIMIT:,}")
        count_capped: bool = Field(
            False,
            description=f"Present (true) only when more than {COUNT_LIMIT:,} match: "
            "``count`` is then the limit, and later pages are still served",
        )

        @model_serializer(mode="wrap")
        def _capped_only_when_true(self, handler):
            data = handler(self)
            if not data.get("count_capped"):
                data.pop("count_capped", None)
            return data

    def paginate_queryset(self, queryset, pagination, request, **params):
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        counted_slice = getattr(queryset, "counted_slice", None)
        if counted_slice is not None:  # the page and its count in one match (paging.LateJoined)
            items, counted = counted_slice(offset, offset + limit, paging.COUNT_LIMIT)
        else:
            items, counted = list(queryset[offset : offset + limit]), None
        if counted is None and len(items) < limit and (items or not offset):
            # A short page is the last one: the count is known without counting (a
            # search's match runs once, not twice).
            counted = offset + len(items)
        if counted is None:
            counted = bounded_count(queryset, paging.COUNT_LIMIT)
        return {
            "items": items,
            "count": min(counted, paging.COUNT_LIMIT),
            "count_capped": counted > paging.COUNT_LIMIT,
        }


# Every API list pages the same way.
paged = paginate(BoundedLimitOffsetPagination)


def acting_organisation(request):
    """The organisation the caller acts for; an account without one cannot act."""
    scope = scope_for(request.auth)
    if scope is None or not scope.organisation_id:
        raise ValidationError(_("Your account belongs to no organisation."))
    return request.auth.organisation


def scoped_or_404(queryset, request, action: str = VIEW, *, may=(), **lookup):
    """The object a path names, through the caller's scope (404 when out of sight);
    ``may`` as for :func:`get_scoped_or_404`."""
    return get_scoped_or_404(queryset, request.auth, action, may=may, **lookup)


def filtered_list(request, filterset_class, queryset, filters=None):
    """A list through the same FilterSet the page uses. ``filters`` is the ninja Query
    schema (its unset fields are left out); a bad value answers 422 on its field."""
    data = filters.dict(exclude_none=True) if filters is not None else request.GET
    return filtered(filterset_class, data, queryset, request=request)


class PeoplePage:
    """An API list of rows about people (cases, referrals, distributions…), paginated like
    a queryset. For the rows of the page shown it works out in one query whose identity
    the caller may see, so the schemas' ``identity_visible`` checks cost nothing per row;
    with an ``audit_message`` the page is one audit row naming the people it lists.
    ``person_of(row)`` is the person's id (``row.person_id`` unless said otherwise)."""

    def __init__(self, queryset, request, *, person_of=None, audit_message: str = ""):
        self.queryset, self.request, self.audit_message = queryset, request, audit_message
        self.person_of = person_of or (lambda row: row.person_id)

    def count(self):
        return self.queryset.count()

    def bounded_count(self, limit: int) -> int:
        return bounded_count(self.queryset, limit)

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        from jejaring.audit import log as audit
        from jejaring.registry.presenters import remember_identities

        rows = list(self.queryset[item])
        people = sorted({self.person_of(row) for row in rows})
        user = self.request.auth
        shown = remember_identities(user, people)
        if self.audit_message:
            audit.record_bulk_read(
                "registry.person",
                people,
                acting_user=user,
                masked_ids=[pk for pk in people if pk not in shown],
                message=self.audit_message,
            )
        return rows


class Inputs:
    """Collects what a request names (organisations, users, regions, categories…);
    every unknown one becomes a message on its field, raised together by :meth:`check`.

    Scoped objects are looked up through ``restrict``: one the caller may not see is
    "unknown", exactly like one that does not exist.
    """

    def __init__(self, request):
        # A public route (``auth=None``) has no ``auth``: only unscoped inputs there.
        self.user = getattr(request, "auth", None)
        self.errors: dict[str, list[str]] = {}

    def refuse(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def scoped(self, model_or_queryset, pk: int | None, field: str, message: str, action=VIEW):
        """An object of a scoped model the user may see (or act on), named in the body."""
        if pk is None:
            return None
        queryset = getattr(model_or_queryset, "objects", model_or_queryset)
        found = queryset.restrict(self.user, action).filter(pk=pk).first()
        if found is None:
            self.refuse(field, message)
        return found

    def organisation(self, pk: int | None, field: str = "organisation"):
        from jejaring.network.models import Organisation

        return self.scoped(Organisation, pk, field, _("Unknown organisation."))

    def organisations(self, ids: list[int], field: str) -> list:
        from jejaring.network.models import Organisation

        found = {o.pk: o for o in Organisation.objects.restrict(self.user).filter(pk__in=ids)}
        unknown = [str(pk) for pk in dict.fromkeys(ids) if pk not in found]
        if unknown:
            self.refuse(field, _("Unknown organisation: %(ids)s.") % {"ids": ", ".join(unknown)})
        return [found[pk] for pk in dict.fromkeys(ids) if pk in found]

    def colleague(self, pk: int | None, field: str, *, organisation_id: int | None = None):
        """An active user of one organisation: the caller's own unless another is named
        (a network administrator assigning in the case's organisation). Any other id —
        unknown, disabled, or in another organisation — is "Unknown user.", so the
        answer does not reveal which user ids exist elsewhere."""
        from jejaring.accounts.models import User

        if pk is None:
            return None
        if organisation_id is None:
            scope = scope_for(self.user)
            organisation_id = scope.organisation_id if scope is not None else None
        found = None
        if organisation_id:
            found = User.objects.filter(
                pk=pk, is_active=True, organisation_id=organisation_id
            ).first()
        if found is None:
            self.refuse(field, _("Unknown user."))
        return found

    def region(self, code: str | None, field: str):
        from jejaring.regions.fields import region_by_code

        if code is None:
            return None
        try:
            return region_by_code(code)
        except ValidationError as exc:
            for message in exc.messages:
                self.refuse(field, message)
            return None

    def regions(self, codes: list[str], field: str) -> list:
        from jejaring.regions.fields import normalise_code
        from jejaring.regions.models import Region

        wanted = {normalise_code(c): c for c in codes}
        found = list(Region.objects.filter(code__in=wanted))
        unknown = [wanted[c] for c in wanted if c not in {r.code for r in found}]
        if unknown:
            self.refuse(field, _("Unknown region code: %(code)s.") % {"code": ", ".join(unknown)})
        return found

    def _by_codes(self, queryset, codes: list[str], field: str, message: str) -> list:
        found = list(queryset.filter(code__in=codes))
        unknown = sorted(set(codes) - {item.code for item in found})
        if unknown:
            self.refuse(field, message % {"code": ", ".join(unknown)})
        return found

    def _by_code(self, queryset, code: str | None, field: str, message: str):
        if code is None:
            return None
        found = self._by_codes(queryset, [code], field, message)
        return found[0] if found else None

    def categories(self, codes: list[str], field: str) -> list:
        from jejaring.reference.models import PmksCategory

        return self._by_codes(
            PmksCategory.objects.all(), codes, field, _("Unknown PMKS category: %(code)s.")
        )

    def category(self, code: str | None, field: str):
        from jejaring.reference.models import PmksCategory

        return self._by_code(
            PmksCategory.objects.all(), code, field, _("Unknown PMKS category: %(code)s.")
        )

    def service_types(self, codes: list[str], field: str) -> list:
        from jejaring.cases.models import ServiceType

        return self._by_codes(
            ServiceType.objects.all(), codes, field, _("Unknown service type: %(code)s.")
        )

    def organisation_type(self, code: str | None, field: str = "type"):
        from jejaring.network.models import OrganisationType

        return self._by_code(
            OrganisationType.objects.active(),
            code,
            field,
            _("Unknown organisation type: %(code)s."),
        )
