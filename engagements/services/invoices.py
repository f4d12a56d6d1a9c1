"""Invoices and credit notes: issued by the platform to the client company,
one per engagement and period, numbered without gaps.

What must never happen, and how it is prevented:
- A gap or a repeat in the numbers: the number is taken from the one
  ``InvoiceSequence`` row, locked (``SELECT ... FOR UPDATE``) inside the
  transaction that inserts the invoice. Two workers issuing at once queue on
  that row; a rolled-back invoice rolls its number back with it.
- Two invoices for one engagement and period: the engagement row is locked
  first, and a partial unique constraint backs it in the database.
- Unapproved hours invoiced: only approved, uninvoiced weeks are taken; a
  week named explicitly that is not approved is refused.
- An issued invoice changed: nothing here updates one's content
  (``Invoice.save`` refuses it too); a correction is a credit note.
- Rounding drift: amounts are ``Decimal`` rounded half-up to øre per line;
  VAT is computed once on the sum.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engagements.documents import (
    company_details,
    freelancer_details,
    invoice_language,
    seller_details,
)
from engagements.models import (
    VAT_RATE,
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    RateKind,
    bookkeeping_retain_until,
)
from privacy.services import audit_record

CENT = Decimal("0.01")
SEQUENCE = "invoice"


def month_period(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return first, last


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return month_period(today.replace(day=1) - dt.timedelta(days=1))


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_number_take(name: str = SEQUENCE) -> int:
    """The next number of ``name``; call inside the transaction that uses it.

    The row lock is what keeps the numbers gapless and unique: without it two
    transactions read the same ``last_number`` and both write ``+1``
    (tests/engagements/test_invoice_numbers.py races two connections).
    """
    locked = InvoiceSequence.objects.select_for_update()
    try:
        sequence = locked.get(name=name)
    except InvoiceSequence.DoesNotExist:
        # The first number ever: a concurrent first waits on the unique key.
        InvoiceSequence.objects.get_or_create(name=name)
        sequence = locked.get(name=name)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _issue(
    *,
    engagement: Engagement,
    contract: ContractVersion,
    period_start: dt.date,
    period_end: dt.date,
    lines: list[dict],
    description: str,
    issue_date: dt.date,
    kind: str = Invoice.Kind.INVOICE,
    credits: Invoice | None = None,
) -> Invoice:
    amount = sum((line["amount"] for line in lines), Decimal("0"))
    vat = _round(amount * VAT_RATE / 100)
    seller = seller_details()
    if kind == Invoice.Kind.CREDIT_NOTE:
        # A credit note repeats the parties as the invoice named them.
        buyer = (credits.buyer_name, credits.buyer_cvr, credits.buyer_address)
        provider = (credits.provider_name, credits.provider_cvr)
    else:
        company = company_details(engagement.company)
        freelancer = freelancer_details(engagement.freelancer)
        buyer = (company.name, company.cvr, company.address)
        # "Name (company name)" can outgrow the column (150 + 150 characters).
        limit = Invoice._meta.get_field("provider_name").max_length
        name = freelancer.name
        provider = (
            name if len(name) <= limit else name[: limit - 1] + "…",
            freelancer.cvr,
        )
    invoice = Invoice.objects.create(
        number=invoice_number_take(),
        kind=kind,
        credits=credits,
        engagement=engagement,
        contract_version=contract,
        period_start=period_start,
        period_end=period_end,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=contract.payment_terms_days),
        description=description,
        seller_name=seller.name,
        seller_cvr=seller.cvr,
        seller_address=seller.address,
        buyer_name=buyer[0],
        buyer_cvr=buyer[1],
        buyer_address=buyer[2],
        buyer_email=engagement.billing_email,
        provider_name=provider[0],
        provider_cvr=provider[1],
        amount_excl_vat=amount,
        vat_rate=VAT_RATE,
        vat_amount=vat,
        total=amount + vat,
        retain_until=bookkeeping_retain_until(issue_date),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, **line)
        for position, line in enumerate(lines, start=1)
    )
    # The engagement and every version both parties accepted (a superseded
    # one may have priced weeks of this invoice) are kept as long as their
    # last invoice.
    later = Q(retain_until__isnull=True) | Q(retain_until__lt=invoice.retain_until)
    ContractVersion.objects.filter(
        engagement_id=engagement.pk, accepted_at__isnull=False
    ).filter(later).update(retain_until=invoice.retain_until)
    Engagement.objects.filter(pk=engagement.pk).filter(later).update(
        retain_until=invoice.retain_until
    )
    return invoice


@transaction.atomic
def invoice_issue(
    *,
    engagement: Engagement,
    period_start: dt.date,
    period_end: dt.date,
    actor=None,
    weeks: list[dt.date] | None = None,
    issue_date: dt.date | None = None,
    send: bool = True,
) -> Invoice:
    """Invoice ``engagement`` for ``period`` from its approved, uninvoiced
    hours (or its fixed price). ``weeks``: only these weeks, each approved.

    Raises ValidationError, with nothing stored, when there is nothing to
    invoice or a named week is not approved.
    """
    from engagements.tasks import invoice_document_send

    if period_end < period_start:
        raise ValidationError(_("The period cannot end before it starts."))
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("company", "freelancer__user", "created_by")
        .get(pk=engagement.pk)
    )
    if engagement.restricted_at is not None:
        raise ValidationError(
            _("This engagement is restricted and kept for bookkeeping only."),
            code="restricted",
        )
    versions = _versions_in_force(engagement)
    contract = versions[0] if versions else None
    if contract is None or engagement.activated_at is None:
        raise ValidationError(
            _("There is no accepted contract to invoice."), code="no_contract"
        )
    if Invoice.objects.filter(
        engagement=engagement,
        kind=Invoice.Kind.INVOICE,
        credited_at__isnull=True,
        period_start=period_start,
        period_end=period_end,
    ).exists():
        raise ValidationError(
            _("This engagement has already been invoiced for that period."),
            code="already_invoiced",
        )
    issue_date = issue_date or timezone.localdate()
    language = invoice_language(engagement)
    lines: list[dict] = []
    reports: list[HoursReport] = []
    # Lines and description in the invoice's language; refusals are lazy, so
    # they read in the language of whoever asked.
    with translation.override(language):
        if contract.rate_kind == RateKind.FIXED:
            if Invoice.objects.filter(
                engagement=engagement,
                kind=Invoice.Kind.INVOICE,
                credited_at__isnull=True,
            ).exists():
                raise ValidationError(
                    gettext_lazy("The fixed price has already been invoiced."),
                    code="already_invoiced",
                )
            lines.append(
                {
                    "description": _("Fixed price: %(title)s")
                    % {"title": engagement.title},
                    "service_date": contract.end_date,
                    "quantity": Decimal("1"),
                    "unit": _("pcs."),
                    "unit_price": contract.rate,
                    "amount": contract.rate,
                }
            )
        else:
            candidates = HoursReport.objects.select_for_update().filter(
                engagement=engagement,
                invoice__isnull=True,
                week__gte=period_start,
                week__lte=period_end,
            )
            if weeks is not None:
                mondays = {w - dt.timedelta(days=w.weekday()) for w in weeks}
                chosen = {r.week: r for r in candidates.filter(week__in=mondays)}
                for monday in sorted(mondays):
                    report = chosen.get(monday)
                    if report is None or report.status != HoursReport.Status.APPROVED:
                        raise ValidationError(
                            gettext_lazy(
                                "The week of %(week)s has no approved hours to invoice."
                            ),
                            params={"week": monday.isoformat()},
                            code="unapproved",
                        )
                reports = [chosen[m] for m in sorted(mondays)]
            else:
                reports = list(
                    candidates.filter(status=HoursReport.Status.APPROVED).order_by(
                        "week"
                    )
                )
            for report in reports:
                # The rate of the contract version in force that week.
                rate = _rate_for_week(versions, report.week, default=contract)
                amount = _round(report.hours * rate.rate)
                year, week_number, _day = report.week.isocalendar()
                lines.append(
                    {
                        "description": _("Work in week %(week)s %(year)s")
                        % {"week": week_number, "year": year},
                        "service_date": report.week,
                        "quantity": report.hours,
                        "unit": _("hours"),
                        "unit_price": rate.rate,
                        "amount": amount,
                    }
                )
        if not lines:
            raise ValidationError(
                gettext_lazy("There are no approved hours to invoice for this period."),
                code="nothing_to_invoice",
            )
        description = _(
            "Freelance services by %(freelancer)s for %(company)s: %(title)s, "
            "%(start)s to %(end)s."
        ) % {
            "freelancer": engagement.freelancer.full_name,
            "company": engagement.company.name,
            "title": engagement.title,
            "start": formats.date_format(period_start, "DATE_FORMAT"),
            "end": formats.date_format(period_end, "DATE_FORMAT"),
        }
    invoice = _issue(
        engagement=engagement,
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        lines=lines,
        description=description,
        issue_date=issue_date,
    )
    if reports:
        HoursReport.objects.filter(pk__in=[r.pk for r in reports]).update(
            invoice=invoice, retain_until=invoice.retain_until
        )
    audit_record(
        actor=actor,
        subject=engagement.freelancer.user,
        action="engagements.invoice_issued",
        target=invoice,
        details={"number": invoice.number, "engagement_id": engagement.pk},
    )
    if send:
        transaction.on_commit(
            lambda: invoice_document_send.delay(invoice.pk), robust=True
        )
    return invoice


def _versions_in_force(engagement: Engagement) -> list[ContractVersion]:
    """The engagement's accepted (or superseded) versions, newest first (the
    first is the contract invoiced under): read once per invoice, so its query
    count does not grow with the weeks it invoices."""
    return list(
        engagement.versions.filter(
            status__in=[
                ContractVersion.Status.ACCEPTED,
                ContractVersion.Status.SUPERSEDED,
            ]
        ).order_by("-number")
    )


def _rate_for_week(
    versions: list[ContractVersion], week: dt.date, *, default: ContractVersion
) -> ContractVersion:
    """The newest version whose period overlaps the week of ``week``."""
    last_day = week + dt.timedelta(days=6)
    for version in versions:
        if version.start_date <= last_day and version.end_date >= week:
            return version
    return default


@transaction.atomic
def invoice_credit(*, invoice: Invoice, actor, reason: str) -> Invoice:
    """Cancel ``invoice`` in full with a credit note; its hours may be invoiced
    again (corrected first if need be)."""
    from engagements.tasks import invoice_document_send

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the invoice is credited.")})
    invoice = (
        Invoice.objects.select_for_update()
        .select_related("engagement")
        .get(pk=invoice.pk)
    )
    if invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError(
            _("A credit note cannot be credited."), code="credit_note"
        )
    if invoice.credited_at is not None:
        raise ValidationError(
            _("This invoice has already been credited."), code="credited"
        )
    if invoice.paid_at is not None:
        raise ValidationError(
            _("This invoice is paid; refund it before crediting it."), code="paid"
        )
    engagement = Engagement.objects.select_for_update().get(pk=invoice.engagement_id)
    lines = [
        {
            "description": line.description,
            "service_date": line.service_date,
            "quantity": -line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price,
            "amount": -line.amount,
        }
        for line in invoice.lines.order_by("position")
    ]
    with translation.override(invoice_language(engagement)):
        description = _("Credit note for invoice %(number)s: %(reason)s") % {
            "number": invoice.number,
            "reason": reason[:500],
        }
    note = _issue(
        engagement=engagement,
        contract=invoice.contract_version,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        lines=lines,
        description=description,
        issue_date=timezone.localdate(),
        kind=Invoice.Kind.CREDIT_NOTE,
        credits=invoice,
    )
    Invoice.objects.filter(pk=invoice.pk).update(credited_at=timezone.now())
    # The hours stay kept (retain_until) but are free to be invoiced again.
    HoursReport.objects.filter(invoice=invoice).update(invoice=None)
    audit_record(
        actor=actor,
        subject=engagement.freelancer.user,
        action="engagements.invoice_credited",
        target=note,
        details={"credits": invoice.number, "number": note.number},
    )
    transaction.on_commit(lambda: invoice_document_send.delay(note.pk), robust=True)
    return note


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, actor) -> Invoice:
    if not actor.has_perm("engagements.change_invoice"):
        raise ValidationError(
            _("You do not have permission to mark invoices paid."), code="permission"
        )
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError(_("Only invoices are paid."), code="credit_note")
    if invoice.paid_at is not None:
        raise ValidationError(_("This invoice is already marked paid."), code="paid")
    if invoice.credited_at is not None:
        raise ValidationError(_("This invoice was credited."), code="credited")
    Invoice.objects.filter(pk=invoice.pk).update(
        paid_at=timezone.now(), paid_marked_by=actor
    )
    invoice.refresh_from_db()
    audit_record(
        actor=actor,
        subject=None,
        action="engagements.invoice_paid",
        target=invoice,
        details={"number": invoice.number},
    )
    return invoice


def invoices_due_engagement_ids(
    *, period_start: dt.date, period_end: dt.date, after: int = 0
):
    """Engagements with something to invoice for the period, in id order,
    from ``after`` on: approved, uninvoiced hours in it, or a fixed price whose
    contract ended in it.

    Walked as a keyset (``pk > after ... LIMIT``): each engagement is tested
    with ``EXISTS`` on its own hours and contracts (the foreign-key indexes),
    so a page costs the same whether 1k or 1M engagements wait. (A
    ``pk IN (all due hours)`` set was re-read on every page: quadratic.)
    """
    engagement = OuterRef("pk")
    hourly = HoursReport.objects.filter(
        engagement=engagement,
        status=HoursReport.Status.APPROVED,
        invoice__isnull=True,
        week__gte=period_start,
        week__lte=period_end,
    )
    fixed = ContractVersion.objects.filter(
        engagement=engagement,
        status=ContractVersion.Status.ACCEPTED,
        rate_kind=RateKind.FIXED,
        end_date__gte=period_start,
        end_date__lte=period_end,
    )
    live_invoice = Invoice.objects.filter(
        engagement=engagement,
        kind=Invoice.Kind.INVOICE,
        credited_at__isnull=True,
    )
    return (
        Engagement.objects.filter(pk__gt=after, restricted_at__isnull=True)
        .filter(Exists(hourly) | (Exists(fixed) & ~Exists(live_invoice)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
