from celery import shared_task
from django.conf import settings
from django.urls import reverse

from . import services


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60)
def inactivity_warnings_send() -> int:
    """Daily: warn members 30 days before an unused account is anonymised."""
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return services.inactivity_warnings_send(
        build_link=lambda token: (
            base + reverse("profiles:account_keep", kwargs={"token": token})
        )
    )
