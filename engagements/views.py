"""PLACEHOLDER: replaced by the browser views (helper A). Every view answers 404."""

from django.http import Http404


def inquiry_new(request, **kwargs):
    raise Http404


def thread_list(request, **kwargs):
    raise Http404


def thread_detail(request, **kwargs):
    raise Http404


def thread_reply(request, **kwargs):
    raise Http404


def thread_accept(request, **kwargs):
    raise Http404


def thread_decline(request, **kwargs):
    raise Http404


def thread_report(request, **kwargs):
    raise Http404


def thread_block(request, **kwargs):
    raise Http404


def block_list(request, **kwargs):
    raise Http404


def company_unblock(request, **kwargs):
    raise Http404


def contract_new(request, **kwargs):
    raise Http404


def contract_new_version(request, **kwargs):
    raise Http404


def contract_detail(request, **kwargs):
    raise Http404


def contract_accept(request, **kwargs):
    raise Http404


def contract_decline(request, **kwargs):
    raise Http404


def contract_pdf(request, **kwargs):
    raise Http404


def engagement_list(request, **kwargs):
    raise Http404


def engagement_detail(request, **kwargs):
    raise Http404


def engagement_end(request, **kwargs):
    raise Http404


def hours_new(request, **kwargs):
    raise Http404


def hours_approve(request, **kwargs):
    raise Http404


def hours_dispute(request, **kwargs):
    raise Http404


def invoice_request(request, **kwargs):
    raise Http404


def invoice_list(request, **kwargs):
    raise Http404


def invoice_detail(request, **kwargs):
    raise Http404


def invoice_pdf(request, **kwargs):
    raise Http404
