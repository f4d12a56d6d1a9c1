"""Measuring an upload, and saying a size limit in megabytes.

An upload's size is measured from its content, never taken from the client.
"""

import os
from typing import IO

MB = 1024 * 1024


def upload_size(uploaded: IO[bytes]) -> int:
    """The real byte count, measured rather than taken from the client."""
    uploaded.seek(0, os.SEEK_END)
    size = uploaded.tell()
    uploaded.seek(0)
    return size


def megabytes(limit: int) -> str:
    """``limit`` bytes as a number of MB for a message ("10", "2.5")."""
    return f"{limit / MB:g}"
