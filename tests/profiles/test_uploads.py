"""Upload checks: photos and logos are re-encoded clean, CVs are what they claim.

The corpus (tests/profiles/upload_corpus.py) is built in memory; several files
lie about their name or content type on purpose.
"""

import io
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from PIL import ExifTags, Image

from profiles.storage import (
    PrivateStorage,
    cv_upload_to,
    photo_upload_to,
    private_storage,
    thumb_upload_to,
)
from profiles.uploads import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    CheckedCv,
    process_image,
    validate_cv,
)
from tests.profiles import upload_corpus as corpus

RANDOM_JPEG_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


def _rejection(func, uploaded) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(uploaded)
    return info.value


def _open_output(content_file: ContentFile) -> tuple[Image.Image, bytes]:
    data = content_file.read()
    content_file.seek(0)
    img = Image.open(io.BytesIO(data))
    img.load()
    return img, data


def _close_to(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


# --- Images: accepted and re-encoded ------------------------------------------


@pytest.mark.parametrize(
    "make_upload", [corpus.jpeg_photo, corpus.png_with_alpha, corpus.webp_image]
)
def test_jpeg_png_and_webp_become_clean_jpegs_with_a_square_thumbnail(make_upload):
    uploaded = make_upload()
    expected_size = Image.open(io.BytesIO(uploaded.read())).size

    result = process_image(uploaded)

    img, _ = _open_output(result.image)
    thumb, _ = _open_output(result.thumbnail)
    assert img.format == "JPEG" and img.mode == "RGB"
    assert img.size == expected_size == (result.width, result.height)
    assert thumb.format == "JPEG" and thumb.size == (320, 320)
    assert RANDOM_JPEG_NAME.match(result.image.name)
    assert RANDOM_JPEG_NAME.match(result.thumbnail.name)
    assert result.image.name != result.thumbnail.name


def test_processed_image_is_frozen():
    result = process_image(corpus.jpeg_photo())
    with pytest.raises(AttributeError):
        result.width = 1


def test_transparency_is_flattened_onto_white():
    result = process_image(corpus.png_with_alpha(size=(200, 100)))

    img, _ = _open_output(result.image)
    assert _close_to(img.getpixel((50, 50)), corpus.RED)
    assert _close_to(img.getpixel((150, 50)), (255, 255, 255), tolerance=5)


def test_large_image_is_downscaled_to_1600_keeping_aspect_ratio():
    result = process_image(corpus.jpeg_photo(size=(3200, 1600)))

    assert (result.width, result.height) == (1600, 800)
    img, _ = _open_output(result.image)
    assert img.size == (1600, 800)


def test_small_image_is_not_enlarged_but_its_thumbnail_is_320_square():
    result = process_image(corpus.jpeg_photo(size=(100, 80)))

    assert (result.width, result.height) == (100, 80)
    thumb, _ = _open_output(result.thumbnail)
    assert thumb.size == (320, 320)


def test_gps_and_all_other_metadata_are_stripped_and_orientation_applied():
    uploaded = corpus.jpeg_with_gps_exif(size=(400, 300))
    # The input really carries what must not survive.
    original = Image.open(io.BytesIO(uploaded.read()))
    original_exif = original.getexif()
    assert original_exif[ExifTags.Base.Orientation] == 6
    assert original_exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert {"icc_profile", "comment", "xmp"} <= original.info.keys()
    uploaded.seek(0)

    result = process_image(uploaded)

    for output in (result.image, result.thumbnail):
        img, data = _open_output(output)
        exif = img.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "icc_profile", "comment", "xmp"} & img.info.keys()
        assert b"Exif\x00\x00" not in data
        assert b"ICC_PROFILE" not in data
        assert corpus.GPS_MAKE.encode() not in data
        assert corpus.JPEG_COMMENT not in data
        assert b"Jane Doe" not in data
    # Orientation 6 means "turn 90 degrees clockwise": the landscape pixels
    # become portrait and the left (red) half ends up on top.
    assert (result.width, result.height) == (300, 400)
    img, _ = _open_output(result.image)
    assert _close_to(img.getpixel((150, 50)), corpus.RED)
    assert _close_to(img.getpixel((150, 350)), corpus.BLUE)


def test_sixteen_bit_greyscale_is_scaled_not_clipped_to_white():
    result = process_image(corpus.png_16bit_grey(level=32768))

    img, _ = _open_output(result.image)
    red, green, blue = img.getpixel((10, 10))
    assert 110 <= red <= 145 and red == green == blue


