"""Consent middleware.

``ConsentBodyLimitMiddleware`` (before CsrfViewMiddleware) refuses oversized
bodies on the consent endpoints before anything parses them.
``ConsentMiddleware`` (after AuthenticationMiddleware) works out the request's
cookie choices from the consent records and expires cookies of groups that are
not accepted.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject

from consent import selectors, web


class ConsentBodyLimitMiddleware:
    """413 for a consent endpoint's request whose body is over the cap.

    A view opts in with ``consent_body_limited = True`` on its class.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "view_class", None) or getattr(
            view_func, "cls", None
        )
        if not getattr(view_class, "consent_body_limited", False):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = getattr(settings, "CONSENT_MAX_BODY_BYTES", 16 * 1024)
        if length <= limit:
            return None
        detail = f"The request body is over {limit} bytes."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail, "errors": {}}, status=413)
        return HttpResponse(detail, status=413, content_type="text/plain")


class ConsentMiddleware:
    """Sets ``request.consent_choices`` (group varname -> True/False/None).

    A request without any cookie (a first visit, a health probe, an API client)
    has made no choice and carries nothing to expire: it costs no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.COOKIES:
            web.request_choices_apply(request, web.request_choices(request))
        else:
            request.consent_choices = SimpleLazyObject(
                lambda: dict.fromkeys(selectors.cookie_lists())
            )
        response = self.get_response(request)
        if request.COOKIES:
            web.unconsented_cookies_expire(request, response, request.consent_choices)
        return response
