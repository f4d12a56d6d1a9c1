"""Fixed-window rate limits in Django's cache (Redis in production, shared).

A limit counts uses per client within a window; over the limit the client is
told how long to wait (429 with Retry-After). Keys hold a keyed hash of the
client's IP address (``client_ip``: X-Forwarded-For only
from trusted proxies), never the address itself, and expire with the window.
"""

from __future__ import annotations

from django.conf import settings

# One counter implementation for every limit: the data-subject request intake
# (privacy) and the site-wide limits here.
from privacy.ratelimit import Limit, client_ip, hit

__all__ = ["Limit", "client_ip", "hit", "limit_for"]


def limit_for(scope: str) -> Limit:
    uses, window = settings.RATE_LIMITS[scope]
    return Limit(scope=scope, limit=uses, window=window)