@pytest.mark.parametrize("make_upload", [corpus.cmyk_jpeg, corpus.mpo_photo])
def test_cmyk_and_multi_picture_jpegs_from_cameras_are_accepted(make_upload):
    result = process_image(make_upload())

    img, _ = _open_output(result.image)
    assert img.mode == "RGB"
    assert _close_to(img.getpixel((10, 10)), corpus.RED, tolerance=60)


def test_content_decides_so_a_png_named_pdf_is_a_valid_image():
    result = process_image(corpus.png_renamed_pdf())

    assert (result.width, result.height) == (80, 60)


def test_image_file_is_rewound_after_processing():
    uploaded = corpus.jpeg_photo()
    process_image(uploaded)
    assert uploaded.tell() == 0


# --- Images: rejected ---------------------------------------------------------


@pytest.mark.parametrize(
    "make_upload",
    [
        corpus.pdf_renamed_jpg,
        corpus.truncated_jpeg,
        corpus.gif_image,
        corpus.svg_named_png,
        corpus.html_named_png,
    ],
)
def test_non_images_and_unsupported_formats_are_rejected(make_upload):
    error = _rejection(process_image, make_upload())

    assert error.code == "invalid_image"
    assert error.messages == ["Upload a JPEG, PNG or WebP image."]


def test_empty_file_is_rejected_as_an_image():
    error = _rejection(process_image, corpus._upload("x.png", b"", "image/png"))
    assert error.code == "invalid_image"


def test_decompression_bomb_is_rejected_before_decoding():
    uploaded = corpus.png_bomb()
    assert uploaded.size < 100_000  # tiny on disk, 400 megapixels declared

    error = _rejection(process_image, uploaded)

    assert error.code == "too_many_pixels"


def test_image_just_over_the_pixel_cap_is_rejected():
    error = _rejection(process_image, corpus.png_just_over_pixel_cap())

    assert error.code == "too_many_pixels"
    assert error.messages == [
        "The image has too many pixels; upload one of at most 24 megapixels."
    ]


def test_pixel_cap_is_read_from_settings_at_call_time(settings):
    settings.IMAGE_MAX_PIXELS = 10_000

    process_image(corpus.jpeg_photo(size=(100, 100)))
    error = _rejection(process_image, corpus.jpeg_photo(size=(101, 100)))

    assert error.code == "too_many_pixels"


def test_pillows_own_bomb_warning_is_an_error_when_the_setting_is_higher(settings):
    # With the site's cap raised past Pillow's (89.5 MP), Pillow's warning is
    # the guard that still stops a 100 MP image.
    settings.IMAGE_MAX_PIXELS = 200_000_000

    error = _rejection(process_image, corpus.png_bomb(size=(10_000, 10_000)))

    assert error.code == "too_many_pixels"


