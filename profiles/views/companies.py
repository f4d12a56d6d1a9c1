"""Company pages: the directory and company pages, the owner's edit and
invite pages, and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.forms import form_errors_add
from profiles import selectors, services
from profiles.directory import PAGE_SIZE
from profiles.forms import CompanyForm, InviteForm, LogoForm


def company_list(request):
    q = request.GET.get("q", "")
    page = Paginator(selectors.company_list_public(q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "profiles/company_list.html", {"page": page, "q": q})


def company_detail(request, slug: str):
    page = selectors.company_page_for_user(slug=slug, user=request.user)
    return render(
        request,
        "profiles/company_detail.html",
        {
            "company": page.company,
            "role": page.membership.role if page.membership else None,
            "membership": page.membership,
            "shown_members": page.shown_members,
        },
    )


@never_cache
@login_required
@require_http_methods(["POST"])
def company_membership_show(request, slug: str):
    """A member chooses whether their name is shown on the company's page."""
    membership = selectors.membership_get_for_user(slug=slug, user=request.user)
    services.membership_show_set(
        membership=membership, actor=request.user, show=request.POST.get("show") == "1"
    )
    messages.success(request, _("Your choice was saved."))
    return redirect(membership.company.get_absolute_url())


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_create(
                actor=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Your company page was created."))
            return redirect(company.get_absolute_url())
    return render(request, "profiles/company_form.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request, slug: str):
    company = selectors.company_get_for_owner(slug=slug, user=request.user)
    form = CompanyForm(request.POST or None, instance=company)
    logo_form = LogoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if "logo" in request.FILES:
            if logo_form.is_valid():
                try:
                    services.company_logo_set(
                        company=company,
                        actor=request.user,
                        upload=logo_form.cleaned_data["logo"],
                    )
                except ValidationError as exc:
                    form_errors_add(logo_form, exc, field="logo")
                else:
                    messages.success(request, _("The logo was saved."))
                    return redirect(company.get_absolute_url())
        elif form.is_valid():
            try:
                services.company_update(
                    company=company, actor=request.user, data=form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("The company page was saved."))
                return redirect(company.get_absolute_url())
    return render(
        request,
        "profiles/company_form.html",
        {"form": form, "logo_form": logo_form, "company": company},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_invite(request, slug: str):
    company = selectors.company_get_for_owner(slug=slug, user=request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.company_invite(
            company=company,
            actor=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            build_link=lambda token: request.build_absolute_uri(
                reverse("profiles:company_invitation", kwargs={"token": token})
            ),
        )
        messages.success(request, _("The invitation was sent."))
        return redirect(company.get_absolute_url())
    return render(
        request, "profiles/company_invite.html", {"form": form, "company": company}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_invitation(request, token: str):
    invitation = selectors.company_invitation_get(token=token)
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.company_invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("You joined %(company)s.") % {"company": invitation.company}
            )
            return redirect(invitation.company.get_absolute_url())
    return render(
        request,
        "profiles/company_invitation.html",
        {"invitation": invitation, "error": error},
    )
