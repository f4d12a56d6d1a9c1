"""A company's shortlist: adding and removing a freelancer (from the profile
page) and the list itself. Members of an open company only; everyone else
gets 404 (``shortlist_company_for_user``), as for any object that is not
theirs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from profiles import selectors, services


def _company_or_404(user):
    company = selectors.shortlist_company_for_user(user=user)
    if company is None:
        raise Http404
    return company


@never_cache
@login_required
@require_http_methods(["POST"])
def freelancer_shortlist(request, slug: str):
    """POST: add the public profile ``slug`` to the member's company's
    shortlist, or with ``remove`` take it off. Both are idempotent."""
    company = _company_or_404(request.user)
    profile = selectors.freelancer_get_public(slug=slug)
    if "remove" in request.POST:
        services.shortlist_remove(company=company, profile=profile, actor=request.user)
        messages.success(
            request,
            _("%(name)s was removed from your shortlist.")
            % {"name": profile.full_name},
        )
    else:
        try:
            services.shortlist_add(company=company, profile=profile, actor=request.user)
        except ValidationError as exc:  # stopped being public meanwhile
            raise Http404 from exc
        messages.success(
            request,
            _("%(name)s is on your shortlist.") % {"name": profile.full_name},
        )
    return redirect(profile.get_absolute_url())


@never_cache
@login_required
@require_safe
def shortlist(request):
    company = _company_or_404(request.user)
    entries = selectors.shortlist_entries_for_company(company=company)
    return render(
        request,
        "profiles/shortlist.html",
        {"company": company, "entries": entries},
    )
