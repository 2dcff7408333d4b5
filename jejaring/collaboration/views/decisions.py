"""Placeholder until the pages are written (temporary)."""

from django.http import Http404


def proposal_create(request, **kwargs):
    raise Http404


def proposal_detail(request, **kwargs):
    raise Http404


def position_state(request, **kwargs):
    raise Http404


def proposal_comment(request, **kwargs):
    raise Http404


def proposal_close(request, **kwargs):
    raise Http404


def proposal_vote(request, **kwargs):
    raise Http404


def proposal_withdraw(request, **kwargs):
    raise Http404


def commitment_list(request, **kwargs):
    raise Http404


def commitment_create(request, **kwargs):
    raise Http404


def commitment_detail(request, **kwargs):
    raise Http404


def commitment_fulfil(request, **kwargs):
    raise Http404


def commitment_cancel(request, **kwargs):
    raise Http404
