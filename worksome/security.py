"""Security wiring: django-axes callables, staff MFA rule, security event log.

Log lines name users by id and never carry an address, a password or a token
(the handlers' MaskingFilter masks any that slip through).
"""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render

from privacy.ratelimit import client_ip

log = logging.getLogger("worksome.security")

# Permissions of the privacy app that act on data-subject requests.
DSR_PERMISSION_CODENAMES = frozenset(
    {
        "add_datasubjectrequest",
        "change_datasubjectrequest",
        "delete_datasubjectrequest",
        "view_datasubjectrequest",
        "process_datasubjectrequest",
        "execute_erasure",
        "apply_restriction",
    }
)


def security_event(name: str, *, level: int = logging.INFO, **fields) -> None:
    """One structured line: ``event`` plus fields (ids and paths, no personal data)."""
    log.log(level, name, extra={"event": {"event": name, **fields}})


# --- django-axes -------------------------------------------------------------


def axes_username(request, credentials) -> str | None:
    """The address tried: allauth passes ``email``, its form posts ``login``."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in ("email", settings.AXES_USERNAME_FORM_FIELD, "username"):
            value = source.get(key) if hasattr(source, "get") else None
            if value:
                return str(value).strip().lower()
    return None


def axes_lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request) or settings.AXES_COOLOFF_TIME
    seconds = int(cool_off.total_seconds())
    security_event(
        "login.locked_out",
        level=logging.WARNING,
        path=request.path,
        retry_after=seconds,
    )
    response = render(
        request,
        "security/lockout.html",
        {
            "minutes": max(1, seconds // 60),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    response._security_logged = True
    return response


# --- Staff MFA ---------------------------------------------------------------


def staff_requires_mfa(user) -> bool:
    """Staff who may reveal CPR numbers or act on data-subject requests."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    for perm in user.get_all_permissions():
        app_label, _dot, codename = perm.partition(".")
        if perm == "profiles.reveal_cpr":
            return True
        if app_label == "privacy" and codename in DSR_PERMISSION_CODENAMES:
            return True
    return False


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


# --- Signal receivers (connected in WorksomeConfig.ready) ---------------------


def on_user_logged_in(sender, request, user, **kwargs):
    security_event(
        "login.succeeded", user_id=user.pk, path=getattr(request, "path", "")
    )


def on_user_logged_out(sender, request, user, **kwargs):
    security_event(
        "logout", user_id=getattr(user, "pk", None), path=getattr(request, "path", "")
    )


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    # credentials are never logged: Django already masks the password, but the
    # address tried is personal data too.
    security_event(
        "login.failed", level=logging.WARNING, path=getattr(request, "path", "")
    )


# --- allauth -------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    """allauth's rate limits key on the same client address as every other limit."""

    def get_client_ip(self, request) -> str:
        return client_ip(request)
