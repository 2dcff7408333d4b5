"""Applying a phone's drafts: each exactly once, through the actions the online forms
use (scoping, audit, the duplicate guard), whatever the signal does.

``sync_draft`` locks the draft's row (made on first sight, keyed by the user and the
phone's idempotency key) and runs the action in the same transaction: either both the
effect and "applied" are stored, or neither. A retry of an applied or refused draft
answers what it answered before and changes nothing. A registration the duplicate
guard stops waits for the worker's choice: the same person (nothing is created) or a
new one (registered with the guard's candidates acknowledged).
"""

from __future__ import annotations

import base64
import binascii
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError as PayloadError

from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, CaseState, ServiceType
from jejaring.collaboration import actions as collaboration_actions
from jejaring.collaboration.models import Meeting
from jejaring.core import clock
from jejaring.core.api_errors import field_errors
from jejaring.core.scoping import CHANGE, VIEW_IDENTITY
from jejaring.reference.models import PmksCategory
from jejaring.regions.fields import region_by_code
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person
from jejaring.registry.presenters import present_many

from . import payloads
from .models import FINAL_STATES, DraftKind, DraftState, SyncedDraft

# Drafts one request may carry: a phone on 2G sends a few at a time and resumes.
BATCH_MAX = 10


def sync_draft(key, kind: str, payload: dict, *, acting_user, choice=None) -> dict:
    """The outcome of one draft, applying it if it was never applied."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return _refused({"key": [_("The draft's key is not valid.")]})
    if kind not in DraftKind.values:
        return _refused({"kind": [_("Unknown kind of draft.")]})
    with transaction.atomic():
        draft, _created = SyncedDraft.objects.select_for_update().get_or_create(
            user=acting_user, key=key, defaults={"kind": kind, "state": DraftState.NEEDS_CHOICE}
        )
        if draft.state in FINAL_STATES and not _created:
            return {**draft.outcome, "repeated": True}
        if draft.kind != kind:
            return _refused({"kind": [_("This key belongs to another draft.")]})
        waiting = _waiting_for(kind, payload, acting_user)
        if waiting:
            # Not applied, not refused: the phone sends it again with the next sync.
            draft.outcome = {"state": "waiting", "detail": waiting}
            draft.save(update_fields=["outcome"])
            return draft.outcome
        draft.attempts += 1
        try:
            with transaction.atomic():  # a refusal leaves nothing of the action behind
                result = APPLY[kind](payload, acting_user, choice)
            draft.state, draft.outcome = DraftState.APPLIED, {"state": "applied", **result}
        except registry_actions.DuplicateSuspected as exc:
            draft.state, draft.outcome = DraftState.NEEDS_CHOICE, _candidates(exc, acting_user)
        except registry_actions.EditConflict as exc:
            draft.state, draft.outcome = DraftState.NEEDS_CHOICE, _both_versions(exc, payload)
        except PayloadError as exc:
            draft.state, draft.outcome = DraftState.REFUSED, _refused(_payload_errors(exc))
        except ValidationError as exc:
            draft.state, draft.outcome = DraftState.REFUSED, _refused(_messages(exc))
        except (PermissionDenied, Person.DoesNotExist, Case.DoesNotExist, Meeting.DoesNotExist):
            draft.state = DraftState.REFUSED
            draft.outcome = _refused({"": [_("You may not change this record.")]})
        draft.updated_at = clock.now()
        draft.save()
    return draft.outcome


def _registration(user, key: str) -> SyncedDraft | None:
    try:
        key = uuid.UUID(key)
    except ValueError:
        return None
    return SyncedDraft.objects.filter(user=user, key=key, kind=DraftKind.REGISTER_PERSON).first()


def _waiting_for(kind: str, payload: dict, user) -> str:
    """Why the draft cannot be applied yet, or "": a service for a person whose
    registration draft has not been applied (it waits for the worker's choice, or has
    not reached the server yet)."""
    if kind != DraftKind.RECORD_SERVICE or not isinstance(payload, dict):
        return ""
    key = payload.get("person_draft")
    if not key or not isinstance(key, str):
        return ""
    registration = _registration(user, key)
    if registration is not None and registration.state != DraftState.NEEDS_CHOICE:
        return ""  # applied (it names the person) or refused (the service is refused)
    return _("Waits until the registration of this person is sent and settled.")


def _refused(errors: dict) -> dict:
    return {"state": "refused", "errors": errors}


def _messages(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"": [str(m) for m in exc.messages]}


def _payload_errors(exc: PayloadError) -> dict:
    out: dict[str, list[str]] = {}
    for error in field_errors(exc.errors()):
        out.setdefault(error["field"], []).append(error["msg"])
    return out


def _candidates(exc, user) -> dict:
    views = present_many([c.person for c in exc.candidates], user)
    return {
        "state": "needs_choice",
        "detail": _("This person may already be registered. Is it one of these?"),
        "candidates": [
            {**{k: v.as_dict()[k] for k in ("id", "name", "birth", "place")}, "reasons": c.reasons}
            for v, c in zip(views, exc.candidates, strict=True)
        ],
    }


def _both_versions(exc, payload: dict) -> dict:
    """What the worker typed and what the record holds now, field by field, for the
    worker to keep one (the record is one the worker may change, so in full)."""
    current = exc.current
    changed = [f for f in payloads.UPDATABLE if f in payload]
    return {
        "state": "conflict",
        "detail": _("Someone changed this record after your phone read it. Keep which?"),
        "current_version": current.version,
        "fields": [
            {"field": f, "mine": str(payload[f]), "theirs": getattr(current, f)} for f in changed
        ],
    }


def _category(code: str, field: str):
    category = PmksCategory.objects.active().filter(code=code).first()
    if category is None:
        raise ValidationError({field: _("Not a PMKS category in the reference list.")})
    return category


def _photo(data_url: str):
    """A data URL as an uploaded file for the registry's own checks (type, size)."""
    head, _sep, body = data_url.partition(",")
    extension = {"data:image/jpeg;base64": "jpg", "data:image/png;base64": "png"}.get(head)
    if extension is None:
        raise ValidationError({"photo": _("The photo must be a JPG or PNG picture.")})
    try:
        content = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({"photo": _("The photo could not be read.")}) from exc
    return ContentFile(content, name=f"lapangan.{extension}")


