"""Placeholder until the pages are written (temporary)."""

from django.http import Http404


def network_health(request, **kwargs):
    raise Http404


def forum_health(request, **kwargs):
    raise Http404


def survey(request, **kwargs):
    raise Http404


def graph(request, **kwargs):
    raise Http404


def graph_data(request, **kwargs):
    raise Http404


def integration(request, **kwargs):
    raise Http404
