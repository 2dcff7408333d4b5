import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jejaring.core.api_helpers import (
    Inputs,
    acting_organisation,
    filtered_list,
    paged,
    scoped_or_404,
)
from jejaring.core.files import serve_file
from jejaring.core.paging import LateJoined, bounded_count
from jejaring.core.schema_types import Name, ShortText
from jejaring.core.scoping import CHANGE, VIEW_IDENTITY
from jejaring.reference.models import PmksCategory

from . import actions
from .filters import PersonFilter
from .models import (
    BirthDatePrecision,
    LifeStatus,
    Person,
    PersonMerge,
    Sex,
    VerificationStatus,
)
from .presenters import audit_shown, categories_prefetch, present, present_many

router = Router(tags=["registry"])


class PersonQuery(Schema):
    q: str | None = Field(
        None,
        description="Name (spelling variants folded), or a prefix of the NIK, the unverified "
        "NIK or the KK number",
    )
    region: str | None = Field(None, description="Region code: people living inside it")
    rt: str | None = Field(None, max_length=10, description="RT ('3' or '003')")
    rw: str | None = Field(None, max_length=10, description="RW ('5' or '005')")
    living: LifeStatus | None = Field(None, description="'present', 'moved' or 'deceased'")
    entered_by: str | None = Field(None, description="'village': registered by village offices")
    category: str | None = Field(None, description="PMKS category code")
    has_nik: bool | None = None
    nik_status: str | None = Field(
        None, description="'verified', 'unverified' (kept with a reason) or 'none'"
    )
    case_state: str | None = Field(None, description="'open', 'none' or 'closed'")


class PersonIn(Schema):
    full_name: Name = Field(..., min_length=2, max_length=200)
    nik: str = Field("", max_length=30)
    nik_unverified_reason: ShortText = Field(
        "",
        max_length=150,
        description="Why a NIK that fails a rule is kept (e.g. 'KTP rusak'): it is then "
        "stored as an unverified NIK instead of refused",
    )
    kk_number: str = Field("", max_length=30)
    sex: Sex
    birth_date: datetime.date | None = None
    birth_date_precision: BirthDatePrecision = BirthDatePrecision.EXACT
    birthplace: str = Field("", max_length=120)
    region: str | None = Field(None, description="Village code of residence")
    rt: str = Field("", max_length=10, description="RT (1-999; '3', '03', 'RT 3' → '003')")
    rw: str = Field("", max_length=10, description="RW, as RT")
    address: ShortText = ""
    mother_name: str = Field("", max_length=200)
    father_name: str = Field("", max_length=200)
    guardian_name: str = Field("", max_length=200)
    disability: ShortText = ""
    phone: str = Field("", max_length=40)
    categories: list[str] = []
    aliases: list[str] = []
    confirmed_new: bool = Field(
        False, description="Register even though likely duplicates were reported (409)"
    )


class PersonPatch(Schema):
    version: int = Field(..., description="The version read; a newer one answers 409")
    full_name: Name | None = Field(None, min_length=2, max_length=200)
    nik: str | None = Field(None, max_length=30)
    nik_unverified_reason: ShortText | None = Field(
        None, max_length=150, description="As on create: keep a failing NIK as unverified"
    )
    kk_number: str | None = Field(None, max_length=30)
    sex: Sex | None = None
    birth_date: datetime.date | None = None
    birth_date_precision: BirthDatePrecision | None = None
    birthplace: str | None = None
    region: str | None = None
    rt: str | None = Field(None, max_length=10)
    rw: str | None = Field(None, max_length=10)
    address: ShortText | None = None
    mother_name: str | None = None
    father_name: str | None = None
    guardian_name: str | None = None
    disability: ShortText | None = None
    phone: str | None = None


class NikVerifyIn(Schema):
    version: int = Field(..., description="The version read; a newer one answers 409")


class NikReplaceIn(Schema):
    version: int = Field(..., description="The version read; a newer one answers 409")
    nik: str = Field(..., max_length=30, description="The correct NIK, from the card")


