import pytest


@pytest.fixture
def mailed(eager_tasks, django_capture_on_commit_callbacks):
    """A context manager: what runs inside commits its mail into the outbox
    (``eager_tasks``, suite-wide, runs the delivery task in-process)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
