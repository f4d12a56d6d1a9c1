import pytest
from django.core.cache import caches

from compliance.seed import compliance_seed


@pytest.fixture(autouse=True)
def _fresh_consent_cache():
    """Consent's cookie lists start empty in each test. (django-axes' counts
    live in a database table in tests, rolled back after each.)"""
    caches["consent"].clear()
    yield
    caches["consent"].clear()


@pytest.fixture
def catalogue(db):
    """The seeded cookie groups (a transactional test may have flushed them)."""
    compliance_seed()
    caches["consent"].clear()
