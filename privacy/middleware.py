"""Security log of responses, and the audit of staff viewing personal data.

Every admin page showing a registered model's row is logged and, for one
object, recorded on the subject's audit trail (``personal_data_viewed``).
"""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import DataError

from core.middleware import admin_prefix, security_event_for
from privacy import services as privacy_services
from privacy.registry import personal_data

ADMIN_OBJECT_RE = re.compile(r"^(?P<app>\w+)/(?P<model>\w+)/(?:(?P<pk>[^/]+)/)?")


class SecurityLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status in (401, 403):
            security_event_for(request, "authz.denied", status=status)
        elif status == 429:
            # Rate limits log where they refuse; allauth's and axes' do not.
            if not getattr(response, "_security_logged", False):
                security_event_for(request, "ratelimit.refused", status=status)
        self._admin_access(request, status)
        if request.method == "POST" and (
            request.path_info.startswith("/privacy/requests/")
            or request.path_info.startswith(admin_prefix() + "privacy/")
        ):
            security_event_for(
                request, "privacy.request_action", level=logging.INFO, status=status
            )
        return response

    def _admin_access(self, request, status: int) -> None:
        admin = admin_prefix()
        if (
            request.method != "GET"
            or not request.path_info.startswith(admin)
            or status >= 400
        ):
            return
        match = ADMIN_OBJECT_RE.match(request.path_info[len(admin) :])
        if match is None:
            return
        try:
            model = apps.get_model(match["app"], match["model"])
        except LookupError:
            return
        if personal_data.get(model) is None:
            return
        security_event_for(
            request,
            "admin.personal_data_access",
            level=logging.INFO,
            model=model._meta.label,
            object_id=match["pk"],
            status=status,
        )
        # The database keeps the view too, on the subject's audit trail: a log
        # line alone is lost with the logs.
        if match["pk"] is None or not request.user.is_authenticated:
            return
        try:
            obj = model._default_manager.filter(pk=unquote(match["pk"])).first()
        except (ValueError, ValidationError, DataError):
            return
        if obj is not None:
            view = request.path_info[len(admin) + match.end() :].strip("/") or "change"
            privacy_services.personal_data_viewed(
                actor=request.user, obj=obj, view=view[:40]
            )
