"""Agreements (MoU / PKS): drafting, negotiation clause by clause, signatures, expiry
and renewal."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.core import clock
from jejaring.core.files import check_upload
from jejaring.core.notifications import Kind, notify, recipients

from ..models import (
    AGREEMENT_TRANSITIONS,
    EXPIRY_REMINDER_DAYS,
    Agreement,
    AgreementClause,
    AgreementDocument,
    AgreementEvent,
    AgreementParty,
    AgreementState,
    ClauseComment,
)
from ._common import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, actor, refuse_if

EDITABLE_STATES = (AgreementState.DRAFT, AgreementState.NEGOTIATION)


def _event(agreement, from_state, to_state, acting_user, note="") -> None:
    AgreementEvent.objects.create(
        agreement=agreement,
        from_state=from_state,
        to_state=to_state,
        by=actor(acting_user),
        note=note[:255],
    )


@transaction.atomic
def draft_agreement(
    *,
    kind: str,
    title: str,
    drafted_by,
    parties: list,
    acting_user,
    clauses: list[tuple[str, str]] = (),
    purpose: str = "",
    legal_basis: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    categories=(),
    service_types=(),
    regions=(),
    forum=None,
    number: str = "",
    renews: Agreement | None = None,
) -> Agreement:
    """A new draft. ``parties`` is a list of (organisation, obligations); the drafting
    organisation must be one of them, and an agreement has at least two parties."""
    organisations = [org for org, _obligations in parties]
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the agreement a title.")
    if len({o.pk for o in organisations}) < 2:
        errors["parties"] = _("An agreement needs at least two different parties.")
    elif len({o.pk for o in organisations}) != len(organisations):
        errors["parties"] = _("Each organisation is a party only once.")
    elif drafted_by.pk not in {o.pk for o in organisations}:
        errors["parties"] = _("Your organisation must be one of the parties.")
    if starts_on and ends_on and ends_on <= starts_on:
        errors["ends_on"] = _("The agreement must end after it starts.")
    refuse_if(errors)
    agreement = Agreement.objects.create(
        kind=kind,
        title=title.strip(),
        number=number,
        purpose=purpose,
        legal_basis=legal_basis,
        starts_on=starts_on,
        ends_on=ends_on,
        forum=forum,
        drafted_by=drafted_by,
        renews=renews,
    )
    agreement.categories.set(categories)
    agreement.service_types.set(service_types)
    agreement.regions.set(regions)
    for organisation, obligations in parties:
        AgreementParty.objects.create(
            agreement=agreement, organisation=organisation, obligations=obligations or ""
        )
    for number_, (heading, text) in enumerate(clauses, start=1):
        AgreementClause.objects.create(
            agreement=agreement, number=number_, heading=heading, text=text
        )
    _event(agreement, "", AgreementState.DRAFT, acting_user)
    audit.record_create(agreement, acting_user=acting_user)
    return agreement


@transaction.atomic
def add_clause(agreement: Agreement, *, heading: str, text: str, acting_user) -> AgreementClause:
    if agreement.state not in EDITABLE_STATES:
        raise ValidationError(_("The text is final once it goes out for signature."))
    if not text.strip():
        raise ValidationError({"text": _("The clause is empty.")})
    number = (agreement.clauses.aggregate(top=Max("number"))["top"] or 0) + 1
    clause = AgreementClause.objects.create(
        agreement=agreement, number=number, heading=heading.strip(), text=text.strip()
    )
    audit.record_create(clause, acting_user=acting_user, parent=agreement)
    return clause


@transaction.atomic
def set_obligations(
    agreement: Agreement, organisation, text: str, *, acting_user
) -> AgreementParty:
    """What one party undertakes, written while the text is still being negotiated."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state not in EDITABLE_STATES:
        raise ValidationError(_("The text is final once it goes out for signature."))
    party = agreement.parties.filter(organisation=organisation).first()
    if party is None:
        raise ValidationError(
            {"organisation": _("%(org)s is not a party to this agreement.") % {"org": organisation}}
        )
    before = audit.snapshot(party)
    party.obligations = (text or "").strip()
    party.save(update_fields=["obligations"])
    audit.record_update(party, before, acting_user=acting_user, parent=agreement)
    return party


@transaction.atomic
def comment_on_clause(clause: AgreementClause, text: str, *, acting_user) -> ClauseComment:
    if clause.agreement.state not in EDITABLE_STATES:
        raise ValidationError(_("Negotiation is over: the text is final."))
    if not text.strip():
        raise ValidationError({"text": _("The comment is empty.")})
    user = actor(acting_user)
    comment = ClauseComment.objects.create(
        clause=clause,
        author=user,
        organisation_id=getattr(user, "organisation_id", None),
        text=text.strip(),
    )
    audit.record_create(comment, acting_user=acting_user, parent=clause.agreement)
    return comment


