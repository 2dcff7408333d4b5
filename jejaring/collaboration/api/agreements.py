"""Agreements (MoU / PKS): drafting, clauses and their negotiation comments, state
moves, signatures, termination, renewal and the document's versions."""

import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jejaring.core.api_helpers import filtered_list, paged, scoped_or_404
from jejaring.core.files import serve_file
from jejaring.core.scoping import CHANGE

from .. import actions
from ..filters.agreements import EXPIRING, AgreementFilter, scoped_relations
from ..models import (
    Agreement,
    AgreementClause,
    AgreementDocument,
    AgreementKind,
    AgreementParty,
    AgreementState,
    ClauseComment,
)
from ._common import Inputs, acting_organisation

router = Router(tags=["collaboration: agreements"])


class PartyOut(Schema):
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    obligations: str
    signatory_name: str
    signatory_position: str
    signed_at: datetime.datetime | None


class AgreementOut(Schema):
    id: int
    kind: AgreementKind
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    number: str
    purpose: str
    legal_basis: str
    state: AgreementState
    state_label: str = Field(..., alias="display_state", description="'Expiring' near the end")
    is_expiring: bool
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    days_left: int | None
    drafted_by: int = Field(..., alias="drafted_by_id")
    drafted_by_name: str = Field(..., alias="drafted_by.name")
    forum: int | None = Field(None, alias="forum_id")
    renews: int | None = Field(None, alias="renews_id")
    parties: list[PartyOut]
    categories: list[str] = Field(..., description="PMKS category codes")
    service_types: list[str] = Field(..., description="Service type codes")
    regions: list[str] = Field(..., description="Region codes covered")
    termination_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_categories(obj):
        return [c.code for c in obj.categories.all()]

    @staticmethod
    def resolve_service_types(obj):
        return [s.code for s in obj.service_types.all()]

    @staticmethod
    def resolve_regions(obj):
        return [r.code for r in obj.regions.all()]


class ClauseCommentOut(Schema):
    id: int
    organisation: int | None = Field(None, alias="organisation_id")
    organisation_name: str | None = Field(None, alias="organisation.name")
    text: str
    at: datetime.datetime


class ClauseOut(Schema):
    id: int
    number: int
    heading: str
    text: str
    comments: list[ClauseCommentOut]


class EventOut(Schema):
    from_state: str
    to_state: AgreementState
    to_state_label: str = Field(..., alias="get_to_state_display")
    at: datetime.datetime
    note: str


class DocumentOut(Schema):
    id: int
    version: int
    original_name: str
    note: str
    uploaded_at: datetime.datetime


class AgreementDetailOut(AgreementOut):
    clauses: list[ClauseOut]
    events: list[EventOut]
    documents: list[DocumentOut] = Field(..., description="The versions the caller may see")
    renewed_by: int | None = Field(None, description="The renewal, when the caller may see it")

    @staticmethod
    def resolve_renewed_by(obj):
        # Fetched through the caller's scope (filters.agreements.scoped_relations).
        return obj.visible_renewal.pk if obj.visible_renewal else None


class AgreementQuery(Schema):
    state: str | None = Field(
        None, description=f"A state, or “{EXPIRING}”: active and ending within 60 days"
    )
    kind: AgreementKind | None = None
    forum: int | None = None
    party: int | None = Field(None, description="An organisation among the parties")


class PartyIn(Schema):
    organisation: int
    obligations: str = ""


class ClauseIn(Schema):
    heading: str = Field("", max_length=200)
    text: str


class CommentIn(Schema):
    text: str


class AgreementIn(Schema):
    kind: AgreementKind
    title: str = Field(..., max_length=255)
    parties: list[PartyIn] = Field(..., description="Two or more; yours among them")
    clauses: list[ClauseIn] = []
    number: str = Field("", max_length=100)
    purpose: str = ""
    legal_basis: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    categories: list[str] = Field([], description="PMKS category codes")
    service_types: list[str] = Field([], description="Service type codes")
    regions: list[str] = Field([], description="Region codes covered")
    forum: int | None = None


class MoveIn(Schema):
    state: AgreementState
    note: str = Field("", max_length=255)


class SignIn(Schema):
    signatory_name: str = Field(..., max_length=200)
    signatory_position: str = Field(..., max_length=200)


class TerminateIn(Schema):
    reason: str


class RenewIn(Schema):
    starts_on: datetime.date
    ends_on: datetime.date


def _agreements():
    return Agreement.objects.select_related("drafted_by").prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation")),
        "categories",
        "service_types",
        "regions",
    )


def _agreement_detail(request):
    """One agreement with its children; documents and renewals through the scope."""
    return _agreements().prefetch_related(
        Prefetch(
            "clauses",
            queryset=AgreementClause.objects.prefetch_related(
                Prefetch("comments", queryset=ClauseComment.objects.select_related("organisation"))
            ),
        ),
        "events",
        *scoped_relations(request.auth),
    )


def _detail(request, agreement) -> Agreement:
    return _agreement_detail(request).get(pk=agreement.pk)


@router.get("/agreements/", response=list[AgreementOut], summary="Agreements the user may see")
@paged
def list_agreements(request, filters: Query[AgreementQuery]):
    return filtered_list(request, AgreementFilter, _agreements().restrict(request.auth), filters)


