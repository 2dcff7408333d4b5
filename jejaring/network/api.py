from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jejaring.core.api_helpers import Inputs, filtered_list, paged, scoped_or_404
from jejaring.core.schema_types import ShortText
from jejaring.core.scoping import CHANGE, VIEW_PRIVATE

from . import actions
from .filters import OrganisationFilter
from .models import (
    Organisation,
    OrganisationContact,
    OrganisationLevel,
    OrganisationStatus,
    Sector,
)

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    type: str = Field(..., alias="type.code")
    type_name: str = Field(..., alias="type.name")
    sector: Sector
    level: OrganisationLevel
    home_region: str = Field(..., alias="home_region_id")
    home_region_name: str = Field(..., alias="home_region.name")
    service_area: list[str]
    pmks_categories: list[str]
    beds: int
    certified_social_workers: int
    uncertified_social_workers: int
    volunteers: int
    address: str
    phone: str
    email: str
    website: str
    status: OrganisationStatus
    version: int

    @staticmethod
    def resolve_service_area(obj):
        return [r.code for r in obj.service_area.all()]

    @staticmethod
    def resolve_pmks_categories(obj):
        return [c.code for c in obj.pmks_categories.all()]


class OrganisationIn(Schema):
    code: str = Field(..., min_length=2, max_length=60, pattern=r"^[-a-z0-9_]+$")
    name: str = Field(..., min_length=3, max_length=200)
    type: str = Field(..., description="Organisation type code")
    sector: Sector
    level: OrganisationLevel
    home_region: str = Field(..., description="Kemendagri code, e.g. 14.71")
    service_area: list[str] = []
    pmks_categories: list[str] = []
    beds: int = Field(0, ge=0)
    certified_social_workers: int = Field(0, ge=0)
    uncertified_social_workers: int = Field(0, ge=0)
    volunteers: int = Field(0, ge=0)
    address: ShortText = ""
    phone: str = Field("", max_length=40)
    email: str | None = Field(None, max_length=254)
    website: str = ""


class OrganisationPatch(Schema):
    # Checked after the scope (an organisation out of reach stays a 404) and required
    # there: an edit without the version read could overwrite a colleague's change.
    version: int | None = Field(None, description="The version read; a newer one answers 409")
    name: str | None = Field(None, min_length=3, max_length=200)
    type: str | None = None
    sector: Sector | None = None
    level: OrganisationLevel | None = None
    home_region: str | None = None
    service_area: list[str] | None = None
    pmks_categories: list[str] | None = None
    beds: int | None = Field(None, ge=0)
    certified_social_workers: int | None = Field(None, ge=0)
    uncertified_social_workers: int | None = Field(None, ge=0)
    volunteers: int | None = Field(None, ge=0)
    address: ShortText | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    website: str | None = None
    status: OrganisationStatus | None = None


class OrganisationQuery(Schema):
    q: str | None = None
    type: str | None = None
    sector: Sector | None = None
    level: OrganisationLevel | None = None
    status: OrganisationStatus | None = None
    region: str | None = Field(None, description="Region code: based in it or serving it")
    category: str | None = Field(None, description="PMKS category code")


class ContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str
    is_primary: bool


class ContactIn(Schema):
    name: str = Field(..., min_length=2, max_length=150)
    position: str = Field("", max_length=150)
    phone: str = Field("", max_length=40)
    email: str | None = Field(None, max_length=254)
    is_primary: bool = False


# The codes a payload may name, each turned into the record(s) it names by Inputs (the
# same look-ups and wording as every other API); unknown ones are a 422 on their field.
LOOKUPS = {
    "type": Inputs.organisation_type,
    "home_region": Inputs.region,
    "service_area": Inputs.regions,
    "pmks_categories": Inputs.categories,
}


def _resolve(request, payload: dict) -> dict:
    """The payload with the records its codes name, or a 422 for each unknown code."""
    data, inputs = dict(payload), Inputs(request)
    if "email" in data and data["email"] is None:
        data["email"] = ""
    for field, look_up in LOOKUPS.items():
        if data.get(field) is not None:
            data[field] = look_up(inputs, data[field], field)
    inputs.check()
    return data


def _listing():
    return Organisation.objects.select_related("type", "home_region").prefetch_related(
        "service_area", "pmks_categories"
    )


@router.get("", response=list[OrganisationOut], summary="The network directory")
@paged
def list_organisations(request, filters: Query[OrganisationQuery]):
    return filtered_list(request, OrganisationFilter, _listing().restrict(request.auth), filters)


@router.get("/{int:org_id}", response=OrganisationOut)
def get_organisation(request, org_id: int):
    return scoped_or_404(_listing(), request, pk=org_id)


@router.post("", response={201: OrganisationOut}, summary="Register an organisation")
def create_organisation(request, payload: OrganisationIn):
    org = actions.create_organisation(_resolve(request, payload.dict()), acting_user=request.auth)
    return Status(201, _listing().get(pk=org.pk))


@router.patch(
    "/{int:org_id}",
    response={200: OrganisationOut, 409: dict[str, Any]},
    summary="Change an organisation (optimistic locking: send the version read)",
)
def update_organisation(request, org_id: int, payload: OrganisationPatch):
    org = scoped_or_404(Organisation, request, CHANGE, pk=org_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if version is None:
        raise ValidationError(
            {
                "version": _(
                    "Send the version of the organisation you read (the “version” field), "
                    "so that your change cannot overwrite someone else's."
                )
            }
        )
    try:
        actions.update_organisation(
            org, _resolve(request, data), acting_user=request.auth, expected_version=version
        )
    except actions.OrganisationConflict as exc:
        return Status(409, conflict_body(exc.current.version))
    return _listing().get(pk=org.pk)


def conflict_body(current_version: int) -> dict[str, Any]:
    return {
        "detail": _(
            "Someone else saved this organisation first; nothing was overwritten. "
            "Read it again and re-apply your change."
        ),
        "current_version": current_version,
    }


@router.get("/{int:org_id}/contacts", response=list[ContactOut], summary="Contact persons")
def list_contacts(request, org_id: int):
    # Contact persons are personal data: the organisation's own staff and the offices
    # governing its region see them; for anyone else the list does not exist (404).
    org = scoped_or_404(Organisation, request, VIEW_PRIVATE, pk=org_id)
    return list(OrganisationContact.objects.restrict(request.auth).filter(organisation=org))


@router.post("/{int:org_id}/contacts", response={201: ContactOut}, summary="Add a contact")
def add_contact(request, org_id: int, payload: ContactIn):
    org = scoped_or_404(Organisation, request, CHANGE, pk=org_id)
    data = payload.dict()
    data["email"] = data["email"] or ""
    return Status(201, actions.add_contact(org, data, acting_user=request.auth))