@transaction.atomic
def move_agreement(
    agreement: Agreement, to_state: str, *, acting_user, note: str = ""
) -> Agreement:
    """Move between draft, negotiation and signature; signatures make it active."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if to_state not in AGREEMENT_TRANSITIONS.get(agreement.state, set()):
        raise ValidationError(
            _("An agreement that is %(from)s cannot become %(to)s.")
            % {
                "from": agreement.get_state_display().lower(),
                "to": AgreementState(to_state).label.lower()
                if to_state in AgreementState.values
                else to_state,
            }
        )
    if to_state == AgreementState.TERMINATED:
        return terminate_agreement(agreement, reason=note, acting_user=acting_user)
    if to_state == AgreementState.AWAITING_SIGNATURES:
        errors = {}
        if not agreement.clauses.exists():
            errors["clauses"] = _("The agreement has no clauses yet.")
        if not (agreement.starts_on and agreement.ends_on):
            errors["ends_on"] = _("Set the period of validity before signing.")
        refuse_if(errors)
    if agreement.state == AgreementState.AWAITING_SIGNATURES:
        # The text may change again: a signature given to the old text is void.
        for party in agreement.parties.filter(signed_at__isnull=False):
            party_before = audit.snapshot(party)
            party.signed_at = party.signed_by = None
            party.signatory_name = party.signatory_position = ""
            party.save()
            audit.record_update(
                party,
                party_before,
                acting_user=acting_user,
                parent=agreement,
                message="signature withdrawn: back to negotiation",
            )
    before = audit.snapshot(agreement)
    from_state = agreement.state
    agreement.state = to_state
    agreement.save(update_fields=["state", "updated_at"])
    _event(agreement, from_state, to_state, acting_user, note)
    audit.record_update(agreement, before, acting_user=acting_user)
    if to_state == AgreementState.AWAITING_SIGNATURES:
        for party in agreement.parties.select_related("organisation"):
            notify(
                recipients([party.organisation]),
                Kind.AGREEMENT_SIGNATURE,
                {"agreement": agreement.title, "organisation": party.organisation.name},
                url=reverse("collaboration:agreement", args=[agreement.pk]),
                key=f"agreement:{agreement.pk}:sign:{agreement.events.count()}",
            )
    return agreement


@transaction.atomic
def sign_agreement(
    agreement: Agreement, organisation, *, signatory_name: str, signatory_position: str, acting_user
) -> Agreement:
    """One party signs. When the last party signs the agreement becomes active (and an
    agreement it renews is marked renewed)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state != AgreementState.AWAITING_SIGNATURES:
        raise ValidationError(_("This agreement is not awaiting signatures."))
    party = agreement.parties.filter(organisation=organisation).first()
    if party is None:
        raise ValidationError(
            {"organisation": _("%(org)s is not a party to this agreement.") % {"org": organisation}}
        )
    errors = {}
    if party.signed_at:
        errors["organisation"] = _("%(org)s has already signed.") % {"org": organisation.name}
    if not signatory_name.strip():
        errors["signatory_name"] = _("Who signs on behalf of the organisation?")
    if not signatory_position.strip():
        errors["signatory_position"] = _("Give the signatory's position.")
    refuse_if(errors)
    party_before = audit.snapshot(party)
    party.signatory_name = signatory_name.strip()
    party.signatory_position = signatory_position.strip()
    party.signed_at = clock.now()
    party.signed_by = actor(acting_user)
    party.save()
    audit.record_update(
        party, party_before, acting_user=acting_user, parent=agreement, message="signed"
    )
    if not agreement.parties.filter(signed_at__isnull=True).exists():
        before = audit.snapshot(agreement)
        agreement.state = AgreementState.ACTIVE
        agreement.save(update_fields=["state", "updated_at"])
        _event(
            agreement,
            AgreementState.AWAITING_SIGNATURES,
            AgreementState.ACTIVE,
            acting_user,
            "all parties signed",
        )
        audit.record_update(agreement, before, acting_user=acting_user)
        if agreement.renews_id:
            old = Agreement.objects.select_for_update().get(pk=agreement.renews_id)
            if old.state in (AgreementState.ACTIVE, AgreementState.EXPIRED):
                old_before = audit.snapshot(old)
                from_state = old.state
                old.state = AgreementState.RENEWED
                old.save(update_fields=["state", "updated_at"])
                _event(
                    old,
                    from_state,
                    AgreementState.RENEWED,
                    acting_user,
                    f"renewed by #{agreement.pk}",
                )
                audit.record_update(old, old_before, acting_user=acting_user)
    return agreement


