"""Contract and invoice PDFs, drawn with ReportLab (platypus).

ReportLab is pure Python and brings its own fonts (nothing from Debian), and
its PDFs hold real text, so tests read them back with pypdf. The words come
from ``engagements.documents`` and gettext, in the document's language.

What must hold, and how:
- A contract PDF shows the text both parties accepted, all of it, as stored:
  every line of ``ContractVersion.text`` is drawn (wrapped, never cut), then
  both acceptances (party, name, local time) and the text's SHA-256, so a
  reader can check the PDF against the record.
- An invoice PDF shows every detail Danish rules ask of an invoice (issue
  date, sequential number, the seller's CVR, both parties' names and
  addresses, what was delivered and when, each line, the amount excluding
  VAT, the VAT rate and amount, the total, in DKK, the due date) and a credit
  note names the invoice it credits. Everything is read from the frozen
  invoice, never from the live profiles.
- Danish letters survive: the built-in Helvetica encodes Latin-1 and the
  Windows-1252 punctuation (æøåÆØÅ, “”, –, €). A letter outside it (say
  Polish Ł) is drawn as a box, but the PDF is still built.
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from engagements.documents import money

FONT, BOLD = "Helvetica", "Helvetica-Bold"
MARGIN = 20 * mm
#: What a frame leaves for its content: the page less margins and the frame's
#: own padding (6 pt a side).
WIDTH = A4[0] - 2 * MARGIN - 12

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
STRONG = ParagraphStyle("strong", parent=BODY, fontName=BOLD)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontName=BOLD, fontSize=11, leading=14, spaceBefore=6
)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=16, leading=20)
RIGHT = ParagraphStyle("right", parent=BODY, alignment=TA_RIGHT)
RIGHT_STRONG = ParagraphStyle("right_strong", parent=RIGHT, fontName=BOLD)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=11)
CELL_STRONG = ParagraphStyle("cell_strong", parent=CELL, fontName=BOLD)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
CELL_RIGHT_STRONG = ParagraphStyle("cell_rs", parent=CELL_RIGHT, fontName=BOLD)


def _text(value: str, style: ParagraphStyle = BODY) -> Paragraph:
    """``value`` as written: escaped for ReportLab's markup, lines kept."""
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _short_date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _moment(value: dt.datetime) -> str:
    """A moment in the site's time zone, to the second, with the zone named."""
    local = timezone.localtime(value)
    return f"{_date(local)} {local:%H:%M:%S %Z}"


def _number(value, places: int = 2) -> str:
    return formats.number_format(value, places, force_grouping=True)


def _build(story: list, *, title: str, footer: str) -> bytes:
    """The PDF of ``story``; each page ends with ``footer`` and its number."""
    buffer = io.BytesIO()

    def page_end(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 12 * mm, footer)
        canvas.drawRightString(
            A4[0] - MARGIN,
            12 * mm,
            _("Page %(page)s") % {"page": document.page},
        )
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=footer,
        creator="Worksome",
        invariant=1,
    )
    document.build(story, onFirstPage=page_end, onLaterPages=page_end)
    return buffer.getvalue()


def contract_pdf(version, *, language: str) -> bytes:
    """The contract text as accepted, with both acceptances and its fingerprint."""
    with translation.override(language):
        title = _("Contract %(number)s") % {"number": version.number}
        sections = version.text.split("\n\n")
        story: list = [_text(sections[0], TITLE), Spacer(0, 4 * mm)]
        for section in sections[1:]:
            head, _newline, rest = section.partition("\n")
            if rest:
                # A section's first line is its heading ("1. Scope of work",
                # "Client:"); the text is drawn as stored either way.
                story.append(_text(head, HEADING))
                story.append(_text(rest))
            else:
                story.append(_text(section))
            story.append(Spacer(0, 3 * mm))
        accepted = [_text(_("Accepted by both parties"), HEADING)]
        for acceptance in version.acceptances.order_by("accepted_at", "pk"):
            accepted.append(
                _text(
                    _("%(party)s: %(name)s, %(when)s")
                    % {
                        "party": acceptance.get_party_display(),
                        "name": acceptance.name,
                        "when": _moment(acceptance.accepted_at),
                    }
                )
            )
        accepted += [
            Spacer(0, 2 * mm),
            _text(_("Fingerprint of the accepted text (SHA-256):"), SMALL),
            _text(version.text_sha256, SMALL),
        ]
        story.append(KeepTogether(accepted))
        footer = _("%(title)s, version %(number)s") % {
            "title": version.engagement.title,
            "number": version.number,
        }
        return _build(story, title=title, footer=footer)