def _register(payload: dict, user, choice) -> dict:
    data = payloads.RegisterPerson.model_validate(payload)
    if isinstance(choice, dict):
        # The worker recognised a candidate: nothing is created; the draft is that person.
        same = payloads.SamePerson.model_validate(choice)
        person = Person.objects.restrict(user, VIEW_IDENTITY).get(pk=same.same)
        return {"person": person.pk, "same_person": True}
    try:
        region = region_by_code(data.region) if data.region else None
    except ValidationError as exc:
        raise ValidationError({"region": exc.messages}) from exc
    person = registry_actions.create_person(
        {
            **data.model_dump(
                include={
                    "full_name",
                    "nik",
                    "sex",
                    "birth_date",
                    "birth_date_precision",
                    "rt",
                    "rw",
                    "address",
                    "phone",
                }
            ),
            **(
                {"nik_unverified_reason": data.nik_unverified_reason}
                if data.nik_unverified_reason
                else {}
            ),
            "region": region,
        },
        organisation=user.organisation,
        acting_user=user,
        categories=[_category(code, "categories") for code in data.categories],
        aliases=[{"name": name} for name in data.aliases if name.strip()],
        confirmed_new=choice == "new",
    )
    if data.photo:
        registry_actions.set_photo(person, _photo(data.photo), acting_user=user)
    result = {"person": person.pk, "same_person": False}
    if data.report_category:
        case = case_actions.open_case(
            person,
            _category(data.report_category, "report_category"),
            organisation=user.organisation,
            acting_user=user,
            state=CaseState.REPORTED,
            summary=_("Reported from outreach (field draft)."),
        )
        result["case"] = case.pk
    return result


def _service(payload: dict, user, choice) -> dict:
    data = payloads.RecordService.model_validate(payload)
    person_id = data.person
    if data.person_draft:
        registration = _registration(user, data.person_draft)
        if registration is None or registration.state != DraftState.APPLIED:
            raise ValidationError(
                {"person_draft": _("The registration of this person was refused.")}
            )
        person_id = registration.outcome["person"]
    person = Person.objects.restrict(user, VIEW_IDENTITY).get(pk=person_id)
    service_type = ServiceType.objects.active().filter(code=data.service_type).first()
    if service_type is None:
        raise ValidationError({"service_type": _("Not a service in the reference list.")})
    # The service goes on the worker's office's open case for the person, or on one
    # opened now: a service is always given within a case (SPM counts it by its case).
    case = (
        Case.objects.restrict(user, CHANGE)
        .filter(person=person, organisation=user.organisation)
        .exclude(state__in=(CaseState.CLOSED, CaseState.REPORTED))
        .order_by("-pk")
        .first()
    )
    if case is None:
        if not data.category:
            raise ValidationError(
                {"category": _("Your office has no open case for this person: choose a category.")}
            )
        case = case_actions.open_case(
            person,
            _category(data.category, "category"),
            organisation=user.organisation,
            acting_user=user,
        )
    service = case_actions.record_service(
        case, service_type, data.delivered_on, acting_user=user, quantity=data.quantity
    )
    return {"person": person.pk, "case": case.pk, "service": service.pk}


def _update(payload: dict, user, choice) -> dict:
    """Changes typed offline to a person's record, against the version the phone had.
    Someone saved since: the draft waits with both versions (``EditConflict``), and the
    worker keeps theirs (``{"overwrite": version}``, the version they were shown) or
    the server's (the phone then drops the draft)."""
    data = payloads.UpdatePerson.model_validate(payload)
    person = Person.objects.restrict(user, CHANGE).get(pk=data.person)
    version = data.version
    if isinstance(choice, dict) and "overwrite" in choice:
        version = payloads.Overwrite.model_validate(choice).overwrite
    changes = data.model_dump(include=set(payloads.UPDATABLE), exclude_unset=True)
    saved = registry_actions.update_person(
        person, changes, expected_version=version, acting_user=user
    )
    return {"person": saved.pk, "version": saved.version}


def _attendance(payload: dict, user, choice) -> dict:
    """Who came to a meeting, recorded offline by the one who runs it (facilitator,
    coordinator): the same action and rules as the meeting page."""
    data = payloads.Attendance.model_validate(payload)
    meeting = Meeting.objects.restrict(user, CHANGE).get(pk=data.meeting)
    invited = set(meeting.participants.values_list("organisation_id", flat=True))
    unknown = [row.organisation for row in data.attendance if row.organisation not in invited]
    if unknown:
        raise ValidationError({"attendance": _("Only the organisations invited to the meeting.")})
    collaboration_actions.record_attendance(
        meeting, {row.organisation: row.names for row in data.attendance}, acting_user=user
    )
    return {"meeting": meeting.pk}


APPLY = {
    DraftKind.REGISTER_PERSON: _register,
    DraftKind.RECORD_SERVICE: _service,
    DraftKind.UPDATE_PERSON: _update,
    DraftKind.ATTENDANCE: _attendance,
}
