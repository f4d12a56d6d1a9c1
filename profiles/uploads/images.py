"""Checks for uploaded profile photos and company logos.

Invariants:

- Nothing reaches storage that was not decoded and re-encoded: an image is
  identified by its content (JPEG, PNG or WebP only), its size and pixel count
  are capped before any pixel is decoded, and only a fresh JPEG drawn from the
  decoded pixels is returned. The uploaded bytes themselves are never kept.
- No metadata survives: the output image is a new canvas with an empty
  ``info`` (no EXIF, GPS, ICC profile, XMP or comment), and EXIF orientation
  is applied to the pixels before it is dropped.

Every rejection is a ``ValidationError`` with a stable ``code``; no Pillow
exception escapes.
"""

import io
import logging
import struct
import warnings
from dataclasses import dataclass
from typing import IO
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from profiles.uploads.sizes import MB, megabytes, upload_size

logger = logging.getLogger(__name__)

IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
IMAGE_MAX_SIDE = 1600
IMAGE_QUALITY = 85
THUMBNAIL_SIZE = 320
THUMBNAIL_QUALITY = 80

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


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded photo or logo and its square thumbnail, both JPEG."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


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

    if upload_size(uploaded) > max_bytes:
        raise ValidationError(
            _("The image must be %(megabytes)s MB or smaller."),
            code="too_large",
            params={"megabytes": megabytes(max_bytes)},
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
