"""Placeholder until the pages are written (temporary)."""

from django.http import Http404


def exchange_list(request, **kwargs):
    raise Http404


def exchange_create(request, **kwargs):
    raise Http404


def board(request, **kwargs):
    raise Http404


def post_create(request, **kwargs):
    raise Http404


def post_detail(request, **kwargs):
    raise Http404


def post_match(request, **kwargs):
    raise Http404


def post_close(request, **kwargs):
    raise Http404


def distribution_list(request, **kwargs):
    raise Http404


def distribution_create(request, **kwargs):
    raise Http404


def distribution_handover(request, **kwargs):
    raise Http404


def distribution_cancel(request, **kwargs):
    raise Http404
