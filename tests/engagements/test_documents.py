"""Contract and invoice PDFs, built by their Celery tasks and read back with
pypdf, in Danish and English: every detail they must show is in the text."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from engagements import services
from engagements.documents import money
from engagements.models import ContractVersion, Invoice
from tests.engagements import support

# Tasks run in-process through the app itself (eager_tasks): a settings
# override does not reach an app some earlier test set back by hand.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

#: A scope long enough to push the contract onto a second page.
SCOPE = "\n".join(
    f"Delopgave {n}: byg bookingflowet til Ærøskøbing og Åbenrå færgen, "
    f"med test og dokumentation ({n} af 45)."
    for n in range(1, 46)
)


def pdf_text(field) -> str:
    with field.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Whitespace-insensitive: wrapping moves line breaks, never words."""
    return " ".join(text.split())


def date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def number(value: Decimal) -> str:
    return formats.number_format(value, 2, force_grouping=True)


def danish_flow(
    language: str, *, scope: str = SCOPE, freelancer_name: str = "Søren Ærø-Ågård"
) -> support.Flow:
    """Parties with Danish letters in every name and address, the company's
    member writing in ``language``; contracted, with approved hours."""
    flow = support.parties(name="Blåbær & Søn ApS")
    flow.company.street = "Åboulevarden 7"
    flow.company.save()
    flow.company_member.language = language
    flow.company_member.save()
    flow.freelancer.full_name = freelancer_name
    flow.freelancer.company_name = "Ågård IT"
    flow.freelancer.cvr = "24256790"
    flow.freelancer.save()
    flow = support.accepted(flow)
    today = timezone.localdate()
    proposal = services.contract_propose(
        actor=flow.company_member,
        thread=flow.thread,
        title="Færgebooking",
        scope=scope,
        start_date=today.replace(day=1) - dt.timedelta(days=62),
        end_date=today + dt.timedelta(days=90),
        rate_kind="hourly",
        rate=Decimal("1234.50"),
        payment_terms_days=14,
        billing_email="billing@company.example",
    )
    flow.contract = services.contract_accept(
        version=proposal, actor=flow.freelancer_user, text_sha256=proposal.text_sha256
    )
    flow.engagement = flow.contract.engagement
    return support.hours_approved(flow, hours=Decimal("7.5"))


