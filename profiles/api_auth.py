"""API token authentication: django-rest-knox's, plus two rules of ours.

- A token issued under an older password no longer authenticates (its
  ``auth_hash`` differs from the user's session auth hash), however the
  password was changed: allauth, the admin, ``changepassword``.
- Each use records ``last_used_at`` (at most once a minute per token), so
  members see which of their tokens are in use.
"""

from __future__ import annotations

from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from profiles import services


class ApiTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if not compare_digest(token.auth_hash, user.get_session_auth_hash()):
            services.api_token_revoke(token=token, actor=None, reason="password")
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        services.api_token_touch(token=token)
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of ``ApiTokenAuthentication`` (registered by
    subclassing); without it drf-spectacular warns on every operation and
    ``check --deploy --fail-level WARNING`` fails. Named as DRF's token scheme
    was, so clients of the schema see no change."""

    target_class = "profiles.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token authentication: "Authorization: Token <key>" '
            "(get one from POST /api/v1/auth/token/).",
        }
