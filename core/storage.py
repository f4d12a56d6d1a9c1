"""Where export archives live: a private folder with no URL.

Archives hold everything about one person, so they go under
``settings.PRIVATE_MEDIA_ROOT / "exports"`` (outside MEDIA_ROOT), readable by
the app's own user only, and are served only by a view that checks who asks.
Names are random, so no name carries personal data. Archives are encrypted at
rest with the field-encryption key ring (``core.crypto``): written through
``open_new``, read back through ``open_plain``; the file on disk never holds a
readable byte of the archive.
"""

from __future__ import annotations

import os
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from core.crypto import FILE_MAGIC, DecryptingReader, EncryptingWriter


def _private_root() -> Path:
    configured = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "var" / "private"


class PrivateFileStorage(FileSystemStorage):
    """File storage for private files: no URL, never under MEDIA_ROOT.

    The location (``PRIVATE_MEDIA_ROOT`` / ``subfolder``) is read from settings
    each time it is needed (not at import), so tests and deployments can change
    it; an explicit ``location`` argument wins. Files are readable by the app's
    own user only. CVs (profiles) and export archives (here) use it.
    """

    subfolder = ""

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
        root = root / self.subfolder if self.subfolder else root
        media_root = getattr(settings, "MEDIA_ROOT", "")
        if media_root:
            private, public = root.resolve(), Path(media_root).resolve()
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


@deconstructible(path="core.storage.ExportStorage")
class ExportStorage(PrivateFileStorage):
    """Private file storage for export archives, under PRIVATE_MEDIA_ROOT/exports."""

    subfolder = "exports"

    def open_new(self, name: str) -> EncryptingWriter:
        """Create ``name`` for writing (never overwriting); returns a binary file
        that encrypts what is written.

        Lets the archive be written straight into storage, chunk by chunk,
        instead of being built in memory and handed to ``save()``. Its ``size``
        is the plaintext size once closed.
        """
        path = Path(self.path(name))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return EncryptingWriter(os.fdopen(fd, "wb"))

    def open_plain(self, name: str):
        """The archive ``name``, decrypted while it is read.

        An archive written before encryption (no header) is read as it is; such
        archives expire within 7 days of the upgrade.
        """
        raw = self.open(name, "rb")
        if raw.read(len(FILE_MAGIC)) != FILE_MAGIC:
            raw.seek(0)
            return raw
        raw.seek(0)
        return DecryptingReader(raw)


export_storage = ExportStorage()


def export_upload_to(instance: object, filename: str) -> str:
    return f"{uuid4().hex}.zip"
