"""What a contract and an invoice say: the text both parties accept, and the
parties as they are named on a record the Bookkeeping Act keeps.

The words come from gettext, so they exist in Danish and English; a contract
is written in the proposer's language and its text is stored, fingerprinted
and accepted as written. The PDFs (``engagements.pdf``) are drawn from these.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from engagements.models import RateKind
from privacy.facts import controller


@dataclass(frozen=True)
class PartyDetails:
    name: str
    cvr: str
    address: str


def address_text(obj) -> str:
    """Street, postal code and city, country: one line per part present."""
    lines = [obj.street, " ".join(p for p in (obj.postal_code, obj.city) if p)]
    if getattr(obj, "country", "") and obj.country != "DK":
        lines.append(obj.country)
    return "\n".join(line for line in lines if line)


def seller_details() -> PartyDetails:
    """The platform, which invoices the company (the controller in settings)."""
    facts = controller()
    return PartyDetails(name=facts["name"], cvr=facts["cvr"], address=facts["address"])


def company_details(company) -> PartyDetails:
    return PartyDetails(
        name=company.name, cvr=company.cvr or "", address=address_text(company)
    )


def freelancer_details(profile) -> PartyDetails:
    name = profile.full_name
    if profile.company_name:
        name = f"{profile.full_name} ({profile.company_name})"
    return PartyDetails(name=name, cvr=profile.cvr or "", address=address_text(profile))


def invoice_language(engagement) -> str:
    """The language an engagement's invoices are written in (their
    description, lines and PDF): the proposer's, else Danish."""
    creator = engagement.created_by
    return (creator.language if creator and creator.language else None) or "da"


def contract_language(version) -> str:
    """The language ``version``'s text was written in, so its PDF's own words
    match it: the language whose title opens the text (the proposer's
    language, or the page's, at the time), else the proposer's."""
    proposer = version.proposed_by
    preferred = (proposer.language if proposer else "") or settings.LANGUAGE_CODE
    first_line = version.text.split("\n", 1)[0]
    codes = [preferred] + [code for code, _name in settings.LANGUAGES]
    for code in codes:
        with translation.override(code):
            if first_line == contract_title(version.number):
                return code
    return preferred


def contract_title(number: int) -> str:
    """The first line of a contract's text, in the active language."""
    return _("Contract for freelance services, version %(number)s") % {"number": number}


def money(amount: Decimal) -> str:
    """``1.234,50 DKK`` in Danish, ``1,234.50 DKK`` in English."""
    return f"{formats.number_format(amount, 2, force_grouping=True)} DKK"


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def contract_text_render(
    *,
    engagement,
    number: int,
    scope: str,
    start_date,
    end_date,
    rate_kind: str,
    rate: Decimal,
    payment_terms_days: int,
    language: str,
) -> str:
    """The whole contract as both parties accept it, in ``language``."""
    with translation.override(language):
        seller = seller_details()
        company = company_details(engagement.company)
        freelancer = freelancer_details(engagement.freelancer)

        def party(label: str, details: PartyDetails) -> str:
            cvr = _("CVR %(cvr)s") % {"cvr": details.cvr} if details.cvr else ""
            return "\n".join(
                line for line in (label, details.name, cvr, details.address) if line
            )

        if rate_kind == RateKind.HOURLY:
            price = _(
                "%(rate)s per hour, excluding VAT, for the hours the freelancer "
                "reports each week and the company approves."
            ) % {"rate": money(rate)}
        else:
            price = _("A fixed price of %(rate)s, excluding VAT.") % {
                "rate": money(rate)
            }
        sections = [
            contract_title(number),
            _("Title: %(title)s") % {"title": engagement.title},
            party(_("Client:"), company),
            party(_("Freelancer:"), freelancer),
            party(_("Platform and invoicing party:"), seller),
            _("1. Scope of work") + "\n" + scope,
            _("2. Period")
            + "\n"
            + _("From %(start)s to %(end)s.")
            % {
                "start": formats.date_format(start_date, "DATE_FORMAT"),
                "end": formats.date_format(end_date, "DATE_FORMAT"),
            },
            _("3. Price") + "\n" + price,
            _("4. Invoicing and payment")
            + "\n"
            + _(
                "%(platform)s invoices the client monthly for approved hours (or "
                "once for a fixed price), with 25%% VAT. Payment is due "
                "%(days)s days after the invoice date."
            )
            % {"platform": seller.name, "days": payment_terms_days},
            _("5. Changes")
            + "\n"
            + _(
                "This contract is not edited once accepted. A change is a new "
                "version, which applies once both parties have accepted it."
            ),
            _("6. Personal data")
            + "\n"
            + _(
                "%(platform)s keeps this contract, the hours and the invoices "
                "for 5 years after the end of the financial year they belong "
                "to, as the Danish Bookkeeping Act requires, and uses them for "
                "nothing else once the purpose has ended."
            )
            % {"platform": seller.name},
        ]
        return "\n\n".join(sections)
