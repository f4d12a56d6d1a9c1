import pytest


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.SITE_URL = "https://worksome.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAILING_PAGE_SIZE = 50
    settings.MAILING_RATE_PER_SECOND = 1000.0


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process (set on the app: a settings override does
    not reach it once a test has set the app's value by hand)."""
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old
