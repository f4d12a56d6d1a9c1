"""The access / portability export: one ZIP with everything about one subject.

What must never happen, and how it is prevented:
- Someone else's data in the archive: rows come only from each declaration's
  ``rows_for(subject)`` (through ``export_queryset``, which adds only the
  related rows the exporters read and a semi-join that keeps each row once),
  and only the fields the declaration exports; files only from those rows'
  exported file fields.
- An archive anyone but the subject can fetch: it is written to private
  storage (no URL), encrypted with the field-encryption key ring as it is
  written (``ExportStorage.open_new``) and decrypted only while a download
  streams it (``open_plain``); the download views check the logged-in subject or a
  random link token (only its hash is stored) and refuse after expiry; the
  retention purge deletes expired archives and their files.
- Two workers building the same archive: the build claims the archive row
  (pending -> building) under ``SELECT ... FOR UPDATE SKIP LOCKED``; a second
  worker finds nothing to claim and returns.
- Memory growing with the archive: the ZIP is written straight into its
  storage file with ``zipfile``; data.json is written row by row while the
  rows are read in chunks (``iterator()``, a server-side cursor on
  PostgreSQL), with a fixed number of queries whatever the number of rows;
  every member file is copied in chunks. Only the file index (a few entries
  per subject) is held until the end.
- A half-written archive offered for download: the row becomes "ready" only
  after the ZIP is closed; a failed build deletes its partial file through
  the file-deletion outbox (``core.files.file_deletions_schedule``), so a
  deletion that fails is retried.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import token_hash
from core.files import file_deletions_schedule
from core.mail import absolute_url
from core.storage import export_storage, export_upload_to
from privacy import facts as texts
from privacy.facts import controller as controller_details
from privacy.models import DataSubjectRequest, ExportArchive
from privacy.registry import personal_data
from privacy.requests.deadlines import EXPORT_VALID_FOR
from privacy.requests.notices import dsr_export_ready_notify
from privacy.requests.services.workflow import dsr_finish, dsr_lock
from privacy.selectors import registry_overview, retention_periods

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
#: rows per fetch from the server-side cursor. Rows can carry joined rows (a
#: consent record its consent text, ~1.5 kB): 500 keep that at a few MB.
ROW_CHUNK = 500
#: characters of data.json collected before they go to the compressor.
WRITE_BUFFER = 256 * 1024


def _progress(archive: ExportArchive, value: int) -> None:
    # Outside the build's transactions, so the status page sees it at once.
    ExportArchive.objects.filter(pk=archive.pk).update(progress=min(value, 99))


def _about(user) -> dict:
    """The facts GDPR Art. 15(1)(a)-(h) requires besides the data itself."""
    controller = controller_details()
    periods = retention_periods()
    overview = registry_overview(periods=periods)
    recipients = [
        {
            "name": r.name,
            "since": r.since.isoformat() if r.since else None,
        }
        for r in personal_data.recipients(user)
    ]
    return {
        "controller": {
            "name": controller["name"],
            "address": controller["address"],
            "cvr": controller["cvr"],
            "contact": controller["email"] or settings.DEFAULT_FROM_EMAIL,
            "phone": controller["phone"],
        },
        "purposes": [
            {"data": row["model"], "purpose": row["description"]} for row in overview
        ],
        "categories": [
            {"data": row["model"], "fields": row["fields"]} for row in overview
        ],
        "recipients": {
            "companies_that_received_your_data": recipients,
            "processors": str(
                _(
                    "Our hosting and e-mail providers process data on our behalf "
                    "under data processing agreements; they may not use it for "
                    "anything else."
                )
            ),
        },
        "retention": [
            {
                "data": period.model_label,
                "rule": period.key,
                "days_after_purpose_ends": period.days,
                "period": period.text,
                "then": period.purge_action,
                "description": period.description,
            }
            for period in periods.values()
        ],
        "rights": [str(r) for r in texts.RIGHTS],
        "complaint_authority": texts.SUPERVISORY_AUTHORITY,
        "source": str(texts.SOURCE_TEXT),
        "automated_decision_making": str(texts.AUTOMATED_DECISIONS_TEXT),
    }


def _safe_member_name(name: str) -> str:
    return PurePosixPath(name).name or "file"


class _BufferedText:
    """UTF-8 text into a binary stream in large writes (each write to a ZIP
    member runs the compressor)."""

    def __init__(self, out, size: int = WRITE_BUFFER):
        self.out = out
        self.size = size
        self.parts: list[str] = []
        self.pending = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.pending += len(text)
        if self.pending >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.out.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()
            self.pending = 0


def _json(encoder: json.JSONEncoder, value, level: int) -> str:
    """``value`` as the one-shot encoder would write it at nesting ``level``
    (JSON strings never hold a raw newline, so only the layout is indented)."""
    return encoder.encode(value).replace("\n", "\n" + "  " * level)


def _write_archive(zf: zipfile.ZipFile, archive: ExportArchive, user) -> int:
    """Write data.json and the subject's files; returns the number of files.

    data.json is written row by row as the rows are read, so memory does not
    grow with the number of rows. The text is what ``json.dumps(payload,
    indent=2, ensure_ascii=False)`` gives for ``{"generated_at", "format",
    "data": {label: [rows]}, "files", "about_this_processing"}``; labels
    without rows are left out.
    """
    declarations = list(personal_data.declarations())
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, default=str)
    attachments: list[tuple[str, object, str]] = []
    file_index = []
    # force_zip64: the size is unknown until the end and may pass 2 GiB.
    with zf.open("data.json", "w", force_zip64=True) as member:
        out = _BufferedText(member)
        out.write(
            "{\n"
            f'  "generated_at": {_json(encoder, timezone.now().isoformat(), 1)},\n'
            f'  "format": {_json(encoder, "worksome-export/1", 1)},\n'
            '  "data": {'
        )
        labels_written = 0
        for i, declaration in enumerate(declarations):
            model = declaration.model
            label = model._meta.label
            fields = declaration.exported_fields()
            file_specs = [spec for spec, _field in fields if spec.export.includes_file]
            rows = declaration.export_queryset(user).iterator(chunk_size=ROW_CHUNK)
            written = 0
            for instance in rows:
                row = declaration.export_row(instance, fields=fields)
                if written == 0:
                    out.write(",\n" if labels_written else "\n")
                    out.write(f"    {_json(encoder, label, 2)}: [\n      ")
                    labels_written += 1
                else:
                    out.write(",\n      ")
                out.write(_json(encoder, row, 3))
                written += 1
                for spec in file_specs:
                    file = getattr(instance, spec.name)
                    if file:
                        member_name = (
                            f"files/{label}/{instance.pk}/{spec.name}/"
                            f"{_safe_member_name(file.name)}"
                        )
                        storage = model._meta.get_field(spec.name).storage
                        attachments.append((member_name, storage, file.name))
                        file_index.append(
                            {
                                "data": label,
                                "id": instance.pk,
                                "field": spec.name,
                                "path": member_name,
                            }
                        )
            if written:
                out.write("\n    ]")
            # Once per declaration, never per row: a query each.
            _progress(archive, 5 + 60 * (i + 1) // max(len(declarations), 1))
        out.write("\n  }" if labels_written else "}")
        out.write(f',\n  "files": {_json(encoder, file_index, 1)}')
        out.write(
            f',\n  "about_this_processing": {_json(encoder, _about(user), 1)}\n}}'
        )
        out.flush()
    for n, (member_name, storage, name) in enumerate(attachments):
        try:
            with (
                storage.open(name, "rb") as source,
                zf.open(member_name, "w") as target,
            ):
                shutil.copyfileobj(source, target, CHUNK)
        except FileNotFoundError:
            logger.warning("export: a file named in the registry is missing")
            continue
        _progress(archive, 65 + 34 * (n + 1) // len(attachments))
    return len(attachments)


def _claim(request_id: int) -> ExportArchive | None:
    with transaction.atomic():
        archive = (
            ExportArchive.objects.select_for_update(skip_locked=True)
            .filter(request_id=request_id, status=ExportArchive.Status.PENDING)
            .first()
        )
        if archive is None:
            return None
        archive.status = ExportArchive.Status.BUILDING
        archive.started_at = timezone.now()
        archive.progress = 1
        archive.save(update_fields=["status", "started_at", "progress"])
        return archive


def dsr_export_build(*, request_id: int, base_url: str = "") -> ExportArchive | None:
    """Build the export of a request, mark it ready and complete the request.

    Returns None when there is nothing to build (already built, or another
    worker is on it). Idempotent: running it again changes nothing.
    """
    archive = _claim(request_id)
    if archive is None:
        return None
    name = export_upload_to(archive, "")
    try:
        # The ZIP goes through the encrypting writer: no plaintext on disk.
        with (
            export_storage.open_new(name) as handle,
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        ):
            _write_archive(zf, archive, archive.subject)
        plain_size = handle.size
    except Exception as exc:
        # The partial file: no row names it, so the outbox is its only record.
        file_deletions_schedule([(export_storage, name)])
        ExportArchive.objects.filter(pk=archive.pk).update(
            status=ExportArchive.Status.FAILED,
            error=type(exc).__name__,
            finished_at=timezone.now(),
        )
        raise
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            archive = ExportArchive.objects.select_for_update().get(pk=archive.pk)
            request = dsr_lock(DataSubjectRequest(pk=request_id))
            now = timezone.now()
            archive.file.name = name
            archive.size = plain_size
            archive.status = ExportArchive.Status.READY
            archive.progress = 100
            archive.finished_at = now
            archive.expires_at = now + EXPORT_VALID_FOR
            archive.token_hash = token_hash(token)
            archive.save()
            link = absolute_url(
                base_url=base_url,
                path=reverse("privacy:export_token", kwargs={"token": token}),
            )
            if request.is_open:
                dsr_finish(request, actor=None, base_url=base_url, notify=False)
                # After commit, through the mail service, in the member's
                # language (not the worker's).
                dsr_export_ready_notify(
                    request,
                    link=link,
                    expires_at=archive.expires_at,
                    request_url=absolute_url(
                        base_url=base_url, path=request.get_absolute_url()
                    ),
                )
    except Exception:
        file_deletions_schedule([(export_storage, name)])
        raise
    return archive
