"""The satisfaction survey's operations: an office issues a code, a person answers with
it once. The answer is stored apart from the code (no link between them), with its day
but not its time, and no audit row names it: the code's use is audited instead, so the
log too cannot tie an answer to a person."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.core import clock

from .. import codes
from ..models import SurveyElement, SurveyInvitation, SurveyResponse

CODE_PREFIX = "SK"
SUGGESTION_MAX = 1000


def normalise_code(typed: str) -> str:
    return codes.normalise_code(typed, CODE_PREFIX)


@transaction.atomic
def issue_invitation(*, service_type=None, acting_user) -> SurveyInvitation:
    """A code for the next person served by the acting user's office (after a service,
    a closed case, or at the desk's tablet)."""
    if acting_user is None or not acting_user.organisation_id:
        raise ValidationError(_("Your account belongs to no organisation."))
    invitation = SurveyInvitation.objects.create(
        code=codes.unused_code(SurveyInvitation, CODE_PREFIX, "code"),
        organisation_id=acting_user.organisation_id,
        service_type=service_type,
        issued_on=clock.localdate(),
        issued_by=acting_user,
    )
    audit.record_create(invitation, acting_user=acting_user, message="survey code issued")
    return invitation


def open_invitation(code: str) -> SurveyInvitation | None:
    """The unused invitation this code names, or None."""
    normalised = normalise_code(code)
    if not normalised:
        return None
    return (
        SurveyInvitation.objects.select_related("organisation", "service_type")
        .filter(code=normalised, used=False)
        .first()
    )


def answer_survey(code: str, scores: dict, suggestion: str = "") -> SurveyResponse:
    """One person's answers, once per code. ``scores``: element code → 1..4 for the
    active elements (one may be left out; an unknown one or another value is refused)."""
    elements = {e.code for e in SurveyElement.objects.active()}
    cleaned = {}
    for key, value in (scores or {}).items():
        if key not in elements:
            raise ValidationError({key: _("Unknown question.")})
        if value in ("", None):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in (1, 2, 3, 4):
            raise ValidationError({key: _("Choose one of the four answers.")})
        cleaned[key] = number
    if not cleaned:
        raise ValidationError(_("Answer at least one question."))
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .filter(code=normalise_code(code), used=False)
            .first()
        )
        if invitation is None:
            raise ValidationError(_("This survey code is unknown or was already used."))
        invitation.used = True
        invitation.save(update_fields=["used"])
        response = SurveyResponse.objects.create(
            organisation_id=invitation.organisation_id,
            service_type_id=invitation.service_type_id,
            answered_on=clock.localdate(),
            scores=cleaned,
            suggestion=(suggestion or "").strip()[:SUGGESTION_MAX],
        )
        audit.record(
            AuditAction.UPDATE,
            invitation,
            acting_user=None,
            after={"used": True},
            message="survey code used",
        )
    return response
