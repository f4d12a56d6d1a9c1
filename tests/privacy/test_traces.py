"""The trace search itself: it must see what a store holds, or the tests that
erase someone and find nothing prove nothing."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.privacy import traces


def _compressed_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.drawString(100, 700, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_name_inside_a_compressed_pdf_is_found_and_named_by_its_folder():
    data = _compressed_pdf("Invoice to Traceable Tester")
    assert b"Traceable Tester" not in data  # the bytes alone would hide it
    folder = Path(settings.PRIVATE_MEDIA_ROOT, "documents", "invoices")
    folder.mkdir(parents=True)
    (folder / "a1b2c3.pdf").write_bytes(data)
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "note.txt").write_text("Traceable Tester")

    hits = traces.file_hits({"name": "Traceable Tester", "other": "Nobody Else"})

    assert hits == {
        ("file:private/documents/invoices", "name"),
        ("file:public", "name"),
    }
