"""Forums, membership, the rotating coordinator, ground rules, goals, small wins and
meetings."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.core import clock
from jejaring.core.notifications import Kind, notify, recipients
from jejaring.core.scoping import CHANGE, can, scope_for

from ..models import (
    CoordinatorTerm,
    Forum,
    ForumGoal,
    ForumMembership,
    GroundRule,
    IntermediateOutcome,
    Meeting,
    MeetingAttachment,
    MeetingMode,
    MeetingParticipant,
    MeetingState,
)
from ._common import actor, member_required, refuse_if, store_upload


def _acts_for(user, organisation_id: int) -> bool:
    scope = scope_for(user)
    return bool(scope and scope.organisation_id and scope.organisation_id == organisation_id)


@transaction.atomic
def create_forum(
    *,
    name: str,
    region,
    convened_by,
    acting_user,
    members=(),
    mission: str = "",
    problem_statement: str = "",
    quorum_percent: int = 50,
    allows_fallback_vote: bool = False,
    fallback_vote_percent: int = 67,
    meets_every_days: int = 30,
) -> Forum:
    """A new forum; its convener is its first member and first coordinator."""
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the forum a name.")
    if not 1 <= quorum_percent <= 100:
        errors["quorum_percent"] = _("The quorum is a percentage between 1 and 100.")
    if not 51 <= fallback_vote_percent <= 100:
        errors["fallback_vote_percent"] = _("A fallback vote needs a majority: 51 to 100%.")
    if Forum.objects.filter(name__iexact=name.strip(), region=region).exists():
        errors["name"] = _("A forum with this name already exists in this region.")
    refuse_if(errors)
    forum = Forum.objects.create(
        name=name.strip(),
        region=region,
        convened_by=convened_by,
        mission=mission,
        problem_statement=problem_statement,
        quorum_percent=quorum_percent,
        allows_fallback_vote=allows_fallback_vote,
        fallback_vote_percent=fallback_vote_percent,
        meets_every_days=meets_every_days,
    )
    today = clock.localdate()
    for organisation in dict.fromkeys([convened_by, *members]):
        ForumMembership.objects.create(forum=forum, organisation=organisation, joined_on=today)
    CoordinatorTerm.objects.create(forum=forum, organisation=convened_by, starts_on=today)
    audit.record_create(forum, acting_user=acting_user)
    return forum


@transaction.atomic
def add_member(forum: Forum, organisation, *, acting_user, representative=None) -> ForumMembership:
    if forum.current_members().filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("%(org)s is already a member.") % {"org": organisation.name}}
        )
    if representative is not None and representative.organisation_id != organisation.pk:
        raise ValidationError(
            {"representative": _("The representative must work for the member organisation.")}
        )
    membership = ForumMembership.objects.create(
        forum=forum, organisation=organisation, representative=representative
    )
    audit.record_create(membership, acting_user=acting_user, parent=forum)
    return membership


@transaction.atomic
def remove_member(membership: ForumMembership, *, acting_user) -> ForumMembership:
    """A member leaves (its seat's history is kept). The forum's runners manage the
    seats; a member organisation may also leave by itself."""
    forum = membership.forum
    if actor(acting_user) is not None and not (
        _acts_for(acting_user, membership.organisation_id) or can(acting_user, CHANGE, forum)
    ):
        raise PermissionDenied(_("You may not change this record."))
    coordinator = forum.current_coordinator()
    if coordinator and coordinator.organisation_id == membership.organisation_id:
        raise ValidationError(
            _("The coordinator cannot leave; rotate the coordinator role to another member first.")
        )
    before = audit.snapshot(membership)
    membership.left_on = clock.localdate()
    membership.save(update_fields=["left_on"])
    audit.record_update(membership, before, acting_user=acting_user, parent=forum)
    return membership


@transaction.atomic
def rotate_coordinator(
    forum: Forum, organisation, *, acting_user, on: datetime.date | None = None
) -> CoordinatorTerm:
    """Hand the coordinator role on (seed 003: collective leadership, rotating)."""
    member_required(forum, organisation, "organisation")
    on = on or clock.localdate()
    current = CoordinatorTerm.objects.select_for_update().filter(forum=forum, ends_on__isnull=True)
    for term in current:
        if term.organisation_id == organisation.pk:
            raise ValidationError(
                {"organisation": _("%(org)s already coordinates.") % {"org": organisation.name}}
            )
        term.ends_on = on
        term.save(update_fields=["ends_on"])
    term = CoordinatorTerm.objects.create(forum=forum, organisation=organisation, starts_on=on)
    audit.record_create(term, acting_user=acting_user, parent=forum)
    return term


@transaction.atomic
def add_ground_rule(
    forum: Forum | None, *, title: str, text: str, kind: str, acting_user, adopted_on=None
) -> GroundRule:
    """A forum's rule or SOP, or with ``forum=None`` one for the whole network, which
    only network administrators adopt (or the system, as the demo does)."""
    if forum is None and actor(acting_user) is not None:
        scope = scope_for(acting_user)
        if not (scope and scope.is_network_admin):
            raise PermissionDenied(_("Only network administrators adopt network-wide rules."))
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the rule a title.")
    if not text.strip():
        errors["text"] = _("Write the rule down.")
    refuse_if(errors)
    rule = GroundRule.objects.create(
        forum=forum,
        kind=kind,
        title=title.strip(),
        text=text.strip(),
        adopted_on=adopted_on or clock.localdate(),
        recorded_by=actor(acting_user),
    )
    audit.record_create(rule, acting_user=acting_user, parent=forum)
    return rule


@transaction.atomic
def add_goal(forum: Forum, *, title: str, acting_user, description: str = "") -> ForumGoal:
    if not title.strip():
        raise ValidationError({"title": _("Name the goal.")})
    goal = ForumGoal.objects.create(forum=forum, title=title.strip(), description=description)
    audit.record_create(goal, acting_user=acting_user, parent=forum)
    return goal


@transaction.atomic
def record_outcome(
    forum: Forum,
    *,
    title: str,
    achieved_on: datetime.date,
    acting_user,
    kind: str = "small_win",
    goal: ForumGoal | None = None,
    description: str = "",
) -> IntermediateOutcome:
    errors = {}
    if not title.strip():
        errors["title"] = _("Say what was achieved.")
    if achieved_on > clock.localdate():
        errors["achieved_on"] = _("An outcome cannot be achieved in the future.")
    if goal is not None and goal.forum_id != forum.pk:
        errors["goal"] = _("This goal belongs to another forum.")
    refuse_if(errors)
    outcome = IntermediateOutcome.objects.create(
        forum=forum,
        goal=goal,
        kind=kind,
        title=title.strip(),
        description=description,
        achieved_on=achieved_on,
        recorded_by=actor(acting_user),
    )
    audit.record_create(outcome, acting_user=acting_user, parent=forum)
    return outcome


def _meeting_errors(mode, starts_at, ends_at, location, online_link) -> dict:
    errors = {}
    if online_link:
        try:
            URLValidator(schemes=["http", "https"])(online_link)
        except ValidationError:
            errors["online_link"] = _("The link must be a web address (https://…).")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    if mode in (MeetingMode.ONLINE, MeetingMode.HYBRID) and not online_link:
        errors["online_link"] = _("An online or hybrid meeting needs its link.")
    if mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and not location.strip():
        errors["location"] = _("Say where the meeting takes place.")
    return errors


@transaction.atomic
def schedule_meeting(
    forum: Forum,
    *,
    title: str,
    mode: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    acting_user,
    location: str = "",
    online_link: str = "",
    agenda: str = "",
    guests=(),
) -> Meeting:
    """Plan a meeting; every current member (and any guest organisation) is a
    participant. Invitations go out separately, once the agenda is ready."""
    # A time without a zone is the office's local time (the API may send either).
    starts_at, ends_at = (
        timezone.make_aware(t) if timezone.is_naive(t) else t for t in (starts_at, ends_at)
    )
    errors = _meeting_errors(mode, starts_at, ends_at, location, online_link)
    if not title.strip():
        errors["title"] = _("Give the meeting a title.")
    refuse_if(errors)
    meeting = Meeting.objects.create(
        forum=forum,
        title=title.strip(),
        mode=mode,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        online_link=online_link,
        agenda=agenda,
        created_by=actor(acting_user),
    )
    organisations = [m.organisation for m in forum.current_members().select_related("organisation")]
    for organisation in dict.fromkeys([*organisations, *guests]):
        MeetingParticipant.objects.create(meeting=meeting, organisation=organisation)
    audit.record_create(meeting, acting_user=acting_user, parent=forum)
    return meeting


@transaction.atomic
def send_invitations(meeting: Meeting, *, acting_user) -> int:
    """Invite every participant organisation (its representative, or its staff)."""
    meeting = Meeting.objects.select_for_update().select_related("forum").get(pk=meeting.pk)
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("Only a planned meeting can be announced."))
    if meeting.starts_at <= clock.now():
        raise ValidationError(
            {
                "starts_at": _(
                    "This meeting has already started: invitations are for meetings to come."
                )
            }
        )
    now = clock.now()
    participants = list(meeting.participants.select_related("organisation"))
    if not participants:
        raise ValidationError(_("The meeting has no participants to invite."))
    representatives = {
        m.organisation_id: m.representative
        for m in meeting.forum.current_members().select_related("representative")
        if m.representative_id and m.representative.is_active
    }
    users = []
    for participant in participants:
        participant.invited_at = now
        participant.save(update_fields=["invited_at"])
        rep = representatives.get(participant.organisation_id)
        users.extend([rep] if rep else recipients([participant.organisation]))
    before = audit.snapshot(meeting)
    meeting.invitations_sent_at = now
    meeting.sequence += 1
    meeting.save(update_fields=["invitations_sent_at", "sequence"])
    audit.record_update(
        meeting, before, acting_user=acting_user, parent=meeting.forum, message="invitations sent"
    )
    notify(
        users,
        Kind.MEETING_INVITATION,
        {
            "meeting": meeting.title,
            "forum": meeting.forum.name,
            "when": formats.date_format(timezone.localtime(meeting.starts_at), "d-m-Y H:i"),
            "mode": meeting.get_mode_display(),
        },
        url=reverse("collaboration:meeting", args=[meeting.pk]),
        key=f"meeting:{meeting.pk}:{meeting.sequence}",
    )
    return len(participants)


@transaction.atomic
def record_attendance(meeting: Meeting, attendance: dict, *, acting_user) -> Meeting:
    """``attendance`` maps organisation id → names of who came (empty = absent).
    Organisations not in the meeting's list are added as guests who came."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.starts_at > clock.now():
        raise ValidationError(_("Attendance is recorded once the meeting has started."))
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    rows = {p.organisation_id: p for p in meeting.participants.all()}
    for organisation_id, names in attendance.items():
        row = rows.get(organisation_id) or MeetingParticipant(
            meeting=meeting, organisation_id=organisation_id
        )
        row.attended = bool(names)
        row.attendee_names = (names or "")[:255] if isinstance(names, str) else ""
        row.save()
    for organisation_id, row in rows.items():
        if organisation_id not in attendance:
            row.attended = False
            row.save(update_fields=["attended"])
    before = audit.snapshot(meeting)
    meeting.state = MeetingState.HELD
    meeting.save(update_fields=["state"])
    audit.record_update(
        meeting,
        before,
        acting_user=acting_user,
        parent=meeting.forum,
        message="attendance recorded",
    )
    return meeting


@transaction.atomic
def record_minutes(meeting: Meeting, minutes: str, *, acting_user) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.starts_at > clock.now():
        raise ValidationError(_("Minutes are written once the meeting has taken place."))
    if not minutes.strip():
        raise ValidationError({"minutes": _("The minutes are empty.")})
    before = audit.snapshot(meeting)
    meeting.minutes = minutes.strip()
    if meeting.state == MeetingState.PLANNED:
        meeting.state = MeetingState.HELD
    meeting.save(update_fields=["minutes", "state"])
    audit.record_update(meeting, before, acting_user=acting_user, parent=meeting.forum)
    return meeting


@transaction.atomic
def cancel_meeting(meeting: Meeting, *, acting_user) -> Meeting:
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    before = audit.snapshot(meeting)
    meeting.state = MeetingState.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["state", "sequence"])
    audit.record_update(meeting, before, acting_user=acting_user, parent=meeting.forum)
    return meeting


def attach_to_meeting(
    meeting: Meeting, upload, *, acting_user, description: str = ""
) -> MeetingAttachment:
    attachment = MeetingAttachment(
        meeting=meeting, description=description[:255], uploaded_by=actor(acting_user)
    )
    store_upload(attachment, upload, acting_user=acting_user, parent=meeting)
    return attachment
