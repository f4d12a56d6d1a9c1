from celery import shared_task
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone


@shared_task
def ping() -> dict:
    """Answer from a worker, naming the database it reached (integration test)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"pong": True, "database": connection.settings_dict["NAME"]}


@shared_task(time_limit=600)
def sessions_clear_expired() -> int:
    """Delete expired sessions: they hold who was logged in, and nothing needs them.

    Session rows are deleted in one set-based DELETE, as `clearsessions` would.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
