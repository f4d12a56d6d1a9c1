"""The member's API tokens page: list and revoke (tokens are made by the API)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from profiles import selectors, services


@never_cache
@login_required
@require_safe
def api_tokens(request):
    """The member's API tokens: when each was created, last used, expires."""
    tokens = selectors.api_token_list_for_user(user=request.user)
    return render(request, "profiles/api_tokens.html", {"tokens": tokens})


@never_cache
@login_required
@require_http_methods(["POST"])
def api_token_revoke(request, pk: int):
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(token=token, actor=request.user, reason="member")
    messages.success(request, _("The API token is revoked."))
    return redirect("profiles:api_tokens")
