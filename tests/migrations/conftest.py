"""PostgreSQL for the migration tests, the way tests/integration/conftest.py
asks for real services: missing, it skips them on a laptop and fails them
when CI=true, so CI can never pass without having run them.
"""

import os
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

from tests.migrations.snapshot import programs_missing


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "migrations: restores a snapshot of an earlier main into a fresh "
        "PostgreSQL database and migrates it forward",
    )


def unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs this service: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """A URL of the server's ``postgres`` database, to create databases from."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        unavailable("DATABASE_URL does not point at PostgreSQL")
    if programs_missing("psql"):
        unavailable("psql, PostgreSQL's client, is not installed")
    user, password = quote(db.get("USER") or ""), quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    url = f"postgres://{auth}{host}:{port}/postgres"
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL at DATABASE_URL does not answer: {exc}")
    return url


@pytest.fixture(scope="session")
def database_prefix() -> str:
    """Names of throwaway databases start with the configured database's name,
    as Django's test database does, so parallel checkouts never collide."""
    return f"{settings.DATABASES['default']['NAME']}_migrate"