class LifeStatusIn(Schema):
    version: int = Field(..., description="The version read; a newer one answers 409")
    status: LifeStatus = Field(..., description="'present' (lives here), 'moved' or 'deceased'")
    on: datetime.date | None = Field(None, description="Since when; required unless 'present'")
    moved_to: str | None = Field(None, description="Region code moved to, if known")


class MergeIn(Schema):
    duplicate_id: int


class MergeOut(Schema):
    id: int
    survivor: int = Field(..., alias="survivor_id")
    merged: int = Field(..., alias="merged_id")
    moved: dict[str, list[int]]
    undone_at: datetime.datetime | None


def _resolve(inputs: Inputs, data: dict) -> dict:
    """The payload with the village its code names (an empty code: none)."""
    if "region" in data:
        data["region"] = inputs.region(data["region"] or None, "region")
    return data


def resolve_person_payload(inputs: Inputs, data: dict) -> tuple[dict, list, list, bool]:
    """A ``PersonIn`` body as the registration action takes it: the village and the
    categories its codes name (a 422 on the field for an unknown one), the aliases, and
    whether the caller confirmed a new person despite the guard's candidates."""
    data = _resolve(inputs, data)
    categories = inputs.categories(data.pop("categories"), "categories")
    inputs.check()
    aliases = [{"name": a} for a in data.pop("aliases") if a.strip()]
    return data, categories, aliases, data.pop("confirmed_new")


def duplicate_answer(exc: actions.DuplicateSuspected, user) -> dict:
    """The 409 body of a registration the duplicate guard stopped. The guard only ever
    finds records the user may see in full: hidden ones are neither listed nor counted,
    so the answer is no oracle for them."""
    views = present_many([c.person for c in exc.candidates], user)
    return {
        "detail": _(
            "This person may already be registered. Check the candidates, then "
            "send again with confirmed_new=true if none of them is the person."
        ),
        "candidates": [
            {
                **{k: v.as_dict()[k] for k in ("id", "name", "birth", "place")},
                "reasons": c.reasons,
                "score": round(c.score),
            }
            for v, c in zip(views, exc.candidates, strict=True)
        ],
    }


def _detail_queryset():
    return Person.objects.select_related("region", "region__parent").prefetch_related(
        categories_prefetch(), "aliases"
    )


def _search(request, filters: PersonQuery, what: str):
    queryset = actions.living(Person.objects.restrict(request.auth)).order_by("name_key", "id")
    people = filtered_list(request, PersonFilter, queryset, filters)
    # Regions, categories and aliases are loaded for the page shown only.
    # Whose identity the page may show is a column of the same fetch.
    details = (
        _detail_queryset().restrict(request.auth).with_permissions(request.auth, VIEW_IDENTITY)
    )
    page = LateJoined(people, details)
    return _PresentedQuerySet(
        page, request.auth, what=what, filters=filters.dict(exclude_none=True)
    )


@router.get("/", response=list[dict[str, Any]], summary="List people (each page read is audited)")
@paged
def list_people(request, filters: Query[PersonQuery]):
    return _search(request, filters, "api list")


@router.post(
    "/search",
    response=list[dict[str, Any]],
    summary="Search people by name or NIK, the query in the body (never in a URL)",
)
@paged
def search_people(request, filters: PersonQuery):
    # A name or NIK in a query string ends up in access logs; a body does not.
    return _search(request, filters, "api search")


class _PresentedQuerySet:
    """Paginates like a queryset, then masks each page as the user may see it; the page
    shown is one audit row naming its people."""

    def __init__(self, queryset, user, *, what: str, filters: dict):
        self.queryset, self.user = queryset, user
        self.what, self.filters = what, filters

    def count(self):
        return self.queryset.count()

    def bounded_count(self, limit: int) -> int:
        return bounded_count(self.queryset, limit)

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return self._shown(self.queryset[item])

    def counted_slice(self, start: int, stop: int, limit: int) -> tuple[list, int | None]:
        rows, counted = self.queryset.counted_slice(start, stop, limit)
        return self._shown(rows), counted

    def _shown(self, rows) -> list[dict]:
        views = present_many(rows, self.user)
        audit_shown(views, acting_user=self.user, what=self.what, filters=self.filters)
        return [v.as_dict() for v in views]


