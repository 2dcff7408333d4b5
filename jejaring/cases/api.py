"""The cases API: cases, services, referrals, consents, overlaps, conferences,
attachments and the leading-sector table. Lists go through the FilterSets the pages use
(cases/filters.py); ids and codes named in a body through core.api_helpers.Inputs."""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jejaring.core.api_helpers import (
    Inputs,
    PeoplePage,
    acting_organisation,
    filtered_list,
    paged,
)
from jejaring.core.scoping import CHANGE, VIEW_IDENTITY, get_scoped_or_404
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person
from jejaring.registry.presenters import identity_visible

from . import actions
from .filters import CaseFilter, LeadingSectorFilter, OverlapFilter, ReferralFilter, ServiceFilter
from .models import (
    Case,
    CaseAttachment,
    CaseConference,
    CaseState,
    ClosingReason,
    Consent,
    LeadingSector,
    OverlapAlert,
    Referral,
    ReferralState,
    SectorRole,
    Service,
)
from .overlap import request_refresh
from .routing import suggest_receivers
from .timeline import person_timeline

router = Router(tags=["cases & referrals"])


def _shows_identity(context, person_id: int) -> bool:
    """May the caller see this person's identity? A list page works it out once for its
    rows (core.api_helpers.PeoplePage), so a longer page costs no more queries."""
    return identity_visible(context["request"].auth, person_id)


class CaseOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    organisation: int = Field(..., alias="organisation_id")
    category: str | None = Field(
        None, description="None where the person's identity is protected from the reader"
    )
    state: CaseState
    closing_reason: str
    assigned_worker: int | None = Field(None, alias="assigned_worker_id")
    summary: str
    needs: list[str] | None = Field(
        None, description="None where the person's identity is protected from the reader"
    )
    version: int
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None

    # The case's category is the person's PMKS category, and the needs follow from it:
    # for a masked person they would say what the masking hides.
    @staticmethod
    def resolve_category(obj, context):
        if not _shows_identity(context, obj.person_id):
            return None
        return obj.category.code

    @staticmethod
    def resolve_needs(obj, context):
        if not _shows_identity(context, obj.person_id):
            return None
        return [s.code for s in obj.needs.all()]

    @staticmethod
    def resolve_summary(obj, context):
        # Free text about the person: only where their identity is visible.
        return obj.summary if _shows_identity(context, obj.person_id) else ""


class CaseIn(Schema):
    person: int
    category: str
    state: CaseState = CaseState.REGISTERED
    summary: str = ""


class TransitionIn(Schema):
    state: CaseState
    version: int
    closing_reason: ClosingReason | None = None
    note: str = ""


class NeedsIn(Schema):
    services: list[str]
    version: int | None = Field(None, description="The case version read; a newer one answers 409")


class ServiceIn(Schema):
    service_type: str
    delivered_on: datetime.date
    quantity: int = Field(1, ge=1)
    met_standard: bool = True
    evidence: str = ""


class ServiceOut(Schema):
    id: int
    case: int = Field(..., alias="case_id")
    service_type: str | None = Field(
        None, description="None where the person's identity is protected from the reader"
    )
    provider: int = Field(..., alias="provider_id")
    delivered_on: datetime.date
    quantity: int
    met_standard: bool

    # The kind of help given says what a masked record's category hides.
    @staticmethod
    def resolve_service_type(obj, context):
        if not _shows_identity(context, obj.case.person_id):
            return None
        return obj.service_type.code


class ReferralIn(Schema):
    case: int
    to_organisation: int
    reason: str = Field(..., min_length=3)
    services: list[str] = []
    deadline: datetime.date | None = None


class ReferralOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    from_case: int = Field(..., alias="from_case_id")
    from_organisation: int = Field(..., alias="from_organisation_id")
    to_organisation: int = Field(..., alias="to_organisation_id")
    direction: str
    reason: str
    state: ReferralState
    deadline: datetime.date | None
    decline_reason: str
    receiver_case: int | None = Field(None, alias="receiver_case_id")
    warnings: list[str]

    @staticmethod
    def resolve_warnings(obj):
        return obj.warning_messages()

    @staticmethod
    def resolve_reason(obj, context):
        return obj.reason if _shows_identity(context, obj.person_id) else ""

    @staticmethod
    def resolve_decline_reason(obj, context):
        visible = _shows_identity(context, obj.person_id)
        return obj.decline_reason if visible else ""


class DeclineIn(Schema):
    reason: str


class ConsentIn(Schema):
    given_by_name: str
    given_by: Consent.Giver
    scope: str
    given_on: datetime.date


class ConsentOut(Schema):
    id: int
    given_by_name: str
    given_by: str
    scope: str
    given_on: datetime.date
    withdrawn_on: datetime.date | None


class SuggestionOut(Schema):
    organisation: int
    name: str
    why: str


