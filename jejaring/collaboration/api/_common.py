"""What the collaboration API modules share: the acting organisation, and look-ups of
the ids and codes a request names, which answer 422 with the field (never a 500)
when something is unknown or out of the user's sight."""

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.core.files import CONTENT_TYPES
from jejaring.core.scoping import VIEW, get_scoped_or_404, scope_for
from jejaring.network.models import Organisation

from ..models import Forum


def acting_organisation(request) -> Organisation:
    """The organisation the caller acts for; an account without one cannot act."""
    scope = scope_for(request.auth)
    if scope is None or not scope.organisation_id:
        raise ValidationError(_("Your account belongs to no organisation."))
    return request.auth.organisation


def forum_for(request, forum_id: int, action: str = VIEW) -> Forum:
    return get_scoped_or_404(
        Forum.objects.select_related("region", "convened_by"), request.auth, action, pk=forum_id
    )


class Inputs:
    """Collects what a request names (organisations, regions, categories…); every
    unknown one becomes a message on its field, raised together by :meth:`check`."""

    def __init__(self, request):
        self.user = request.auth
        self.errors: dict[str, list[str]] = {}

    def refuse(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def organisation(self, pk: int | None, field: str) -> Organisation | None:
        if pk is None:
            return None
        found = Organisation.objects.restrict(self.user).filter(pk=pk).first()
        if found is None:
            self.refuse(field, _("Unknown organisation."))
        return found

    def organisations(self, ids: list[int], field: str) -> list[Organisation]:
        found = {o.pk: o for o in Organisation.objects.restrict(self.user).filter(pk__in=ids)}
        unknown = [str(pk) for pk in dict.fromkeys(ids) if pk not in found]
        if unknown:
            self.refuse(field, _("Unknown organisation: %(ids)s.") % {"ids": ", ".join(unknown)})
        return [found[pk] for pk in dict.fromkeys(ids) if pk in found]

    def scoped(self, model, pk: int | None, field: str, message: str):
        """An object of a scoped model the user may see, named in the body."""
        if pk is None:
            return None
        found = model.objects.restrict(self.user).filter(pk=pk).first()
        if found is None:
            self.refuse(field, message)
        return found

    def forum(self, pk: int | None, field: str = "forum") -> Forum | None:
        return self.scoped(Forum, pk, field, _("Unknown forum."))

    def region(self, code: str, field: str):
        from jejaring.regions.fields import region_by_code

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

    def categories(self, codes: list[str], field: str) -> list:
        from jejaring.reference.models import PmksCategory

        found = list(PmksCategory.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {c.code for c in found})
        if unknown:
            self.refuse(field, _("Unknown PMKS category: %(code)s.") % {"code": ", ".join(unknown)})
        return found

    def service_types(self, codes: list[str], field: str) -> list:
        from jejaring.cases.models import ServiceType

        found = list(ServiceType.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {s.code for s in found})
        if unknown:
            self.refuse(field, _("Unknown service type: %(code)s.") % {"code": ", ".join(unknown)})
        return found


def file_download(obj, stored_file, original_name: str, *, user, parent=None) -> FileResponse:
    """Serve a stored file to a user who may see it; the read is an audit row."""
    audit.record_read(obj, acting_user=user, parent=parent)
    extension = original_name.rsplit(".", 1)[-1].lower() if "." in original_name else ""
    return FileResponse(
        stored_file.open("rb"),
        as_attachment=True,
        filename=original_name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