@transaction.atomic
def terminate_agreement(agreement: Agreement, *, reason: str, acting_user) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state != AgreementState.ACTIVE:
        raise ValidationError(_("Only an active agreement can be terminated."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the agreement is terminated.")})
    before = audit.snapshot(agreement)
    agreement.state = AgreementState.TERMINATED
    agreement.termination_reason = reason.strip()
    agreement.save(update_fields=["state", "termination_reason", "updated_at"])
    _event(agreement, AgreementState.ACTIVE, AgreementState.TERMINATED, acting_user, reason)
    audit.record_update(agreement, before, acting_user=acting_user)
    return agreement


@transaction.atomic
def renew_agreement(
    agreement: Agreement, *, starts_on: datetime.date, ends_on: datetime.date, acting_user
) -> Agreement:
    """A renewal is a new draft with the same parties, scope and clauses; the old one
    becomes "renewed" when the new one is signed."""
    if agreement.state not in (AgreementState.ACTIVE, AgreementState.EXPIRED):
        raise ValidationError(_("Only an active or expired agreement can be renewed."))
    if Agreement.objects.filter(renews=agreement).exists():
        raise ValidationError(_("A renewal of this agreement already exists."))
    user = actor(acting_user)
    drafter = agreement.parties.filter(
        organisation_id=getattr(user, "organisation_id", None)
    ).first()
    return draft_agreement(
        kind=agreement.kind,
        title=agreement.title,
        drafted_by=(drafter or agreement.parties.first()).organisation,
        parties=[
            (p.organisation, p.obligations)
            for p in agreement.parties.select_related("organisation")
        ],
        clauses=[(c.heading, c.text) for c in agreement.clauses.all()],
        purpose=agreement.purpose,
        legal_basis=agreement.legal_basis,
        starts_on=starts_on,
        ends_on=ends_on,
        categories=agreement.categories.all(),
        service_types=agreement.service_types.all(),
        regions=agreement.regions.all(),
        forum=agreement.forum,
        renews=agreement,
        acting_user=acting_user,
    )


def upload_agreement_document(
    agreement: Agreement, upload, *, acting_user, note: str = ""
) -> AgreementDocument:
    """A new version of the document; earlier versions stay.

    The file is checked and written first, outside the transaction (storage is not
    transactional, and a slow write must hold no lock). The version is numbered in
    the one transaction that saves the row and its audit, with the agreement's row
    locked: two uploads at once wait for each other and become versions n and n+1,
    instead of both reading n-1 and colliding on the unique version."""
    try:
        check_upload(upload, allowed=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    document = AgreementDocument(
        agreement=agreement,
        original_name=upload.name[:255],
        note=note[:255],
        uploaded_by=actor(acting_user),
    )
    # An orphan file is harmless, a row without its file is not: the file goes first.
    document.file.save(upload.name, upload, save=False)
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        document.version = (locked.documents.aggregate(top=Max("version"))["top"] or 0) + 1
        document.save()
        audit.record_create(document, acting_user=acting_user, parent=agreement)
    return document


@transaction.atomic
def expire_agreements(today: datetime.date | None = None) -> dict:
    """The daily calendar work: expire what has ended, and remind the parties 60 and
    30 days before the end. Returns what it did, for the task's log."""
    today = today or clock.localdate()
    expired = 0
    for agreement in Agreement.objects.select_for_update().filter(
        state=AgreementState.ACTIVE, ends_on__lt=today
    ):
        before = audit.snapshot(agreement)
        agreement.state = AgreementState.EXPIRED
        agreement.save(update_fields=["state", "updated_at"])
        _event(agreement, AgreementState.ACTIVE, AgreementState.EXPIRED, None, "end date passed")
        audit.record_update(agreement, before, acting_user=None)
        expired += 1
    reminded = 0
    horizon = today + datetime.timedelta(days=max(EXPIRY_REMINDER_DAYS))
    for agreement in Agreement.objects.filter(
        state=AgreementState.ACTIVE, ends_on__gte=today, ends_on__lte=horizon
    ).prefetch_related("parties__organisation"):
        left = (agreement.ends_on - today).days
        # The tightest window reached that has not been announced yet.
        due = [
            d
            for d in sorted(EXPIRY_REMINDER_DAYS)
            if left <= d and d not in agreement.reminders_sent
        ]
        if not due:
            continue
        window = due[0]
        notify(
            recipients([p.organisation for p in agreement.parties.all()]),
            Kind.AGREEMENT_EXPIRING,
            {
                "agreement": agreement.title,
                "days": left,
                "ends": formats.date_format(agreement.ends_on, "d-m-Y"),
            },
            url=reverse("collaboration:agreement", args=[agreement.pk]),
            key=f"agreement:{agreement.pk}:expiring:{window}",
        )
        agreement.reminders_sent = sorted({*agreement.reminders_sent, *due})
        agreement.save(update_fields=["reminders_sent"])
        reminded += 1
    return {"expired": expired, "reminded": reminded}
