"""Security middleware: headers, per-consent CSP, rate limits, staff MFA, audit log.

- ``SecurityHeadersMiddleware``: Permissions-Policy on every response, and
  ``Cache-Control: no-store`` under NO_STORE_PATH_PREFIXES.
- ``ConsentAwareCSPMiddleware``: django-csp's middleware; tracker hosts are
  added to a response's policy only when the request's visitor accepted that
  cookie group, so a browser without consent cannot load them at all.
- ``RateLimitMiddleware``: 429 with Retry-After on sign-up, password reset and
  the consent endpoints, counted per client IP (keyed hash) in the cache.
- ``SessionLifetimeMiddleware``: a log-in ends SESSION_ABSOLUTE_LIFETIME after
  it began, however active the session (the idle timeout is the session age).
- ``StaffMfaMiddleware``: the admin refuses staff who must use MFA and have no
  TOTP authenticator (they are sent to set one up), and its own password-only
  login form is replaced by allauth's, which asks for the TOTP code.
- ``privacy.middleware.SecurityLogMiddleware`` (there: it audits): structured
  lines for refused requests (403/429), staff viewing personal data in the
  admin, and actions on data-subject requests.
"""

from __future__ import annotations

import logging
import time

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import ratelimit, security
from core.text import CONTROL_CHARACTERS, LINE_BREAKS_AND_CONTROLS

# url_name -> RATE_LIMITS scope; only POSTs count.
RATE_LIMITED_VIEWS = {
    "account_signup": "signup",
    "account_reset_password": "password_reset",
    "cookie_consent_accept": "consent",
    "cookie_consent_decline": "consent",
    "consent_choose": "consent",
    "consents": "consent",  # api:consents
}
TRACKER_DIRECTIVES = ("script-src", "img-src", "connect-src", "frame-src")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path_info.startswith(tuple(settings.NO_STORE_PATH_PREFIXES)):
            # Replaces never_cache's "max-age=0, no-cache, ...": no copy is kept.
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


class ConsentAwareCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        hosts = consented_tracker_hosts(request)
        if hosts:
            update = dict(parts.update or {})
            for directive in TRACKER_DIRECTIVES:
                update[directive] = [*update.get(directive, []), *hosts]
            parts.update = update
        return parts


def consented_tracker_hosts(request) -> list[str]:
    if not request.COOKIES:
        # No cookie, no choice made (and no query for it): nothing is accepted.
        return []
    choices = getattr(request, "consent_choices", None) or {}
    hosts: list[str] = []
    for varname, group_hosts in settings.CSP_CONSENTED_HOSTS.items():
        if choices.get(varname) is True:
            hosts.extend(h for h in group_hosts if h not in hosts)
    return hosts


def too_many_requests(request, retry_after: int):
    if request.path.startswith("/api/") or request.headers.get(
        "X-Cookie-Consent-Fetch"
    ):
        response = JsonResponse(
            {
                "detail": ngettext(
                    "Too many requests. Try again in %(s)d second.",
                    "Too many requests. Try again in %(s)d seconds.",
                    retry_after,
                )
                % {"s": retry_after},
                "errors": {},
            },
            status=429,
        )
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        scope = RATE_LIMITED_VIEWS.get(request.resolver_match.url_name or "")
        if scope is None:
            return None
        wait = ratelimit.hit(ratelimit.limit_for(scope), ratelimit.client_ip(request))
        if wait is None:
            return None
        security_event_for(request, "ratelimit.refused", scope=scope, retry_after=wait)
        response = too_many_requests(request, wait)
        response._security_logged = True
        return response


def security_event_for(request, name: str, level: int = logging.WARNING, **fields):
    user = getattr(request, "user", None)
    security.security_event(
        name,
        level=level,
        user_id=user.pk if user is not None and user.is_authenticated else None,
        method=request.method,
        path=request.path,
        **fields,
    )


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            key = security.SESSION_STARTED_KEY
            started = request.session.get(key)
            now = int(time.time())
            if started is None:
                # A session from before this rule: its lifetime starts now.
                request.session[key] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_LIFETIME:
                security_event_for(request, "session.expired", level=logging.INFO)
                logout(request)
        return self.get_response(request)


def admin_prefix() -> str:
    return reverse("admin:index")


class StaffMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin = admin_prefix()
        if request.path_info.startswith(admin):
            if request.path_info == reverse("admin:login"):
                target = request.GET.get("next", admin)
                if not url_has_allowed_host_and_scheme(
                    target, allowed_hosts={request.get_host()}
                ):
                    target = admin
                return redirect(f"{reverse('account_login')}?next={target}")
            user = request.user
            if security.staff_requires_mfa(user) and not security.user_has_totp(user):
                security_event_for(request, "admin.mfa_required")
                messages.warning(
                    request,
                    _(
                        "Your role needs two-factor authentication: set up an "
                        "authenticator app to use the admin."
                    ),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """413 for any request whose declared body is over MAX_REQUEST_BYTES.

    Uploads are capped at 10 MB by their own checks; this stops anything much
    larger before Django reads it (views with a smaller cap, like the consent
    endpoints, still apply theirs).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = getattr(settings, "MAX_REQUEST_BYTES", 12 * 1024 * 1024)
        if length > limit:
            detail = f"The request body is over {limit // (1024 * 1024)} MB."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": detail, "errors": {}}, status=413)
            return HttpResponse(detail, status=413, content_type="text/plain")
        return self.get_response(request)


class ControlCharacterMiddleware:
    """Refuses control characters at the door: 404 for a path that holds one
    (no URL does), 400 for a query string or form post whose names or values
    hold a control character other than tab and line breaks (NUL above all,
    which PostgreSQL refuses: a 500 deeper in). File contents are not looked
    at; JSON bodies are checked by the serializers. Single-line fields (names)
    refuse line breaks too, in their forms and serializers (core.text).
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if LINE_BREAKS_AND_CONTROLS.search(request.path_info):
            security_event_for(request, "input.control_characters", part="path")
            detail = _("The address holds control characters.")
            if request.path_info.startswith("/api/"):
                # The API answers JSON, as its schema documents, even here.
                return JsonResponse({"detail": detail, "errors": {}}, status=404)
            return HttpResponseNotFound(detail, content_type="text/plain")
        part = None
        if self._bad(request.GET):
            part = "query"
        elif (
            request.method == "POST"
            and request.content_type in self.FORM_TYPES
            and self._bad(request.POST)
        ):
            part = "form"
        if part is not None:
            security_event_for(request, "input.control_characters", part=part)
            detail = _("The request holds control characters.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": detail, "errors": {}}, status=400)
            return HttpResponse(detail, status=400, content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def _bad(data) -> bool:
        for key, values in data.lists():
            if CONTROL_CHARACTERS.search(key):
                return True
            if any(CONTROL_CHARACTERS.search(v) for v in values):
                return True
        return False
