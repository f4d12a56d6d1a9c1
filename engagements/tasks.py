"""Engagement jobs: build and e-mail contract and invoice PDFs; the monthly
invoice run (beat: "Monthly invoice run").

Each PDF is built once (the file is stored before the mail), and a mail is
sent at most once per document: the row is claimed (``emailed_at``) and the
mail sent after the claim commits (``core.batches``); a failed send clears
the claim and the task retries.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engagements.models import ContractVersion, Engagement, Invoice
from engagements.pdf import contract_pdf, invoice_pdf
from engagements.services import (
    invoice_issue,
    invoices_due_engagement_ids,
    previous_month,
)
from privacy.facts import controller_footer

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


def _language_of(user) -> str:
    return (getattr(user, "language", "") or settings.LANGUAGE_CODE) if user else "da"


def _claim(model, pk) -> bool:
    with transaction.atomic():
        return bool(
            model.objects.filter(pk=pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
        )


def _unclaim(model, pk) -> None:
    model.objects.filter(pk=pk).update(emailed_at=None)


@shared_task(time_limit=120, soft_time_limit=100, **RETRY)
def contract_document_send(version_id: int) -> int:
    """Store the accepted contract's PDF and e-mail it to both parties."""
    version = (
        ContractVersion.objects.select_related(
            "engagement__company", "engagement__freelancer__user", "proposed_by"
        )
        .filter(pk=version_id, status=ContractVersion.Status.ACCEPTED)
        .first()
    )
    if version is None:
        return 0
    engagement = version.engagement
    freelancer = engagement.freelancer.user
    language = _language_of(version.proposed_by)
    if not version.pdf:
        content = contract_pdf(version, language=language)
        version.pdf.save(f"contract-{version.pk}.pdf", ContentFile(content), save=False)
        ContractVersion.objects.filter(pk=version.pk).update(pdf=version.pdf.name)
    if not _claim(ContractVersion, version.pk):
        return 0
    recipients = [
        (freelancer, freelancer.email),
        (version.proposed_by, engagement.billing_email),
    ]
    if version.proposed_by and version.proposed_by.email != engagement.billing_email:
        recipients.append((version.proposed_by, version.proposed_by.email))
    sent = 0
    try:
        data = version.pdf.open("rb").read()
        for user, address in recipients:
            if not address:
                continue
            with translation.override(_language_of(user)):
                message = EmailMessage(
                    subject=_("Contract accepted: %(title)s")
                    % {"title": engagement.title},
                    body=_(
                        "The contract “%(title)s” (version %(number)s) between "
                        "%(company)s and %(freelancer)s has been accepted by both "
                        "parties. The contract is attached."
                    )
                    % {
                        "title": engagement.title,
                        "number": version.number,
                        "company": engagement.company.name,
                        "freelancer": engagement.freelancer.full_name,
                    }
                    + controller_footer(),
                    to=[address],
                )
                message.attach(f"contract-{version.pk}.pdf", data, "application/pdf")
                sent += message.send()
    except Exception:
        _unclaim(ContractVersion, version.pk)
        raise
    return sent


@shared_task(time_limit=120, soft_time_limit=100, **RETRY)
def invoice_document_send(invoice_id: int) -> int:
    """Store the invoice's PDF and e-mail it to the company's billing address."""
    invoice = (
        Invoice.objects.select_related("engagement__created_by", "credits")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        return 0
    language = _language_of(invoice.engagement.created_by)
    if not invoice.pdf:
        content = invoice_pdf(invoice, language=language)
        invoice.pdf.save(
            f"invoice-{invoice.number}.pdf", ContentFile(content), save=False
        )
        Invoice.objects.filter(pk=invoice.pk).update(pdf=invoice.pdf.name)
    if invoice.restricted_at is not None or not _claim(Invoice, invoice.pk):
        return 0
    try:
        with translation.override(language):
            kind = invoice.get_kind_display()
            message = EmailMessage(
                subject=_("%(kind)s %(number)s from %(seller)s")
                % {
                    "kind": kind,
                    "number": invoice.number,
                    "seller": invoice.seller_name,
                },
                body=_(
                    "Attached is %(kind)s %(number)s for %(description)s\n\n"
                    "Total: %(total)s DKK including VAT, due %(due)s."
                )
                % {
                    "kind": kind.lower(),
                    "number": invoice.number,
                    "description": invoice.description,
                    "total": invoice.total,
                    "due": invoice.due_date.isoformat(),
                }
                + controller_footer(),
                to=[invoice.buyer_email],
            )
            message.attach(
                f"invoice-{invoice.number}.pdf",
                invoice.pdf.open("rb").read(),
                "application/pdf",
            )
            return message.send()
    except Exception:
        _unclaim(Invoice, invoice.pk)
        raise


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60)
def invoices_monthly_run(today: str | None = None) -> int:
    """Monthly: one invoice per engagement for last month's approved hours.

    Engagements are read in pages of ids, each invoiced in its own
    transaction (``invoice_issue`` locks the engagement), so several workers
    may run this at once and nothing is invoiced twice.
    """
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    period_start, period_end = previous_month(day)
    issued = 0
    last = 0
    while True:
        ids = list(
            invoices_due_engagement_ids(
                period_start=period_start, period_end=period_end
            ).filter(pk__gt=last)[:500]
        )
        if not ids:
            break
        last = ids[-1]
        for engagement_id in ids:
            try:
                invoice_issue(
                    engagement=Engagement(pk=engagement_id),
                    period_start=period_start,
                    period_end=period_end,
                    issue_date=day,
                )
                issued += 1
            except Exception as error:  # one engagement never stops the run
                if getattr(error, "code", "") == "already_invoiced":
                    continue
                logger.exception("invoice run: engagement %s failed", engagement_id)
    return issued
