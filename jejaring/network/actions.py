"""Business operations on organisations: pages, API and the demo all call these.

Each runs in one transaction and writes its audit row inside it. Rules that must hold
whatever the entry point (no duplicate name in a region, a new organisation inside
the creator's jurisdiction) are checked here, not in a form.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.core import text as free_text
from jejaring.core.scoping import scope_for

from .models import Organisation, OrganisationContact, OrganisationStatus

M2M_FIELDS = ("service_area", "pmks_categories")


class OrganisationConflict(Exception):
    """Someone else saved the organisation since this user read it (optimistic locking)."""

    def __init__(self, current: Organisation):
        self.current = current
        super().__init__("organisation changed")


def _check_unique_name(name: str, home_region, exclude_pk=None) -> None:
    clash = Organisation.objects.filter(name__iexact=name.strip(), home_region=home_region)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": _("An organisation with this name already exists in %(region)s.")
                % {"region": home_region.name}
            }
        )


def _check_code_free(code: str, exclude_pk=None) -> None:
    clash = Organisation.objects.filter(code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"code": _("This code is already used by another organisation.")})


def may_create_in(user, home_region) -> bool:
    """Network admins anywhere; a social office's managers inside their region.

    ``user=None`` is the system itself (management commands such as ``jejaring demo``);
    pages and the API always pass the request's user, anonymous or not.
    """
    if user is None:
        return True
    scope = scope_for(user)
    if scope is None:
        return False
    if scope.is_network_admin:
        return True
    from jejaring.accounts.roles import ORGANISATION_MANAGERS

    return (
        scope.supervises_partners
        and scope.has_any_role(ORGANISATION_MANAGERS)
        and home_region is not None
        and (
            home_region.code == scope.jurisdiction_code
            or home_region.code.startswith(f"{scope.jurisdiction_code}.")
        )
    )


def may_register_organisations(user) -> bool:
    """Whether to offer registration at all (the region is checked on submit)."""
    from jejaring.accounts.roles import ORGANISATION_MANAGERS

    scope = scope_for(user)
    if scope is None:
        return False
    return scope.is_network_admin or (
        scope.supervises_partners and scope.has_any_role(ORGANISATION_MANAGERS)
    )


def _apply(org: Organisation, data: dict) -> dict:
    data.pop("version", None)  # kept by update_organisation, never taken from input
    m2m = {k: data.pop(k) for k in M2M_FIELDS if k in data}
    for field, value in data.items():
        setattr(org, field, value)
    return m2m


@transaction.atomic
def create_organisation(data: dict, *, acting_user) -> Organisation:
    data = free_text.clean_text_fields(dict(data), names=("name",), short=("address",))
    if not may_create_in(acting_user, data.get("home_region")):
        raise ValidationError(
            {"home_region": _("You may only register organisations inside your own region.")}
        )
    _check_code_free(data["code"])
    _check_unique_name(data["name"], data["home_region"])
    org = Organisation()
    m2m = _apply(org, data)
    org.full_clean(exclude=list(M2M_FIELDS))
    org.save()
    for field, values in m2m.items():
        getattr(org, field).set(values)
    audit.record_create(org, acting_user=acting_user)
    return org


@transaction.atomic
def update_organisation(
    org: Organisation, data: dict, *, acting_user, expected_version: int | None = None
) -> Organisation:
    """Save changes unless someone else saved first; then nothing is overwritten.

    ``expected_version`` is the version the editor read (pages and the API always send
    it); ``None`` is for one-field decisions such as verification, which read nothing.
    """
    data = free_text.clean_text_fields(dict(data), names=("name",), short=("address",))
    # The row lock makes the version check and the save one step, so of two edits sent
    # at once the second sees the first's version and is refused.
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if expected_version is not None and org.version != expected_version:
        raise OrganisationConflict(org)
    before = audit.snapshot(org)
    if "code" in data:
        _check_code_free(data["code"], exclude_pk=org.pk)
    name = data.get("name", org.name)
    home_region = data.get("home_region", org.home_region)
    _check_unique_name(name, home_region, exclude_pk=org.pk)
    if (
        "home_region" in data
        and data["home_region"] != org.home_region
        and not may_create_in(acting_user, data["home_region"])
    ):
        raise ValidationError(
            {"home_region": _("You may only move an organisation inside your own region.")}
        )
    if (
        "status" in data
        and data["status"] != org.status
        and not may_create_in(acting_user, org.home_region)
    ):
        # An organisation does not verify itself: its supervising social office does.
        raise ValidationError(
            {"status": _("Only the social office of the region can change the status.")}
        )
    m2m = _apply(org, data)
    org.version += 1
    org.full_clean(exclude=list(M2M_FIELDS))
    org.save()
    for field, values in m2m.items():
        getattr(org, field).set(values)
    audit.record_update(org, before, acting_user=acting_user)
    return org


@transaction.atomic
def verify_organisation(org: Organisation, *, acting_user) -> Organisation:
    return update_organisation(org, {"status": OrganisationStatus.ACTIVE}, acting_user=acting_user)


@transaction.atomic
def add_contact(org: Organisation, data: dict, *, acting_user) -> OrganisationContact:
    contact = OrganisationContact(organisation=org, **data)
    contact.full_clean()
    contact.save()
    audit.record_create(contact, acting_user=acting_user, parent=org)
    return contact


@transaction.atomic
def remove_contact(contact: OrganisationContact, *, acting_user) -> None:
    before = audit.snapshot(contact)
    org = contact.organisation
    audit.record_delete(contact, before, acting_user=acting_user, parent=org)
    contact.delete()
