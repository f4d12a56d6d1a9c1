import pytest


@pytest.fixture
def eager_tasks():
    """Celery tasks (the mail delivery) run in-process, at once, as a worker
    would run them. Set on the Celery app itself (see tests/engagements)."""
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def mailed(eager_tasks, django_capture_on_commit_callbacks):
    """A context manager: what runs inside commits its mail into the outbox."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
