"""Where uploaded files live, and under which names.

CVs go to ``private_storage``: a folder outside MEDIA_ROOT with no URL, so the
web server can never hand one out; a view that checks permissions streams
them. Every stored name is random, so no name carries personal data.
"""

from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

_CV_SUFFIXES = frozenset({".pdf", ".docx"})


def _private_root() -> Path:
    configured = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "var" / "private"


@deconstructible(path="profiles.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """File storage for private files: no URL, never under MEDIA_ROOT.

    The location is read from ``settings.PRIVATE_MEDIA_ROOT`` each time it is
    needed (not at import), so tests and deployments can change it; an
    explicit ``location`` argument wins. Files are readable by the app's own
    user only.
    """

    def __init__(
        self,
        location: str | Path | None = None,
        *,
        file_permissions_mode: int = 0o600,
        directory_permissions_mode: int = 0o700,
    ) -> None:
        super().__init__(
            location=location,
            base_url=None,
            file_permissions_mode=file_permissions_mode,
            directory_permissions_mode=directory_permissions_mode,
        )

    # Plain properties (FileSystemStorage caches these and resets them only
    # when MEDIA_ROOT changes), so a changed PRIVATE_MEDIA_ROOT takes effect.
    @property
    def base_location(self) -> str:
        root = Path(self._location) if self._location else _private_root()
        media_root = getattr(settings, "MEDIA_ROOT", "")
        if media_root:
            private = root.resolve()
            public = Path(media_root).resolve()
            if private == public or private.is_relative_to(public):
                raise ImproperlyConfigured(
                    f"PRIVATE_MEDIA_ROOT ({private}) must not be inside MEDIA_ROOT "
                    f"({public}): files there would be public."
                )
        return str(root)

    @property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self) -> None:
        return None

    def url(self, name: str | None) -> str:
        raise ValueError(
            "Private files have no URL; serve them through a view that checks "
            "permissions."
        )


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
