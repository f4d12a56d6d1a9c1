"""Encryption of personal data at rest, and keyed hashes for looking it up.

Invariants:
- ``settings.FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys, newest first.
  The first key encrypts; every key in the list decrypts, so a new key can be
  put first and old tokens stay readable until ``rotate_encryption_keys`` has
  re-encrypted them. Removing an old key before that loses data.
- Settings are read when first needed, never at import time; the cached
  MultiFernet is dropped whenever the setting changes (tests override it).
- Nothing here logs or puts a plaintext or a token in an error message.
- Export archives are files encrypted with the same ring (``EncryptingWriter``);
  ``rotate_encryption_keys`` does not rewrite them, so keep an old key in the
  list for at least 7 days (an archive's lifetime) after putting a new one first.
- ``keyed_hash`` is keyed by ``settings.HASH_KEY`` (SECRET_KEY unless set on
  its own): changing it changes every hash, so stored hashes would have to be
  recomputed, and the suppression list cannot be. Set HASH_KEY explicitly to
  rotate SECRET_KEY freely.
"""

import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

__all__ = [
    "DecryptingReader",
    "EncryptingWriter",
    "FileDecryptError",
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


# --- Files at rest ---------------------------------------------------------------
#
# A file is the magic line followed by frames: a 4-byte big-endian length and a
# Fernet token. Each token holds up to FILE_CHUNK bytes behind a header of the
# frame's index (8 bytes) and a final flag (1 byte), so frames cannot be
# reordered, dropped or cut off at the end without ``FileDecryptError``.
# Writer and reader hold one chunk in memory, whatever the file's size.

FILE_MAGIC = b"WSENC1\n"
FILE_CHUNK = 1024 * 1024
_FRAME_LENGTH = 4
_MAX_TOKEN = 2 * FILE_CHUNK  # base64 of a chunk plus Fernet's overhead, with margin


class FileDecryptError(Exception):
    """The file was cut short, reordered or not made with a key in the ring."""


class EncryptingWriter:
    """A write-only binary file that stores what is written encrypted in ``raw``.

    No ``seek``: zipfile then writes a streamable ZIP. ``tell`` and ``size`` count
    plaintext bytes. ``close`` writes the final frame and closes ``raw``.
    """

    def __init__(self, raw) -> None:
        self._raw = raw
        self._buffer = bytearray()
        self._index = 0
        self.size = 0
        self.closed = False
        raw.write(FILE_MAGIC)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.size

    def write(self, data) -> int:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) > FILE_CHUNK:
            self._frame(bytes(self._buffer[:FILE_CHUNK]), final=False)
            del self._buffer[:FILE_CHUNK]
        return len(data)

    def _frame(self, chunk: bytes, *, final: bool) -> None:
        header = self._index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")
        token = get_fernet().encrypt(header + chunk)
        self._raw.write(len(token).to_bytes(_FRAME_LENGTH, "big") + token)
        self._index += 1

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._frame(bytes(self._buffer), final=True)
            self._buffer.clear()
        finally:
            self.closed = True
            self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class DecryptingReader:
    """A read-only binary file over an encrypted ``raw`` (see EncryptingWriter).

    It has no ``name``, ``tell`` or ``seek``, so a FileResponse streams it chunk
    by chunk instead of sizing it from the encrypted file on disk.
    """

    def __init__(self, raw) -> None:
        self._raw = raw
        self._buffer = b""
        self._pos = 0
        self._index = 0
        self._done = False
        if raw.read(len(FILE_MAGIC)) != FILE_MAGIC:
            raw.close()
            raise FileDecryptError("not an encrypted file")

    def readable(self) -> bool:
        return True

    def _next_frame(self) -> None:
        length_bytes = self._raw.read(_FRAME_LENGTH)
        if len(length_bytes) != _FRAME_LENGTH:
            raise FileDecryptError("file is cut short")
        length = int.from_bytes(length_bytes, "big")
        token = self._raw.read(length) if length <= _MAX_TOKEN else b""
        if not token or len(token) != length:
            raise FileDecryptError("file is cut short")
        try:
            plain = get_fernet().decrypt(token)
        except InvalidToken:
            raise FileDecryptError("frame does not decrypt") from None
        if int.from_bytes(plain[:8], "big") != self._index or len(plain) < 9:
            raise FileDecryptError("frames out of order")
        self._index += 1
        self._done = plain[8:9] == b"\x01"
        self._buffer += plain[9:]
        if self._done and self._raw.read(1):
            raise FileDecryptError("data after the final frame")

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) - self._pos < size):
            self._buffer = self._buffer[self._pos :]
            self._pos = 0
            self._next_frame()
        end = len(self._buffer) if size < 0 else self._pos + size
        data = self._buffer[self._pos : end]
        self._pos += len(data)
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def token_hash(token: str) -> str:
    """SHA-256 of a random token (tokens have 256 bits; no key is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()
