"""A small fixed-window rate limit in Django's cache (shared in production).

Keys hold a keyed hash of what is counted (an e-mail address, an IP), never
the value itself.

``client_ip`` is the one answer to "which client sent this request" for every
limit and lockout (this module, core.ratelimit, django-axes, allauth).
X-Forwarded-For is written by the client as much as by proxies: only the hops
appended by proxies the settings trust are believed, so a client cannot pick
the address it is counted under. Without a trusted proxy the header is ignored.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.crypto import keyed_hash


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
    digest = keyed_hash(value.lower(), purpose=f"core.ratelimit.{limit.scope}")
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


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address, believing X-Forwarded-For only as far as settings say.

    The chain is the X-Forwarded-For hops followed by REMOTE_ADDR (the peer).
    With ``TRUSTED_PROXY_CIDRS`` the walk goes from the peer leftwards past every
    address inside those networks; the first one outside is the client. With
    ``TRUSTED_PROXY_COUNT = n`` the peer and the last n-1 X-Forwarded-For hops
    are the proxies and the hop before them is the client. A chain shorter than
    the proxies it must have passed is not believed: the peer's address is used.
    """
    peer = _ip(request.META.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return "unknown"
    networks = getattr(settings, "TRUSTED_PROXY_CIDRS", ())
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not networks and not count:
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [hop for hop in (h.strip() for h in forwarded.split(",")) if hop]
    if networks:
        client = peer
        for hop in reversed(chain):
            if not any(client in network for network in networks):
                break
            ip = _ip(hop)
            if ip is None:  # not written by a trusted proxy: stop at its reader
                break
            client = ip
        return str(client)
    if len(chain) < count:
        return str(peer)
    return str(_ip(chain[-count]) or peer)


def limit_for(scope: str) -> Limit:
    """The site-wide limit named ``scope`` in ``settings.RATE_LIMITS``."""
    uses, window = settings.RATE_LIMITS[scope]
    return Limit(scope=scope, limit=uses, window=window)
