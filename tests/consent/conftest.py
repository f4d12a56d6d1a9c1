import importlib

import pytest
from django.apps import apps
from django.core.cache import caches

from consent import web

seed_migration = importlib.import_module("consent.migrations.0002_seed_cookie_groups")


@pytest.fixture(autouse=True)
def _fresh_consent_cache():
    """django-cookie-consent's cache (and the cookie-list versions) per test."""
    caches["consent"].clear()
    yield
    caches["consent"].clear()


@pytest.fixture
def catalogue(db):
    """The seeded cookie groups (a transactional test may have flushed them)."""
    seed_migration.seed(apps)
    caches["consent"].clear()


@pytest.fixture
def visitor_id() -> str:
    return web.visitor_id_new()


@pytest.fixture
def visitor_client(client, visitor_id):
    client.cookies[web.visitor_cookie_name()] = visitor_id
    return client
