"""Test environment, loaded by pytest (`-p tests.pytest_env`) before settings.

pytest-django imports the settings before any conftest runs, so the values the
settings require are set here. Real values from the environment win
(DATABASE_URL and CELERY_BROKER_URL in CI).
"""

import os
import tempfile

os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abc"
)
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS", "7f2r8yNn2bK6nX1pQwA3hS9dJ4kL5mZ0vB8cR6tY1uE="
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="worksome-static-"))
# pytest-django's live_server with Playwright's sync API runs ORM calls from an
# event loop thread; the test process is single-user, so this is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
