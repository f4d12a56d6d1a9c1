"""Security wiring: django-axes callables, staff MFA rule, security event log.

Log lines name users by id and never carry an address, a password or a token
(the handlers' MaskingFilter masks any that slip through).
"""

from __future__ import annotations

import logging
import time

from allauth.account.adapter import DefaultAccountAdapter
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.ratelimit import client_ip

log = logging.getLogger("core.security")


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
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _(
                    "Too many failed log-ins. Try again in %(minutes)d minutes."
                )
                % {"minutes": max(1, seconds // 60)},
                "errors": {},
            },
            status=429,
        )
        response["Retry-After"] = str(seconds)
        response._security_logged = True
        return response
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
    """Every staff member and superuser: without a TOTP authenticator their
    permissions do not count anywhere (profiles.models.user_has_staff_powers),
    and the admin sends them to set one up."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


# --- Signal receivers (connected in WorksomeConfig.ready) ---------------------


#: Session key: when the log-in began (epoch seconds), for the absolute lifetime.
SESSION_STARTED_KEY = "_auth_started_at"


def on_user_logged_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_STARTED_KEY] = int(time.time())
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
