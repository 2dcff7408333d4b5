"""Placeholder until the pages are written (temporary)."""

from django.http import Http404


def forum_calendar(request, **kwargs):
    raise Http404


def meeting_create(request, **kwargs):
    raise Http404


def meeting_detail(request, **kwargs):
    raise Http404


def meeting_invite(request, **kwargs):
    raise Http404


def meeting_attendance(request, **kwargs):
    raise Http404


def meeting_minutes(request, **kwargs):
    raise Http404


def meeting_cancel(request, **kwargs):
    raise Http404


def meeting_attach(request, **kwargs):
    raise Http404


def attachment_download(request, **kwargs):
    raise Http404


def meeting_ics(request, **kwargs):
    raise Http404
