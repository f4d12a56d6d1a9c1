"""Celery tasks: thin, they call the services.

Every task that sets a time limit sets both (``time_limit`` and
``soft_time_limit``) or neither: a task's own ``time_limit`` below the global
``CELERY_TASK_SOFT_TIME_LIMIT`` makes ``Task.apply_async`` (what beat calls)
raise ``ValueError``, so the job is never queued.
"""

from celery import shared_task
from django.db import connection

from .sessions import SessionStore

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


@shared_task(time_limit=600, soft_time_limit=540)
def sessions_clear_expired() -> int:
    """Delete expired sessions: they hold who was logged in, and nothing needs them.

    The engine's ``clear_expired`` (``privacy.sessions``), which `clearsessions`
    runs too; the sessions' owner rows go with them.
    """
    return SessionStore.clear_expired()


# acks_late + reject_on_worker_lost: a worker killed mid-run (WorkerLostError)
# puts the message back, so another worker resumes the day's purge; the purge
# is idempotent (done rows are not picked again) and marks the lost run failed.
@shared_task(
    time_limit=60 * 60,
    soft_time_limit=55 * 60,
    acks_late=True,
    reject_on_worker_lost=True,
)
def retention_purge(*, dry_run: bool = False, rule_key: str | None = None) -> dict:
    """The daily purge (beat, 03:00 Copenhagen). Returns the run's counts."""
    from .retention import retention_purge as purge

    run = purge(dry_run=dry_run, rule_key=rule_key, triggered_by="celery")
    return {
        "run": run.pk,
        "status": run.status,
        "rules": {
            r.rule_key: {
                "matched": r.matched,
                "anonymised": r.anonymised,
                "deleted": r.deleted,
                "skipped_hold": r.skipped_hold,
                "errors": r.errors,
            }
            for r in run.rules.all()
        },
    }


@shared_task(time_limit=60 * 30, soft_time_limit=60 * 25)
def file_deletions_retry() -> int:
    """Every 15 minutes (beat): delete the files of outbox rows that a crash or
    an error left pending. Returns the number of files deleted."""
    from .files import file_deletions_process

    return file_deletions_process(older_than=FILE_DELETION_GRACE)


@shared_task(time_limit=60 * 30, soft_time_limit=60 * 25)
def dsr_export_build_task(*, request_id: int, base_url: str = "") -> dict:
    """Build the export ZIP of an access or portability request."""
    from .export import dsr_export_build

    archive = dsr_export_build(request_id=request_id, base_url=base_url)
    if archive is None:
        return {"request": request_id, "built": False}
    return {"request": request_id, "built": True, "size": archive.size}


@shared_task(time_limit=300, soft_time_limit=240)
def dsr_digest_send() -> int:
    """Daily (beat, 07:00 Copenhagen): overdue and due-soon requests to staff."""
    from .dsr import dsr_digest_send as send

    return send()


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60)
def policy_change_notify_task(*, version_id: int, base_url: str = "") -> int:
    """E-mail members about a significant privacy policy version, once each."""
    from .policy import policy_change_notify

    return policy_change_notify(version_id=version_id, base_url=base_url)


@shared_task(time_limit=300, soft_time_limit=240)
def breach_deadline_check() -> int:
    """Hourly (beat): remind staff once, 48 hours after a breach was discovered,
    while the supervisory authority has not been notified."""
    from .breaches import breach_reminders_send

    return breach_reminders_send()
