"""Durable deletion of stored files, and the sweep for files nothing references.

What must never happen, and how it is prevented:
- A file left on disk for ever because the process died between the commit
  that dropped its row (erasure, a purge batch, a replaced photo) and the
  deletion: the same transaction writes a ``FileDeletion`` row (the outbox).
  After commit the file is deleted and the row removed; rows a crash left
  behind are retried by the ``file_deletions_retry`` beat task and at the
  start and end of every purge run.
- A file deleted while a row still uses it: a rolled-back transaction takes
  its outbox rows with it, and the outbox is only read after commit.
- A double deletion doing harm: deleting a missing file is a no-op, so any
  number of workers may process the same row (rows are claimed with
  ``SKIP LOCKED`` all the same, so they rarely do).

``file_deletions_schedule`` is the one helper for every service that stops
referencing a file; nothing deletes files with ``storage.delete`` directly.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.module_loading import import_string

from core.models import FileDeletion

logger = logging.getLogger(__name__)

DEFAULT_STORAGE = "default"
#: rows per transaction when the outbox is worked through.
CHUNK = 500


def storage_key(storage: Storage) -> str:
    """How a storage is named in the outbox: "default" or its class path."""
    if storage is default_storage or (
        isinstance(storage, LazyObject) and storage._wrapped is default_storage._wrapped
    ):
        return DEFAULT_STORAGE
    path, args, kwargs = storage.deconstruct()
    if args or kwargs:
        raise ValueError(f"Storage {path} takes arguments; it cannot be named.")
    return path


#: Where storage classes lived before issue 17 moved them: outbox rows written
#: before the move still name the old path.
MOVED_STORAGE_MODULES = {"privacy.storage.": "core.storage."}


def storage_from_key(key: str) -> Storage:
    if key == DEFAULT_STORAGE:
        return default_storage
    for old, new in MOVED_STORAGE_MODULES.items():
        if key.startswith(old):
            key = new + key[len(old) :]
    return import_string(key)()


def file_deletions_schedule(files: Iterable[tuple[Storage, str]]) -> int:
    """Record files to delete in the current transaction; delete them after commit.

    ``files`` are (storage, name) pairs; empty names are ignored. Outside a
    transaction the rows are written at once and the files go straight away.
    """
    rows = [
        FileDeletion(storage=storage_key(storage), name=name)
        for storage, name in files
        if name
    ]
    if not rows:
        return 0
    created = FileDeletion.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: file_deletions_process(ids=ids))
    return len(rows)


def _delete_one(row: FileDeletion) -> str:
    """Delete the row's file; returns "" or the error's type name."""
    try:
        storage_from_key(row.storage).delete(row.name)
    except (OSError, ImportError, ValueError) as exc:
        return type(exc).__name__
    return ""


def file_deletions_process(
    *, ids: list[int] | None = None, older_than: float = 0, limit: int | None = None
) -> int:
    """Delete the files of pending outbox rows and then the rows; idempotent.

    ``ids`` limits the work to those rows (the after-commit call);
    ``older_than`` (seconds) to rows at least that old (the retry, which leaves
    fresh rows to the after-commit call that is about to process them).
    Returns the number of files deleted.
    """
    done = 0
    after_pk = 0
    cutoff = timezone.now() - timedelta(seconds=older_than)
    while limit is None or done < limit:
        with transaction.atomic():
            pending = FileDeletion.objects.filter(
                pk__gt=after_pk, created_at__lte=cutoff
            )
            if ids is not None:
                pending = pending.filter(pk__in=ids)
            rows = list(
                pending.order_by("pk").select_for_update(skip_locked=True)[:CHUNK]
            )
            if not rows:
                break
            after_pk = rows[-1].pk
            finished, failed = [], []
            for row in rows:
                error = _delete_one(row)
                if error:
                    row.attempts += 1
                    row.last_error = error
                    failed.append(row)
                else:
                    finished.append(row.pk)
            FileDeletion.objects.filter(pk__in=finished).delete()
            if failed:
                logger.warning("files: %d file(s) could not be deleted", len(failed))
                FileDeletion.objects.bulk_update(failed, ["attempts", "last_error"])
            done += len(finished)
    return done


# --- The sweep: files no row references ---------------------------------------


@dataclass
class OrphanFile:
    path: Path
    size: int


def _media_roots() -> list[Path]:
    roots = []
    for name in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
        value = getattr(settings, name, None)
        if value:
            roots.append(Path(value).resolve())
    return roots


def referenced_paths() -> set[Path]:
    """Absolute paths of every file a row of any model's file field names."""
    found: set[Path] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            names = (
                model._default_manager.exclude(**{field.attname: ""})
                .exclude(**{f"{field.attname}__isnull": True})
                .values_list(field.attname, flat=True)
                .iterator(chunk_size=5000)
            )
            for name in names:
                try:
                    found.add(Path(field.storage.path(name)).resolve())
                except (NotImplementedError, ValueError):
                    continue
    return found


def orphan_files_find(*, min_age: float = 3600) -> list[OrphanFile]:
    """Files under MEDIA_ROOT and PRIVATE_MEDIA_ROOT that no row references.

    Files younger than ``min_age`` seconds are left out: an upload writes its
    file before the transaction that saves its row commits.
    """
    # The file list is read before the references, so a file saved (and
    # referenced) in between is never reported.
    now = time.time()
    candidates: list[OrphanFile] = []
    for root in _media_roots():
        if not root.is_dir():
            continue
        for dirpath, _dirs, filenames in os.walk(root):
            for filename in filenames:
                path = Path(dirpath, filename).resolve()
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                if now - stat.st_mtime >= min_age:
                    candidates.append(OrphanFile(path=path, size=stat.st_size))
    if not candidates:
        return []
    if connection.in_atomic_block:
        referenced = referenced_paths()
    else:
        with transaction.atomic():
            referenced = referenced_paths()
    return [f for f in candidates if f.path not in referenced]


def orphan_files_delete(files: Iterable[OrphanFile]) -> int:
    deleted = 0
    for orphan in files:
        try:
            orphan.path.unlink()
        except FileNotFoundError:
            continue
        deleted += 1
    return deleted
