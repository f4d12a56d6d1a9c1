"""Checks for uploaded CVs: a PDF or a Word .docx, judged by content.

Invariants:

- A CV's type comes from its content; its name and content type, both
  chosen by the client, are ignored. A PDF must parse as one (pypdf: header,
  cross-reference table, catalogue, at least one page), and no object in it,
  compressed object streams included, may carry active content: scripts,
  automatic or launch actions, embedded files, rich media or XFA forms. HTML
  near the start of the file (what a browser sniffs) is refused too.
- No archive entry is read before the directory is checked: a DOCX is judged
  by its ZIP central directory alone (entry count, declared sizes, compression
  ratios, paths). This module never decompresses an entry; code that later
  does must still bound what it reads, since declared sizes can lie.

Every rejection is a ``ValidationError`` with a stable ``code``; no pypdf or
zipfile exception escapes.
"""

import io
import logging
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from profiles.uploads.sizes import MB, megabytes, upload_size

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
DOCX_REQUIRED_ENTRIES = ("[content_types].xml", "word/document.xml")
# Only big entries are held to the ratio: small XML parts legitimately
# compress very well.
DOCX_RATIO_MIN_SIZE = 1 * MB
DOCX_MAX_RATIO = 100

# zipfile reading a hostile central directory raises a wide set of
# exceptions; each of these means "not a file this site accepts".
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    struct.error,
    NotImplementedError,
)
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")

# PDF names that start or carry content a reader may run or open: scripts,
# actions run on open or on events, launching programs, attached files, Flash
# and other rich media, XFA forms (scriptable), form submission and import.
PDF_ACTIVE_NAMES = frozenset(
    {
        "/OpenAction",
        "/AA",
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
    }
)
# The same names as raw bytes, for objects no cross-reference table points at
# (a lenient reader may still find them). "#xx" escapes are decoded by the
# parser, not here, so this is a second net, not the first.
_PDF_ACTIVE_RAW = re.compile(
    rb"/(?:OpenAction|AA|JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|"
    rb"SubmitForm|ImportData|GoToE)(?![A-Za-z0-9#+_.\-])"
)
_HTML_MARKERS = re.compile(rb"(?i)<(?:!doctype|html|head|body|script|iframe|svg)\b")
# Browsers sniff the first 512 bytes; twice that for margin.
_SNIFF_BYTES = 1024
_PDF_MAX_OBJECTS = 500_000
_PDF_CONTAINERS = (IndirectObject, DictionaryObject, ArrayObject, NameObject)
_PDF_ERRORS = (
    PyPdfError,
    OSError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    RecursionError,
    struct.error,
    zipfile.BadZipFile,
)


@dataclass(frozen=True)
class CheckedCv:
    """What a CV's content says it is; save it as ``f"cv.{extension}"``."""

    extension: str
    content_type: str
    size: int


def _invalid_cv() -> ValidationError:
    return ValidationError(_("Upload a PDF or Word (.docx) file."), code="invalid_cv")


def _unsafe_docx() -> ValidationError:
    return ValidationError(
        _("This Word file cannot be accepted; save it again as .docx or as a PDF."),
        code="unsafe_docx",
    )


def _unreadable_pdf() -> ValidationError:
    return ValidationError(
        _("This PDF could not be read; save it again as a PDF and upload that."),
        code="invalid_pdf",
    )


def _unsafe_pdf() -> ValidationError:
    return ValidationError(
        _(
            "This PDF contains scripts, automatic actions or attached files and "
            "cannot be accepted; print it to a new PDF and upload that."
        ),
        code="unsafe_pdf",
    )


def _encrypted_pdf() -> ValidationError:
    return ValidationError(
        _("Password-protected PDFs cannot be accepted; remove the password first."),
        code="encrypted_pdf",
    )


