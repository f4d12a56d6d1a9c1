import pytest
from django.core.cache import caches

from compliance.seed import compliance_seed
from consent import web


@pytest.fixture(autouse=True)
def _fresh_consent_cache():
    """django-cookie-consent's cache (and the cookie-list versions) per test."""
    caches["consent"].clear()
    yield
    caches["consent"].clear()


@pytest.fixture
def catalogue(db):
    """The seeded cookie groups (a transactional test may have flushed them)."""
    compliance_seed()
    caches["consent"].clear()


@pytest.fixture
def visitor_id() -> str:
    return web.visitor_id_new()


@pytest.fixture
def visitor_client(client, visitor_id):
    client.cookies[web.visitor_cookie_name()] = visitor_id
    return client
