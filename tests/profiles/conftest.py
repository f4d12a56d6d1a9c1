"""Fixtures shared by the profile tests."""

import os

import pytest
from django.db import connection


@pytest.fixture
def postgres_search(db):
    """The directory search needs PostgreSQL (tsvector, triggers, pg_trgm,
    btree_gin): on another database the test skips outside CI and fails
    with CI=true, so CI cannot pass without it."""
    if connection.vendor != "postgresql":
        reason = "the directory search needs PostgreSQL (DATABASE_URL)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs this service: {reason}", pytrace=False)
        pytest.skip(reason)
