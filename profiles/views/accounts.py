"""Pages about the member's account: the dashboard, closing, keeping, language."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from profiles import selectors, services
from profiles.forms import CloseAccountForm


@never_cache
@login_required
def dashboard(request):
    board = selectors.dashboard_for_user(user=request.user)
    recipients = selectors.cv_recipient_list_for_owner(user=request.user)[:50]
    return render(
        request,
        "profiles/dashboard.html",
        {
            "board": board,
            "profile": board.profile,
            "memberships": board.memberships,
            "recipients": recipients,
            "shortlist_company": selectors.shortlist_company_among(board.memberships),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_close(request):
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_close(user=request.user, actor=request.user)
        logout(request)
        messages.success(request, _("Your account is closed."))
        return redirect("home")
    return render(request, "profiles/account_close.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def account_keep(request, token: str):
    """The inactivity warning's one-click link (POST, so link scanners can't)."""
    error = None
    if request.method == "POST":
        try:
            services.account_keep(token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Thank you: your account is kept."))
            return redirect("home")
    status = 400 if error else 200
    return render(
        request, "profiles/account_keep.html", {"error": error}, status=status
    )


def set_language(request):
    """Django's language switcher; a logged-in member's choice is also kept
    for the e-mails they receive."""
    response = i18n_views.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(
            user=request.user, language=request.POST.get("language", "")
        )
    return response
