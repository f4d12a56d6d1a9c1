"""Invoices and credit notes as both parties see them, and their PDFs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from engagements import selectors
from engagements.models import Party
from engagements.views.common import pdf_response

PAGE_SIZE = 25


@never_cache
@login_required
@require_safe
def invoice_list(request):
    invoices = selectors.invoice_list_for_user(user=request.user)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "engagements/invoice_list.html", {"page": page})


@never_cache
@login_required
@require_safe
def invoice_detail(request, pk):
    invoice, party = selectors.invoice_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "engagements/invoice_detail.html",
        {
            "invoice": invoice,
            "party": party,
            "is_freelancer": party == Party.FREELANCER,
        },
    )


@never_cache
@login_required
@require_safe
def invoice_pdf(request, pk):
    invoice, _party = selectors.invoice_get_for_user(user=request.user, pk=pk)
    kind = "credit-note" if invoice.kind == invoice.Kind.CREDIT_NOTE else "invoice"
    return pdf_response(invoice.pdf, filename=f"{kind}-{invoice.number}.pdf")
