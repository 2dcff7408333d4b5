"""iCalendar (.ics) export of meetings, built with the icalendar library (RFC 5545
escaping and line folding are easy to get subtly wrong by hand)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from .models import Meeting, MeetingMode, MeetingState


def _event(meeting: Meeting) -> Event:
    event = Event()
    # Stable across exports, so calendar clients update the event instead of doubling it.
    event.add("uid", f"meeting-{meeting.pk}@jejaring")
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{meeting.title} — {meeting.forum.name}")
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", meeting.invitations_sent_at or meeting.starts_at)
    place = []
    if meeting.mode != MeetingMode.ONLINE and meeting.location:
        place.append(meeting.location)
    if meeting.mode != MeetingMode.IN_PERSON and meeting.online_link:
        place.append(meeting.online_link)
    if place:
        event.add("location", " / ".join(place))
    description = [meeting.agenda] if meeting.agenda else []
    description.append(
        settings.SITE_URL.rstrip("/") + reverse("collaboration:meeting", args=[meeting.pk])
    )
    event.add("description", "\n\n".join(description))
    if meeting.online_link:
        event.add("url", meeting.online_link)
    event.add("status", "CANCELLED" if meeting.state == MeetingState.CANCELLED else "CONFIRMED")
    return event


def calendar_for(meetings) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Jejaring//Kolaborasi//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()
