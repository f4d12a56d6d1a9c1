"""The sender of mailings: one page per run, then it queues itself.

Each run calls ``mailings.services.mailing_send_page`` (which holds the
guarantees: once per member, keyset pages, the rate) and, while the mailing
needs more, queues the next page with the countdown the rate asks for, on the
queue this run came from.

A run whose worker process is killed is delivered again (``acks_late`` +
``reject_on_worker_lost``) and goes on from the rows not yet claimed; the
rows it had claimed are not mailed again (at most once). A chain lost some
other way (the message revoked, the broker emptied) is started again by the
"Resume sending" admin action. Time limits: a page of ``MAILING_PAGE_SIZE``
mails with their inline SMTP retries ends well within them.
"""

from __future__ import annotations

from celery import shared_task

from mailings.services import mailing_send_page


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def mailing_send(self, mailing_id: int, token: str) -> int:
    step = mailing_send_page(mailing_id=mailing_id, token=token)
    if not step.done:
        options: dict = {"countdown": step.countdown}
        queue = (self.request.delivery_info or {}).get("routing_key")
        if queue:
            options["queue"] = queue
        mailing_send.apply_async((mailing_id, token), **options)
    return step.sent
