"""Contract and invoice PDFs, drawn with ReportLab.

ReportLab is pure Python with its own fonts (nothing from Debian), and the
PDFs hold real text, so tests read them back with pypdf. The words come from
``engagements.documents`` and gettext, in the document's language.
"""

from __future__ import annotations

import io
import textwrap

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from engagements.documents import money

FONT, BOLD, SIZE, LEADING = "Helvetica", "Helvetica-Bold", 10, 13
WRAP = 95


class _Writer:
    def __init__(self, title: str):
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=A4, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("Worksome")
        self.top = A4[1] - 20 * mm
        self.y = self.top

    def line(self, text: str = "", *, bold: bool = False, size: int = SIZE) -> None:
        for part in textwrap.wrap(text, WRAP) or [""]:
            if self.y < 20 * mm:
                self.canvas.showPage()
                self.y = self.top
            self.canvas.setFont(BOLD if bold else FONT, size)
            self.canvas.drawString(20 * mm, self.y, part)
            self.y -= LEADING * size / SIZE

    def block(self, text: str) -> None:
        for paragraph in text.split("\n"):
            self.line(paragraph)

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def contract_pdf(version, *, language: str) -> bytes:
    """The contract text as accepted, with both acceptances."""
    with translation.override(language):
        writer = _Writer(_("Contract %(number)s") % {"number": version.number})
        paragraphs = version.text.split("\n\n")
        writer.line(paragraphs[0], bold=True, size=14)
        writer.line()
        for paragraph in paragraphs[1:]:
            writer.block(paragraph)
            writer.line()
        writer.line(_("Accepted"), bold=True)
        for acceptance in version.acceptances.order_by("accepted_at"):
            writer.line(
                _("%(party)s: %(name)s, %(when)s")
                % {
                    "party": acceptance.get_party_display(),
                    "name": acceptance.name,
                    "when": formats.date_format(
                        acceptance.accepted_at, "DATETIME_FORMAT"
                    ),
                }
            )
        writer.line(
            _("Text fingerprint (SHA-256): %(sha)s") % {"sha": version.text_sha256}
        )
        return writer.finish()


def invoice_pdf(invoice, *, language: str) -> bytes:
    """An invoice or credit note with every detail Danish rules ask for."""
    with translation.override(language):
        title = (
            _("Invoice %(number)s")
            if invoice.kind == invoice.Kind.INVOICE
            else _("Credit note %(number)s")
        ) % {"number": invoice.number}
        writer = _Writer(title)
        writer.line(title, bold=True, size=14)
        writer.line(
            _("Issue date: %(date)s")
            % {"date": formats.date_format(invoice.issue_date, "DATE_FORMAT")}
        )
        writer.line(
            _("Due date: %(date)s")
            % {"date": formats.date_format(invoice.due_date, "DATE_FORMAT")}
        )
        if invoice.credits_id:
            writer.line(
                _("Credits invoice %(number)s") % {"number": invoice.credits.number}
            )
        writer.line()
        writer.line(_("Seller"), bold=True)
        writer.line(invoice.seller_name)
        writer.line(_("CVR %(cvr)s") % {"cvr": invoice.seller_cvr})
        writer.block(invoice.seller_address)
        writer.line()
        writer.line(_("Buyer"), bold=True)
        writer.line(invoice.buyer_name)
        if invoice.buyer_cvr:
            writer.line(_("CVR %(cvr)s") % {"cvr": invoice.buyer_cvr})
        writer.block(invoice.buyer_address)
        writer.line()
        writer.block(invoice.description)
        writer.line(
            _("Service period: %(start)s to %(end)s")
            % {
                "start": formats.date_format(invoice.period_start, "DATE_FORMAT"),
                "end": formats.date_format(invoice.period_end, "DATE_FORMAT"),
            }
        )
        writer.line()
        for line in invoice.lines.order_by("position"):
            writer.line(
                f"{line.position}. {line.description} "
                f"({formats.date_format(line.service_date, 'DATE_FORMAT')}): "
                f"{formats.number_format(line.quantity, 2)} {line.unit} x "
                f"{money(line.unit_price)} = {money(line.amount)}"
            )
        writer.line()
        writer.line(
            _("Amount excluding VAT: %(amount)s")
            % {"amount": money(invoice.amount_excl_vat)}
        )
        writer.line(
            _("VAT %(rate)s%%: %(amount)s")
            % {
                "rate": formats.number_format(invoice.vat_rate, 0),
                "amount": money(invoice.vat_amount),
            }
        )
        writer.line(
            _("Total: %(amount)s") % {"amount": money(invoice.total)}, bold=True
        )
        writer.line(_("All amounts in DKK."))
        return writer.finish()
