"""Mail delivery for ``consent.mail.mail_send``.

What must never happen, and how it is prevented:
- A mail lost because the server was away: transient SMTP and connection
  errors are retried with backoff (30 s, 1, 2, 4 ... up to 30 min apart).
- A mail to someone who changed their mind while it waited in the queue: the
  message is built here, at sending time, so withdrawals, restrictions and
  suppressions made meanwhile are honoured.
"""

from __future__ import annotations

from celery import shared_task

from consent.mail.service import TRANSIENT_ERRORS, mail_deliver_payload


@shared_task(
    name="consent.mail_deliver",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=10,
)
def mail_deliver(**payload) -> bool:
    return mail_deliver_payload(**payload)
