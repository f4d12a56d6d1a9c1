from celery import shared_task
from django.db import connection


@shared_task
def ping() -> dict:
    """Answer from a worker, naming the database it reached (integration test)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"pong": True, "database": connection.settings_dict["NAME"]}