# The query parameters of each list: the fields of its FilterSet (cases/filters.py).
class CaseQuery(Schema):
    person: int | None = None
    state: CaseState | None = None
    mine: bool = Field(False, description="Only the cases assigned to the caller")


class ReferralQuery(Schema):
    box: str = Field("all", description="'incoming', 'outgoing' or 'all'")
    state: ReferralState | None = None
    open: bool | None = Field(None, description="Only referrals still sent or accepted")
    person: int | None = None


class ServiceQuery(Schema):
    case: int | None = None
    person: int | None = None
    provider: int | None = None
    service_type: str | None = Field(
        None, description="A service type code (matches only where the identity shows)"
    )
    delivered_from: datetime.date | None = None
    delivered_to: datetime.date | None = None


class OverlapQuery(Schema):
    organisation: int | None = Field(None, description="An organisation involved")
    person: int | None = None


class LeadingSectorQuery(Schema):
    region: str | None = None
    category: str | None = None


def _case_qs():
    return Case.objects.select_related("category").prefetch_related("needs")


@router.get("/cases/", response=list[CaseOut], summary="Cases the user may see")
@paged
def list_cases(request, filters: Query[CaseQuery]):
    cases = filtered_list(request, CaseFilter, _case_qs().restrict(request.auth), filters)
    return PeoplePage(cases, request, audit_message="api case list")


@router.get("/services/", response=list[ServiceOut], summary="Services delivered the user may see")
@paged
def list_services(request, filters: Query[ServiceQuery]):
    services = filtered_list(
        request,
        ServiceFilter,
        Service.objects.restrict(request.auth).select_related("case", "service_type"),
        filters,
    )
    return PeoplePage(services, request, audit_message="api service list")


@router.post("/cases/", response={201: CaseOut}, summary="Open a case")
def open_case(request, payload: CaseIn):
    person = get_scoped_or_404(Person, request.auth, VIEW_IDENTITY, pk=payload.person)
    inputs = Inputs(request)
    category = inputs.category(payload.category, "category")
    inputs.check()
    case = actions.open_case(
        person,
        category,
        organisation=acting_organisation(request),
        acting_user=request.auth,
        state=payload.state,
        summary=payload.summary,
    )
    return Status(201, _case_qs().get(pk=case.pk))


@router.get("/cases/{int:case_id}", response=CaseOut, summary="One case (read is audited)")
def get_case(request, case_id: int):
    case = get_scoped_or_404(_case_qs().select_related("person"), request.auth, pk=case_id)
    masked = not identity_visible(request.auth, case.person_id)
    registry_actions.record_read(case.person, acting_user=request.auth, masked=masked)
    return case


@router.post(
    "/cases/{int:case_id}/transition",
    response={200: CaseOut, 409: dict},
    summary="Move a case to its next state, or close it",
)
def transition(request, case_id: int, payload: TransitionIn):
    return _change_case(
        request,
        case_id,
        lambda case: actions.transition_case(
            case,
            payload.state,
            acting_user=request.auth,
            expected_version=payload.version,
            closing_reason=payload.closing_reason or "",
            note=payload.note,
        ),
    )


def _change_case(request, case_id: int, change):
    """Run ``change(case)`` on a case the caller may change and answer the case as it is
    now; a case that moved on since the version the caller read answers 409."""
    case = get_scoped_or_404(Case, request.auth, CHANGE, pk=case_id)
    try:
        change(case)
    except actions.CaseConflict as exc:
        return Status(
            409,
            {
                "detail": _("The case changed since you read it; read it again."),
                "current_version": exc.current.version,
            },
        )
    return _case_qs().get(pk=case.pk)


@router.put(
    "/cases/{int:case_id}/needs",
    response={200: CaseOut, 409: dict},
    summary="Record the assessment (replaces the list of needs whole)",
)
def assess(request, case_id: int, payload: NeedsIn):
    def set_needs(case):
        inputs = Inputs(request)
        needs = inputs.service_types(payload.services, "services")
        inputs.check()
        actions.set_needs(case, needs, acting_user=request.auth, expected_version=payload.version)

    return _change_case(request, case_id, set_needs)


@router.post(
    "/cases/{int:case_id}/services",
    response={201: ServiceOut},
    summary="Record a service delivered",
)
def add_service(request, case_id: int, payload: ServiceIn):
    case = get_scoped_or_404(Case, request.auth, CHANGE, pk=case_id)
    inputs = Inputs(request)
    found = inputs.service_types([payload.service_type], "service_type")
    inputs.check()
    service = actions.record_service(
        case,
        found[0],
        payload.delivered_on,
        acting_user=request.auth,
        quantity=payload.quantity,
        met_standard=payload.met_standard,
        evidence=payload.evidence,
    )
    return Status(201, service)


