import pytest


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.SITE_URL = "https://worksome.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process, at once, as a worker would run them."""
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old
