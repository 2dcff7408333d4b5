"""Meetings: scheduling, invitations, attendance, minutes, attachments and the
calendar (.ics) download."""

import datetime

from django.db.models import Prefetch
from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jejaring.core.api_helpers import filtered_list, paged, scoped_or_404
from jejaring.core.files import serve_file
from jejaring.core.scoping import CHANGE

from .. import actions
from ..filters.forums import MeetingFilter
from ..ics import calendar_for
from ..models import (
    Meeting,
    MeetingAttachment,
    MeetingMode,
    MeetingParticipant,
    MeetingState,
)
from ._common import Inputs, forum_for

router = Router(tags=["collaboration: meetings"])


class MeetingOut(Schema):
    id: int
    forum: int = Field(..., alias="forum_id")
    forum_name: str = Field(..., alias="forum.name")
    title: str
    mode: MeetingMode
    mode_label: str = Field(..., alias="get_mode_display")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str
    online_link: str
    agenda: str
    state: MeetingState
    state_label: str = Field(..., alias="get_state_display")
    invitations_sent_at: datetime.datetime | None
    sequence: int


class ParticipantOut(Schema):
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    invited_at: datetime.datetime | None
    attended: bool | None
    attendee_names: str


class MeetingAttachmentOut(Schema):
    id: int
    original_name: str
    description: str
    uploaded_at: datetime.datetime


class MeetingDetailOut(MeetingOut):
    minutes: str
    participants: list[ParticipantOut]
    attachments: list[MeetingAttachmentOut]


class MeetingIn(Schema):
    title: str = Field(..., max_length=200)
    mode: MeetingMode
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str = Field("", max_length=255)
    online_link: str = Field("", max_length=500)
    agenda: str = ""
    guests: list[int] = Field([], description="Organisation ids invited besides the members")


class AttendanceRow(Schema):
    organisation: int
    names: str = Field("", description="Who came; empty when the organisation was absent")


class AttendanceIn(Schema):
    attendance: list[AttendanceRow]


class MinutesIn(Schema):
    minutes: str


class MeetingQuery(Schema):
    forum: int | None = None
    state: MeetingState | None = None
    upcoming: bool = Field(False, description="Only those still to come, soonest first")


def _meetings():
    return Meeting.objects.select_related("forum")


def _meeting_detail():
    return _meetings().prefetch_related(
        Prefetch(
            "participants",
            queryset=MeetingParticipant.objects.select_related("organisation"),
        ),
        "attachments",
    )