@router.post(
    "/agreements/",
    response={201: AgreementDetailOut},
    summary="Draft an agreement between two or more organisations",
)
def draft_agreement(request, payload: AgreementIn):
    drafter = acting_organisation(request)
    inputs = Inputs(request)
    found = {
        o.pk: o for o in inputs.organisations([p.organisation for p in payload.parties], "parties")
    }
    categories = inputs.categories(payload.categories, "categories")
    service_types = inputs.service_types(payload.service_types, "service_types")
    regions = inputs.regions(payload.regions, "regions")
    forum = inputs.forum(payload.forum)
    inputs.check()
    agreement = actions.draft_agreement(
        kind=payload.kind,
        title=payload.title,
        drafted_by=drafter,
        parties=[(found[p.organisation], p.obligations) for p in payload.parties],
        clauses=[(c.heading, c.text) for c in payload.clauses],
        number=payload.number,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        categories=categories,
        service_types=service_types,
        regions=regions,
        forum=forum,
        acting_user=request.auth,
    )
    return Status(201, _detail(request, agreement))


@router.get("/agreements/{int:agreement_id}", response=AgreementDetailOut)
def get_agreement(request, agreement_id: int):
    return scoped_or_404(_agreement_detail(request), request, pk=agreement_id)


@router.get("/agreements/{int:agreement_id}/clauses", response=list[ClauseOut])
def list_clauses(request, agreement_id: int):
    agreement = scoped_or_404(Agreement, request, pk=agreement_id)
    return agreement.clauses.prefetch_related(
        Prefetch("comments", queryset=ClauseComment.objects.select_related("organisation"))
    )


@router.post(
    "/agreements/{int:agreement_id}/clauses",
    response={201: ClauseOut},
    summary="Add a clause (while in draft or negotiation)",
)
def add_clause(request, agreement_id: int, payload: ClauseIn):
    agreement = scoped_or_404(Agreement, request, CHANGE, pk=agreement_id)
    clause = actions.add_clause(
        agreement, heading=payload.heading, text=payload.text, acting_user=request.auth
    )
    return Status(201, clause)


@router.post(
    "/agreements/{int:agreement_id}/clauses/{int:clause_id}/comments",
    response={201: ClauseCommentOut},
    summary="Comment on a clause during negotiation",
)
def comment_on_clause(request, agreement_id: int, clause_id: int, payload: CommentIn):
    agreement = scoped_or_404(Agreement, request, CHANGE, pk=agreement_id)
    clause = get_object_or_404(agreement.clauses.select_related("agreement"), pk=clause_id)
    comment = actions.comment_on_clause(clause, payload.text, acting_user=request.auth)
    return Status(201, ClauseComment.objects.select_related("organisation").get(pk=comment.pk))


@router.post(
    "/agreements/{int:agreement_id}/state",
    response=AgreementDetailOut,
    summary="Move between draft, negotiation and awaiting signatures",
)
def move_agreement(request, agreement_id: int, payload: MoveIn):
    agreement = scoped_or_404(Agreement, request, CHANGE, pk=agreement_id)
    actions.move_agreement(agreement, payload.state, note=payload.note, acting_user=request.auth)
    return _detail(request, agreement)


@router.post(
    "/agreements/{int:agreement_id}/sign",
    response=AgreementDetailOut,
    summary="Sign for your organisation; the last signature makes it active",
)
def sign_agreement(request, agreement_id: int, payload: SignIn):
    agreement = scoped_or_404(Agreement, request, CHANGE, pk=agreement_id)
    organisation = acting_organisation(request)
    actions.sign_agreement(
        agreement,
        organisation,
        signatory_name=payload.signatory_name,
        signatory_position=payload.signatory_position,
        acting_user=request.auth,
    )
    return _detail(request, agreement)


@router.post("/agreements/{int:agreement_id}/terminate", response=AgreementDetailOut)
def terminate_agreement(request, agreement_id: int, payload: TerminateIn):
    agreement = scoped_or_404(Agreement, request, CHANGE, pk=agreement_id)
    actions.terminate_agreement(agreement, reason=payload.reason, acting_user=request.auth)
    return _detail(request, agreement)


@router.post(
    "/agreements/{int:agreement_id}/renew",
    response={201: AgreementDetailOut},
    summary="Draft the renewal: same parties, scope and clauses, a new period",
)
def renew_agreement(request, agreement_id: int, payload: RenewIn):
    agreement = scoped_or_404(Agreement, request, CHANGE, pk=agreement_id)
    renewal = actions.renew_agreement(
        agreement, starts_on=payload.starts_on, ends_on=payload.ends_on, acting_user=request.auth
    )
    return Status(201, _detail(request, renewal))


@router.get("/agreements/{int:agreement_id}/documents", response=list[DocumentOut])
def list_documents(request, agreement_id: int):
    agreement = scoped_or_404(Agreement, request, pk=agreement_id)
    return AgreementDocument.objects.restrict(request.auth).filter(agreement=agreement)


@router.post(
    "/agreements/{int:agreement_id}/documents",
    response={201: DocumentOut},
    summary="Upload a new version of the document (PDF, JPG or PNG, up to 10 MB)",
)
def upload_document(request, agreement_id: int, file: File[UploadedFile], note: Form[str] = ""):
    agreement = scoped_or_404(Agreement, request, CHANGE, pk=agreement_id)
    document = actions.upload_agreement_document(
        agreement, file, note=note, acting_user=request.auth
    )
    return Status(201, document)


@router.get(
    "/agreement-documents/{int:document_id}", summary="Download a document version (audited)"
)
def download_document(request, document_id: int):
    document = scoped_or_404(
        AgreementDocument.objects.select_related("agreement"), request, pk=document_id
    )
    return serve_file(
        request.auth, document, document.file, document.original_name, parent=document.agreement
    )
