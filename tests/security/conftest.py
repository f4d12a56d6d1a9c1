import importlib

import pytest
from django.apps import apps
from django.core.cache import caches

seed_migration = importlib.import_module("consent.migrations.0002_seed_cookie_groups")


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
    seed_migration.seed(apps)
    caches["consent"].clear()
