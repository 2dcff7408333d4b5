"""Meeting pages: plan, invite, record who came and the minutes, attach papers, and the
calendar (.ics) exports. Thin: scope, form, action, redirect."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jejaring.audit import log as audit
from jejaring.core.files import CONTENT_TYPES
from jejaring.core.forms import apply_validation_error
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404

from .. import actions
from ..forms.forums import AttachmentForm, AttendanceForm, MeetingForm, MinutesForm
from ..ics import calendar_for
from ..models import Forum, Meeting, MeetingAttachment, MeetingState
from ._shared import report_errors
from .forums import show_refusal


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
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = actions.schedule_meeting(
                    forum, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Meeting planned. Send the invitations once the agenda is ready."),
                )
                return redirect("collaboration:meeting", meeting_id=meeting.pk)
    else:
        start = _default_start()
        form = MeetingForm(
            initial={"starts_at": start, "ends_at": start + datetime.timedelta(hours=2)}
        )
    return render(request, "collaboration/meeting_form.html", {"forum": forum, "form": form})


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


@login_required
@require_POST
def meeting_invite(request, meeting_id: int):
    meeting = _meeting_for_change(request, meeting_id)
    try:
        count = actions.send_invitations(meeting, acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Invitation sent to %(n)s organisation.",
                "Invitations sent to %(n)s organisations.",
                count,
            )
            % {"n": count},
        )
    return redirect("collaboration:meeting", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_attendance(request, meeting_id: int):
    meeting = _meeting_for_change(request, meeting_id)
    participants = meeting.participants.select_related("organisation").order_by(
        "organisation__name"
    )
    form = AttendanceForm(request.POST, participants=participants)
    if form.is_valid():
        try:
            actions.record_attendance(meeting, form.attendance(), acting_user=request.user)
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:meeting", meeting_id=meeting.pk)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("collaboration:meeting", meeting_id=meeting.pk)
    return _meeting_page(request, meeting, attendance_form=form)


@login_required
@require_POST
def meeting_minutes(request, meeting_id: int):
    meeting = _meeting_for_change(request, meeting_id)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            actions.record_minutes(meeting, form.cleaned_data["minutes"], acting_user=request.user)
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:meeting", meeting_id=meeting.pk)
        else:
            messages.success(request, _("Minutes saved."))
            return redirect("collaboration:meeting", meeting_id=meeting.pk)
    return _meeting_page(request, meeting, minutes_form=form)


@login_required
@require_POST
def meeting_cancel(request, meeting_id: int):
    meeting = _meeting_for_change(request, meeting_id)
    try:
        actions.cancel_meeting(meeting, acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("Meeting cancelled."))
    return redirect("collaboration:meeting", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_attach(request, meeting_id: int):
    meeting = _meeting_for_change(request, meeting_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.attach_to_meeting(
                meeting,
                form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:meeting", meeting_id=meeting.pk)
        else:
            messages.success(request, _("File attached."))
            return redirect("collaboration:meeting", meeting_id=meeting.pk)
    return _meeting_page(request, meeting, attachment_form=form)


@login_required
def attachment_download(request, attachment_id: int):
    """A meeting paper, for those who see the meeting; every read is audited."""
    attachment = get_scoped_or_404(
        MeetingAttachment.objects.select_related("meeting"), request.user, pk=attachment_id
    )
    audit.record_read(attachment, acting_user=request.user, parent=attachment.meeting)
    extension = attachment.original_name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