@router.get(
    "/cases/{int:case_id}/suggested-receivers",
    response=list[SuggestionOut],
    summary="Whom to refer to, from the leading-sector table and authority split",
)
def suggestions(request, case_id: int):
    case = get_scoped_or_404(Case, request.auth, CHANGE, pk=case_id)
    return [
        {"organisation": s.organisation.pk, "name": s.organisation.name, "why": s.why}
        for s in suggest_receivers(case)
    ]


@router.get("/referrals/", response=list[ReferralOut], summary="Referrals in and out")
@paged
def list_referrals(request, filters: Query[ReferralQuery]):
    referrals = filtered_list(
        request, ReferralFilter, Referral.objects.restrict(request.auth), filters
    )
    return PeoplePage(referrals, request)


@router.post("/referrals/", response={201: ReferralOut}, summary="Refer a person")
def send(request, payload: ReferralIn):
    case = get_scoped_or_404(Case, request.auth, CHANGE, pk=payload.case)
    inputs = Inputs(request)
    receiver = inputs.organisation(payload.to_organisation, "to_organisation")
    services = inputs.service_types(payload.services, "services")
    inputs.check()
    referral = actions.send_referral(
        case,
        receiver,
        acting_user=request.auth,
        reason=payload.reason,
        services=services,
        deadline=payload.deadline,
    )
    return Status(201, referral)


# Only the receiver decides on a referral: the actions refuse anyone else (403).
@router.post("/referrals/{int:referral_id}/accept", response=ReferralOut)
def accept(request, referral_id: int):
    referral = get_scoped_or_404(Referral, request.auth, CHANGE, pk=referral_id)
    return actions.accept_referral(referral, acting_user=request.auth)


@router.post("/referrals/{int:referral_id}/decline", response=ReferralOut)
def decline(request, referral_id: int, payload: DeclineIn):
    referral = get_scoped_or_404(Referral, request.auth, CHANGE, pk=referral_id)
    return actions.decline_referral(referral, payload.reason, acting_user=request.auth)


@router.post("/referrals/{int:referral_id}/complete", response=ReferralOut)
def complete(request, referral_id: int):
    referral = get_scoped_or_404(Referral, request.auth, CHANGE, pk=referral_id)
    return actions.complete_referral(referral, acting_user=request.auth)


@router.get(
    "/persons/{int:person_id}/timeline",
    response=list[dict],
    summary="Every case, service and referral the user may see",
)
def timeline(request, person_id: int):
    # The timeline tells the person's story: only where their identity is visible.
    person = get_scoped_or_404(Person, request.auth, VIEW_IDENTITY, pk=person_id)
    registry_actions.record_read(person, acting_user=request.auth, masked=False)
    return [e.as_dict() for e in person_timeline(person, request.auth)]


@router.get("/persons/{int:person_id}/consents", response=list[ConsentOut])
def consents(request, person_id: int):
    person = get_scoped_or_404(Person, request.auth, VIEW_IDENTITY, pk=person_id)
    registry_actions.record_read(person, acting_user=request.auth, masked=False)
    return list(person.consents.all())


@router.post("/persons/{int:person_id}/consents", response={201: ConsentOut})
def add_consent(request, person_id: int, payload: ConsentIn):
    person = get_scoped_or_404(Person, request.auth, CHANGE, pk=person_id)
    return Status(201, actions.record_consent(person, acting_user=request.auth, **payload.dict()))


class OverlapOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    organisations: list[int]
    detected_at: datetime.datetime
    conference: int | None = Field(None, alias="conference_id")

    @staticmethod
    def resolve_organisations(obj):
        return sorted(o.pk for o in obj.organisations.all())


class NoteIn(Schema):
    text: str


@router.get("/overlaps/", response=list[OverlapOut], summary="Open overlaps the user may see")
@paged
def list_overlaps(request, filters: Query[OverlapQuery]):
    alerts = (
        OverlapAlert.objects.restrict(request.auth)
        .filter(resolved_at__isnull=True)
        .prefetch_related("organisations")
    )
    return filtered_list(request, OverlapFilter, alerts, filters)


@router.post("/overlaps/refresh", response={202: dict}, summary="Ask for a background refresh")
def refresh(request):
    result = request_refresh(request.auth)
    return Status(202, {"task": str(result.id) if result else None})


@router.post(
    "/overlaps/{int:alert_id}/conference",
    response={201: dict},
    summary="Start coordination: a shared case conference",
)
def coordinate(request, alert_id: int):
    alert = get_scoped_or_404(OverlapAlert, request.auth, CHANGE, pk=alert_id)
    conference = actions.start_conference(alert, acting_user=request.auth)
    return Status(201, {"conference": conference.pk})


