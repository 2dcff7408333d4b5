"""Meeting pages: plan, invite, record who came and the minutes, attach papers, and the
calendar (.ics) exports. Thin: scope, form, action, redirect."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jejaring.core.files import serve_file
from jejaring.core.pages import button, form_page, small_form
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404

from .. import actions
from ..forms.forums import AttachmentForm, AttendanceForm, MeetingForm, MinutesForm
from ..ics import calendar_for
from ..models import Forum, Meeting, MeetingAttachment, MeetingState


def _calendar_response(meetings, filename: str) -> HttpResponse:
    response = HttpResponse(calendar_for(meetings), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def forum_calendar(request, forum_id: int):
    """Every meeting of the forum, for a calendar application."""
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(Forum, request.user, pk=forum_id)
    meetings = (
        Meeting.objects.restrict(request.user)
        .filter(forum=forum)
        .select_related("forum")
        .order_by("starts_at")
    )
    return _calendar_response(meetings, f"forum-{forum.pk}.ics")


@login_required
def meeting_ics(request, meeting_id: int):
    request.nav_section = "collaboration"
    meeting = get_scoped_or_404(
        Meeting.objects.select_related("forum"), request.user, pk=meeting_id
    )
    return _calendar_response([meeting], f"rapat-{meeting.pk}.ics")


def _default_start() -> datetime.datetime:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(9, 0)))


@login_required
def meeting_create(request, forum_id: int):
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(Forum, request.user, CHANGE, pk=forum_id)
    start = _default_start()
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"starts_at": start, "ends_at": start + datetime.timedelta(hours=2)},
    )
    return form_page(
        request,
        form,
        "collaboration/meeting_form.html",
        lambda data: actions.schedule_meeting(forum, acting_user=request.user, **data),
        success=_("Meeting planned. Send the invitations once the agenda is ready."),
        then=_meeting_url,
        context={"forum": forum},
    )


def _meeting_url(meeting) -> str:
    return reverse("collaboration:meeting", args=[meeting.pk])


def _meeting_page(request, meeting, **forms):
    """The meeting's page; a form that came back with errors is passed in bound."""
    request.nav_section = "collaboration"
    may_change = can(request.user, CHANGE, meeting)
    participants = list(
        meeting.participants.select_related("organisation").order_by("organisation__name")
    )
    started = meeting.starts_at <= timezone.now()
    context = {
        "meeting": meeting,
        "forum": meeting.forum,
        "may_change": may_change,
        "participants": participants,
        "started": started,
        "attachments": meeting.attachments.all().order_by("uploaded_at"),
        "proposals": meeting.proposals.all(),
        "commitments": meeting.commitments.select_related("owner"),
        "is_member": meeting.forum.current_members()
        .filter(organisation_id=request.user.organisation_id)
        .exists(),
        "planned": meeting.state == MeetingState.PLANNED,
        "cancelled": meeting.state == MeetingState.CANCELLED,
    }
    if may_change:
        context.update(
            attendance_form=forms.get("attendance_form")
            or AttendanceForm(participants=participants),
            minutes_form=forms.get("minutes_form")
            or MinutesForm(initial={"minutes": meeting.minutes}),
            attachment_form=forms.get("attachment_form") or AttachmentForm(),
        )
    return render(request, "collaboration/meeting_detail.html", context)


@login_required
def meeting_detail(request, meeting_id: int):
    meeting = get_scoped_or_404(
        Meeting.objects.select_related("forum", "created_by"), request.user, pk=meeting_id
    )
    return _meeting_page(request, meeting)


def _meeting_for_change(request, meeting_id):
    return get_scoped_or_404(
        Meeting.objects.select_related("forum"), request.user, CHANGE, pk=meeting_id
    )


meeting_invite = button(
    _meeting_for_change,
    lambda request, meeting: actions.send_invitations(meeting, acting_user=request.user),
    success=lambda count: (
        ngettext(
            "Invitation sent to %(n)s organisation.",
            "Invitations sent to %(n)s organisations.",
            count,
        )
        % {"n": count}
    ),
    then=_meeting_url,
)
meeting_cancel = button(
    _meeting_for_change,
    lambda request, meeting: actions.cancel_meeting(meeting, acting_user=request.user),
    success=gettext_lazy("Meeting cancelled."),
    then=_meeting_url,
)
meeting_attendance = small_form(
    _meeting_for_change,
    AttendanceForm,
    lambda request, meeting, data: actions.record_attendance(
        meeting, data["attendance"], acting_user=request.user
    ),
    success=gettext_lazy("Attendance recorded."),
    then=_meeting_url,
    page=_meeting_page,
    form_name="attendance_form",
    form_kwargs=lambda request, meeting: {
        "participants": meeting.participants.select_related("organisation").order_by(
            "organisation__name"
        )
    },
)
meeting_minutes = small_form(
    _meeting_for_change,
    MinutesForm,
    lambda request, meeting, data: actions.record_minutes(
        meeting, data["minutes"], acting_user=request.user
    ),
    success=gettext_lazy("Minutes saved."),
    then=_meeting_url,
    page=_meeting_page,
    form_name="minutes_form",
)
meeting_attach = small_form(
    _meeting_for_change,
    AttachmentForm,
    lambda request, meeting, data: actions.attach_to_meeting(
        meeting, data["file"], description=data["description"], acting_user=request.user
    ),
    success=gettext_lazy("File attached."),
    then=_meeting_url,
    page=_meeting_page,
    form_name="attachment_form",
)


@login_required
def attachment_download(request, attachment_id: int):
    """A meeting paper, for those who see the meeting; every read is audited."""
    attachment = get_scoped_or_404(
        MeetingAttachment.objects.select_related("meeting"), request.user, pk=attachment_id
    )
    return serve_file(
        request.user,
        attachment,
        attachment.file,
        attachment.original_name,
        parent=attachment.meeting,
    )