@router.get("/{int:person_id}", response=dict[str, Any], summary="One person (read is audited)")
def get_person(request, person_id: int):
    person = scoped_or_404(_detail_queryset(), request, may=(VIEW_IDENTITY,), pk=person_id)
    view = present(person, request.auth)
    actions.record_read(person, acting_user=request.auth, masked=not view.identity)
    return view.as_dict()


@router.post(
    "/",
    response={201: dict[str, Any], 409: dict[str, Any]},
    summary="Register a person (with the duplicate guard)",
)
def create_person(request, payload: PersonIn):
    organisation = acting_organisation(request)
    inputs = Inputs(request)
    data, categories, aliases, confirmed = resolve_person_payload(inputs, payload.dict())
    try:
        person = actions.create_person(
            data,
            organisation=organisation,
            acting_user=request.auth,
            categories=categories,
            aliases=aliases,
            confirmed_new=confirmed,
        )
    except actions.DuplicateSuspected as exc:
        return Status(409, duplicate_answer(exc, request.auth))
    return Status(201, present(_detail_queryset().get(pk=person.pk), request.auth).as_dict())


@router.patch(
    "/{int:person_id}",
    response={200: dict[str, Any], 409: dict[str, Any]},
    summary="Change a person (optimistic locking)",
)
def update_person(request, person_id: int, payload: PersonPatch):
    person = scoped_or_404(Person, request, CHANGE, pk=person_id)
    inputs = Inputs(request)
    data = _resolve(inputs, payload.dict(exclude_unset=True))
    inputs.check()
    version = data.pop("version")
    return _saved(
        request,
        person,
        lambda: actions.update_person(
            person, data, expected_version=version, acting_user=request.auth
        ),
    )


def _saved(request, person: Person, edit):
    """Run an edit made against the version read: the person as now saved, or a 409
    when someone else saved first (nothing is overwritten)."""
    try:
        edit()
    except actions.EditConflict as exc:
        return Status(
            409,
            {
                "detail": _(
                    "Someone else saved this record first; nothing was overwritten. "
                    "Read it again and re-apply your change."
                ),
                "current_version": exc.current.version,
            },
        )
    return present(_detail_queryset().get(pk=person.pk), request.auth).as_dict()


@router.post(
    "/{int:person_id}/nik/verify",
    response={200: dict[str, Any], 409: dict[str, Any]},
    summary="Confirm the unverified NIK against the card: it becomes the NIK if it passes",
)
def verify_nik(request, person_id: int, payload: NikVerifyIn):
    person = scoped_or_404(Person, request, CHANGE, pk=person_id)
    return _saved(
        request,
        person,
        lambda: actions.verify_nik(
            person, expected_version=payload.version, acting_user=request.auth
        ),
    )


@router.post(
    "/{int:person_id}/nik/replace",
    response={200: dict[str, Any], 409: dict[str, Any]},
    summary="Replace the unverified NIK with the correct one from the card",
)
def replace_nik(request, person_id: int, payload: NikReplaceIn):
    person = scoped_or_404(Person, request, CHANGE, pk=person_id)
    return _saved(
        request,
        person,
        lambda: actions.replace_nik(
            person, payload.nik, expected_version=payload.version, acting_user=request.auth
        ),
    )


@router.post(
    "/{int:person_id}/living-status",
    response={200: dict[str, Any], 409: dict[str, Any]},
    summary="Mark the person moved away or deceased from a date, or living here again",
)
def set_life_status(request, person_id: int, payload: LifeStatusIn):
    person = scoped_or_404(Person, request, CHANGE, pk=person_id)
    inputs = Inputs(request)
    moved_to = inputs.region(payload.moved_to or None, "moved_to")
    inputs.check()
    return _saved(
        request,
        person,
        lambda: actions.set_life_status(
            person,
            payload.status,
            on=payload.on,
            moved_to=moved_to,
            expected_version=payload.version,
            acting_user=request.auth,
        ),
    )