@router.get("/conferences/{int:conference_id}", response=dict)
def conference(request, conference_id: int):
    conf = get_scoped_or_404(CaseConference, request.auth, pk=conference_id)
    return {
        "id": conf.pk,
        "person": conf.person_id,
        "title": conf.title,
        "organisations": sorted(o.pk for o in conf.organisations.all()),
        "notes": [
            {"at": n.created_at.isoformat(), "organisation": n.organisation_id, "text": n.text}
            for n in conf.notes.all()
        ],
    }


@router.post("/conferences/{int:conference_id}/notes", response={201: dict})
def conference_note(request, conference_id: int, payload: NoteIn):
    conf = get_scoped_or_404(CaseConference, request.auth, pk=conference_id)
    note = actions.add_conference_note(conf, payload.text, acting_user=request.auth)
    return Status(201, {"id": note.pk})


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    description: str
    uploaded_at: datetime.datetime


@router.get("/cases/{int:case_id}/attachments", response=list[AttachmentOut])
def list_attachments(request, case_id: int):
    case = get_scoped_or_404(Case, request.auth, pk=case_id)
    # Attachments carry identity: their policy lists them only where it shows.
    return list(CaseAttachment.objects.restrict(request.auth).filter(case=case))


@router.post(
    "/cases/{int:case_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a file (PDF, JPG or PNG, up to 5 MB)",
)
def attach(request, case_id: int, file: File[UploadedFile], description: Form[str] = ""):
    case = get_scoped_or_404(Case, request.auth, CHANGE, pk=case_id)
    return Status(
        201, actions.attach_file(case, file, acting_user=request.auth, description=description)
    )


@router.get("/attachments/{int:attachment_id}", summary="Download an attachment (audited)")
def download(request, attachment_id: int):
    from .views import serve_attachment

    return serve_attachment(request.auth, attachment_id)


class LeadingSectorOut(Schema):
    region: str = Field(..., alias="region_id")
    category: str = Field(..., alias="category.code")
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    role: SectorRole


class LeadingSectorIn(Schema):
    region: str
    category: str
    organisation: int
    role: SectorRole = SectorRole.LEAD


@router.get(
    "/leading-sectors/",
    response=list[LeadingSectorOut],
    summary="Who leads and who supports, per region and category",
)
@paged
def leading_sectors(request, filters: Query[LeadingSectorQuery]):
    rows = LeadingSector.objects.select_related("category", "organisation").order_by(
        "region_id", "category__sort_order", "role"
    )
    return filtered_list(request, LeadingSectorFilter, rows, filters)


@router.post(
    "/leading-sectors/",
    response={201: LeadingSectorOut},
    summary="Set a leading or supporting organisation",
)
def set_leading_sector(request, payload: LeadingSectorIn):
    inputs = Inputs(request)
    region = inputs.region(payload.region, "region")
    category = inputs.category(payload.category, "category")
    organisation = inputs.organisation(payload.organisation, "organisation")
    inputs.check()
    row = actions.set_leading_sector(
        region, category, organisation, payload.role, acting_user=request.auth
    )
    return Status(
        201, LeadingSector.objects.select_related("category", "organisation").get(pk=row.pk)
    )


class AssignIn(Schema):
    assigned_worker: int | None = Field(
        None,
        description="The case worker: an active user of the case's organisation; null unassigns. "
        "Named as in the case (CaseOut.assigned_worker).",
    )
    worker: int | None = Field(
        None,
        description="Deprecated: the old name of assigned_worker, still accepted; "
        "assigned_worker wins when both are sent.",
        json_schema_extra={"deprecated": True},
    )
    version: int | None = Field(None, description="The case version read; a newer one answers 409")

    def chosen_worker(self) -> int | None:
        if "assigned_worker" in self.model_fields_set:
            return self.assigned_worker
        return self.worker


@router.put(
    "/cases/{int:case_id}/worker",
    response={200: CaseOut, 409: dict},
    summary="Assign the case worker",
)
def assign(request, case_id: int, payload: AssignIn):
    def assign_worker(case):
        # An active colleague in the case's organisation (the caller's own, unless a
        # network administrator assigns).
        inputs = Inputs(request)
        worker = inputs.colleague(
            payload.chosen_worker(), "assigned_worker", organisation_id=case.organisation_id
        )
        inputs.check()
        actions.assign_worker(
            case, worker, acting_user=request.auth, expected_version=payload.version
        )

    return _change_case(request, case_id, assign_worker)


@router.post(
    "/persons/{int:person_id}/consents/{int:consent_id}/withdraw",
    response=ConsentOut,
    summary="Withdraw consent (no new partner referrals)",
)
def withdraw(request, person_id: int, consent_id: int):
    person = get_scoped_or_404(Person, request.auth, CHANGE, pk=person_id)
    consent = person.consents.filter(pk=consent_id, withdrawn_on__isnull=True).first()
    if consent is None:
        raise Http404
    return actions.withdraw_consent(consent, acting_user=request.auth)
