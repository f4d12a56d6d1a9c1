"""Checks for uploaded profile photos, company logos and CVs.

Invariants:

- Nothing reaches storage that was not decoded and re-encoded: an image is
  identified by its content (JPEG, PNG or WebP only), its size and pixel count
  are capped before any pixel is decoded, and only a fresh JPEG drawn from the
  decoded pixels is returned. The uploaded bytes themselves are never kept.
- No metadata survives: the output image is a new canvas with an empty
  ``info`` (no EXIF, GPS, ICC profile, XMP or comment), and EXIF orientation
  is applied to the pixels before it is dropped.
- No archive entry is read before the directory is checked: a DOCX is judged
  by its ZIP central directory alone (entry count, declared sizes, compression
  ratios, paths). This module never decompresses an entry; code that later
  does must still bound what it reads, since declared sizes can lie.
- A CV's type comes from its content; its name and content type, both
  chosen by the client, are ignored. A PDF must parse as one (pypdf: header,
  cross-reference table, catalogue, at least one page), and no object in it,
  compressed object streams included, may carry active content: scripts,
  automatic or launch actions, embedded files, rich media or XFA forms. HTML
  near the start of the file (what a browser sniffs) is refused too.

Every rejection is a ``ValidationError`` with a stable ``code``; no Pillow or
zipfile exception escapes.
"""

import io
import logging
import os
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

MB = 1024 * 1024

IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
IMAGE_MAX_SIDE = 1600
IMAGE_QUALITY = 85
THUMBNAIL_SIZE = 320
THUMBNAIL_QUALITY = 80

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

# Pillow's decoders raise a wide, undocumented set of exceptions on hostile
# input; each of these means "not an image this site accepts".
_IMAGE_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
)
# The same for zipfile reading a central directory.
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
class ProcessedImage:
    """A re-encoded photo or logo and its square thumbnail, both JPEG."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


@dataclass(frozen=True)
class CheckedCv:
    """What a CV's content says it is; save it as ``f"cv.{extension}"``."""

    extension: str
    content_type: str
    size: int


def _size_of(uploaded: IO[bytes]) -> int:
    """The real byte count, measured rather than taken from the client."""
    uploaded.seek(0, os.SEEK_END)
    size = uploaded.tell()
    uploaded.seek(0)
    return size


def _megabytes(limit: int) -> str:
    return f"{limit / MB:g}"


# --- Images -------------------------------------------------------------------


def _invalid_image() -> ValidationError:
    return ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid_image")


def _too_many_pixels(limit: int) -> ValidationError:
    return ValidationError(
        _(
            "The image has too many pixels; upload one of at most "
            "%(megapixels)s megapixels."
        ),
        code="too_many_pixels",
        params={"megapixels": f"{limit / 1_000_000:g}"},
    )


def _decode(uploaded: IO[bytes], max_pixels: int) -> Image.Image:
    """Open, check and decode the first frame, turned upright."""
    # Pillow only warns between its own limit and twice that; as an error,
    # the warning is a second guard behind the header check below. Its
    # complaints about corrupt EXIF in hostile uploads are only noise.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(uploaded, formats=list(IMAGE_FORMATS))
            width, height = img.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            if img.format in ("JPEG", "MPO"):
                # libjpeg may decode at 1/2, 1/4 or 1/8 scale while staying at
                # least as big as the output; less memory for camera photos.
                img.draft("RGB", (IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            img.load()
            return ImageOps.exif_transpose(img)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(max_pixels) from None


def _to_clean_rgb(img: Image.Image) -> Image.Image:
    """A new RGB canvas holding only the pixels: alpha flattened onto white."""
    if img.mode.startswith("I;16") or img.mode == "I":
        # 16-bit greyscale: scale to 8 bits instead of clipping to white.
        img = img.convert("I").point(lambda value: value / 256).convert("L")
    canvas = Image.new("RGB", img.size, (255, 255, 255))
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
    else:
        canvas.paste(img.convert("RGB"))
    return canvas


def _jpeg(img: Image.Image, quality: int) -> ContentFile:
    # No exif=, icc_profile=, comment= or xmp=, and img.info is empty, so
    # nothing but pixels is written.
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=quality, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid4().hex}.jpg")


def process_image(uploaded: IO[bytes]) -> ProcessedImage:
    """Validate an uploaded photo or logo and re-encode it as clean JPEGs.

    The main image fits within 1600x1600 (never enlarged); the thumbnail is a
    centred 320x320 crop. Raises ``ValidationError`` with code ``too_large``,
    ``invalid_image`` or ``too_many_pixels``.
    """
    max_bytes = getattr(settings, "IMAGE_UPLOAD_MAX_BYTES", 10 * MB)
    max_pixels = getattr(settings, "IMAGE_MAX_PIXELS", 24_000_000)

    if _size_of(uploaded) > max_bytes:
        raise ValidationError(
            _("The image must be %(megabytes)s MB or smaller."),
            code="too_large",
            params={"megabytes": _megabytes(max_bytes)},
        )

    # The image is never closed here: Image.close() would close the caller's
    # file too.
    try:
        decoded = _decode(uploaded, max_pixels)
        clean = _to_clean_rgb(decoded)
    except _IMAGE_DECODE_ERRORS as exc:
        logger.info("Image upload rejected: %s", type(exc).__name__)
        raise _invalid_image() from None
    finally:
        uploaded.seek(0)

    clean.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(
        clean, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS
    )
    return ProcessedImage(
        image=_jpeg(clean, IMAGE_QUALITY),
        thumbnail=_jpeg(thumbnail, THUMBNAIL_QUALITY),
        width=clean.width,
        height=clean.height,
    )


# --- CVs ----------------------------------------------------------------------


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
    size = _size_of(uploaded)
    if size > max_bytes:
        raise ValidationError(
            _("The CV must be %(megabytes)s MB or smaller."),
            code="too_large",
            params={"megabytes": _megabytes(max_bytes)},
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
