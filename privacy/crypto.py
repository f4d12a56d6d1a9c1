"""Encryption of personal data at rest, and keyed hashes for looking it up.

Invariants:
- ``settings.FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys, newest first.
  The first key encrypts; every key in the list decrypts, so a new key can be
  put first and old tokens stay readable until ``rotate_encryption_keys`` has
  re-encrypted them. Removing an old key before that loses data.
- Settings are read when first needed, never at import time; the cached
  MultiFernet is dropped whenever the setting changes (tests override it).
- Nothing here logs or puts a plaintext or a token in an error message.
- ``keyed_hash`` is keyed by ``settings.HASH_KEY`` (SECRET_KEY unless set on
  its own): changing it changes every hash, so stored hashes would have to be
  recomputed, and the suppression list cannot be. Set HASH_KEY explicitly to
  rotate SECRET_KEY freely.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

__all__ = [
    "InvalidToken",
    "decrypt",
    "encrypt",
    "get_fernet",
    "keyed_hash",
    "rotate",
]


@lru_cache(maxsize=1)
def get_fernet() -> MultiFernet:
    """The MultiFernet for ``FIELD_ENCRYPTION_KEYS`` (the first key encrypts)."""
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None)
    if isinstance(keys, str) or not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be a non-empty list of Fernet keys, "
            "newest first."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from None


@receiver(setting_changed)
def _reset_fernet(*, setting: str, **kwargs) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        get_fernet.cache_clear()


def _token_bytes(token: str) -> bytes:
    # A token is ASCII; anything else cannot be one (and must not raise a
    # UnicodeEncodeError that quotes the value).
    try:
        return token.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidToken from None


def encrypt(plaintext: str) -> str:
    """A Fernet token (ASCII) for ``plaintext``, made with the newest key.

    Each call gives a different token for the same plaintext.
    """
    return get_fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext of ``token``; raises ``InvalidToken`` if no key opens it."""
    return get_fernet().decrypt(_token_bytes(token)).decode("utf-8")


def rotate(token: str) -> str:
    """``token`` re-encrypted with the newest key; raises ``InvalidToken``."""
    return get_fernet().rotate(_token_bytes(token)).decode("ascii")


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 (hex) of ``value``, keyed by HASH_KEY and ``purpose``.

    Stable for the same HASH_KEY, so a unique or indexed column of these
    finds or de-duplicates encrypted values without decrypting them. Each use
    gets its own ``purpose`` (e.g. ``"profiles.cpr"``) so hashes of the same
    value do not match across uses. Normalise ``value`` first (e.g. with
    ``normalise_cpr``): "010190-1234" and "0101901234" hash differently.
    """
    if not purpose:
        raise ValueError("keyed_hash needs a purpose.")
    return salted_hmac(
        f"worksome.{purpose}", value, secret=settings.HASH_KEY, algorithm="sha256"
    ).hexdigest()
