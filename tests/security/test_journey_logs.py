"""A member's journey with every log line captured as the console handler
writes it: no CPR number, password, e-mail address or token in any line."""

import io
import logging
import re

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token

from worksome.logging import MaskingFilter

pytestmark = pytest.mark.django_db

EMAIL = "journey.person@example.com"
PASSWORD = "journey-secret-passphrase-42"
CPR = "1207851236"


def test_journey_leaves_no_secret_in_the_logs(client):
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
            {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD},
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
        client.get(key_path + "x/")  # a 404 that names the path
        logging.getLogger("worksome.tests").warning(
            "debug dump %s %s %s", CPR, EMAIL, token
        )
    finally:
        root.setLevel(old_level)
        handler.setStream(old_stream)
    logs = buffer.getvalue()
    assert "login.succeeded" in logs  # the handler really wrote here
    assert Token.objects.filter(key=token).exists()
    for secret in (CPR, CPR[:6] + "-" + CPR[6:], PASSWORD, EMAIL, token, key_path):
        assert secret not in logs, secret
