"""Generation counters: one cache key per group of records, moved on by every change.

A cached value whose key includes the current generation is never read again
once a record it was built from is saved or deleted: the next request builds
it anew under the next generation, and the old entry expires on its own.
Writes that bypass model signals (``QuerySet.update``, raw SQL) do not move
the counter, so whatever is cached this way also carries a TTL.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


def generation(key: str) -> int:
    return cache.get(key, 0)


def generation_bump(key: str) -> None:
    """Move the counter on now, and again after commit: a request that read
    the old records meanwhile may have cached them under the new value."""

    def bump() -> None:
        try:
            cache.incr(key)
        except ValueError:  # not set yet, or evicted
            cache.set(key, 1, None)

    bump()
    transaction.on_commit(bump)


def generation_bump_on_change(
    key: str,
    senders: Iterable[type[models.Model]],
    *,
    uid: str,
    through: Iterable[type[models.Model]] = (),
) -> None:
    """Bump ``key`` on every save and delete of ``senders`` and every change of
    the many-to-many relations whose ``through`` models are given."""

    def receiver(**kwargs) -> None:
        generation_bump(key)

    for model in senders:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                receiver,
                sender=model,
                weak=False,
                dispatch_uid=f"{uid}.{name}.{model._meta.label}",
            )
    for model in through:
        m2m_changed.connect(
            receiver,
            sender=model,
            weak=False,
            dispatch_uid=f"{uid}.m2m.{model._meta.label}",
        )
