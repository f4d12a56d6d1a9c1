"""Celery tasks: thin, they call the services.

Every task that sets a time limit sets both (``time_limit`` and
``soft_time_limit``) or neither: a task's own ``time_limit`` below the global
``CELERY_TASK_SOFT_TIME_LIMIT`` makes ``Task.apply_async`` (what beat calls)
raise ``ValueError``, so the job is never queued.
"""

from celery import shared_task

from compliance.services import breach_reminders_send, policy_change_notify


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60)
def policy_change_notify_task(*, version_id: int, base_url: str = "") -> int:
    """E-mail members about a significant privacy policy version, once each."""
    return policy_change_notify(version_id=version_id, base_url=base_url)


@shared_task(time_limit=300, soft_time_limit=240)
def breach_deadline_check() -> int:
    """Hourly (beat): remind staff once, 48 hours after a breach was discovered,
    while the supervisory authority has not been notified."""
    return breach_reminders_send()
