"""Where uploaded files live, and under which names.

CVs go to ``private_storage``: a folder outside MEDIA_ROOT with no URL, so the
web server can never hand one out; a view that checks permissions streams
them. Every stored name is random, so no name carries personal data.
"""

from pathlib import Path
from uuid import uuid4

from django.utils.deconstruct import deconstructible

from core.storage import PrivateFileStorage

_CV_SUFFIXES = frozenset({".pdf", ".docx"})


@deconstructible(path="profiles.storage.PrivateStorage")
class PrivateStorage(PrivateFileStorage):
    """Private storage for CVs, directly under PRIVATE_MEDIA_ROOT."""


private_storage = PrivateStorage()


def cv_upload_to(instance: object, filename: str) -> str:
    """A random name under ``cv/``; the suffix is the checked type's.

    Callers save the file under ``f"cv.{checked.extension}"`` (see
    ``profiles.uploads.validate_cv``), so the suffix here was decided by the
    file's content, not by the name the user sent.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in _CV_SUFFIXES:
        suffix = ".bin"
    return f"cv/{uuid4().hex}{suffix}"


def photo_upload_to(instance: object, filename: str) -> str:
    """A random name for a re-encoded profile photo or logo (always JPEG)."""
    return f"photos/{uuid4().hex}.jpg"


def thumb_upload_to(instance: object, filename: str) -> str:
    """A random name for a photo's thumbnail (always JPEG)."""
    return f"photos/thumbs/{uuid4().hex}.jpg"
