"""A small fixed-window rate limit in Django's cache (shared in production).

Keys hold a keyed hash of what is counted (an e-mail address, an IP), never
the value itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from .crypto import keyed_hash


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds


def hit(limit: Limit, value: str, *, now: float | None = None) -> int | None:
    """Count one use of ``value``; the seconds to wait when over the limit, else None.

    A refused attempt is not counted, so waiting out the window always helps.
    """
    now = time.time() if now is None else now
    window_start = int(now // limit.window) * limit.window
    digest = keyed_hash(value.lower(), purpose=f"privacy.ratelimit.{limit.scope}")
    key = f"privacy:rl:{limit.scope}:{digest}:{window_start}"
    retry_after = max(1, int(window_start + limit.window - now))
    current = cache.get(key, 0)
    if current >= limit.limit:
        return retry_after
    if not cache.add(key, 1, timeout=limit.window + 1):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=limit.window + 1)
    return None