def test_image_over_the_byte_cap_is_rejected_before_decoding(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1 * corpus.MB
    # Not even a valid PNG: the size alone decides, before any decoding.
    uploaded = corpus._upload("big.png", b"\x89PNG\r\n\x1a\n" + bytes(corpus.MB), "")

    error = _rejection(process_image, uploaded)

    assert error.code == "too_large"
    assert error.messages == ["The image must be 1 MB or smaller."]


def test_image_byte_cap_defaults_to_10_mb():
    uploaded = corpus._upload(
        "big.png", b"\x89PNG\r\n\x1a\n" + bytes(11 * corpus.MB), ""
    )

    error = _rejection(process_image, uploaded)

    assert error.code == "too_large"
    assert error.messages == ["The image must be 10 MB or smaller."]


# --- CVs: accepted ------------------------------------------------------------


def test_pdf_cv_is_accepted_and_rewound():
    uploaded = corpus.pdf_cv()

    checked = validate_cv(uploaded)

    assert checked == CheckedCv(
        extension="pdf", content_type=PDF_CONTENT_TYPE, size=len(corpus.MINIMAL_PDF)
    )
    assert uploaded.tell() == 0
    assert uploaded.read() == corpus.MINIMAL_PDF


def test_docx_cv_is_accepted_and_rewound():
    uploaded = corpus.docx()

    checked = validate_cv(uploaded)

    assert checked.extension == "docx"
    assert checked.content_type == DOCX_CONTENT_TYPE
    assert checked.size == uploaded.size
    assert uploaded.tell() == 0


def test_content_decides_so_a_pdf_named_jpg_is_a_valid_cv():
    checked = validate_cv(corpus.pdf_renamed_jpg())

    assert checked.extension == "pdf"
    assert checked.content_type == PDF_CONTENT_TYPE


def test_content_decides_so_a_docx_named_pdf_is_a_docx():
    checked = validate_cv(corpus.docx(name="cv.pdf"))

    assert checked.extension == "docx"


def test_checked_cv_is_frozen():
    checked = validate_cv(corpus.pdf_cv())
    with pytest.raises(AttributeError):
        checked.extension = "exe"


# --- CVs: rejected ------------------------------------------------------------


@pytest.mark.parametrize(
    "make_upload",
    [
        corpus.png_renamed_pdf,
        corpus.legacy_doc,
        corpus.xlsx_workbook,
        corpus.zip_without_word_parts,
        corpus.html_named_png,
        lambda: corpus._upload("cv.pdf", b"", "application/pdf"),
        lambda: corpus._upload("cv.pdf", b"\n" + corpus.MINIMAL_PDF, "application/pdf"),
        lambda: corpus._upload("cv.docx", b"PK\x03\x04not a zip", corpus.DOCX_TYPE),
    ],
    ids=[
        "png-named-pdf",
        "legacy-doc",
        "xlsx",
        "zip-without-word-parts",
        "html",
        "empty",
        "pdf-magic-not-at-offset-0",
        "broken-zip",
    ],
)
def test_anything_but_pdf_or_docx_is_rejected_as_a_cv(make_upload):
    uploaded = make_upload()

    error = _rejection(validate_cv, uploaded)

    assert error.code == "invalid_cv"
    assert error.messages == ["Upload a PDF or Word (.docx) file."]
    assert uploaded.tell() == 0


def test_cv_over_10_mb_is_rejected():
    error = _rejection(validate_cv, corpus.oversized_pdf_cv(size=11 * corpus.MB))

    assert error.code == "too_large"
    assert error.messages == ["The CV must be 10 MB or smaller."]


def test_cv_byte_cap_is_read_from_settings_at_call_time(settings):
    settings.CV_UPLOAD_MAX_BYTES = 2 * corpus.MB

    validate_cv(corpus.oversized_pdf_cv(size=2 * corpus.MB))
    error = _rejection(validate_cv, corpus.oversized_pdf_cv(size=2 * corpus.MB + 1))

    assert error.code == "too_large"
    assert error.messages == ["The CV must be 2 MB or smaller."]


def test_docx_zip_bomb_is_rejected_without_reading_any_entry(monkeypatch):
    uploaded = corpus.docx_zip_bomb(zeros=60 * corpus.MB)
    assert uploaded.size < 200_000  # 60 MB declared inside

    def no_entry_reads(*args, **kwargs):
        raise AssertionError("an archive entry was read")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_entry_reads)
    monkeypatch.setattr(zipfile.ZipFile, "read", no_entry_reads)

    error = _rejection(validate_cv, uploaded)

    assert error.code == "unsafe_docx"


def test_highly_compressed_entry_is_rejected_even_under_the_total_cap():
    # 5 MB of zeros: far under 50 MB in total, but a ratio near 1000.
    error = _rejection(validate_cv, corpus.docx_zip_bomb(zeros=5 * corpus.MB))

    assert error.code == "unsafe_docx"


def test_small_highly_compressible_parts_are_fine():
    # XML compresses well; only entries over 1 MB are held to the ratio.
    validate_cv(corpus.docx(extra=[("word/styles.xml", bytes(900_000))]))


def test_total_uncompressed_size_cap_is_read_from_settings(settings):
    settings.CV_DOCX_MAX_UNCOMPRESSED = 100_000
    incompressible = os.urandom(150_000)
    uploaded = corpus.docx(
        extra=[("word/media/image1.png", incompressible)],
        compression=zipfile.ZIP_STORED,
    )

    error = _rejection(validate_cv, uploaded)

    assert error.code == "unsafe_docx"


def test_entry_count_cap_is_read_from_settings(settings):
    settings.CV_DOCX_MAX_ENTRIES = 5
    validate_cv(corpus.docx(extra=[("word/a.xml", b"<a/>"), ("word/b.xml", b"<b/>")]))

    uploaded = corpus.docx(extra=[(f"word/p{n}.xml", b"<p/>") for n in range(3)])
    error = _rejection(validate_cv, uploaded)

    assert error.code == "unsafe_docx"


