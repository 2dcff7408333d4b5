"""Exit: a person asks for another provider, and the request becomes a referral from their
case to the organisation they chose, decided by it like any referral. Public (with the
service code their office gave them) or through a worker; one transaction each, the
audit rows inside (the referral's own, and the request's)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.cases.actions import active_consent, send_referral
from jejaring.cases.models import Case
from jejaring.core import notifications
from jejaring.core.models import Notification
from jejaring.core.scoping import CHANGE
from jejaring.network.models import OrganisationStatus, Sector

from .. import codes
from ..models import ExitRequest, ExitVia, ServiceCode

CODE_PREFIX = "LY"


def normalise_code(typed: str) -> str:
    return codes.normalise_code(typed, CODE_PREFIX)


def _may_change(case: Case, acting_user) -> None:
    if not Case.objects.restrict(acting_user, CHANGE).filter(pk=case.pk).exists():
        raise PermissionDenied(_("Only the office handling this case may do this."))


@transaction.atomic
def issue_service_code(case: Case, *, acting_user) -> ServiceCode:
    """The case's service code, made once and given again when asked."""
    _may_change(case, acting_user)
    existing = ServiceCode.objects.filter(case=case).first()
    if existing is not None:
        return existing
    service_code = ServiceCode.objects.create(
        case=case,
        code=codes.unused_code(ServiceCode, CODE_PREFIX, "code"),
        issued_by=acting_user,
    )
    audit.record_create(service_code, acting_user=acting_user, parent=case.person)
    return service_code


def _needs_consent(case: Case, receiver) -> bool:
    return receiver.sector != Sector.GOVERNMENT and active_consent(case.person) is None


def _referral_reason(exit_request: ExitRequest) -> str:
    said = exit_request.reason.strip() or _("no reason given")
    return _("The person asked to be served by another provider (exit): %(reason)s") % {
        "reason": said
    }


def _send(exit_request: ExitRequest, acting_user) -> None:
    referral = send_referral(
        exit_request.case,
        exit_request.to_organisation,
        acting_user=acting_user,
        reason=_referral_reason(exit_request),
    )
    exit_request.referral = referral
    exit_request.save(update_fields=["referral"])
    audit.record_update(
        exit_request,
        {"referral_id": None},
        acting_user=acting_user,
        parent=exit_request.case.person,
        message="referral sent",
    )


def request_exit(
    case: Case, to_organisation, reason: str = "", *, via: str, acting_user=None, sender_key=""
) -> ExitRequest:
    """Record the request and send the referral at once; where the provider chosen is a
    partner and no consent to share is on record (UU 27/2022), the request waits and the
    case's office is told to record the consent and send it."""
    if via == ExitVia.WORKER:
        _may_change(case, acting_user)
    errors = {}
    if to_organisation.pk == case.organisation_id:
        errors["organisation"] = _("Choose another provider than the one serving the person now.")
    if to_organisation.status != OrganisationStatus.ACTIVE:
        errors["organisation"] = _("Choose an office or institution.")
    if not case.is_open:
        errors["case"] = _("This case is closed; ask the office for a new one first.")
    if errors:
        raise ValidationError(errors)
    signed_in = acting_user if acting_user is not None and acting_user.is_authenticated else None
    with transaction.atomic():
        exit_request = ExitRequest.objects.create(
            case=case,
            to_organisation=to_organisation,
            reason=(reason or "").strip()[:2000],
            via=via,
            requested_by=signed_in,
            sender_key=sender_key,
        )
        audit.record_create(exit_request, acting_user=signed_in, parent=case.person)
        if _needs_consent(case, to_organisation):
            notifications.notify(
                notifications.case_staff([case.organisation_id]),
                Notification.Kind.EXIT_WAITING,
                {"person": case.person_id, "organisation": to_organisation.name},
                url=reverse("exits:case", args=[case.pk]),
                key=f"exit:{exit_request.pk}:waiting",
            )
        else:
            _send(exit_request, signed_in)
    return exit_request


@transaction.atomic
def send_waiting_exit(exit_request: ExitRequest, *, acting_user) -> ExitRequest:
    """The case's office sends the referral a waiting request asked for (once consent
    is recorded; ``send_referral`` refuses without it)."""
    current = (
        ExitRequest.objects.select_for_update(of=("self",))
        .select_related("case__person", "case__organisation", "to_organisation")
        .get(pk=exit_request.pk)
    )
    _may_change(current.case, acting_user)
    if current.referral_id is not None:
        raise ValidationError(_("The referral for this request was already sent."))
    _send(current, acting_user)
    return current


def request_exit_by_code(code: str, to_organisation, reason: str, *, sender_address: str):
    """The person's own request, with the service code their office gave them."""
    key = codes.check_sender(ExitRequest, sender_address, settings.PUBLIC_COMPLAINTS_PER_HOUR)
    service_code = (
        ServiceCode.objects.select_related("case__person", "case__organisation")
        .filter(code=normalise_code(code))
        .first()
    )
    if service_code is None:
        raise ValidationError({"kode": _("No case has this service code.")})
    return request_exit(
        service_code.case, to_organisation, reason, via=ExitVia.PUBLIC, sender_key=key
    )
