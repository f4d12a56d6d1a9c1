"""Log-in lockout (django-axes) and the rate limits: 429 with Retry-After."""

import datetime as dt
import time

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _bad_login(client, email, **extra):
    return client.post(LOGIN, {"login": email, "password": "wrong-password-1"}, **extra)


def test_sixth_bad_login_is_locked_out_for_15_minutes(client, member, password):
    for _ in range(4):
        response = _bad_login(client, member.email)
        assert response.status_code == 200  # the form again, with an error
    fifth = _bad_login(client, member.email)
    sixth = _bad_login(client, member.email)
    for response in (fifth, sixth):
        assert response.status_code == 429
        assert response["Retry-After"] == str(15 * 60)
        html = response.content.decode()
        assert "Too many failed log-in attempts" in html
        assert "15 minutes" in html
        assert member.email not in html
    # The right password does not get in either while locked.
    locked = client.post(LOGIN, {"login": member.email, "password": password})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_address_and_ip(client, member, password):
    for _ in range(5):
        _bad_login(client, member.email)
    # Another IP may still log in to the same account.
    other_ip = client.post(
        LOGIN,
        {"login": member.email, "password": password},
        REMOTE_ADDR="203.0.113.9",
    )
    assert other_ip.status_code == 302
    # The same IP may still try another address.
    assert _bad_login(Client(), "someone.else@example.com").status_code == 200


def _locked_out(email: str) -> bool:
    """What django-axes decides for the next log-in of ``email`` from the test
    client's address, asked without making an attempt (a refused attempt would
    start the cool-off again)."""
    request = RequestFactory().post(LOGIN, {"login": email})
    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.is_locked(request)


def test_lockout_ends_after_the_cool_off(client, member, password, settings):
    # Long enough that the failed logins follow each other inside it on a
    # loaded machine (the test hasher makes each take milliseconds): django-axes'
    # cache handler raises if the counter expires between its add and its incr.
    # The database cache keeps expiry times in whole seconds, so the lockout
    # ends between 2 and 3 seconds after the last failure.
    settings.AXES_COOLOFF_TIME = dt.timedelta(seconds=3)
    for _ in range(5):
        _bad_login(client, member.email)
    locked_at = time.monotonic()
    assert _bad_login(client, member.email)["Retry-After"] == "3"
    assert _locked_out(member.email)
    deadline = locked_at + 30
    while _locked_out(member.email):
        assert time.monotonic() < deadline, "the lockout did not end"
        time.sleep(0.1)
    assert time.monotonic() - locked_at >= 2, "the lockout ended before its cool-off"
    response = client.post(LOGIN, {"login": member.email, "password": password})
    assert response.status_code == 302


def test_lockout_matches_the_address_in_any_case(client, member):
    for _ in range(4):
        _bad_login(client, member.email)
    assert _bad_login(client, member.email.upper()).status_code == 429


def test_a_good_login_resets_the_count(client, member, password):
    for _ in range(4):
        _bad_login(client, member.email)
    assert (
        client.post(LOGIN, {"login": member.email, "password": password}).status_code
        == 302
    )
    client.post("/accounts/logout/")
    for _ in range(4):
        assert _bad_login(client, member.email).status_code == 200


def test_no_ip_or_address_is_stored_in_the_database(client, member):
    for _ in range(6):
        _bad_login(client, member.email)
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()


def test_api_token_endpoint_is_locked_out_too(client, member, password):
    for _ in range(5):
        client.post(
            "/api/v1/auth/token/",
            {"email": member.email, "password": "wrong-password-1"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token/",
        {"email": member.email, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert set(response.json()) == {"detail", "errors"}  # the API's error shape


# --- Rate limits -------------------------------------------------------------


def _signup(client, n):
    return client.post(
        "/accounts/signup/",
        {
            "role": "freelancer",
            "name": "New Member",
            "email": f"new{n}@example.com",
            "password1": "a-long-enough-passphrase-1",
            "password2": "a-long-enough-passphrase-1",
        },
    )


def test_signup_is_rate_limited_per_ip(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (3, 3600)}
    for n in range(3):
        assert _signup(client, n).status_code != 429
    refused = _signup(client, 99)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many requests" in refused.content.decode()
    from profiles.models import User

    assert not User.objects.filter(email="new99@example.com").exists()
    # Another client IP is not affected.
    other = client.post(
        "/accounts/signup/",
        {
            "role": "freelancer",
            "name": "New Member",
            "email": "new100@example.com",
            "password1": "a-long-enough-passphrase-1",
            "password2": "a-long-enough-passphrase-1",
        },
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code != 429


def test_signup_form_get_is_not_counted(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (1, 3600)}
    for _ in range(3):
        assert client.get("/accounts/signup/").status_code == 200


def test_password_reset_is_rate_limited(client, member, settings, mailoutbox):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 3600)}
    for _ in range(2):
        response = client.post("/accounts/password/reset/", {"email": member.email})
        assert response.status_code == 302
    refused = client.post("/accounts/password/reset/", {"email": member.email})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert len(mailoutbox) == 2


@pytest.mark.usefixtures("catalogue")
def test_consent_endpoint_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consent": (2, 60)}
    for _ in range(2):
        assert client.post("/cookies/decline/", {"all_groups": "on"}).status_code == 302
    refused = client.post("/cookies/accept/", {"all_groups": "on"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


@pytest.mark.usefixtures("catalogue")
def test_consent_fetch_and_api_get_json_429(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consent": (1, 60)}
    client.post("/cookies/decline/", {"all_groups": "on"})
    refused = client.post(
        "/cookies/accept/", {"all_groups": "on"}, HTTP_X_COOKIE_CONSENT_FETCH="1"
    )
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many requests")
    api = client.post(
        "/api/v1/consents/",
        {"purpose": "marketing_email", "granted": True},
        content_type="application/json",
    )
    assert api.status_code == 429
    assert set(api.json()) == {"detail", "errors"}
    assert "Retry-After" in api


def test_allauth_limits_answer_with_retry_after(client, member, settings):
    """allauth's own limits go through core.views.too_many_requests."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (100, 3600)}
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "1/m/ip"}
    first = client.post("/accounts/password/reset/", {"email": member.email})
    assert first.status_code == 302
    refused = client.post("/accounts/password/reset/", {"email": member.email})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many requests" in refused.content.decode()
