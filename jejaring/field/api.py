"""The field page's API: the key its drafts are encrypted with, the reference data and
the people of the worker's area it works with offline, and the sync.

Nothing here is cached by the service worker except ``/reference`` (no person in it):
the key and the people reach the phone only over a signed-in request, and the page
keeps the people encrypted."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import JsonResponse
from ninja import Router, Schema
from pydantic import Field

from jejaring.cases.models import ServiceType
from jejaring.collaboration.models import Meeting, MeetingParticipant, MeetingState
from jejaring.core import clock
from jejaring.core.scoping import CHANGE, VIEW_IDENTITY, region_subtree, scope_for
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region, RegionLevel
from jejaring.registry.models import LifeStatus, Person
from jejaring.registry.presenters import audit_shown, present_many

from . import actions
from .payloads import UPDATABLE

router = Router(tags=["field work (offline)"])

# People of the area a phone carries: a village's are a few hundred.
PEOPLE_MAX = 500
VILLAGES_MAX = 3000
MEETING_WINDOW = datetime.timedelta(days=7)


def draft_key(user) -> str:
    """The key the user's drafts are encrypted with on the phone: the same after every
    sign-in (a draft saved before the session ended still opens), never stored on the
    device at rest (the page keeps it in the tab's session storage), and useless
    without the account. Rotating SECRET_KEY makes unsent drafts unreadable."""
    secret = hmac.new(
        settings.SECRET_KEY.encode(), f"jejaring.field.drafts:{user.pk}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(secret).decode()


def no_store(body: dict) -> JsonResponse:
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/key",
    url_name="field-key",
    summary="The key this user's drafts are encrypted with on the phone",
)
def key(request):
    return no_store({"key": draft_key(request.auth)})


def area_code(user) -> str:
    """The region the worker's field page covers: the office's jurisdiction (a village
    office's village), else its home region."""
    scope = scope_for(user)
    if scope and scope.jurisdiction_code:
        return scope.jurisdiction_code
    organisation = user.organisation
    return organisation.home_region_id if organisation else ""


@router.get(
    "/reference",
    response=dict[str, Any],
    url_name="field-reference",
    summary="What the offline forms choose from",
)
def reference(request):
    code = area_code(request.auth)
    villages = (
        Region.objects.filter(level=RegionLevel.VILLAGE).filter(region_subtree("code", code))
        if code
        else Region.objects.none()
    )
    return {
        "area": code,
        "villages": [
            {"code": r.code, "name": r.name} for r in villages.order_by("name")[:VILLAGES_MAX]
        ],
        "categories": [
            {"code": c.code, "name": c.name} for c in PmksCategory.objects.active().order_by("name")
        ],
        "service_types": [
            {"code": s.code, "name": s.name} for s in ServiceType.objects.active().order_by("name")
        ],
        "meetings": _meetings(request.auth),
    }


def _meetings(user) -> list[dict]:
    """Meetings the user runs (may change) from a week ago to a week ahead, with the
    organisations invited: what an attendance list is taken from in a village hall."""
    now = clock.now()
    found = (
        Meeting.objects.restrict(user, CHANGE)
        .filter(starts_at__range=(now - MEETING_WINDOW, now + MEETING_WINDOW))
        .exclude(state=MeetingState.CANCELLED)
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=MeetingParticipant.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            )
        )
        .order_by("starts_at")[:20]
    )
    return [
        {
            "id": m.pk,
            "title": m.title,
            "starts_at": m.starts_at.isoformat(),
            "participants": [
                {"id": p.organisation_id, "name": p.organisation.name} for p in m.participants.all()
            ],
        }
        for m in found
    ]


@router.get(
    "/people",
    url_name="field-people",
    summary="The people of the worker's area, for offline forms (audited)",
)
def people(request):
    code = area_code(request.auth)
    found = (
        list(
            Person.objects.restrict(request.auth, VIEW_IDENTITY)
            .filter(region_subtree("region__code", code), merged_into__isnull=True)
            .filter(life_status=LifeStatus.PRESENT)
            .select_related("region", "region__parent")
            .order_by("full_name", "pk")[:PEOPLE_MAX]
        )
        if code
        else []
    )
    views = present_many(found, request.auth)
    audit_shown(views, acting_user=request.auth, what="field page: people of the area")
    return no_store(
        {
            "people": [
                {
                    **{k: v.as_dict()[k] for k in ("id", "name", "birth", "place", "version")},
                    **{f: getattr(v.person, f) for f in UPDATABLE},
                }
                for v in views
            ]
        }
    )


class DraftIn(Schema):
    # A string, checked by the action: one damaged draft is refused on its own, the
    # others of the batch still go through.
    key: str = Field(
        ..., max_length=64, description="A UUID made on the phone; the same on every retry"
    )
    kind: str = Field(..., max_length=30, description="'register_person' or 'record_service'")
    payload: dict[str, Any]
    choice: str | dict[str, int] | None = Field(
        None,
        description="After a likely duplicate: 'new', or {\"same\": <person id>}",
    )


class SyncIn(Schema):
    drafts: list[DraftIn] = Field(..., max_length=actions.BATCH_MAX)


@router.post(
    "/sync",
    response=dict[str, Any],
    url_name="field-sync",
    summary="Apply a phone's drafts, each exactly once (retries answer the same)",
)
def sync(request, payload: SyncIn):
    results = []
    for draft in payload.drafts:
        outcome = actions.sync_draft(
            draft.key, draft.kind, draft.payload, acting_user=request.auth, choice=draft.choice
        )
        results.append({"key": str(draft.key), **outcome})
    return {"results": results}
