from celery import shared_task
from django.urls import reverse

from core.mail import absolute_url
from profiles import services


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60)
def inactivity_warnings_send() -> int:
    """Daily: warn members 30 days before an unused account is anonymised."""
    return services.inactivity_warnings_send(
        build_link=lambda token: absolute_url(
            reverse("profiles:account_keep", kwargs={"token": token})
        )
    )
