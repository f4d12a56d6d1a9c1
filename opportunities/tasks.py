"""Opportunity jobs: the alert fan-out of a posted opportunity, and the
daily digest (beat: "Opportunity digest").

Thin: they take ids and call ``opportunities.services.fanout``, where the
guarantees are (each freelancer mailed at most once per opportunity, in
claimed batches, never the whole population in memory). ``acks_late``: a
worker lost mid-run leaves the message to be delivered again; the retry
matches again (nothing new for rows already there) and sends only rows
never claimed.
"""

from __future__ import annotations

from celery import shared_task

from opportunities.services import digests_send, opportunity_fanout_run


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=60 * 60,
    soft_time_limit=55 * 60,
)
def opportunity_fanout(opportunity_id: int) -> dict[str, int]:
    """Record every matching freelancer, then mail the immediate ones."""
    return opportunity_fanout_run(opportunity_id=opportunity_id)


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60)
def opportunity_digests_send() -> int:
    """Daily: each digest subscriber's new opportunities in one mail."""
    return digests_send()
