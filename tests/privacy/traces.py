"""Search every store for a person's strings: every column of every table
(text-cast, found through information_schema), every file under the media
roots, every session and every local-memory cache entry.

Used by the tests that erase or purge someone and then prove nothing of
theirs is left (``tests/integration/test_maximal_subject.py``,
``tests/engagements/test_privacy.py``). Each function returns a set of
``(where, key)`` pairs: where a string was found, and which one.
"""

from __future__ import annotations

import io
import os
import pickle
import re
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from pypdf import PdfReader


def pattern(value: str) -> str:
    """A case-insensitive regex (Python's and PostgreSQL's alike) for ``value``.

    A number matches only when no digit adjoins it: the postal code "8765"
    must not match the microseconds of a timestamp ("07:08:47.187654"), which
    made the maximal-subject test fail at random.
    """
    escaped = re.escape(value)
    if value.isdigit():
        return f"(^|[^0-9]){escaped}([^0-9]|$)"
    return escaped


def found(value: str, text: str) -> bool:
    return re.search(pattern(value), text, re.IGNORECASE) is not None


def db_hits(strings: dict[str, str]) -> set[tuple[str, str]]:
    """(where, key) for every column of every table holding one of the strings."""
    hits = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name IN ("
            "  SELECT table_name FROM information_schema.tables"
            "  WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')"
            " ORDER BY table_name, ordinal_position"
        )
        columns = cursor.fetchall()
        qn = connection.ops.quote_name
        for table, column in columns:
            for key, value in strings.items():
                cursor.execute(
                    f"SELECT 1 FROM {qn(table)} WHERE {qn(column)}::text ~* %s "  # noqa: S608
                    "LIMIT 1",
                    [pattern(value)],
                )
                if cursor.fetchone():
                    hits.add((f"db:{table}.{column}", key))
    return hits


def _pdf_text(data: bytes) -> str:
    """The text of a PDF's pages: ReportLab compresses its page streams, so
    the bytes alone hide every word of a contract or an invoice."""
    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # noqa: BLE001 - not a PDF pypdf can read: bytes only
        return ""


def file_hits(
    strings: dict[str, str], own_files: list[Path] = ()
) -> set[tuple[str, str]]:
    """Files of ``own_files`` still on disk, and files under the media roots
    whose name, bytes or (for a PDF) text hold one of the strings.

    A hit names the folder the file is in, relative to the media roots
    (``file:private/documents/invoices``): file names are random, and the
    folder says which kind of file kept the string, so an allow-list entry
    for invoices cannot hide a CV.
    """
    hits = set()
    for path in own_files:
        if path.exists():
            hits.add((f"file:{path.name}", "own_file"))
    roots = (("public", settings.MEDIA_ROOT), ("private", settings.PRIVATE_MEDIA_ROOT))
    for label, root in roots:
        for dirpath, _dirs, files in os.walk(root):
            folder = Path(label, Path(dirpath).relative_to(root)).as_posix()
            for name in files:
                data = Path(dirpath, name).read_bytes()
                content = data.decode("latin-1")
                if data.startswith(b"%PDF"):
                    content += "\n" + _pdf_text(data)
                for key, value in strings.items():
                    if found(value, content) or found(value, name):
                        hits.add((f"file:{folder}", key))
    return hits


def session_hits(strings: dict[str, str], user_id: int) -> set[tuple[str, str]]:
    hits = set()
    for session in Session.objects.all():
        data = session.get_decoded()
        text = repr(data)
        if str(data.get("_auth_user_id")) == str(user_id):
            hits.add(("session", "user_id"))
        for key, value in strings.items():
            if found(value, text):
                hits.add(("session", key))
    return hits


def cache_hits(
    strings: dict[str, str], at: float | None = None
) -> set[tuple[str, str]]:
    """Search every entry of every local-memory cache (the test settings').

    ``at`` (a timestamp) leaves out entries whose TTL has run out by then: the
    purge test moves the database two years on, and the cache with it.
    """
    hits = set()
    for alias in settings.CACHES:
        backend = caches[alias]
        store = getattr(backend, "_cache", None)
        if store is None:
            continue  # a database cache: its table is searched with the others
        expiry = backend._expire_info
        for key, raw in list(store.items()):
            if at is not None and expiry.get(key) is not None and expiry[key] < at:
                continue
            try:
                value = pickle.loads(raw)  # noqa: S301 - our own cache entries
            except Exception:  # noqa: BLE001
                value = raw
            text = str(key) + repr(value)
            for skey, svalue in strings.items():
                if found(svalue, text):
                    hits.add((f"cache:{alias}", skey))
    return hits


def everywhere(
    strings: dict[str, str],
    *,
    user_id: int,
    own_files: list[Path] = (),
    at: float | None = None,
) -> set[tuple[str, str]]:
    """Every store at once: tables, files, sessions, caches."""
    return (
        db_hits(strings)
        | file_hits(strings, own_files)
        | session_hits(strings, user_id)
        | cache_hits(strings, at=at)
    )
