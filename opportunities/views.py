"""Opportunity pages: the public listing and detail, posting, editing and
closing for members of a verified company, "I'm interested" for freelancers,
and a freelancer's alert settings. Each view calls one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from core.forms import form_errors_add
from opportunities import selectors, services
from opportunities.forms import AlertForm, InterestForm, OpportunityForm
from opportunities.models import OpportunityAlert

PAGE_SIZE = 20


def remote_param(value: str | None) -> bool | None:
    """``?remote=1`` remote or hybrid work, ``0`` on-site, else no filter."""
    return {"1": True, "true": True, "0": False, "false": False}.get(
        (value or "").lower()
    )


@require_safe
def opportunity_list(request):
    skill = (request.GET.get("skill") or "")[:100]
    remote = remote_param(request.GET.get("remote"))
    opportunities = selectors.opportunity_list_public(skill=skill, remote=remote)
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "opportunities/list.html",
        {"page": page, "skill": skill, "remote": request.GET.get("remote", "")},
    )


def _detail(request, opportunity, *, interest_form=None, status=200):
    user = request.user
    freelancer = selectors.freelancer_for_user(user=user)
    context = {
        "opportunity": opportunity,
        "may_edit": selectors.opportunity_may_edit(user=user, opportunity=opportunity),
        "freelancer": freelancer,
        "interest": selectors.interest_get(opportunity=opportunity, user=user),
        "interest_form": interest_form or InterestForm(),
    }
    return render(request, "opportunities/detail.html", context, status=status)


@require_safe
def opportunity_detail(request, pk):
    return _detail(request, selectors.opportunity_get_public(pk=pk))


def _form_values(data: dict) -> dict:
    return {
        name: data.get(name)
        for name in (
            "title",
            "description",
            "work_mode",
            "city",
            "period_start",
            "period_end",
            "rate_min",
            "rate_max",
            "deadline",
        )
    } | {"skills": list(data.get("skills") or [])}


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def opportunity_new(request):
    companies = selectors.opportunity_companies_for_user(user=request.user)
    form = OpportunityForm(request.POST or None, companies=companies)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                opportunity = services.opportunity_post(
                    company=data["company"], actor=request.user, **_form_values(data)
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Your opportunity is posted."))
                return redirect(opportunity)
    return render(
        request,
        "opportunities/form.html",
        {"form": form, "has_company": bool(companies), "opportunity": None},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def opportunity_edit(request, pk):
    opportunity = selectors.opportunity_get_for_member(user=request.user, pk=pk)
    initial = {
        **{
            name: getattr(opportunity, name)
            for name in _form_values({}).keys()
            if name != "skills"
        },
        "skills": list(opportunity.skills.all()),
    }
    form = OpportunityForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                opportunity = services.opportunity_update(
                    opportunity=opportunity,
                    actor=request.user,
                    **_form_values(form.cleaned_data),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("The opportunity is updated."))
                return redirect(opportunity)
    return render(
        request,
        "opportunities/form.html",
        {"form": form, "has_company": True, "opportunity": opportunity},
        status=status,
    )


@login_required
@require_POST
def opportunity_close(request, pk):
    opportunity = selectors.opportunity_get_for_member(user=request.user, pk=pk)
    services.opportunity_close(opportunity=opportunity, actor=request.user)
    messages.success(request, _("The opportunity is closed."))
    return redirect(opportunity)


@login_required
@require_POST
def opportunity_interest(request, pk):
    opportunity = selectors.opportunity_get_public(pk=pk)
    form = InterestForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_interest_express(
                opportunity=opportunity,
                actor=request.user,
                body=form.cleaned_data["body"]
                or _("I am interested in “%(title)s”.") % {"title": opportunity.title},
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _("The company has your message; the conversation is in your inbox."),
            )
            return redirect(opportunity)
    return _detail(request, opportunity, interest_form=form, status=400)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def alerts(request):
    alert = selectors.alert_get_for_user(user=request.user)  # 404: no profile
    subscribed = selectors.alert_subscribed(user=request.user)
    initial = {"subscribed": subscribed}
    if alert is not None:
        initial |= {
            name: getattr(alert, name)
            for name in ("frequency", "onsite", "remote", "hybrid", "city")
        }
    form = AlertForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.alert_save(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Your opportunity alerts are saved."))
                return redirect("opportunities:alerts")
    return render(
        request,
        "opportunities/alerts.html",
        {
            "form": form,
            "subscribed": subscribed,
            "frequencies": OpportunityAlert.Frequency,
        },
        status=status,
    )