def _calendar_response(meetings, filename: str) -> HttpResponse:
    response = HttpResponse(calendar_for(meetings), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/meetings/", response=list[MeetingOut], summary="Meetings of the user's forums")
@paged
def list_meetings(request, filters: Query[MeetingQuery]):
    return filtered_list(request, MeetingFilter, _meetings().restrict(request.auth), filters)


@router.get("/forums/{int:forum_id}/meetings", response=list[MeetingOut])
@paged
def forum_meetings(request, forum_id: int):
    forum = forum_for(request, forum_id)
    return _meetings().filter(forum=forum)


@router.post(
    "/forums/{int:forum_id}/meetings",
    response={201: MeetingDetailOut},
    summary="Schedule a meeting (every current member is a participant)",
)
def schedule_meeting(request, forum_id: int, payload: MeetingIn):
    forum = forum_for(request, forum_id, CHANGE)
    inputs = Inputs(request)
    guests = inputs.organisations(payload.guests, "guests")
    inputs.check()
    data = payload.dict(exclude={"guests"})
    meeting = actions.schedule_meeting(forum, guests=guests, acting_user=request.auth, **data)
    return Status(201, _meeting_detail().get(pk=meeting.pk))


@router.get("/meetings/{int:meeting_id}", response=MeetingDetailOut)
def get_meeting(request, meeting_id: int):
    return scoped_or_404(_meeting_detail(), request, pk=meeting_id)


@router.post(
    "/meetings/{int:meeting_id}/invitations",
    response=MeetingDetailOut,
    summary="Send the invitations (only for a meeting still to come)",
)
def send_invitations(request, meeting_id: int):
    meeting = scoped_or_404(Meeting, request, CHANGE, pk=meeting_id)
    actions.send_invitations(meeting, acting_user=request.auth)
    return _meeting_detail().get(pk=meeting.pk)


@router.put(
    "/meetings/{int:meeting_id}/attendance",
    response=MeetingDetailOut,
    summary="Record who attended; organisations not listed were absent",
)
def record_attendance(request, meeting_id: int, payload: AttendanceIn):
    meeting = scoped_or_404(Meeting, request, CHANGE, pk=meeting_id)
    inputs = Inputs(request)
    organisations = inputs.organisations(
        [row.organisation for row in payload.attendance], "attendance"
    )
    inputs.check()
    known = {o.pk for o in organisations}
    attendance = {
        row.organisation: row.names for row in payload.attendance if row.organisation in known
    }
    actions.record_attendance(meeting, attendance, acting_user=request.auth)
    return _meeting_detail().get(pk=meeting.pk)


@router.put("/meetings/{int:meeting_id}/minutes", response=MeetingDetailOut)
def record_minutes(request, meeting_id: int, payload: MinutesIn):
    meeting = scoped_or_404(Meeting, request, CHANGE, pk=meeting_id)
    actions.record_minutes(meeting, payload.minutes, acting_user=request.auth)
    return _meeting_detail().get(pk=meeting.pk)


@router.post("/meetings/{int:meeting_id}/cancel", response=MeetingDetailOut)
def cancel_meeting(request, meeting_id: int):
    meeting = scoped_or_404(Meeting, request, CHANGE, pk=meeting_id)
    actions.cancel_meeting(meeting, acting_user=request.auth)
    return _meeting_detail().get(pk=meeting.pk)


@router.get("/meetings/{int:meeting_id}/attachments", response=list[MeetingAttachmentOut])
def list_meeting_attachments(request, meeting_id: int):
    meeting = scoped_or_404(Meeting, request, pk=meeting_id)
    return meeting.attachments.all()


@router.post(
    "/meetings/{int:meeting_id}/attachments",
    response={201: MeetingAttachmentOut},
    summary="Attach a file (PDF, JPG or PNG, up to 10 MB)",
)
def attach_to_meeting(
    request, meeting_id: int, file: File[UploadedFile], description: Form[str] = ""
):
    meeting = scoped_or_404(Meeting, request, CHANGE, pk=meeting_id)
    attachment = actions.attach_to_meeting(
        meeting, file, description=description, acting_user=request.auth
    )
    return Status(201, attachment)


@router.get(
    "/meeting-attachments/{int:attachment_id}", summary="Download a meeting attachment (audited)"
)
def download_meeting_attachment(request, attachment_id: int):
    attachment = scoped_or_404(
        MeetingAttachment.objects.select_related("meeting"), request, pk=attachment_id
    )
    return serve_file(
        request.auth,
        attachment,
        attachment.file,
        attachment.original_name,
        parent=attachment.meeting,
    )


@router.get(
    "/meetings/{int:meeting_id}/invitation.ics",
    summary="The meeting as an iCalendar file (text/calendar)",
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def meeting_ics(request, meeting_id: int):
    meeting = scoped_or_404(_meetings(), request, pk=meeting_id)
    return _calendar_response([meeting], f"meeting-{meeting.pk}.ics")


@router.get(
    "/forums/{int:forum_id}/calendar.ics",
    summary="Every meeting of a forum as an iCalendar file (text/calendar)",
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def forum_ics(request, forum_id: int):
    forum = forum_for(request, forum_id)
    return _calendar_response(
        _meetings().filter(forum=forum).order_by("starts_at"), f"forum-{forum.pk}.ics"
    )
