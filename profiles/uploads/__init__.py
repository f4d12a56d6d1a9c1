"""Checks for uploaded files, by kind: the map.

- ``images``: profile photos and company logos (re-encoded, metadata dropped)
- ``cvs``: CVs, PDF or Word .docx (parsed, active content refused)
- ``sizes``: measuring an upload and saying a limit in MB
"""

from profiles.uploads.cvs import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    CheckedCv,
    validate_cv,
)
from profiles.uploads.images import ProcessedImage, process_image

__all__ = [
    "DOCX_CONTENT_TYPE",
    "PDF_CONTENT_TYPE",
    "CheckedCv",
    "ProcessedImage",
    "process_image",
    "validate_cv",
]
