from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils import translation

from tests.beat import beat_rows_write
from tests.factories import PASSWORD, UserFactory

FAST_PASSWORD_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Argon2, the production hasher, is slow on purpose (about 0.1 s a hash on
    this machine), and most tests create a user or log in: MD5 halves the
    suite's time. Tests of the hashing itself are marked
    ``real_password_hasher`` and get the production list back. The production
    hashers stay behind MD5, so a hash made in such a test still verifies."""
    production = list(django_settings.PASSWORD_HASHERS)
    with override_settings(PASSWORD_HASHERS=[FAST_PASSWORD_HASHER, *production]):
        yield production


@pytest.fixture(autouse=True)
def _real_password_hasher(request, _fast_password_hasher):
    if request.node.get_closest_marker("real_password_hasher") is None:
        yield
        return
    with override_settings(PASSWORD_HASHERS=_fast_password_hasher):
        yield


def pytest_configure(config):
    # pyproject.toml's env names STATIC_ROOT; whitenoise warns on every test
    # client while the folder is missing.
    Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


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


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Danish leaves Danish active in the thread (LocaleMiddleware
    activates, nothing deactivates); the next test must not inherit it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_dirs(settings, tmp_path):
    """Uploads of each test go to its own folders, never into var/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def freelancer(db):
    from tests.factories import FreelancerProfileFactory

    return FreelancerProfileFactory()


@pytest.fixture
def verified_company_member(db):
    """A member of a verified company, who may download published CVs."""
    from tests.factories import CompanyFactory, UserFactory

    user = UserFactory()
    company = CompanyFactory(verified=True)
    company.memberships.create(user=user, role="member")
    return user


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with the TOTP authenticator the admin demands
    of staff who may see CPR numbers or handle data-subject requests
    (core.middleware.StaffMfaMiddleware)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(admin_user, generate_totp_secret())
    return admin_user


@pytest.fixture
def beat_schedule_synced(db):
    """The periodic-task rows beat itself writes from ``CELERY_BEAT_SCHEDULE``."""
    beat_rows_write()


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process, at once, as a worker would run them.

    Set on the Celery app itself, not through Django's settings: a test that
    set ``app.conf.task_always_eager`` back by hand (several do) leaves a
    value on the app that a settings override no longer reaches.
    """
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old