@pytest.mark.parametrize(
    "entry_name",
    [
        "../../etc/cron.d/evil",
        "word/../../evil.xml",
        "/etc/passwd",
        "\\windows\\evil.xml",
        "word\\..\\..\\evil.xml",
        "C:/evil.xml",
    ],
)
def test_entries_with_path_traversal_or_absolute_paths_are_rejected(entry_name):
    error = _rejection(validate_cv, corpus.docx(extra=[(entry_name, b"x")]))

    assert error.code == "unsafe_docx"


def test_duplicate_entry_names_are_rejected():
    uploaded = corpus.docx(extra=[("word/document.xml", b"<other/>")])

    error = _rejection(validate_cv, uploaded)

    assert error.code == "unsafe_docx"


def test_macro_project_inside_a_docx_is_rejected():
    uploaded = corpus.docx(extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")])

    error = _rejection(validate_cv, uploaded)

    assert error.code == "unsafe_docx"


def test_unsafe_docx_message_is_clear():
    error = _rejection(validate_cv, corpus.docx_zip_bomb(zeros=5 * corpus.MB))

    assert error.messages == [
        "This Word file cannot be accepted; save it again as .docx or as a PDF."
    ]


# --- Hostile bytes never cause anything but a ValidationError -----------------


def test_random_bytes_raise_only_validation_errors():
    for uploaded in corpus.random_blobs(seed=1234):
        for check in (process_image, validate_cv):
            uploaded.seek(0)
            try:
                check(uploaded)
            except ValidationError as error:
                assert error.code in {
                    "invalid_image",
                    "invalid_cv",
                    "invalid_pdf",
                    "too_many_pixels",
                }


def test_damaged_images_raise_only_validation_errors():
    outcomes = set()
    for uploaded in corpus.mutated_images(seed=1234):
        try:
            process_image(uploaded)
        except ValidationError as error:
            assert error.code in {"invalid_image", "too_many_pixels"}
            outcomes.add(error.code)
        else:
            outcomes.add("ok")
    # The corpus reaches the decoders, not just the format check.
    assert {"ok", "invalid_image"} <= outcomes


def test_damaged_docx_raises_only_validation_errors():
    outcomes = set()
    for uploaded in corpus.mutated_docx(seed=1234):
        try:
            validate_cv(uploaded)
        except ValidationError as error:
            assert error.code in {"invalid_cv", "unsafe_docx"}
            outcomes.add(error.code)
        else:
            outcomes.add("ok")
    assert {"ok", "invalid_cv"} <= outcomes


# --- Private storage and file names -------------------------------------------


def test_private_storage_lives_in_private_media_root_with_no_url(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"

    name = private_storage.save("cv/abc.pdf", ContentFile(corpus.MINIMAL_PDF))

    stored = Path(private_storage.path(name))
    assert stored.read_bytes() == corpus.MINIMAL_PDF
    assert stored.is_relative_to((tmp_path / "private").resolve())
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(name)


def test_private_storage_defaults_to_var_private(settings):
    del settings.PRIVATE_MEDIA_ROOT

    expected = (Path(django_settings.BASE_DIR) / "var" / "private").resolve()
    assert private_storage.location == str(expected)


def test_private_storage_refuses_a_location_inside_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"

    with pytest.raises(ImproperlyConfigured, match="MEDIA_ROOT"):
        private_storage.path("cv/abc.pdf")


def test_private_storage_deconstructs_for_migrations():
    path, args, kwargs = PrivateStorage().deconstruct()

    assert (path, args, kwargs) == ("profiles.storage.PrivateStorage", (), {})


def test_cv_names_are_random_and_keep_only_a_checked_suffix():
    for filename, suffix in [
        ("cv.pdf", ".pdf"),
        ("Jane Doe CV.DOCX", ".docx"),
        ("cv.exe", ".bin"),
        ("no-suffix", ".bin"),
    ]:
        name = cv_upload_to(None, filename)
        assert re.fullmatch(rf"cv/[0-9a-f]{{32}}\{suffix}", name), name
    assert cv_upload_to(None, "cv.pdf") != cv_upload_to(None, "cv.pdf")


def test_photo_names_are_random_and_carry_no_personal_data():
    photo = photo_upload_to(None, "Jane Doe passport.png")
    thumb = thumb_upload_to(None, "Jane Doe passport.png")

    assert re.fullmatch(r"photos/[0-9a-f]{32}\.jpg", photo)
    assert re.fullmatch(r"photos/thumbs/[0-9a-f]{32}\.jpg", thumb)
    assert photo_upload_to(None, "a.jpg") != photo_upload_to(None, "a.jpg")
