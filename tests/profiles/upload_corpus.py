"""Upload test files, built in memory: good files, hostile files and liars.

Each builder returns a ``SimpleUploadedFile`` whose name and content type are
what a client might send; several of them lie on purpose, since the code under
test must decide by content alone.
"""

import io
import random
import warnings
import zipfile
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms
from pypdf import PdfWriter
from pypdf.actions import JavaScript

MB = 1024 * 1024
RED = (255, 0, 0)
BLUE = (0, 0, 255)

GPS_MAKE = "WhereaboutsPhone"
JPEG_COMMENT = b"Jane Doe, 12 Secret Street"
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b"<rdf:Description>Jane Doe</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def build_pdf(
    catalog: bytes = b"",
    page: bytes = b"",
    objects: tuple[bytes, ...] = (),
    header: bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
) -> bytes:
    """A well-formed one-page PDF with a correct cross-reference table.

    ``catalog`` and ``page`` are extra dictionary entries; ``objects`` become
    objects 4, 5, ... so the extras can refer to them (``4 0 R``).
    """
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R" + catalog + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]" + page + b">>",
        *objects,
    ]
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<</Size %d/Root 1 0 R>>\n" % (len(bodies) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


MINIMAL_PDF = build_pdf()

CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
    b'2006/main"><w:body><w:p><w:r><w:t>Curriculum vitae</w:t></w:r></w:p>'
    b"</w:body></w:document>"
)
DOCX_PARTS = {
    "[Content_Types].xml": CONTENT_TYPES_XML,
    "_rels/.rels": b"<Relationships/>",
    "word/document.xml": DOCUMENT_XML,
}

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _encode(img: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def two_tone(size: tuple[int, int], left=RED, right=BLUE) -> Image.Image:
    """An RGB image whose left half is one colour and right half another."""
    img = Image.new("RGB", size, right)
    img.paste(left, (0, 0, size[0] // 2, size[1]))
    return img


# --- Images that should pass --------------------------------------------------


def jpeg_photo(size=(640, 480), name="photo.jpg") -> SimpleUploadedFile:
    return _upload(name, _encode(two_tone(size), "JPEG"), "image/jpeg")


def png_with_alpha(size=(200, 100)) -> SimpleUploadedFile:
    """Left half opaque red, right half fully transparent (black underneath)."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    img.paste((*RED, 255), (0, 0, size[0] // 2, size[1]))
    return _upload("logo.png", _encode(img, "PNG"), "image/png")


def webp_image(size=(300, 200)) -> SimpleUploadedFile:
    return _upload("photo.webp", _encode(two_tone(size), "WEBP"), "image/webp")


def png_16bit_grey(size=(64, 64), level=32768) -> SimpleUploadedFile:
    """Mid-grey at 16 bits per sample; clipped naively it would turn white."""
    img = Image.new("I;16", size, level)
    return _upload("scan.png", _encode(img, "PNG"), "image/png")


def cmyk_jpeg(size=(120, 90)) -> SimpleUploadedFile:
    img = two_tone(size).convert("CMYK")
    return _upload("print.jpg", _encode(img, "JPEG"), "image/jpeg")


def mpo_photo(size=(160, 120)) -> SimpleUploadedFile:
    """A multi-picture JPEG, as some phone cameras write."""
    first, second = two_tone(size), two_tone(size, BLUE, RED)
    content = _encode(first, "MPO", save_all=True, append_images=[second])
    return _upload("IMG_0001.jpg", content, "image/jpeg")


def jpeg_with_gps_exif(size=(400, 300)) -> SimpleUploadedFile:
    """A phone photo: rotated by EXIF (Orientation 6), geotagged, with a
    camera make, a comment, an ICC profile and an XMP packet.

    Stored pixels: left half red, right half blue, landscape. Displayed
    upright it is portrait with red on top.
    """
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = GPS_MAKE
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 40.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (12.0, 34.0, 56.7)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    content = _encode(
        two_tone(size),
        "JPEG",
        exif=exif,
        icc_profile=icc,
        comment=JPEG_COMMENT,
        xmp=XMP_PACKET,
    )
    return _upload("IMG_2024.jpg", content, "image/jpeg")


def png_renamed_pdf() -> SimpleUploadedFile:
    content = _encode(two_tone((80, 60)), "PNG")
    return _upload("cv.pdf", content, "application/pdf")


# --- Images that should fail --------------------------------------------------


@cache
def _blank_png(size: tuple[int, int]) -> bytes:
    # Mode "1" and all zeros: a few KB on disk however many pixels it declares.
    return _encode(Image.new("1", size), "PNG")


def png_bomb(size=(20_000, 20_000)) -> SimpleUploadedFile:
    """400 megapixels (1.2 GB as RGB) in about 50 KB."""
    return _upload("bomb.png", _blank_png(size), "image/png")


def png_just_over_pixel_cap() -> SimpleUploadedFile:
    """4899 x 4900 = 24,005,100 pixels: over the 24 MP cap, under Pillow's."""
    return png_bomb((4899, 4900))


def pdf_renamed_jpg() -> SimpleUploadedFile:
    return _upload("photo.jpg", MINIMAL_PDF, "image/jpeg")


def truncated_jpeg() -> SimpleUploadedFile:
    content = _encode(two_tone((640, 480)), "JPEG")
    return _upload("photo.jpg", content[: len(content) // 2], "image/jpeg")


def gif_image() -> SimpleUploadedFile:
    content = _encode(two_tone((40, 40)).convert("P"), "GIF")
    return _upload("animated.gif", content, "image/gif")


def svg_named_png() -> SimpleUploadedFile:
    content = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )
    return _upload("logo.png", content, "image/png")


def html_named_png() -> SimpleUploadedFile:
    content = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    return _upload("logo.png", content, "image/png")


# --- CVs ----------------------------------------------------------------------


def pdf_cv(name="cv.pdf") -> SimpleUploadedFile:
    return _upload(name, MINIMAL_PDF, "application/pdf")


def pdf_with_link(name="cv.pdf") -> SimpleUploadedFile:
    """An ordinary CV feature: a clickable web link (a /URI action)."""
    content = build_pdf(
        page=b"/Annots[4 0 R]",
        objects=(
            b"<</Type/Annot/Subtype/Link/Rect[0 0 100 20]"
            b"/A<</S/URI/URI(https://example.com/jane)>>>>",
        ),
    )
    return _upload(name, content, "application/pdf")


def pdf_written_by_pypdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return _upload("cv.pdf", buffer.getvalue(), "application/pdf")


def hostile_pdfs() -> dict[str, SimpleUploadedFile]:
    """PDFs with active content, each hiding it a different way: refuse all."""
    js = b"<</S/JavaScript/JS(app.alert(1))>>"
    samples = {
        "open_action_javascript": build_pdf(
            catalog=b"/OpenAction 4 0 R", objects=(js,)
        ),
        "names_javascript": build_pdf(
            catalog=b"/Names<</JavaScript<</Names[(a) 4 0 R]>>>>", objects=(js,)
        ),
        "page_additional_actions": build_pdf(page=b"/AA<</O 4 0 R>>", objects=(js,)),
        "launch": build_pdf(
            catalog=b"/OpenAction<</S/Launch/F(cmd.exe)>>",
        ),
        "embedded_file": build_pdf(
            catalog=b"/Names<</EmbeddedFiles<</Names[(x.exe) 4 0 R]>>>>",
            objects=(
                b"<</Type/Filespec/F(x.exe)/EF<</F 5 0 R>>>>",
                b"<</Type/EmbeddedFile/Length 2>>stream\nMZ\nendstream",
            ),
        ),
        "rich_media": build_pdf(
            page=b"/Annots[4 0 R]",
            objects=(b"<</Type/Annot/Subtype/RichMedia/Rect[0 0 10 10]>>",),
        ),
        "xfa_form": build_pdf(
            catalog=b"/AcroForm<</Fields[]/XFA 4 0 R>>",
            objects=(b"<</Length 7>>stream\n<xdp/>\nendstream",),
        ),
        # Names written with #xx escapes: /J#61vaScript is /JavaScript, and
        # /Open#41ction is /OpenAction, to a parser though not to a byte search.
        "hex_escaped_names": build_pdf(
            catalog=b"/Open#41ction 4 0 R",
            objects=(b"<</S/J#61vaScript/#4aS(app.alert(1))>>",),
        ),
    }
    # JavaScript added by a PDF library, inside its own name tree.
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('hi');"))
    buffer = io.BytesIO()
    writer.write(buffer)
    samples["pypdf_add_js"] = buffer.getvalue()
    # An attachment added by a PDF library.
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ" + bytes(64))
    buffer = io.BytesIO()
    writer.write(buffer)
    samples["pypdf_attachment"] = buffer.getvalue()
    return {
        name: _upload("cv.pdf", content, "application/pdf")
        for name, content in samples.items()
    }


def not_really_pdfs() -> dict[str, SimpleUploadedFile]:
    """Files with the PDF magic bytes that are not PDFs, or not only PDFs."""
    html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>\n"
    samples = {
        "html_prefixed": b"%PDF-1.4\n" + html,
        "html_prefixed_with_eof": b"%PDF-1.4\n" + html + b"%%EOF\n",
        # Past the bytes a browser sniffs: refused by structure alone.
        "html_after_padding": b"%PDF-1.4\n" + b" " * 2048 + html + b"%%EOF\n",
        # A real PDF whose opening comment is an HTML page a browser would sniff.
        "pdf_html_polyglot": build_pdf(header=b"%PDF-1.4\n%" + html),
        "no_xref_no_pages": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n",
        "truncated": MINIMAL_PDF[: len(MINIMAL_PDF) // 2],
    }
    return {
        name: _upload("cv.pdf", content, "application/pdf")
        for name, content in samples.items()
    }


def encrypted_pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="open-sesame-1", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return _upload("cv.pdf", buffer.getvalue(), "application/pdf")


def oversized_pdf_cv(size=11 * MB) -> SimpleUploadedFile:
    content = MINIMAL_PDF + bytes(size - len(MINIMAL_PDF))
    return _upload("cv.pdf", content, "application/pdf")


def zip_archive(
    parts: dict[str, bytes] | list[tuple[str, bytes]],
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    items = parts.items() if isinstance(parts, dict) else parts
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Duplicate names are one of the hostile cases built here.
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, content in items:
                archive.writestr(name, content)
    return buffer.getvalue()


def docx(extra=None, name="cv.docx", **kwargs) -> SimpleUploadedFile:
    """A minimal Word document, optionally with extra (name, bytes) entries."""
    parts = list(DOCX_PARTS.items()) + list(extra or [])
    return _upload(name, zip_archive(parts, **kwargs), DOCX_TYPE)


@cache
def _zip_bomb(zeros: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in DOCX_PARTS.items():
            archive.writestr(part, content)
        with archive.open("word/media/image1.png", "w") as entry:
            chunk = bytes(MB)
            for _ in range(zeros // MB):
                entry.write(chunk)
    return buffer.getvalue()


def docx_zip_bomb(zeros=60 * MB) -> SimpleUploadedFile:
    """A real DOCX shape with one entry of 60 MB of zeros (~60 KB packed)."""
    return _upload("cv.docx", _zip_bomb(zeros), DOCX_TYPE)


def zip_without_word_parts() -> SimpleUploadedFile:
    content = zip_archive({"readme.txt": b"not a CV", "data.csv": b"a,b\n1,2\n"})
    return _upload("cv.docx", content, DOCX_TYPE)


def xlsx_workbook() -> SimpleUploadedFile:
    content = zip_archive(
        {
            "[Content_Types].xml": CONTENT_TYPES_XML,
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    )
    return _upload("cv.docx", content, DOCX_TYPE)


def legacy_doc() -> SimpleUploadedFile:
    """The OLE2 compound-file magic of a Word 97-2003 .doc."""
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return _upload("cv.doc", content, "application/msword")


def random_blobs(seed=1234) -> list[SimpleUploadedFile]:
    """Random bytes, bare and behind each accepted format's magic number."""
    rng = random.Random(seed)
    prefixes = [
        b"",
        b"\xff\xd8\xff\xe0",
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\x00\x10\x00\x00WEBPVP8 ",
        b"%PDF-",
        b"PK\x03\x04",
    ]
    blobs = []
    for prefix in prefixes:
        for size in (0, 1, 7, 64, 512, 4096):
            content = prefix + rng.randbytes(size)
            blobs.append(_upload("upload.bin", content, "application/octet-stream"))
    return blobs


def mutated_images(seed=1234, per_format=40) -> list[SimpleUploadedFile]:
    """Valid images with a few random bytes changed or the tail cut off."""
    rng = random.Random(seed)
    sources = [
        jpeg_with_gps_exif((64, 48)).read(),
        _encode(two_tone((64, 48)), "JPEG", progressive=True),
        _encode(two_tone((64, 48)).convert("RGBA"), "PNG"),
        _encode(two_tone((64, 48)).convert("P"), "PNG"),
        _encode(two_tone((64, 48)), "WEBP"),
        _encode(two_tone((64, 48)), "WEBP", lossless=True),
    ]
    blobs = []
    for source in sources:
        for _ in range(per_format):
            content = bytearray(source)
            for _ in range(rng.randint(1, 8)):
                content[rng.randrange(len(content))] = rng.randrange(256)
            if rng.random() < 0.2:
                content = content[: rng.randrange(len(content))]
            blobs.append(_upload("photo.jpg", bytes(content), "image/jpeg"))
    return blobs


def mutated_docx(seed=1234, count=150) -> list[SimpleUploadedFile]:
    """A minimal DOCX with random bytes changed, keeping the ZIP magic."""
    rng = random.Random(seed)
    source = docx().read()
    blobs = []
    for _ in range(count):
        content = bytearray(source)
        for _ in range(rng.randint(1, 6)):
            content[rng.randrange(len(content))] = rng.randrange(256)
        if rng.random() < 0.2:
            content = content[: rng.randrange(4, len(content))]
        content[:4] = b"PK\x03\x04"
        blobs.append(_upload("cv.docx", bytes(content), DOCX_TYPE))
    return blobs
