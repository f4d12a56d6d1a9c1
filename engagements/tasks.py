"""Engagement jobs: build and e-mail contract and invoice PDFs; the monthly
invoice run (beat: "Monthly invoice run").

What must never happen, and how it is prevented:
- Two PDFs for one document (two deliveries of the task, or a retry racing
  the first try): the PDF is built and stored under the document's row lock,
  and only when the row has none yet; the stored file is what every mail
  attaches.
- A document mailed twice: the row is claimed (``emailed_at`` set where it is
  NULL, one statement) and the mail goes out only after the claim committed;
  a delivery that finds the row claimed sends nothing.
- A document never mailed because the mail server failed: a failed send
  clears the claim again and the task retries with backoff on SMTP and
  connection errors (``smtplib.SMTPException``, ``OSError``). A contract goes
  to several addresses; when a later one fails the retry sends them all
  again (at least once per address, never silently dropped).
- An invoice issued twice by the monthly run on several workers: each
  engagement is issued in its own transaction under its row lock
  (``invoice_issue``), which refuses a second invoice for the same period.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import smtplib
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from engagements.documents import contract_language, invoice_language, money
from engagements.models import ContractVersion, Engagement, Invoice
from engagements.pdf import contract_pdf, invoice_pdf
from engagements.services import (
    invoice_issue,
    invoices_due_engagement_ids,
    previous_month,
)
from privacy.facts import controller_footer

logger = logging.getLogger(__name__)

#: Mail delivery fails for a while (the server restarts, the network drops):
#: retried 30 s, 1, 2, 4 ... up to 30 min apart, about 4 hours in all.
RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 10,
}
#: Engagement ids read per page by the monthly run.
RUN_PAGE = 200


def _language_of(user) -> str:
    """The language of mail to ``user``: theirs, else the site's."""
    return (getattr(user, "language", "") or settings.LANGUAGE_CODE) if user else "da"


def _pdf_store(obj, *, build: Callable[[], bytes], filename: str) -> None:
    """Build and store ``obj``'s PDF unless it has one; once, under its row lock."""
    if obj.pdf:
        return
    model = type(obj)
    with transaction.atomic():
        stored = (
            model.objects.select_for_update()
            .values_list("pdf", flat=True)
            .get(pk=obj.pk)
        )
        if stored:  # another delivery stored it first
            obj.pdf.name = stored
            return
        obj.pdf.save(filename, ContentFile(build()), save=False)
        model.objects.filter(pk=obj.pk).update(pdf=obj.pdf.name)


def _claim(model: type[models.Model], pk: int) -> bool:
    """Mark the row e-mailed; False when another delivery already has."""
    return bool(
        model.objects.filter(pk=pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    )


def _unclaim(model: type[models.Model], pk: int) -> None:
    model.objects.filter(pk=pk).update(emailed_at=None)


def _send_claimed(model, pk: int, messages: Callable[[], list[EmailMessage]]) -> int:
    """Send ``messages()`` once per claim of row ``pk``; unclaim on failure."""
    if not _claim(model, pk):
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages()) or 0
    except Exception:
        _unclaim(model, pk)
        raise


