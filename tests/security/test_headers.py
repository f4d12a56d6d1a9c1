"""Security headers and the Content Security Policy, as a browser receives them."""

import pytest
from csp.constants import HEADER as CSP_HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

ANALYTICS_HOSTS = (
    "https://www.googletagmanager.com",
    "https://www.google-analytics.com",
)
MARKETING_HOSTS = (
    "https://connect.facebook.net",
    "https://www.facebook.com",
    "https://static.ads-twitter.com",
    "https://analytics.twitter.com",
)


def _directives(response) -> dict[str, list[str]]:
    policy = response[CSP_HEADER]
    result = {}
    for part in policy.split(";"):
        name, *values = part.split()
        result[name] = values
    return result


def test_home_page_has_the_full_header_set(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    csp = _directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]


def test_https_settings_send_hsts_and_secure_cookies(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]


def test_production_settings_turn_on_https_protections():
    """What `check --deploy` verifies, as the settings module computes it."""
    import subprocess
    import sys

    from cryptography.fernet import Fernet

    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "worksome.settings",
        "SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "worksome.example",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django;django.setup();" + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "31536000", "True", "True", "True", "True", "Lax"]


def test_no_tracker_host_without_consent(client):
    csp = _directives(client.get("/"))
    for directive in ("script-src", "img-src", "connect-src"):
        for host in ANALYTICS_HOSTS + MARKETING_HOSTS:
            assert host not in csp.get(directive, [])


def test_analytics_hosts_only_after_analytics_consent(client):
    before = client.get("/")
    assert "googletagmanager" not in before[CSP_HEADER]
    response = client.post(
        "/cookies/choose/", {"cookie_groups": "analytics", "next": "/"}
    )
    assert response.status_code == 302
    csp = _directives(client.get("/"))
    for host in ANALYTICS_HOSTS:
        assert host in csp["script-src"]
        assert host in csp["connect-src"]
    for host in MARKETING_HOSTS:
        assert host not in csp["script-src"]


def test_marketing_hosts_after_accept_all_and_gone_after_decline(client):
    client.post("/cookies/accept/", {"all_groups": "on", "next": "/"})
    csp = _directives(client.get("/"))
    for host in ANALYTICS_HOSTS + MARKETING_HOSTS:
        assert host in csp["script-src"]
    client.post("/cookies/decline/", {"all_groups": "on", "next": "/"})
    policy = client.get("/")[CSP_HEADER]
    for host in ANALYTICS_HOSTS + MARKETING_HOSTS:
        assert host not in policy


def test_a_forged_consent_cookie_adds_no_host(client):
    """Only consent records count, not a cookie the browser made up."""
    client.cookies["cookie_consent"] = "analytics=2020-01-01T00:00:00|marketing=x"
    client.cookies["consent_visitor"] = "A" * 32
    policy = client.get("/")[CSP_HEADER]
    for host in ANALYTICS_HOSTS + MARKETING_HOSTS:
        assert host not in policy


def test_api_docs_inline_code_carries_the_nonce(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    nonce = next(
        v for v in _directives(response)["script-src"] if v.startswith("'nonce-")
    )[len("'nonce-") : -1]
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html
    assert f'<style nonce="{nonce}">' in html


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
)
def test_account_pages_are_not_stored(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_own_pages_are_not_stored(member_client):
    for path in ("/dashboard/", "/dashboard/profile/", "/privacy/requests/"):
        response = member_client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/freelancers/").get("Cache-Control", "")