def built(flow, django_capture_on_commit_callbacks, settings) -> Invoice:
    """Issue last month's invoice; the tasks (eager) build and mail the PDFs."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    start, end = services.previous_month(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.invoice_issue(
            engagement=flow.engagement, period_start=start, period_end=end
        )
    invoice.refresh_from_db()
    return invoice


@pytest.mark.parametrize("language", ["da", "en"])
def test_contract_pdf_shows_the_whole_accepted_text_both_acceptances_and_fingerprint(
    language, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        flow = danish_flow(language)
    version = ContractVersion.objects.get(pk=flow.contract.pk)
    assert version.pdf and version.emailed_at
    with version.pdf.open("rb") as handle:
        assert len(PdfReader(io.BytesIO(handle.read())).pages) >= 2
    text = pdf_text(version.pdf)
    with translation.override(language):
        # The footer repeats on every page: take it out, then the accepted
        # text must be there whole, in order, across the page break.
        footer = _("%(title)s, version %(number)s") % {
            "title": "Færgebooking",
            "number": version.number,
        }
        body = re.sub(
            "|".join(
                [re.escape(footer)]
                + [re.escape(_("Page %(page)s") % {"page": n}) for n in (1, 2, 3)]
            ),
            " ",
            text,
        )
        assert flat(version.text) in flat(body)
        assert "Delopgave 45: byg bookingflowet til Ærøskøbing og Åbenrå" in text
        assert flat(SCOPE) in flat(body)
        # Both acceptances: party, name, local time to the second.
        acceptances = list(version.acceptances.order_by("accepted_at"))
        assert {a.party for a in acceptances} == {"company", "freelancer"}
        for acceptance in acceptances:
            local = timezone.localtime(acceptance.accepted_at)
            line = _("%(party)s: %(name)s, %(when)s") % {
                "party": acceptance.get_party_display(),
                "name": acceptance.name,
                "when": f"{date(local)} {local:%H:%M:%S %Z}",
            }
            assert flat(line) in flat(text)
        assert "Søren Ærø-Ågård" in text
        assert version.text_sha256 in text
        assert version.text_sha256 == hashlib.sha256(version.text.encode()).hexdigest()
        # The parties and the platform, with CVR and address, as in the text.
        for detail in (
            "Blåbær & Søn ApS",
            "Åboulevarden 7",
            flow.company.cvr,
            django_settings.PRIVACY_CONTROLLER["name"],
            django_settings.PRIVACY_CONTROLLER["cvr"],
            money(Decimal("1234.50")),
        ):
            assert detail in text
    # Written in the proposer's language: its numbers show it.
    assert ("1.234,50 DKK" if language == "da" else "1,234.50 DKK") in text


@pytest.mark.parametrize("language", ["da", "en"])
def test_invoice_pdf_shows_every_danish_invoice_detail(
    language, django_capture_on_commit_callbacks, settings
):
    flow = danish_flow(language)
    invoice = built(flow, django_capture_on_commit_callbacks, settings)
    assert invoice.pdf and invoice.emailed_at
    text = pdf_text(invoice.pdf)
    lines = list(invoice.lines.order_by("position"))
    assert len(lines) == len(flow.hours) >= 4
    with translation.override(language):
        expected = [
            _("Invoice %(number)s") % {"number": invoice.number},
            _("Invoice number"),
            _("Issue date"),
            date(invoice.issue_date),
            _("Due date"),
            date(invoice.due_date),
            # Seller: the platform, with CVR and address.
            _("Seller"),
            invoice.seller_name,
            _("CVR %(cvr)s") % {"cvr": invoice.seller_cvr},
            django_settings.PRIVACY_CONTROLLER["address"],
            # Buyer: the company, with CVR and address.
            _("Buyer"),
            "Blåbær & Søn ApS",
            _("CVR %(cvr)s") % {"cvr": flow.company.cvr},
            "Åboulevarden 7",
            "8000 Aarhus",
            # What was delivered, by whom, and when.
            flat(invoice.description),
            "Søren Ærø-Ågård",
            _("Service period"),
            _("%(start)s to %(end)s")
            % {"start": date(invoice.period_start), "end": date(invoice.period_end)},
            # Amounts.
            _("Amount excluding VAT"),
            money(invoice.amount_excl_vat),
            _("VAT %(rate)s%%") % {"rate": "25"},
            money(invoice.vat_amount),
            _("Total including VAT"),
            money(invoice.total),
            "DKK",
        ]
        for line in lines:
            expected += [
                line.description,
                formats.date_format(line.service_date, "SHORT_DATE_FORMAT"),
                number(line.quantity),
                line.unit,
                number(line.unit_price),
                number(line.amount),
            ]
    missing = [item for item in expected if flat(item) not in flat(text)]
    assert missing == []
    assert invoice.vat_rate == Decimal("25.00")
    assert invoice.total == invoice.amount_excl_vat + invoice.vat_amount
    assert invoice.currency == "DKK"
    # Danish numbers in Danish, English in English.
    assert ("1.234,50" if language == "da" else "1,234.50") in text


def test_a_letter_outside_latin_1_is_drawn_as_a_box_and_the_pdf_still_builds(
    django_capture_on_commit_callbacks, settings
):
    """Helvetica encodes Latin-1 (and Windows-1252 punctuation) only: a Polish
    Ł cannot be drawn, but the invoice is still built, stored and sent."""
    flow = danish_flow(
        "da", scope="Byg bookingflowet.", freelancer_name="Łukasz Ørsted"
    )
    invoice = built(flow, django_capture_on_commit_callbacks, settings)
    assert invoice.pdf and invoice.emailed_at
    text = pdf_text(invoice.pdf)
    assert "ukasz Ørsted" in text
    assert "Łukasz" not in text
    with translation.override("da"):
        assert money(invoice.total) in text


@pytest.mark.parametrize("language", ["da", "en"])
def test_credit_note_pdf_names_the_invoice_it_credits(
    language, django_capture_on_commit_callbacks, settings
):
    flow = danish_flow(language)
    invoice = built(flow, django_capture_on_commit_callbacks, settings)
    with django_capture_on_commit_callbacks(execute=True):
        note = services.invoice_credit(
            invoice=invoice, actor=flow.company_member, reason="Forkert timetal"
        )
    note.refresh_from_db()
    assert note.pdf and note.emailed_at
    text = pdf_text(note.pdf)
    with translation.override(language):
        expected = [
            _("Credit note %(number)s") % {"number": note.number},
            _("Credits invoice"),
            _("%(number)s of %(date)s")
            % {"number": invoice.number, "date": date(invoice.issue_date)},
            _("Issue date"),
            date(note.issue_date),
            flat(note.description),
            "Forkert timetal",
            "Blåbær & Søn ApS",
            money(note.amount_excl_vat),
            money(note.vat_amount),
            money(note.total),
        ]
    missing = [item for item in expected if flat(item) not in flat(text)]
    assert missing == []
    assert note.total == -invoice.total
    assert "-" in money(note.total)
    # Its mail says what it takes back, and asks for no payment.
    from django.core import mail

    (message,) = [m for m in mail.outbox if f" {note.number} " in m.subject]
    with translation.override(language):
        assert money(invoice.total) in message.body
        credited = _(
            "Attached is %(kind)s %(number)s: %(description)s\n\n"
            "Credited: %(total)s including VAT."
        ) % {
            "kind": note.get_kind_display().lower(),
            "number": note.number,
            "description": note.description,
            "total": money(invoice.total),
        }
    assert credited in message.body
    due_word = "forfald" if language == "da" else "due"
    assert due_word not in message.body.split("--")[0].lower()
