"""Celery tasks: thin, they call the services.

Every task that sets a time limit sets both (``time_limit`` and
``soft_time_limit``) or neither: a task's own ``time_limit`` below the global
``CELERY_TASK_SOFT_TIME_LIMIT`` makes ``Task.apply_async`` (what beat calls)
raise ``ValueError``, so the job is never queued.
"""

from celery import shared_task

from privacy.requests.export import dsr_export_build
from privacy.requests.notices import dsr_digest_send as send


@shared_task(time_limit=60 * 30, soft_time_limit=60 * 25)
def dsr_export_build_task(*, request_id: int, base_url: str = "") -> dict:
    """Build the export ZIP of an access or portability request."""
    archive = dsr_export_build(request_id=request_id, base_url=base_url)
    if archive is None:
        return {"request": request_id, "built": False}
    return {"request": request_id, "built": True, "size": archive.size}


@shared_task(time_limit=300, soft_time_limit=240)
def dsr_digest_send() -> int:
    """Daily (beat, 07:00 Copenhagen): overdue and due-soon requests to staff."""
    return send()