def invoice_pdf(invoice, *, language: str) -> bytes:
    """An invoice or credit note with every detail Danish rules ask for."""
    with translation.override(language):
        credit_note = invoice.kind == invoice.Kind.CREDIT_NOTE
        title = (
            _("Credit note %(number)s") if credit_note else _("Invoice %(number)s")
        ) % {"number": invoice.number}
        story: list = [_text(title, TITLE), Spacer(0, 5 * mm)]

        def party(label: str, name: str, cvr: str, address: str) -> list:
            cells = [_text(label, STRONG), _text(name)]
            if cvr:
                cells.append(_text(_("CVR %(cvr)s") % {"cvr": cvr}))
            if address:
                cells.append(_text(address))
            return cells

        parties = Table(
            [
                [
                    party(
                        _("Seller"),
                        invoice.seller_name,
                        invoice.seller_cvr,
                        invoice.seller_address,
                    ),
                    party(
                        _("Buyer"),
                        invoice.buyer_name,
                        invoice.buyer_cvr,
                        invoice.buyer_address,
                    ),
                ]
            ],
            colWidths=[WIDTH / 2, WIDTH / 2],
        )
        parties.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                ]
            )
        )
        story += [parties, Spacer(0, 5 * mm)]

        facts = [
            (
                _("Credit note number") if credit_note else _("Invoice number"),
                str(invoice.number),
            ),
            (_("Issue date"), _date(invoice.issue_date)),
        ]
        if credit_note and invoice.credits_id:
            credited = invoice.credits
            facts.append(
                (
                    _("Credits invoice"),
                    _("%(number)s of %(date)s")
                    % {"number": credited.number, "date": _date(credited.issue_date)},
                )
            )
        facts += [
            (
                _("Service period"),
                _("%(start)s to %(end)s")
                % {
                    "start": _date(invoice.period_start),
                    "end": _date(invoice.period_end),
                },
            ),
        ]
        if not credit_note:
            facts.append((_("Due date"), _date(invoice.due_date)))
        if invoice.provider_name:
            provider = invoice.provider_name
            if invoice.provider_cvr:
                provider += ", " + _("CVR %(cvr)s") % {"cvr": invoice.provider_cvr}
            facts.append((_("Service provided by"), provider))
        table = Table(
            [[_text(label, STRONG), _text(value)] for label, value in facts],
            colWidths=[45 * mm, WIDTH - 45 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        story += [table, Spacer(0, 5 * mm), _text(invoice.description)]
        story.append(Spacer(0, 5 * mm))

        widths = [7 * mm, None, 24 * mm, 20 * mm, 16 * mm, 25 * mm, 27 * mm]
        widths[1] = WIDTH - sum(w for w in widths if w)
        rows = [
            [
                _text("#", CELL_STRONG),
                _text(_("Description"), CELL_STRONG),
                _text(_("Date of service"), CELL_STRONG),
                _text(_("Quantity"), CELL_RIGHT_STRONG),
                _text(_("Unit"), CELL_STRONG),
                _text(_("Unit price (DKK)"), CELL_RIGHT_STRONG),
                _text(_("Amount (DKK)"), CELL_RIGHT_STRONG),
            ]
        ]
        for line in invoice.lines.order_by("position"):
            rows.append(
                [
                    _text(str(line.position), CELL),
                    _text(line.description, CELL),
                    _text(_short_date(line.service_date), CELL),
                    _text(_number(line.quantity), CELL_RIGHT),
                    _text(line.unit, CELL),
                    _text(_number(line.unit_price), CELL_RIGHT),
                    _text(_number(line.amount), CELL_RIGHT),
                ]
            )
        lines = Table(rows, colWidths=widths, repeatRows=1)
        lines.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.black),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                ]
            )
        )
        story += [lines, Spacer(0, 4 * mm)]

        totals = Table(
            [
                [
                    _text(_("Amount excluding VAT"), RIGHT),
                    _text(money(invoice.amount_excl_vat), RIGHT),
                ],
                [
                    _text(
                        _("VAT %(rate)s%%") % {"rate": _number(invoice.vat_rate, 0)},
                        RIGHT,
                    ),
                    _text(money(invoice.vat_amount), RIGHT),
                ],
                [
                    _text(_("Total including VAT"), RIGHT_STRONG),
                    _text(money(invoice.total), RIGHT_STRONG),
                ],
            ],
            colWidths=[WIDTH - 40 * mm, 40 * mm],
        )
        totals.setStyle(
            TableStyle(
                [
                    ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                    ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                ]
            )
        )
        story += [KeepTogether([totals]), Spacer(0, 4 * mm)]
        story.append(
            _text(
                _("All amounts are in Danish kroner (%(currency)s).")
                % {"currency": invoice.currency}
            )
        )
        if not credit_note:
            story.append(
                _text(
                    _(
                        "Payment is due on %(date)s. Please quote invoice number "
                        "%(number)s with your payment."
                    )
                    % {"date": _date(invoice.due_date), "number": invoice.number}
                )
            )
        footer = " · ".join(
            part
            for part in (
                invoice.seller_name,
                " ".join(invoice.seller_address.split()),
                _("CVR %(cvr)s") % {"cvr": invoice.seller_cvr},
            )
            if part
        )
        return _build(story, title=title, footer=footer)
