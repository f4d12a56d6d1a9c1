"""Where ticket attachments live: the private storage CVs use (no URL, outside
MEDIA_ROOT), under ``support/`` with random names.

An attachment is served only by views that check who asks (the ticket's owner,
or staff in the admin); ``storage.url()`` refuses, by design.
"""

from pathlib import Path
from uuid import uuid4

from profiles.storage import private_storage

_SUFFIXES = frozenset({".pdf", ".docx"})


def attachment_upload_to(instance: object, filename: str) -> str:
    """A random name under ``support/``; the suffix is the checked type's
    (callers save under ``f"attachment.{checked.extension}"``)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in _SUFFIXES:
        suffix = ".bin"
    return f"support/{uuid4().hex}{suffix}"


__all__ = ["attachment_upload_to", "private_storage"]
