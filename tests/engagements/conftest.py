import pytest


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
