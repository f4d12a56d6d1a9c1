"""Writes for API tokens (django-rest-knox rows).

Invariants:
- The key is returned once, at creation, and never stored: the row holds
  knox's digest of it.
- A token is tied to the password it was issued under (``auth_hash``); every
  revocation, by the member or by a password change, is audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.services import audit_record
from profiles.models import ApiToken, User

#: How often a token's last use is written (seconds): reads stay cheap.
TOKEN_TOUCH_INTERVAL = 60
#: Live tokens one member may hold.
API_TOKEN_LIMIT = 10


@transaction.atomic
def api_token_create(*, user: User) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the key (shown once, never stored)."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    if ApiToken.objects.filter(user=user).count() >= API_TOKEN_LIMIT:
        raise ValidationError(
            _(
                "You have %(count)d API tokens already; revoke one before "
                "creating another."
            )
            % {"count": API_TOKEN_LIMIT},
            code="token_limit",
        )
    token, key = ApiToken.objects.create(
        user=user, auth_hash=user.get_session_auth_hash()
    )
    audit_record(
        actor=user, subject=user, action="api_token.created", details={"id": token.pk}
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None, reason: str) -> None:
    """Delete one token. ``reason``: "member", "password", ... (audited)."""
    user = token.user
    token_id = token.pk
    if ApiToken.objects.filter(pk=token_id).delete()[0]:
        audit_record(
            actor=actor,
            subject=user,
            action="api_token.revoked",
            details={"id": token_id, "reason": reason},
        )


@transaction.atomic
def api_tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Delete every token of ``user`` (password changed or reset)."""
    ids = list(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
    if not ids:
        return 0
    ApiToken.objects.filter(pk__in=ids).delete()
    audit_record(
        actor=actor,
        subject=user,
        action="api_token.revoked",
        details={"ids": ids, "reason": reason},
    )
    return len(ids)


def api_token_touch(*, token: ApiToken, now=None) -> None:
    """Record a use, writing at most once per TOKEN_TOUCH_INTERVAL."""
    now = now or timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
