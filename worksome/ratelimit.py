"""Fixed-window rate limits in Django's cache (Redis in production, shared).

A limit counts uses per client within a window; over the limit the client is
told how long to wait (429 with Retry-After). Keys hold a keyed hash of the
client's IP address, never the address itself, and expire with the window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds


def limit_for(scope: str) -> Limit:
    uses, window = settings.RATE_LIMITS[scope]
    return Limit(scope=scope, limit=uses, window=window)


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(limit: Limit, value: str, *, now: float | None = None) -> int | None:
    """Count one use of ``value``: None while within the limit, else the seconds
    until the window ends. A refused use is not counted."""
    now = time.time() if now is None else now
    window_start = int(now // limit.window) * limit.window
    digest = salted_hmac(
        f"worksome.ratelimit.{limit.scope}", value.lower(), algorithm="sha256"
    ).hexdigest()[:32]
    key = f"rl:{limit.scope}:{digest}:{window_start}"
    if cache.get(key, 0) >= limit.limit:
        return max(1, int(window_start + limit.window - now))
    if not cache.add(key, 1, timeout=limit.window + 1):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=limit.window + 1)
    return None
