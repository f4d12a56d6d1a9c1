"""Celery tasks: thin, they call the services.

Every task that sets a time limit sets both (``time_limit`` and
``soft_time_limit``) or neither: a task's own ``time_limit`` below the global
``CELERY_TASK_SOFT_TIME_LIMIT`` makes ``Task.apply_async`` (what beat calls)
raise ``ValueError``, so the job is never queued.
"""

from celery import shared_task

from privacy.retention import retention_purge as purge
from privacy.sessions import SessionStore


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