# ignore_result: nobody reads these results, and a caller outside a worker
# would otherwise subscribe to each one's result channel (Redis), holding
# memory per task queued.
@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True, **RETRY)
def contract_document_send(version_id: int) -> int:
    """Store the accepted contract's PDF and e-mail it to both parties."""
    version = (
        ContractVersion.objects.select_related(
            "engagement__company", "engagement__freelancer__user", "proposed_by"
        )
        .filter(pk=version_id, accepted_at__isnull=False)
        .first()
    )
    if version is None:
        return 0
    _pdf_store(
        version,
        build=lambda: contract_pdf(version, language=contract_language(version)),
        filename=f"contract-{version.pk}.pdf",
    )
    engagement = version.engagement
    freelancer = engagement.freelancer.user
    proposer = version.proposed_by
    recipients: dict[str, object] = {}
    for user, address in (
        (freelancer, freelancer.email),
        (proposer, engagement.billing_email),
        (proposer, proposer.email if proposer else ""),
    ):
        if address and address.lower() not in recipients:
            recipients[address.lower()] = (user, address)

    def messages() -> list[EmailMessage]:
        data = version.pdf.open("rb").read()
        out = []
        for user, address in recipients.values():
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
            out.append(message)
        return out

    return _send_claimed(ContractVersion, version.pk, messages)


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True, **RETRY)
def invoice_document_send(invoice_id: int) -> int:
    """Store the invoice's PDF and e-mail it to the company's billing address."""
    invoice = (
        Invoice.objects.select_related("engagement__created_by", "credits")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        return 0
    language = invoice_language(invoice.engagement)
    _pdf_store(
        invoice,
        build=lambda: invoice_pdf(invoice, language=language),
        filename=f"invoice-{invoice.number}.pdf",
    )
    if invoice.restricted_at is not None:
        return 0  # kept for bookkeeping only: stored, not sent

    def messages() -> list[EmailMessage]:
        with translation.override(language):
            kind = invoice.get_kind_display()
            message = EmailMessage(
                subject=_("%(kind)s %(number)s from %(seller)s")
                % {
                    "kind": kind,
                    "number": invoice.number,
                    "seller": invoice.seller_name,
                },
                body=(
                    _(
                        "Attached is %(kind)s %(number)s: %(description)s\n\n"
                        "Total: %(total)s including VAT, due on %(due)s."
                    )
                    if invoice.kind == Invoice.Kind.INVOICE
                    # A credit note is not paid: it says what it takes back.
                    else _(
                        "Attached is %(kind)s %(number)s: %(description)s\n\n"
                        "Credited: %(total)s including VAT."
                    )
                )
                % {
                    "kind": kind.lower(),
                    "number": invoice.number,
                    "description": invoice.description,
                    "total": money(abs(invoice.total)),
                    "due": formats.date_format(invoice.due_date, "DATE_FORMAT"),
                }
                + controller_footer(),
                to=[invoice.buyer_email],
            )
        message.attach(
            f"invoice-{invoice.number}.pdf",
            invoice.pdf.open("rb").read(),
            "application/pdf",
        )
        return [message]

    return _send_claimed(Invoice, invoice.pk, messages)


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60)
def invoices_monthly_run(today: str | None = None) -> int:
    """Monthly: one invoice per engagement for last month's approved hours
    (and fixed prices whose contract ended then). Returns the invoices issued.

    Engagements are read in pages of ids (keyset: ``pk > last``, so memory and
    the cost of a page stay flat), each invoiced in its own transaction.
    Several workers may run this at once: ``invoice_issue`` locks the
    engagement and refuses a second invoice for the period, which this run
    counts as done by the other worker. One failing engagement is logged and
    does not stop the run. The PDFs and mails are queued after each commit.
    """
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    period_start, period_end = previous_month(day)
    issued = 0
    last = 0
    while ids := list(
        invoices_due_engagement_ids(
            period_start=period_start, period_end=period_end, after=last
        )[:RUN_PAGE]
    ):
        last = ids[-1]
        for engagement_id in ids:
            try:
                invoice_issue(
                    engagement=Engagement(pk=engagement_id),
                    period_start=period_start,
                    period_end=period_end,
                    issue_date=day,
                )
            except ValidationError as error:
                # Invoiced (or emptied) by a concurrent run since the page
                # was read; anything else is worth a look.
                code = getattr(error, "code", None)
                if code not in ("already_invoiced", "nothing_to_invoice"):
                    logger.warning(
                        "invoice run: engagement %s not invoiced (%s)",
                        engagement_id,
                        code,
                    )
                continue
            except Exception:  # one engagement never stops the run
                logger.exception("invoice run: engagement %s failed", engagement_id)
                continue
            issued += 1
        # Each issued invoice's objects are kept alive by a reference cycle
        # (a FileField's FieldFile points back at its instance) until a full
        # collection, which CPython runs rarely: collected per page, the
        # run's memory is one page's, whatever the number of engagements
        # (bench/invoicing.py measures it).
        gc.collect()
    return issued
