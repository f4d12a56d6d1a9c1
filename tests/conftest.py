import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits live in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()
