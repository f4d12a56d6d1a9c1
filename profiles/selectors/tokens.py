"""Reads for the member's API tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from profiles.models import ApiToken


def api_token_list_for_user(*, user) -> QuerySet[ApiToken]:
    """The member's API tokens that have not expired, newest first."""
    return ApiToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user
    ).order_by("-created", "-pk")


def api_token_get_for_user(*, user, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=pk).select_related("user").first()
    if token is None:
        raise Http404
    return token
