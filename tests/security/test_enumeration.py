"""Sign-up, log-in, password reset and request intake answer alike for an
address with an account and one without (issue 15 item 13)."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KNOWN, UNKNOWN = "known.member@example.com", "no.such.member@example.com"


@pytest.fixture(autouse=True)
def _member(db):
    UserFactory(email=KNOWN)


def _same(make_request) -> tuple:
    """(status, Location, body without the per-request CSRF token) for both."""
    answers = []
    for address in (KNOWN, UNKNOWN):
        response = make_request(Client(), address)
        body = re.sub(
            rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content
        )
        body = body.replace(address.encode(), b"ADDRESS")
        answers.append((response.status_code, response.get("Location"), body))
    assert answers[0] == answers[1]
    return answers[0]


def test_signup_answers_alike_and_mails_the_member(client):
    status, location, _body = _same(
        lambda c, a: c.post(
            "/accounts/signup/",
            {
                "role": "freelancer",
                "name": "Someone",
                "email": a,
                "password1": "a-Strong-pass-2026",
                "password2": "a-Strong-pass-2026",
            },
        )
    )
    assert status == 302
    assert {m.to[0] for m in mail.outbox} == {KNOWN, UNKNOWN}


def test_login_answers_alike(client):
    status, _location, _body = _same(
        lambda c, a: c.post(
            "/accounts/login/", {"login": a, "password": "not-the-password-1"}
        )
    )
    assert status == 200


def test_password_reset_answers_alike(client):
    status, _location, _body = _same(
        lambda c, a: c.post("/accounts/password/reset/", {"email": a})
    )
    assert status == 302


def test_request_intake_answers_alike(client):
    status, _location, _body = _same(
        lambda c, a: c.post(
            "/privacy/requests/new/", {"email": a, "kind": "access", "details": ""}
        )
    )
    assert status == 200
