"""Contracts: the company proposes one (from an accepted inquiry, or a change
to an engagement as a new version); both read it; the freelancer accepts the
text shown (by its fingerprint) or declines; both download its PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from core.forms import form_errors_add
from engagements import selectors, services
from engagements.documents import fingerprint
from engagements.forms import ContractAcceptForm, ContractForm
from engagements.models import ContractVersion, Party, RateKind
from engagements.views.common import pdf_response


def _propose(request, *, initial: dict, context: dict, **target):
    """The proposal form; on a valid POST, ``contract_propose(**target)``."""
    form = ContractForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                version = services.contract_propose(
                    actor=request.user, **target, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The contract was proposed. The freelancer is asked to "
                        "read and accept it."
                    ),
                )
                return redirect("engagements:contract_detail", pk=version.pk)
    return render(
        request,
        "engagements/contract_form.html",
        {"form": form, **context},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contract_new(request, pk):
    thread, _party = selectors.thread_get_for_user(user=request.user, pk=pk)
    initial = {
        "title": thread.subject,
        "start_date": thread.period_start,
        "end_date": thread.period_end,
        "rate_kind": RateKind.HOURLY,
        "rate": thread.rate,
        "payment_terms_days": 14,
        "billing_email": thread.company.contact_email,
    }
    return _propose(request, initial=initial, context={"thread": thread}, thread=thread)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contract_new_version(request, pk):
    engagement, _party = selectors.engagement_get_for_user(user=request.user, pk=pk)
    base = selectors.contract_pending(
        engagement=engagement
    ) or selectors.contract_current(engagement=engagement)
    initial = {
        "title": engagement.title,
        "billing_email": engagement.billing_email,
        "payment_terms_days": 14,
    }
    if base is not None:
        initial.update(
            {
                name: getattr(base, name)
                for name in (
                    "scope",
                    "start_date",
                    "end_date",
                    "rate_kind",
                    "rate",
                    "payment_terms_days",
                )
            }
        )
    return _propose(
        request,
        initial=initial,
        context={"engagement": engagement, "base": base},
        engagement=engagement,
    )


def _contract_page(request, version, party: str, *, status: int = 200, errors=()):
    """The contract page; ``errors``: why an accept or decline was refused."""
    context = {
        "version": version,
        "engagement": version.engagement,
        "party": party,
        "is_freelancer": party == Party.FREELANCER,
        "is_open": version.status == ContractVersion.Status.PROPOSED
        and version.engagement.restricted_at is None,
        "acceptances": version.acceptances.order_by("accepted_at"),
        # The fingerprint of exactly the text on this page (never the one a
        # refused post sent): accepting fails if the proposal changed since.
        "accept_form": ContractAcceptForm(
            initial={"text_sha256": fingerprint(version.text)}
        ),
        "errors": list(errors),
    }
    return render(request, "engagements/contract_detail.html", context, status=status)


@never_cache
@login_required
@require_safe
def contract_detail(request, pk):
    version, party = selectors.contract_get_for_user(user=request.user, pk=pk)
    return _contract_page(request, version, party)


@login_required
@require_POST
def contract_accept(request, pk):
    version, party = selectors.contract_get_for_user(user=request.user, pk=pk)
    form = ContractAcceptForm(request.POST)
    text_sha256 = form.cleaned_data["text_sha256"] if form.is_valid() else ""
    try:
        services.contract_accept(
            version=version, actor=request.user, text_sha256=text_sha256
        )
    except ValidationError as exc:
        return _contract_page(request, version, party, status=400, errors=exc.messages)
    messages.success(
        request,
        _("You accepted the contract. Both parties receive it as a PDF by e-mail."),
    )
    return redirect("engagements:contract_detail", pk=version.pk)


@login_required
@require_POST
def contract_decline(request, pk):
    version, party = selectors.contract_get_for_user(user=request.user, pk=pk)
    try:
        services.contract_decline(version=version, actor=request.user)
    except ValidationError as exc:
        return _contract_page(request, version, party, status=400, errors=exc.messages)
    messages.success(request, _("You declined the contract."))
    return redirect("engagements:contract_detail", pk=version.pk)


@never_cache
@login_required
@require_safe
def contract_pdf(request, pk):
    version, _party = selectors.contract_get_for_user(user=request.user, pk=pk)
    return pdf_response(
        version.pdf,
        filename=f"contract-{version.engagement_id}-v{version.number}.pdf",
    )
