"""Engagements and the work under them: the list, an engagement's page (its
contract, hours, invoices), reporting, approving and disputing hours, ending
an engagement and the freelancer's on-demand invoice request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.forms import form_errors_add
from engagements import selectors, services
from engagements.forms import ConfirmForm, HoursForm, InvoiceRequestForm, ReasonForm
from engagements.models import Party, RateKind
from engagements.views.common import form_errors_take

PAGE_SIZE = 25


@never_cache
@login_required
@require_safe
def engagement_list(request):
    engagements = selectors.engagement_list_for_user(user=request.user)
    page = Paginator(engagements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "engagements/engagement_list.html", {"page": page})


def _engagement_page(
    request,
    engagement,
    party: str,
    *,
    status: int = 200,
    errors=(),
    dispute_for: int | None = None,
    **bound,
):
    """The engagement page; ``bound`` holds a refused form (``hours_form``,
    ``invoice_form``, ``end_form``, ``dispute_form`` for the row
    ``dispute_for``), ``errors`` a refused approval."""
    current = selectors.contract_current(engagement=engagement)
    is_freelancer = party == Party.FREELANCER
    actionable = engagement.restricted_at is None
    today = timezone.localdate()
    context = {
        "engagement": engagement,
        "party": party,
        "is_freelancer": is_freelancer,
        "is_company": party == Party.COMPANY,
        "actionable": actionable,
        "current": current,
        "pending": selectors.contract_pending(engagement=engagement),
        "versions": engagement.versions.order_by("-number"),
        "hours": selectors.hours_list_for_engagement(
            engagement=engagement
        ).select_related("invoice"),
        "approved_total": selectors.hours_approved_total(engagement=engagement),
        "invoices": engagement.invoices.order_by("-number"),
        "can_report": actionable
        and is_freelancer
        and engagement.is_active
        and current is not None
        and current.rate_kind == RateKind.HOURLY,
        "hours_form": bound.get("hours_form")
        or HoursForm(initial={"week": services.week_start(today)}),
        "invoice_form": bound.get("invoice_form") or InvoiceRequestForm(today=today),
        "end_form": bound.get("end_form") or ConfirmForm(auto_id="end_%s"),
        "dispute_form": bound.get("dispute_form"),
        "dispute_for": dispute_for,
        "errors": list(errors),
    }
    return render(request, "engagements/engagement_detail.html", context, status=status)


def _back(engagement, anchor: str = ""):
    url = reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


@never_cache
@login_required
@require_safe
def engagement_detail(request, pk):
    engagement, party = selectors.engagement_get_for_user(user=request.user, pk=pk)
    return _engagement_page(request, engagement, party)


@login_required
@require_POST
def engagement_end(request, pk):
    engagement, party = selectors.engagement_get_for_user(user=request.user, pk=pk)
    form = ConfirmForm(request.POST, auto_id="end_%s")
    if form.is_valid():
        try:
            services.engagement_end(engagement=engagement, actor=request.user)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("The engagement has ended."))
            return _back(engagement)
    return _engagement_page(
        request,
        engagement,
        party,
        status=400,
        errors=form_errors_take(form),
        end_form=form,
    )


@login_required
@require_POST
def hours_new(request, pk):
    engagement, party = selectors.engagement_get_for_user(user=request.user, pk=pk)
    form = HoursForm(request.POST)
    if form.is_valid():
        try:
            report = services.hours_report(
                engagement=engagement, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _("Your hours for the week of %(week)s were sent for approval.")
                % {"week": formats.date_format(report.week, "DATE_FORMAT")},
            )
            return _back(engagement, "hours")
    return _engagement_page(
        request,
        engagement,
        party,
        status=400,
        errors=form_errors_take(form),
        hours_form=form,
    )


@login_required
@require_POST
def hours_approve(request, pk):
    report, party = selectors.hours_get_for_user(user=request.user, pk=pk)
    try:
        services.hours_approve(report=report, actor=request.user)
    except ValidationError as exc:
        return _engagement_page(
            request, report.engagement, party, status=400, errors=exc.messages
        )
    messages.success(request, _("The hours were approved."))
    return _back(report.engagement, "hours")


@login_required
@require_POST
def hours_dispute(request, pk):
    report, party = selectors.hours_get_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST, auto_id=f"dispute_{report.pk}_%s")
    if form.is_valid():
        try:
            services.hours_dispute(
                report=report, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _("The hours were disputed; the freelancer can correct them."),
            )
            return _back(report.engagement, "hours")
    return _engagement_page(
        request,
        report.engagement,
        party,
        status=400,
        errors=form_errors_take(form),
        dispute_form=form,
        dispute_for=report.pk,
    )


@login_required
@require_POST
def invoice_request(request, pk):
    """The freelancer asks for the invoice of a month's approved hours now,
    instead of waiting for the monthly run."""
    engagement, party = selectors.engagement_get_for_user(user=request.user, pk=pk)
    form = InvoiceRequestForm(request.POST, today=timezone.localdate())
    if form.is_valid():
        if party != Party.FREELANCER:
            form.add_error(None, _("Only the freelancer can ask for an invoice."))
        else:
            start, end = services.month_period(form.cleaned_data["month"])
            try:
                invoice = services.invoice_issue(
                    engagement=engagement,
                    period_start=start,
                    period_end=end,
                    actor=request.user,
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Invoice %(number)s was issued. It is e-mailed to the "
                        "company's billing address."
                    )
                    % {"number": invoice.number},
                )
                return redirect("engagements:invoice_detail", pk=invoice.pk)
    return _engagement_page(
        request,
        engagement,
        party,
        status=400,
        errors=form_errors_take(form),
        invoice_form=form,
    )
