"""Placeholder until the pages are written (temporary)."""

from django.http import Http404


def forum_list(request, **kwargs):
    raise Http404


def forum_create(request, **kwargs):
    raise Http404


def forum_detail(request, **kwargs):
    raise Http404


def member_add(request, **kwargs):
    raise Http404


def member_remove(request, **kwargs):
    raise Http404


def coordinator_rotate(request, **kwargs):
    raise Http404


def rule_add(request, **kwargs):
    raise Http404


def goal_add(request, **kwargs):
    raise Http404


def outcome_add(request, **kwargs):
    raise Http404
