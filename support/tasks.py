"""Customer service's periodic work (thin: the service does it)."""

from celery import shared_task

from support import services


@shared_task
def ticket_unverified_purge() -> int:
    """Delete visitors' tickets whose verification link expired unopened."""
    return services.ticket_unverified_purge()