def _pdf_active_names(reader: PdfReader) -> set[str]:
    """Every active-content name in any object reachable or listed in the xref."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    pending: list = [reader.trailer]
    for generation, objects in reader.xref.items():
        pending.extend(IndirectObject(num, generation, reader) for num in objects)
    pending.extend(IndirectObject(num, 0, reader) for num in reader.xref_objStm)
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > _PDF_MAX_OBJECTS:
            raise _unreadable_pdf()
        if isinstance(item, NameObject):
            if item in PDF_ACTIVE_NAMES:
                found.add(str(item))
        elif isinstance(item, DictionaryObject):  # streams are dictionaries too
            for name, value in item.items():
                if name in PDF_ACTIVE_NAMES:
                    found.add(str(name))
                if isinstance(value, _PDF_CONTAINERS):
                    pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(
                value for value in item if isinstance(value, _PDF_CONTAINERS)
            )
    return found


def _check_pdf(uploaded: IO[bytes]) -> None:
    """Parse the PDF and refuse active content; nothing here runs or renders it."""
    data = uploaded.read()
    if _HTML_MARKERS.search(data[:_SNIFF_BYTES]):
        raise _unreadable_pdf()
    if _PDF_ACTIVE_RAW.search(data):
        raise _unsafe_pdf()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _encrypted_pdf()
        if len(reader.pages) < 1:
            raise _unreadable_pdf()
        active = _pdf_active_names(reader)
    except ValidationError:
        raise
    except _PDF_ERRORS as exc:
        logger.info("CV upload rejected: %s", type(exc).__name__)
        raise _unreadable_pdf() from None
    if active:
        logger.info("CV upload rejected: active PDF content %s", sorted(active))
        raise _unsafe_pdf()


def _is_unsafe_path(name: str) -> bool:
    path = name.replace("\\", "/")
    if path.startswith("/") or _WINDOWS_DRIVE.match(path):
        return True
    return ".." in path.split("/")


def _check_docx(uploaded: IO[bytes]) -> None:
    """Judge a ZIP by its central directory alone; no entry is decompressed."""
    max_entries = getattr(settings, "CV_DOCX_MAX_ENTRIES", 1000)
    max_uncompressed = getattr(settings, "CV_DOCX_MAX_UNCOMPRESSED", 50 * MB)
    try:
        # Given a file object, ZipFile reads only the end record and the
        # central directory, and does not close the file.
        with zipfile.ZipFile(uploaded) as archive:
            entries = archive.infolist()
    except _ZIP_ERRORS as exc:
        logger.info("CV upload rejected: %s", type(exc).__name__)
        raise _invalid_cv() from None

    if len(entries) > max_entries:
        raise _unsafe_docx()
    if sum(entry.file_size for entry in entries) > max_uncompressed:
        raise _unsafe_docx()
    names = set()
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > DOCX_RATIO_MIN_SIZE and ratio > DOCX_MAX_RATIO:
            raise _unsafe_docx()
        if _is_unsafe_path(entry.filename):
            raise _unsafe_docx()
        name = entry.filename.lower()
        # Readers disagree on which of two same-named entries wins, which
        # lets one part hide behind another.
        if name in names:
            raise _unsafe_docx()
        names.add(name)
        # Word will not run macros from a .docx, but other readers might.
        if name.endswith("vbaproject.bin"):
            raise _unsafe_docx()
    if not all(required in names for required in DOCX_REQUIRED_ENTRIES):
        raise _invalid_cv()


def validate_cv(uploaded: IO[bytes]) -> CheckedCv:
    """Check an uploaded CV: a PDF or a Word .docx, decided by its content.

    Raises ``ValidationError`` with code ``too_large``, ``invalid_cv``,
    ``invalid_pdf``, ``unsafe_pdf``, ``encrypted_pdf`` or ``unsafe_docx``. The
    file is rewound before returning.
    """
    max_bytes = getattr(settings, "CV_UPLOAD_MAX_BYTES", 10 * MB)
    size = upload_size(uploaded)
    if size > max_bytes:
        raise ValidationError(
            _("The CV must be %(megabytes)s MB or smaller."),
            code="too_large",
            params={"megabytes": megabytes(max_bytes)},
        )

    try:
        head = uploaded.read(len(PDF_MAGIC))
        if head.startswith(PDF_MAGIC):
            uploaded.seek(0)
            _check_pdf(uploaded)
            return CheckedCv(extension="pdf", content_type=PDF_CONTENT_TYPE, size=size)
        if head.startswith(ZIP_MAGIC):
            uploaded.seek(0)
            _check_docx(uploaded)
            return CheckedCv(
                extension="docx", content_type=DOCX_CONTENT_TYPE, size=size
            )
        raise _invalid_cv()
    finally:
        uploaded.seek(0)
