"""The cookie list and settings page, and the accept/decline/choose endpoints.

They extend django-cookie-consent's views (same URL names, same form fields,
the same open-redirect hardening for ``next``) and record every choice as
consent records. Without JavaScript they are plain POST forms that redirect
back; the banner's script posts them with ``X-Cookie-Consent-Fetch`` and gets
JSON.
"""

from __future__ import annotations

import json
from typing import Literal

from cookie_consent.views import (
    CookieGroupBaseProcessView,
    CookieGroupListView,
    is_ajax_like,
)
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from consent import selectors, services, web
from consent.forms import CookieChoiceForm
from consent.models import Purpose
from consent.texts import cookie_notice_html


class ConsentBodyLimitedMixin:
    # Read by ConsentBodyLimitMiddleware before CSRF parses the body.
    consent_body_limited = True


class CookieListView(CookieGroupListView):
    """``/cookies/``: every cookie, its vendor and transfer, and the choice."""

    template_name = "cookie_consent/cookiegroup_list.html"

    def get_queryset(self):
        return selectors.cookie_catalogue()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        choices = web.request_choices(self.request)
        records = selectors.consent_current(
            user=web.request_user(self.request),
            visitor_id=web.visitor_id_from_request(self.request),
        )
        context["notice"] = mark_safe(cookie_notice_html())  # noqa: S308 - our template
        context["choices"] = choices
        context["groups"] = [
            {
                "group": group,
                "choice": choices.get(group.varname),
                "record": records.get(Purpose.for_cookie_group(group.varname)),
            }
            for group in context["object_list"]
        ]
        return context


class CookieChoiceView(ConsentBodyLimitedMixin, CookieGroupBaseProcessView):
    mode: Literal["accept", "decline", "choose"]

    def post(self, request: HttpRequest, *args, **kwargs):
        form = CookieChoiceForm(data=request.POST, mode=self.mode)
        if not form.is_valid():
            return self._invalid(form)

        decided = form.choices()
        user = web.request_user(request)
        visitor_id, new_visitor = web.visitor_for_choice(
            request, user=user, granted_any=any(decided.values())
        )
        services.consent_cookie_choices_record(
            choices=decided,
            source=form.cleaned_data["source"],
            user=user,
            visitor_id=visitor_id,
            actor=user,
        )
        choices = {**web.request_choices(request), **decided}
        web.request_choices_apply(request, choices)

        if is_ajax_like(request):
            response = JsonResponse({})
        else:
            response = HttpResponseRedirect(self.get_success_url())
        if new_visitor:
            web.visitor_cookie_set(response, visitor_id)
        web.library_cookie_set(response, choices)
        expired = web.unconsented_cookies_expire(request, response, choices)
        if is_ajax_like(request):
            response.content = json.dumps(
                {
                    "choices": choices,
                    "expired": expired,
                    # Client-side removal also reaches cookies set on a parent
                    # domain, which one Set-Cookie per name cannot.
                    "expire_patterns": web.cookie_patterns(choices),
                    "storage_patterns": web.storage_patterns(choices),
                    "csrftoken": get_token(request),
                }
            )
        return response

    def _invalid(self, form: CookieChoiceForm):
        errors = {
            field: [error["message"] for error in field_errors]
            for field, field_errors in form.errors.get_json_data().items()
        }
        if is_ajax_like(self.request):
            return JsonResponse(
                {"detail": "Invalid input.", "errors": errors}, status=400
            )
        return render(
            self.request,
            "consent/choice_error.html",
            {"errors": errors, "back_url": reverse("cookie_consent_cookie_group_list")},
            status=400,
        )


class CookieAcceptView(CookieChoiceView):
    mode = "accept"


class CookieDeclineView(CookieChoiceView):
    mode = "decline"


class CookieChooseView(CookieChoiceView):
    """The "Choose" layer: ticked groups are accepted, all others rejected."""

    mode = "choose"