@router.post(
    "/{int:person_id}/merge",
    response={201: MergeOut},
    summary="Merge a duplicate record into this one",
)
def merge(request, person_id: int, payload: MergeIn):
    survivor = scoped_or_404(Person, request, CHANGE, pk=person_id)
    duplicate = scoped_or_404(Person, request, CHANGE, pk=payload.duplicate_id)
    return Status(201, actions.merge_persons(survivor, duplicate, acting_user=request.auth))


@router.post("/merges/{int:merge_id}/undo", response=MergeOut, summary="Undo a merge")
def undo(request, merge_id: int):
    # Undoing needs the right to change the survivor, as merging did.
    try:
        record = PersonMerge.objects.get(
            pk=merge_id, survivor__in=Person.objects.restrict(request.auth, CHANGE)
        )
    except PersonMerge.DoesNotExist as exc:
        raise Http404 from exc
    actions.undo_merge(record, acting_user=request.auth)
    record.refresh_from_db()
    return record


class RelativeIn(Schema):
    relative: int
    kind: str
    note: str = ""


@router.get(
    "/{int:person_id}/relatives",
    response=list[dict[str, Any]],
    summary="Family and guardian links (masked like any person)",
)
def relatives(request, person_id: int):
    # Family links identify a person: only where the identity is visible.
    person = scoped_or_404(Person, request, VIEW_IDENTITY, pk=person_id)
    actions.record_read(person, acting_user=request.auth, masked=False)
    links = list(
        person.relations.filter(relative__in=Person.objects.restrict(request.auth)).select_related(
            "relative"
        )
    )
    views = present_many([link.relative for link in links], request.auth)
    return [
        {"kind": link.kind, "note": link.note, "relative": view.as_dict()}
        for link, view in zip(links, views, strict=True)
    ]


@router.post(
    "/{int:person_id}/relatives",
    response={201: dict[str, Any]},
    summary="Link a family member or guardian already in the registry",
)
def link(request, person_id: int, payload: RelativeIn):
    from .models import PersonRelation

    person = scoped_or_404(Person, request, CHANGE, pk=person_id)
    relative = scoped_or_404(Person, request, pk=payload.relative)
    if payload.kind not in PersonRelation.Kind.values:
        raise ValidationError(
            {
                "kind": _("Choose one of: %(kinds)s.")
                % {"kinds": ", ".join(PersonRelation.Kind.values)}
            }
        )
    relation = actions.link_relative(
        person, relative, payload.kind, acting_user=request.auth, note=payload.note
    )
    return Status(201, {"id": relation.pk, "kind": relation.kind, "relative": relation.relative_id})


@router.post(
    "/{int:person_id}/photo",
    response=dict[str, Any],
    summary="Upload the person's photo (JPG or PNG, up to 2 MB)",
)
def upload_photo(request, person_id: int, photo: File[UploadedFile]):
    person = scoped_or_404(Person, request, CHANGE, pk=person_id)
    actions.set_photo(person, photo, acting_user=request.auth)
    return {"photo": True}


@router.get("/{int:person_id}/photo", summary="The person's photo (identity visible only)")
def get_photo(request, person_id: int):
    # As on the page: a masked record's photo is absent (404), like a record out of sight.
    person = scoped_or_404(Person, request, pk=person_id)
    return serve_file(
        request.auth, person, person.photo, action=VIEW_IDENTITY, inline=True, message="photo"
    )


class CategoryIn(Schema):
    status: VerificationStatus = VerificationStatus.UNVERIFIED
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


@router.put(
    "/{int:person_id}/categories/{code}",
    response=dict[str, Any],
    summary="Add, verify, reject or end a category the person holds",
)
def set_category(request, person_id: int, code: str, payload: CategoryIn):
    person = scoped_or_404(Person, request, CHANGE, pk=person_id)
    category = get_object_or_404(PmksCategory, code=code)  # in the path: unknown is 404
    held = actions.set_category(
        person,
        category,
        acting_user=request.auth,
        status=payload.status,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    return {
        "category": code,
        "status": held.status,
        "spm_group": category.spm_group.code if category.spm_group_id else None,
        "is_sensitive": Person.objects.get(pk=person.pk).is_sensitive,
    }
