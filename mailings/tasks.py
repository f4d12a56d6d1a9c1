"""The sender of mailings: one page per run, then it queues itself.

Each run calls ``mailings.services.mailing_send_page`` (which holds the
guarantees: once per member, keyset pages, the rate) and, while the mailing
needs more, queues the next page with the countdown the rate asks for, on the
queue this run came from. A run that dies leaves its chain broken; the
"Resume" admin action starts a new one from the rows not yet claimed.
"""

from __future__ import annotations

from celery import shared_task

from mailings.services import mailing_send_page


@shared_task(bind=True)
def mailing_send(self, mailing_id: int, token: str) -> int:
    step = mailing_send_page(mailing_id=mailing_id, token=token)
    if not step.done:
        options: dict = {"countdown": step.countdown}
        queue = (self.request.delivery_info or {}).get("routing_key")
        if queue:
            options["queue"] = queue
        mailing_send.apply_async((mailing_id, token), **options)
    return step.sent
