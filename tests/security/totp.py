"""TOTP for tests: codes computed here per RFC 6238, not by allauth."""

import base64
import hashlib
import hmac
import struct
import time

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

#: Seconds before a step ends within which no code is handed out.
MARGIN = 3.0


def totp_code(secret: str, *, at: float | None = None, step: int = 30) -> str:
    """The 6-digit code of a base32 ``secret`` at time ``at`` (RFC 6238, SHA-1).

    Without ``at``: the code of now, but never one about to expire. The site
    accepts only the current step (no tolerance), so a code made in the last
    seconds of a step could be checked in the next one and refused: wait for
    the next step instead (at most ``MARGIN`` seconds).
    """
    if at is None:
        left = step - time.time() % step
        if left < MARGIN:
            time.sleep(left + 0.05)
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def activate_totp(user) -> str:
    """Give ``user`` a TOTP authenticator; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
