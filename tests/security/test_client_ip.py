"""Which client a request is counted under, with and without a trusted proxy.

Without a trusted proxy X-Forwarded-For is ignored: a client cannot escape a
limit or lockout by writing the header. Behind a trusted proxy (count or CIDRs)
two clients are counted apart, and a spoofed extra hop does not help either.
The same address serves our limiter, request intake, django-axes and allauth.
"""

import ipaddress

import pytest
from allauth.account.adapter import get_adapter
from django.test import Client, RequestFactory

from core.ratelimit import client_ip

PROXY = "10.0.0.2"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"
LOGIN = "/accounts/login/"
RESET = "/accounts/password/reset/"


def _request(remote_addr, xff=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_CIDRS = ()


@pytest.fixture
def behind_proxy_cidrs(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_CIDRS = (ipaddress.ip_network("10.0.0.0/8"),)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.TRUSTED_PROXY_CIDRS == ()
    assert client_ip(_request(CLIENT_A, "1.2.3.4")) == CLIENT_A
    assert client_ip(_request(CLIENT_A)) == CLIENT_A
    assert client_ip(_request("")) == "unknown"


def test_proxy_count_takes_the_hop_the_proxy_appended(behind_one_proxy):
    assert client_ip(_request(PROXY, CLIENT_A)) == CLIENT_A
    # A client-written hop in front of the proxy's is not believed.
    assert client_ip(_request(PROXY, f"1.2.3.4, {CLIENT_A}")) == CLIENT_A
    assert client_ip(_request(PROXY, f"garbage, {CLIENT_A}")) == CLIENT_A
    # No header (a request that did not pass the proxy): the peer.
    assert client_ip(_request(CLIENT_B)) == CLIENT_B


def test_two_proxies_by_count(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(PROXY, f"6.6.6.6, {CLIENT_A}, 10.0.0.1")) == CLIENT_A
    # Fewer hops than proxies: not believed.
    assert client_ip(_request(PROXY, CLIENT_A)) == PROXY


def test_proxy_cidrs_walk_past_trusted_hops_only(behind_proxy_cidrs):
    assert client_ip(_request(PROXY, f"1.2.3.4, {CLIENT_A}, 10.0.0.1")) == CLIENT_A
    # A spoofed hop inside the trusted range, written by the client, sits left of
    # the client's real address, so the walk stops before it.
    assert client_ip(_request(PROXY, f"10.9.9.9, {CLIENT_A}")) == CLIENT_A
    # A peer outside the trusted range: its header is not believed.
    assert client_ip(_request(CLIENT_B, "1.2.3.4")) == CLIENT_B
    assert client_ip(_request(PROXY, f"not-an-ip, {CLIENT_A}")) == CLIENT_A


def test_allauth_uses_the_same_client_address(behind_one_proxy):
    request = _request(PROXY, f"1.2.3.4, {CLIENT_A}")
    assert get_adapter(request).get_client_ip(request) == CLIENT_A


# --- Through the site -----------------------------------------------------------


def _bad_login(client, email, **extra):
    return client.post(LOGIN, {"login": email, "password": "wrong-password-1"}, **extra)


@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_escape_the_lockout(client, member):
    for n in range(5):
        _bad_login(client, member.email, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = _bad_login(client, member.email, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


@pytest.mark.django_db
def test_lockout_behind_a_proxy_is_per_client(
    client, member, password, behind_one_proxy
):
    for _ in range(5):
        _bad_login(
            client, member.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A
        )
    locked = _bad_login(
        client, member.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A
    )
    assert locked.status_code == 429
    # A spoofed extra hop is still client A.
    spoofed = Client().post(
        LOGIN,
        {"login": member.email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"192.0.2.50, {CLIENT_A}",
    )
    assert spoofed.status_code == 429
    # Client B behind the same proxy logs in to the same account.
    other = Client().post(
        LOGIN,
        {"login": member.email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT_B,
    )
    assert other.status_code == 302


def _reset(xff=None, remote_addr=PROXY):
    extra = {"REMOTE_ADDR": remote_addr}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return Client().post(RESET, {"email": "nobody@example.com"}, **extra)


@pytest.mark.django_db
def test_our_limiter_ignores_forwarded_for_without_a_proxy(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (3, 3600)}
    statuses = [_reset(f"192.0.2.{n}", CLIENT_A).status_code for n in range(4)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429


@pytest.mark.django_db
def test_our_limiter_behind_a_proxy_counts_clients_apart(settings, behind_one_proxy):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (3, 3600)}
    assert [_reset(CLIENT_A).status_code for _ in range(3)] == [302] * 3
    assert _reset(CLIENT_A).status_code == 429
    assert _reset(f"192.0.2.77, {CLIENT_A}").status_code == 429
    assert _reset(CLIENT_B).status_code == 302


@pytest.mark.django_db
def test_allauth_limit_behind_a_proxy_counts_clients_apart(settings, behind_one_proxy):
    # Only allauth's limit is in play: ours is set out of reach.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (1000, 3600)}
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/m/ip"}
    assert [_reset(CLIENT_A).status_code for _ in range(2)] == [302, 302]
    assert _reset(CLIENT_A).status_code == 429
    assert _reset(f"192.0.2.77, {CLIENT_A}").status_code == 429
    assert _reset(CLIENT_B).status_code == 302


@pytest.mark.django_db
def test_allauth_limit_ignores_forwarded_for_without_a_proxy(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (1000, 3600)}
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/m/ip"}
    statuses = [_reset(f"192.0.2.{n}", CLIENT_A).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
