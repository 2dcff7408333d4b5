"""Placeholder until the pages are written (temporary)."""

from django.http import Http404


def agreement_list(request, **kwargs):
    raise Http404


def agreement_create(request, **kwargs):
    raise Http404


def agreement_detail(request, **kwargs):
    raise Http404


def clause_add(request, **kwargs):
    raise Http404


def clause_comment(request, **kwargs):
    raise Http404


def agreement_move(request, **kwargs):
    raise Http404


def agreement_sign(request, **kwargs):
    raise Http404


def agreement_terminate(request, **kwargs):
    raise Http404


def agreement_renew(request, **kwargs):
    raise Http404


def document_upload(request, **kwargs):
    raise Http404


def document_download(request, **kwargs):
    raise Http404


def rule_register(request, **kwargs):
    raise Http404
