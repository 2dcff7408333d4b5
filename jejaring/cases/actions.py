"""Business operations on cases, services and referrals (one transaction each, audited)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.core import clock
from jejaring.core.notifications import Kind as NotificationKind
from jejaring.core.notifications import case_staff, notify, recipients
from jejaring.network.models import OrganisationLevel, Sector
from jejaring.registry.presenters import identity_visible

from .models import (
    OPEN_REFERRAL_STATES,
    Case,
    CaseAttachment,
    CaseConference,
    CaseNote,
    CaseState,
    CaseTransition,
    ConferenceNote,
    Consent,
    LeadingSector,
    OverlapAlert,
    Referral,
    ReferralDirection,
    ReferralState,
    Service,
    next_states,
)
from .overlap import schedule_refresh

# Called with each new service inside its transaction (the spm app keeps its figures
# current this way). Registered in AppConfig.ready().
AFTER_SERVICE_HOOKS: list = []

LEVEL_RANK = {
    OrganisationLevel.VILLAGE: 0,
    OrganisationLevel.DISTRICT: 1,
    OrganisationLevel.REGENCY: 2,
    OrganisationLevel.PROVINCE: 3,
    OrganisationLevel.CENTRAL: 4,
}


class CaseConflict(Exception):
    """The case changed since the user read it (optimistic locking)."""

    def __init__(self, current: Case):
        self.current = current
        super().__init__("case changed")


def _user(acting_user):
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def _bump(case: Case, expected_version: int | None) -> Case:
    current = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and current.version != expected_version:
        raise CaseConflict(current)
    current.version += 1
    return current


@transaction.atomic
def open_case(
    person,
    category,
    *,
    organisation,
    acting_user,
    state=CaseState.REGISTERED,
    summary: str = "",
    assigned_worker=None,
) -> Case:
    if state not in (CaseState.REPORTED, CaseState.REGISTERED):
        raise ValidationError(_("A case starts as reported or registered."))
    if person.is_merged:
        raise ValidationError(_("This record was merged; open the case on the kept record."))
    if acting_user is not None and not identity_visible(acting_user, person.pk):
        # A case makes its organisation a handler of the person, which would unmask a
        # protected record: only those who already see the identity may open one.
        raise PermissionDenied(
            _(
                "This record is protected: only the organisations handling "
                "the person may open a case. Ask them for a referral."
            )
        )
    case = Case.objects.create(
        person=person,
        organisation=organisation,
        category=category,
        state=state,
        summary=summary,
        assigned_worker=assigned_worker,
    )
    CaseTransition.objects.create(
        case=case, from_state="", to_state=state, by=_user(acting_user), note=summary[:500]
    )
    audit.record_create(case, acting_user=acting_user, parent=person)
    schedule_refresh()
    if assigned_worker is not None:
        _tell_assigned(case, assigned_worker, acting_user)
    return case


@transaction.atomic
def transition_case(
    case: Case,
    to_state: str,
    *,
    acting_user,
    expected_version=None,
    closing_reason: str = "",
    note: str = "",
) -> Case:
    current = _bump(case, expected_version)
    allowed = next_states(current.state)
    if to_state not in allowed:
        # The page offers only these; an old tab or an API call may still ask for another.
        wanted = CaseState(to_state).label if to_state in CaseState.values else to_state
        raise ValidationError(
            {
                "state": _(
                    "A case that is “%(from)s” cannot move to “%(to)s”; "
                    "it can move to: %(allowed)s."
                )
                % {
                    "from": current.get_state_display(),
                    "to": wanted,
                    "allowed": ", ".join(str(s.label) for s in allowed),
                }
                if allowed
                else _("This case is closed; open a new case to continue the work.")
            }
        )
    if to_state == CaseState.CLOSED and not closing_reason:
        raise ValidationError({"closing_reason": _("Say why the case is closed.")})
    before = audit.snapshot(current)
    CaseTransition.objects.create(
        case=current, from_state=current.state, to_state=to_state, by=_user(acting_user), note=note
    )
    current.state = to_state
    if to_state == CaseState.CLOSED:
        current.closing_reason = closing_reason
        current.closed_at = clock.now()
    current.save()
    audit.record_update(current, before, acting_user=acting_user, parent=current.person)
    if to_state == CaseState.CLOSED:
        schedule_refresh()
    return current


@transaction.atomic
def set_needs(
    case: Case, service_types, *, acting_user, note: str = "", expected_version=None
) -> Case:
    """The assessment: which basic services the person needs. Moves a registered case on.

    The list is replaced whole. The case row is locked first, so of two assessments sent
    at once the later one waits and then replaces the earlier: never a union of both.
    """
    case = _bump(case, expected_version)
    case.needs.set(service_types)
    if case.state == CaseState.REGISTERED:
        # The transition bumps and saves the version itself.
        case = transition_case(
            case, CaseState.ASSESSED, acting_user=acting_user, note=note or _("needs assessed")
        )
    else:
        case.save(update_fields=["version"])
    audit.record(
        AuditAction.UPDATE,
        case,
        acting_user=acting_user,
        parent=case.person,
        after={"needs": sorted(s.code for s in service_types)},
        message="assessment",
    )
    return case


@transaction.atomic
def add_note(case: Case, text: str, *, acting_user) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": _("Write something in the note.")})
    note = CaseNote.objects.create(case=case, author=_user(acting_user), text=text.strip())
    audit.record_create(note, acting_user=acting_user, parent=case)
    return note


def attach_file(case: Case, upload, *, acting_user, description: str = "") -> CaseAttachment:
    """Store an attachment through Django's storage, after checking type and size."""
    from jejaring.core.files import check_upload

    try:
        content_type = check_upload(
            upload, allowed=CaseAttachment.TYPES, max_bytes=CaseAttachment.MAX_BYTES
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    # The file is written before the transaction: storage is not transactional, and an
    # orphan file is harmless where a row without its file is not.
    attachment = CaseAttachment(
        case=case,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        description=description[:200],
        uploaded_by=_user(acting_user),
    )
    attachment.file.save(upload.name, upload, save=False)
    with transaction.atomic():
        attachment.save()
        audit.record_create(attachment, acting_user=acting_user, parent=case)
    return attachment


@transaction.atomic
def record_service(
    case: Case,
    service_type,
    delivered_on: datetime.date,
    *,
    acting_user,
    quantity: int = 1,
    met_standard: bool = True,
    evidence: str = "",
    provider=None,
) -> Service:
    """Record a service delivered: what SPM achievement is computed from."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors = {}
    if case.state == CaseState.CLOSED:
        errors["case"] = _("This case is closed; a closed case receives no services.")
    if case.state == CaseState.REPORTED:
        errors["case"] = _("Register the case before recording services.")
    if delivered_on > clock.localdate():
        errors["delivered_on"] = _("A service cannot be delivered in the future.")
    if case.person.birth_date and delivered_on < case.person.birth_date:
        errors["delivered_on"] = _("The service date is before the person was born.")
    if quantity < 1:
        errors["quantity"] = _("The quantity is at least 1.")
    if errors:
        raise ValidationError(errors)
    service = Service.objects.create(
        case=case,
        person=case.person,
        service_type=service_type,
        provider=provider or case.organisation,
        delivered_on=delivered_on,
        quantity=quantity,
        met_standard=met_standard,
        evidence=evidence,
        recorded_by=_user(acting_user),
        region=case.person.region or case.organisation.home_region,
    )
    if case.state in (CaseState.REGISTERED, CaseState.ASSESSED):
        transition_case(
            case, CaseState.IN_SERVICE, acting_user=acting_user, note=_("first service recorded")
        )
    audit.record_create(service, acting_user=acting_user, parent=case)
    for hook in AFTER_SERVICE_HOOKS:
        hook(service)
    return service


def direction_between(sender, receiver) -> str:
    rank_from, rank_to = LEVEL_RANK[sender.level], LEVEL_RANK[receiver.level]
    if rank_to > rank_from:
        return ReferralDirection.UP
    if rank_to < rank_from:
        return ReferralDirection.DOWN
    return ReferralDirection.SIDEWAYS


def referral_warnings(case: Case, receiver) -> list[dict]:
    """What a careful coordinator would point out before sending (not blocking).

    Stored as codes with parameters and worded when shown, in the reader's language.
    """
    warnings = []
    gap = abs(LEVEL_RANK[receiver.level] - LEVEL_RANK[case.organisation.level])
    if gap > 1:
        warnings.append({"code": "skips_level"})
    region = case.person.region or case.organisation.home_region
    in_sector_table = LeadingSector.objects.filter(
        organisation=receiver,
        category=case.category,
        region__code__in=[*region.ancestor_codes(), region.code],
    ).exists()
    handles = receiver.pmks_categories.filter(pk=case.category_id).exists()
    if not handles and not in_sector_table:
        warnings.append(
            {"code": "category_not_handled", "org": receiver.name, "category": case.category.name}
        )
    if receiver.status != "active":
        warnings.append({"code": "not_verified", "org": receiver.name})
    return warnings


def active_consent(person) -> Consent | None:
    return person.consents.filter(withdrawn_on__isnull=True).first()


@transaction.atomic
def send_referral(
    case: Case,
    receiver,
    *,
    acting_user,
    reason: str,
    services=(),
    deadline: datetime.date | None = None,
) -> Referral:
    errors = {}
    if receiver.pk == case.organisation_id:
        errors["to_organisation"] = _("An organisation cannot refer a person to itself.")
    if not case.is_open:
        errors["case"] = _("This case is closed; reopen work with a new case first.")
    if not reason.strip():
        errors["reason"] = _("Say why the person is referred.")
    if deadline and deadline < clock.localdate():
        errors["deadline"] = _("The deadline is already past.")
    if receiver.sector != Sector.GOVERNMENT and active_consent(case.person) is None:
        # UU 27/2022: sharing with non-government partners needs recorded consent.
        errors["to_organisation"] = _(
            "%(org)s is not a government office: record the consent to share (given by the "
            "person, or a parent or guardian for a child) before referring."
        ) % {"org": receiver.name}
    open_state = (
        Referral.objects.filter(
            from_case=case, to_organisation=receiver, state__in=OPEN_REFERRAL_STATES
        )
        .values_list("state", flat=True)
        .first()
    )
    if open_state is not None:
        errors["to_organisation"] = _already_referred(receiver, open_state)
    if errors:
        raise ValidationError(errors)
    try:
        # A savepoint: when a simultaneous request sent the same referral first, the
        # unique index refuses this one and the transaction stays usable.
        with transaction.atomic():
            referral = Referral.objects.create(
                person=case.person,
                from_case=case,
                from_organisation=case.organisation,
                to_organisation=receiver,
                direction=direction_between(case.organisation, receiver),
                reason=reason.strip(),
                deadline=deadline,
                warnings=referral_warnings(case, receiver),
                sent_by=_user(acting_user),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"to_organisation": _already_referred(receiver, ReferralState.SENT)}
        ) from exc
    referral.requested_services.set(services)
    audit.record_create(referral, acting_user=acting_user, parent=case.person)
    schedule_refresh()
    # The receiver hears of it at once; `jejaring remind` nudges again if it waits.
    notify(
        recipients([receiver]),
        NotificationKind.REFERRAL_WAITING,
        {"referral": referral.pk, "organisation": receiver.name, "sender": case.organisation.name},
        url=reverse("cases:referral", args=[referral.pk]),
        key=f"referral:{referral.pk}:sent",
    )
    return referral


def _already_referred(receiver, state: str) -> str:
    if state == ReferralState.ACCEPTED:
        return _("%(org)s has already accepted a referral from this case.") % {"org": receiver.name}
    return _("A referral to %(org)s is already waiting for an answer.") % {"org": receiver.name}


def _decide(referral: Referral, to_state: str, acting_user, **changes) -> Referral:
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    allowed = {
        ReferralState.ACCEPTED: {ReferralState.SENT},
        ReferralState.DECLINED: {ReferralState.SENT},
        ReferralState.COMPLETED: {ReferralState.ACCEPTED},
        ReferralState.CANCELLED: {ReferralState.SENT},
    }[to_state]
    if current.state not in allowed:
        raise ValidationError(
            {
                "state": _("This referral is “%(state)s”; it cannot become “%(to)s”.")
                % {"state": current.get_state_display(), "to": ReferralState(to_state).label}
            }
        )
    before = audit.snapshot(current)
    current.state = to_state
    for field, value in changes.items():
        setattr(current, field, value)
    current.save()
    audit.record_update(current, before, acting_user=acting_user, parent=current.person)
    schedule_refresh()
    return current


def _require_receiver(referral: Referral, acting_user) -> None:
    """Only the receiving organisation decides on a referral (a background job acting
    for no one — acting_user None — is the system and may)."""
    user = _user(acting_user)
    if acting_user is not None and getattr(user, "organisation_id", None) != (
        referral.to_organisation_id
    ):
        raise PermissionDenied(_("Only the receiving organisation decides on a referral."))


@transaction.atomic
def accept_referral(referral: Referral, *, acting_user, assigned_worker=None) -> Referral:
    """The receiver takes the person on: a case of its own is opened."""
    _require_receiver(referral, acting_user)
    current = _decide(
        referral,
        ReferralState.ACCEPTED,
        acting_user,
        decided_by=_user(acting_user),
        decided_at=clock.now(),
    )
    case = open_case(
        current.person,
        current.from_case.category,
        organisation=current.to_organisation,
        acting_user=acting_user,
        summary=_("Accepted referral #%(id)s: %(reason)s")
        % {"id": current.pk, "reason": current.reason},
        assigned_worker=assigned_worker,
    )
    Referral.objects.filter(pk=current.pk).update(receiver_case=case)
    current.receiver_case = case
    _tell_referral_decided(current)
    return current


@transaction.atomic
def decline_referral(referral: Referral, reason: str, *, acting_user) -> Referral:
    _require_receiver(referral, acting_user)
    if not reason.strip():
        raise ValidationError({"decline_reason": _("Say why the referral is declined.")})
    current = _decide(
        referral,
        ReferralState.DECLINED,
        acting_user,
        decline_reason=reason.strip(),
        decided_by=_user(acting_user),
        decided_at=clock.now(),
    )
    _tell_referral_decided(current)
    return current


@transaction.atomic
def complete_referral(referral: Referral, *, acting_user) -> Referral:
    _require_receiver(referral, acting_user)
    return _decide(
        referral,
        ReferralState.COMPLETED,
        acting_user,
        completed_by=_user(acting_user),
        completed_at=clock.now(),
    )


@transaction.atomic
def cancel_referral(referral: Referral, *, acting_user) -> Referral:
    return _decide(referral, ReferralState.CANCELLED, acting_user)


@transaction.atomic
def record_consent(
    person, *, given_by_name: str, given_by: str, scope: str, given_on: datetime.date, acting_user
) -> Consent:
    errors = {}
    if person.birth_date and given_by == Consent.Giver.SELF:
        age = (given_on - person.birth_date).days // 365
        if age < 18:
            errors["given_by"] = _("For a child, consent is given by a parent or guardian.")
    if given_on > clock.localdate():
        errors["given_on"] = _("Consent cannot be dated in the future.")
    if not given_by_name.strip() or not scope.strip():
        errors["scope"] = _("Say who gave consent and what it covers.")
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=person,
        given_by_name=given_by_name.strip(),
        given_by=given_by,
        scope=scope.strip(),
        given_on=given_on,
        recorded_by=_user(acting_user),
    )
    audit.record_create(consent, acting_user=acting_user, parent=person)
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent, *, acting_user, on: datetime.date | None = None) -> Consent:
    before = audit.snapshot(consent)
    consent.withdrawn_on = on or clock.localdate()
    consent.save(update_fields=["withdrawn_on"])
    audit.record_update(consent, before, acting_user=acting_user, parent=consent.person)
    _tell_consent_withdrawn(consent, acting_user)
    return consent


@transaction.atomic
def start_conference(alert: OverlapAlert, *, acting_user, title: str = "") -> CaseConference:
    """ "Start coordination": a note thread shared by every organisation involved."""
    if alert.conference_id:
        return alert.conference
    conference = CaseConference.objects.create(
        person=alert.person,
        started_by=_user(acting_user),
        title=title or _("Coordination on overlapping handling"),
    )
    conference.organisations.set(alert.organisations.all())
    OverlapAlert.objects.filter(pk=alert.pk).update(conference=conference)
    alert.conference = conference
    audit.record_create(conference, acting_user=acting_user, parent=alert.person)
    return conference


@transaction.atomic
def add_conference_note(conference: CaseConference, text: str, *, acting_user) -> ConferenceNote:
    if not text.strip():
        raise ValidationError({"text": _("Write something in the note.")})
    note = ConferenceNote.objects.create(
        conference=conference,
        author=_user(acting_user),
        text=text.strip(),
        organisation=getattr(_user(acting_user), "organisation", None),
    )
    audit.record_create(note, acting_user=acting_user, parent=conference)
    return note


@transaction.atomic
def set_leading_sector(region, category, organisation, role: str, *, acting_user) -> LeadingSector:
    """Record who leads or supports a category in a region (reference data)."""
    from jejaring.network.actions import may_create_in

    if not may_create_in(acting_user, region):
        raise ValidationError(
            {
                "region": _(
                    "Only the social office of the region or a network administrator "
                    "sets its leading sectors."
                )
            }
        )
    row, created = LeadingSector.objects.get_or_create(
        region=region, category=category, organisation=organisation, defaults={"role": role}
    )
    before = None if created else audit.snapshot(row)
    row.role = role
    row.save()
    if created:
        audit.record_create(row, acting_user=acting_user)
    else:
        audit.record_update(row, before, acting_user=acting_user)
    return row


@transaction.atomic
def assign_worker(case: Case, worker, *, acting_user, expected_version=None) -> Case:
    case = _bump(case, expected_version)
    if worker is not None and worker.organisation_id != case.organisation_id:
        raise ValidationError(
            {
                "assigned_worker": _("The case worker must belong to %(org)s.")
                % {"org": case.organisation.name}
            }
        )
    before = audit.snapshot(case)
    case.assigned_worker = worker
    case.save(update_fields=["assigned_worker", "version"])
    audit.record_update(case, before, acting_user=acting_user, parent=case.person)
    if worker is not None and before.get("assigned_worker_id") != worker.pk:
        _tell_assigned(case, worker, acting_user)
    return case


# Closing the loops (issue 14): who hears of what. Each is called inside its action's
# transaction; the parameters hold ids and organisation names only, and the person is
# named when the notification is read, as the reader may see them.


def _tell_assigned(case: Case, worker, acting_user) -> None:
    """The worker hears a case is theirs, unless they took it themselves."""
    by = _user(acting_user)
    if by is not None and by.pk == worker.pk:
        return
    notify(
        [worker],
        NotificationKind.CASE_ASSIGNED,
        {
            "person": case.person_id,
            "by": by.display_name if by is not None else case.organisation.name,
            "organisation": case.organisation.name,
        },
        url=reverse("cases:detail", args=[case.pk]),
    )


def _tell_referral_decided(referral: Referral) -> None:
    """The sender hears the answer: the worker who sent the referral and the worker on
    the sending case, the two who act on it. When neither can be told (sent by the
    system, or they left the organisation), the sending organisation's case staff are,
    so an answer is never lost."""
    users = [
        u
        for u in (referral.sent_by, referral.from_case.assigned_worker)
        if u is not None and u.is_active and u.organisation_id == referral.from_organisation_id
    ]
    if not users:
        users = case_staff([referral.from_organisation_id])
    accepted = referral.state == ReferralState.ACCEPTED
    notify(
        users,
        NotificationKind.REFERRAL_ACCEPTED if accepted else NotificationKind.REFERRAL_DECLINED,
        {"referral": referral.pk, "organisation": referral.to_organisation.name},
        url=reverse("cases:referral", args=[referral.pk]),
        key=f"referral:{referral.pk}:{referral.state}",
    )


def _tell_consent_withdrawn(consent: Consent, acting_user) -> None:
    """The receivers the consent covered hear it is withdrawn: the non-government
    organisations the person was referred to since it was given (sharing with them is
    what it allowed, UU 27/2022), through their case staff — not the organisation that
    recorded the withdrawal."""
    by = _user(acting_user)
    own = getattr(by, "organisation_id", None)
    latest: dict[int, int] = {}
    for referral_id, organisation_id in (
        Referral.objects.filter(person_id=consent.person_id, sent_at__date__gte=consent.given_on)
        .exclude(to_organisation__sector=Sector.GOVERNMENT)
        .order_by("sent_at", "pk")
        .values_list("pk", "to_organisation_id")
    ):
        if organisation_id != own:
            latest[organisation_id] = referral_id
    recorder = getattr(getattr(by, "organisation", None), "name", "")
    for organisation_id, referral_id in latest.items():
        notify(
            case_staff([organisation_id]),
            NotificationKind.CONSENT_WITHDRAWN,
            {
                "person": consent.person_id,
                "organisation": recorder or consent.person.registered_by.name,
                "on": consent.withdrawn_on.isoformat(),
            },
            url=reverse("cases:referral", args=[referral_id]),
            key=f"consent:{consent.pk}:withdrawn",
        )
