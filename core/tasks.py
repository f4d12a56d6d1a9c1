"""Celery tasks: thin, they call the services.

Every task that sets a time limit sets both (``time_limit`` and
``soft_time_limit``) or neither: a task's own ``time_limit`` below the global
``CELERY_TASK_SOFT_TIME_LIMIT`` makes ``Task.apply_async`` (what beat calls)
raise ``ValueError``, so the job is never queued.
"""

from celery import shared_task
from django.db import connection

from core.files import file_deletions_process

# Outbox rows younger than this are left to the after-commit call that is
# about to process them.
FILE_DELETION_GRACE = 60


@shared_task
def ping() -> dict:
    """Answer from a worker, naming the database it reached (integration test)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"pong": True, "database": connection.settings_dict["NAME"]}


@shared_task(time_limit=60 * 30, soft_time_limit=60 * 25)
def file_deletions_retry() -> int:
    """Every 15 minutes (beat): delete the files of outbox rows that a crash or
    an error left pending. Returns the number of files deleted."""
    return file_deletions_process(older_than=FILE_DELETION_GRACE)
