"""A member's journey (sign-up, profile with CPR, API token, export, erasure)
with every log line captured as the console handler writes it: no CPR number,
password, e-mail address or token in any line."""

import io
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from core.logging import MaskingFilter
from privacy.models import DataSubjectRequest
from privacy.requests.export import dsr_export_build
from privacy.requests.services import dsr_erasure_execute, dsr_export_request
from profiles.models import ApiToken

pytestmark = pytest.mark.django_db

EMAIL = "journey.person@example.com"
PASSWORD = "journey-secret-passphrase-42"
CPR = "1207851236"


def test_journey_leaves_no_secret_in_the_logs(
    client, django_capture_on_commit_callbacks
):
    root = logging.getLogger()
    # The console handler settings.LOGGING configured, writing into a buffer.
    (handler,) = [
        h
        for h in root.handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, MaskingFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        client.post(
            "/accounts/signup/",
            {
                "role": "freelancer",
                "name": "Log Journey",
                "email": EMAIL,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        link = re.search(
            r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body
        )
        key_path = link.group(1)
        client.post(key_path)
        client.post(
            "/accounts/login/", {"login": EMAIL, "password": "wrong-" + PASSWORD}
        )
        client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
        saved = client.post(
            "/dashboard/profile/",
            {
                "full_name": "Journey Person",
                "headline": "Tester",
                "country": "DK",
                "cpr": CPR,
                "skills_text": "Django",
            },
        )
        assert saved.status_code in (200, 302)
        client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        revealed = client.get("/dashboard/profile/cpr/")
        assert revealed.status_code == 200
        token = client.post(
            "/api/v1/auth/token/",
            {"email": EMAIL, "password": PASSWORD},
            content_type="application/json",
        ).json()["token"]
        client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
        assert ApiToken.objects.filter(token_key=token[:15]).exists()
        # The member asks for their data, gets the export, then asks for
        # erasure; staff steps call the same services the admin actions call.
        user = get_user_model().objects.get(email=EMAIL)
        for kind in ("access", "erasure"):
            assert client.post(
                "/privacy/requests/new/", {"kind": kind, "details": f"{CPR} please"}
            ).status_code in (200, 302)
        access, erasure = (
            DataSubjectRequest.objects.get(subject=user, kind=kind)
            for kind in ("access", "erasure")
        )
        with django_capture_on_commit_callbacks(execute=False):
            dsr_export_request(request=access, actor=user)
        assert dsr_export_build(request_id=access.pk) is not None
        dsr_erasure_execute(request=erasure, actor=user)
        client.get(key_path + "x/")  # a 404 that names the path
        logging.getLogger("worksome.tests").warning(
            "debug dump %s %s %s", CPR, EMAIL, token
        )
    finally:
        root.setLevel(old_level)
        handler.setStream(old_stream)
    logs = buffer.getvalue()
    assert "login.succeeded" in logs  # the handler really wrote here
    # Erased: the account is anonymised, and the API token went with it.
    assert not get_user_model().objects.filter(email=EMAIL).exists()
    assert not ApiToken.objects.filter(token_key=token[:15]).exists()
    for secret in (CPR, CPR[:6] + "-" + CPR[6:], PASSWORD, EMAIL, token, key_path):
        assert secret not in logs, secret
