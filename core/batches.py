"""Claim a batch of rows, send after the claim commits, unclaim what failed.

For jobs that must e-mail (or otherwise tell) someone once per row however
many workers run them: the policy change notice, the breach reminder, the
inactivity warning.

What must never happen, and how ``claim_and_send`` prevents it:
- One row sent twice: a batch is selected with ``SELECT ... FOR UPDATE SKIP
  LOCKED`` and marked (``claim``, e.g. ``notified_at=now``) in the same
  transaction, so a concurrent worker skips the locked rows and, once the
  claim commits, no longer matches them; a later run finds them marked.
- A mail sent for a claim that rolls back: sending starts only after the
  claim's transaction has committed. Call it outside a transaction (a task,
  a command); inside one, "committed" means the enclosing block.
- A row silently dropped because its send failed: a send that raises is
  logged, its mark is cleared again (``unclaim``), and a later run retries
  it. This run does not claim it again, so a broken address cannot loop.

Delivery is at most once: a worker killed between the claim's commit and
the send loses that batch's sends (their rows stay marked). ``send_each`` is
the send step alone, for jobs with nothing to claim (the staff digest).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models, transaction

logger = logging.getLogger(__name__)

Row = TypeVar("Row")


def send_each(
    items: Iterable[Row], send: Callable[[Row], int], *, label: str
) -> tuple[int, list[Row]]:
    """Call ``send(item)`` for every item; one that raises does not stop the rest.

    ``send`` returns how many messages went out (as ``send_mail`` and
    ``EmailMessage.send`` do). Returns that total and the items whose send
    raised; each failure is logged under ``label``, without the item (it may
    hold an address).
    """
    sent, failed = 0, []
    for item in items:
        try:
            sent += send(item)
        except Exception:
            logger.exception("%s: sending failed", label)
            failed.append(item)
    return sent, failed


def claim_and_send(
    queryset: models.QuerySet,
    *,
    claim: dict[str, Any],
    unclaim: dict[str, Any],
    send: Callable[[models.Model], int],
    batch_size: int | None = None,
    label: str,
    on_claim: Callable[[list[models.Model]], None] | None = None,
) -> int:
    """Work through ``queryset`` in claimed batches; returns the messages sent.

    ``queryset`` selects the rows still to send, ordered (their own model's
    rows; joined tables are not locked) and must stop matching a row once
    ``claim`` is applied to it. ``claim`` and ``unclaim`` are ``update()``
    keyword arguments. ``on_claim(rows)`` runs inside the claim's transaction
    (for the audit rows of the change). ``batch_size`` None claims every
    matching row at once. See the module docstring for the guarantees.
    """
    model = queryset.model
    manager = model._default_manager
    failed: set = set()
    sent = 0
    while True:
        with transaction.atomic():
            pending = queryset.exclude(pk__in=failed) if failed else queryset
            locked = pending.select_for_update(skip_locked=True, of=("self",))
            rows = list(locked if batch_size is None else locked[:batch_size])
            if not rows:
                return sent
            manager.filter(pk__in=[row.pk for row in rows]).update(**claim)
            if on_claim is not None:
                on_claim(rows)
        done, failures = send_each(rows, send, label=label)
        sent += done
        if failures:
            keys = [row.pk for row in failures]
            failed.update(keys)
            manager.filter(pk__in=keys).update(**unclaim)
        if batch_size is None:
            return sent
