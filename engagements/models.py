"""Engagements: a company's inquiry to a freelancer, the contract they agree,
the hours reported under it and the invoices made from them.

One module: the models reference each other in a chain (thread -> engagement
-> contract version -> hours -> invoice -> lines) and share the bookkeeping
dates; split, every file would import every other.

Invariants, and where they are kept:
- An accepted contract version, an issued invoice and its lines are never
  edited: services create new versions / credit notes; ``save()`` of an
  issued invoice refuses a change to what it says (``Invoice.FROZEN``).
- Invoice numbers are unique and gapless: one ``InvoiceSequence`` row is
  locked while a number is taken, in the transaction that inserts the
  invoice, so a rolled-back invoice gives its number back.
- Bookkeeping records (accepted contracts, their acceptances, invoiced hours,
  invoices, lines) carry ``retain_until``: the end of the financial year they
  belong to plus 5 years (bogføringsloven). The registry's legal exception
  keeps them from erasure and the purge anonymises them after that date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from engagements.storage import (
    contract_pdf_upload_to,
    document_storage,
    invoice_pdf_upload_to,
)
from profiles.models import Company, FreelancerProfile, User

#: years the Bookkeeping Act keeps accounting records, after the financial year.
BOOKKEEPING_YEARS = 5
VAT_RATE = Decimal("25.00")
CURRENCY = "DKK"
MONEY = dict(max_digits=12, decimal_places=2)


def financial_year_end(day: dt.date) -> dt.date:
    """The last day of the financial year ``day`` belongs to.

    The controller's financial year ends in ``settings.FINANCIAL_YEAR_END_MONTH``
    (12: the calendar year).
    """
    end_month = settings.FINANCIAL_YEAR_END_MONTH
    year = day.year if day.month <= end_month else day.year + 1
    if end_month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, end_month + 1, 1) - dt.timedelta(days=1)


def bookkeeping_retain_until(day: dt.date) -> dt.datetime:
    """The moment a record of ``day`` may go: the end of its financial year
    plus ``BOOKKEEPING_YEARS`` years (midnight after the last day, local time)."""
    first_after = financial_year_end(day) + dt.timedelta(days=1)  # always a 1st
    after = first_after.replace(year=first_after.year + BOOKKEEPING_YEARS)
    return timezone.make_aware(dt.datetime.combine(after, dt.time.min))


class RateKind(models.TextChoices):
    HOURLY = "hourly", _("Hourly rate")
    FIXED = "fixed", _("Fixed price")


class Party(models.TextChoices):
    COMPANY = "company", _("Company")
    FREELANCER = "freelancer", _("Freelancer")


# --- Inquiries and their threads ----------


class Thread(models.Model):
    """An inquiry from a company to a freelancer, and the conversation after it.

    Its subjects are its participants (the freelancer and the company's
    members who wrote in it): erasing one of them deletes their messages and
    participation; the other party keeps the thread until it ages out.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting reply")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="threads",
        verbose_name=_("company"),
    )
    freelancer = models.ForeignKey(
        FreelancerProfile,
        on_delete=models.CASCADE,
        related_name="threads",
        verbose_name=_("freelancer"),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    participants = models.ManyToManyField(
        User,
        through="ThreadParticipant",
        related_name="engagement_threads",
        verbose_name=_("participants"),
    )
    subject = models.CharField(pgettext_lazy("inquiry", "subject"), max_length=200)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    rate = models.DecimalField(
        _("hourly rate (DKK)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    #: when the freelancer's e-mail and phone were shared with the company (on
    #: accept): from then on the company is a recipient (GDPR Art. 19).
    contact_shared_at = models.DateTimeField(
        _("contact details shared at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-last_activity_at"]
        indexes = [
            models.Index(fields=["last_activity_at"], name="thread_activity_idx"),
            models.Index(fields=["company", "created_at"], name="thread_company_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="thread_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | Q(rate__gt=0),
                name="thread_rate_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if (
            self.period_start
            and self.period_end
            and self.period_end < self.period_start
        ):
            raise ValidationError(
                {"period_end": _("The period cannot end before it starts.")},
                code="period_order",
            )


class ThreadParticipant(models.Model):
    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("inquiry"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="thread_participations",
        verbose_name=_("user"),
    )
    party = models.CharField(_("party"), max_length=10, choices=Party)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("inquiry participant")
        verbose_name_plural = _("inquiry participants")
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "user"], name="participant_thread_user_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.thread_id}"


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Message")
        ACCEPTED = "accepted", _("Accepted the inquiry")
        DECLINED = "declined", _("Declined the inquiry")

    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("inquiry"),
    )
    sender = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("sender"),
    )
    party = models.CharField(_("party"), max_length=10, choices=Party)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.TEXT)
    body = models.TextField(_("message"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


class CompanyBlock(models.Model):
    """A freelancer's block of a company: no more inquiries from it."""

    freelancer = models.ForeignKey(
        FreelancerProfile,
        on_delete=models.CASCADE,
        related_name="company_blocks",
        verbose_name=_("freelancer"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="blocked_by",
        verbose_name=_("company"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked company")
        verbose_name_plural = _("blocked companies")
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "company"], name="block_freelancer_company_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} blocked"


class ThreadReport(models.Model):
    """A party's report of abuse in a thread: the only way staff read one."""

    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("inquiry"),
    )
    reporter = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.TextField(_("resolution"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("reported inquiry")
        verbose_name_plural = _("reported inquiries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Report on {self.thread_id}"


# --- Engagements and their contracts ----------


class Engagement(models.Model):
    """A company and a freelancer working together under a contract."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name=_("company"),
    )
    freelancer = models.ForeignKey(
        FreelancerProfile,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name=_("freelancer"),
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name=_("inquiry"),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    title = models.CharField(_("title"), max_length=200)
    billing_email = models.EmailField(
        _("billing e-mail"),
        help_text=_("Invoices are e-mailed here."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PROPOSED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    activated_at = models.DateTimeField(_("contract accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    #: set when an erasure kept this record for bookkeeping only.
    restricted_at = models.DateTimeField(_("restricted"), null=True, blank=True)
    retain_until = models.DateTimeField(_("kept until"), null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE and self.restricted_at is None


class ContractVersion(models.Model):
    """One version of an engagement's contract; accepted versions are final."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting the freelancer")
        ACCEPTED = "accepted", _("Accepted by both")
        SUPERSEDED = "superseded", _("Replaced by a newer version")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    FROZEN = (
        "engagement_id",
        "number",
        "scope",
        "start_date",
        "end_date",
        "rate_kind",
        "rate",
        "payment_terms_days",
        "text",
        "text_sha256",
    )

    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("engagement"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    scope = models.TextField(_("scope of work"), max_length=5000)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    rate_kind = models.CharField(_("pricing"), max_length=10, choices=RateKind)
    rate = models.DecimalField(
        _("amount (DKK, excluding VAT)"),
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    #: the contract as both parties read it, in the proposer's language.
    text = models.TextField(_("contract text"))
    text_sha256 = models.CharField(_("text fingerprint"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    pdf = models.FileField(
        _("PDF"),
        upload_to=contract_pdf_upload_to,
        storage=document_storage,
        blank=True,
        max_length=200,
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    restricted_at = models.DateTimeField(_("restricted"), null=True, blank=True)
    retain_until = models.DateTimeField(_("kept until"), null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["engagement", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "number"], name="contract_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="contract_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0), name="contract_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engagement} v{self.number}"


class ContractAcceptance(models.Model):
    """Who accepted which text of a contract, for which party, and when."""

    version = models.ForeignKey(
        ContractVersion,
        on_delete=models.CASCADE,
        related_name="acceptances",
        verbose_name=_("contract"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    party = models.CharField(_("party"), max_length=10, choices=Party)
    #: who accepted, as they were named then (kept when the account goes).
    name = models.CharField(_("name"), max_length=200)
    text_sha256 = models.CharField(_("text fingerprint"), max_length=64)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        verbose_name = _("contract acceptance")
        verbose_name_plural = _("contract acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "party"], name="acceptance_version_party_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.accepted_at:%Y-%m-%d}"


# --- Hours ----------


class HoursReport(models.Model):
    """Hours a freelancer worked in one week of an engagement."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        DISPUTED = "disputed", _("Disputed")

    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.PROTECT,
        related_name="hours",
        verbose_name=_("engagement"),
    )
    #: the Monday of the week.
    week = models.DateField(_("week"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(168)],
    )
    note = models.TextField(_("what was done"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    submitted_at = models.DateTimeField(_("reported at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or disputed by"),
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    dispute_reason = models.TextField(_("why disputed"), max_length=2000, blank=True)
    invoice = models.ForeignKey(
        "Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hours",
        verbose_name=_("invoice"),
    )
    restricted_at = models.DateTimeField(_("restricted"), null=True, blank=True)
    retain_until = models.DateTimeField(_("kept until"), null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        verbose_name = _("hours")
        verbose_name_plural = _("hours")
        ordering = ["engagement", "-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "week"], name="hours_engagement_week_unique"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=168),
                name="hours_in_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "week"],
                name="hours_uninvoiced_idx",
                condition=Q(invoice__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.hours} h, week of {self.week}"


# --- Invoices ----------


class InvoiceSequence(models.Model):
    """The last number used: locked while the next one is taken (gapless)."""

    name = models.CharField(primary_key=True, max_length=20)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_number}"


class Invoice(models.Model):
    """An invoice or credit note from the platform (the seller) to a company.

    What it says is frozen at issue (``FROZEN``): parties and amounts are
    copied onto it, so a later rename or erasure cannot change a record the
    Bookkeeping Act requires kept as it was.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    FROZEN = (
        "number",
        "kind",
        "credits_id",
        "engagement_id",
        "contract_version_id",
        "period_start",
        "period_end",
        "issue_date",
        "due_date",
        "description",
        "seller_name",
        "seller_cvr",
        "seller_address",
        "buyer_name",
        "buyer_cvr",
        "buyer_address",
        "provider_name",
        "provider_cvr",
        "amount_excl_vat",
        "vat_rate",
        "vat_amount",
        "total",
        "currency",
    )

    number = models.PositiveIntegerField(_("number"), unique=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind, default=Kind.INVOICE
    )
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )
    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("engagement"),
    )
    contract_version = models.ForeignKey(
        ContractVersion,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("contract"),
    )
    period_start = models.DateField(_("service from"))
    period_end = models.DateField(_("service to"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    description = models.TextField(_("description"))
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_cvr = models.CharField(_("seller's CVR"), max_length=20)
    seller_address = models.TextField(_("seller's address"))
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_cvr = models.CharField(_("buyer's CVR"), max_length=20, blank=True)
    buyer_address = models.TextField(_("buyer's address"), blank=True)
    buyer_email = models.EmailField(_("sent to"))
    provider_name = models.CharField(_("freelancer"), max_length=200)
    provider_cvr = models.CharField(_("freelancer's CVR"), max_length=20, blank=True)
    amount_excl_vat = models.DecimalField(_("amount excluding VAT"), **MONEY)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=VAT_RATE
    )
    vat_amount = models.DecimalField(_("VAT"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    pdf = models.FileField(
        _("PDF"),
        upload_to=invoice_pdf_upload_to,
        storage=document_storage,
        blank=True,
        max_length=200,
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_marked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked paid by"),
    )
    #: set when a credit note cancels this invoice in full.
    credited_at = models.DateTimeField(_("credited at"), null=True, blank=True)
    restricted_at = models.DateTimeField(_("restricted"), null=True, blank=True)
    retain_until = models.DateTimeField(_("kept until"))
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-number"]
        constraints = [
            # One live invoice per engagement and period; a credited one may be
            # replaced by a new invoice.
            models.UniqueConstraint(
                fields=["engagement", "period_start", "period_end"],
                condition=Q(kind="invoice", credited_at__isnull=True),
                name="invoice_engagement_period_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credits__isnull=True)
                | Q(kind="credit_note", credits__isnull=False),
                name="invoice_credit_note_credits",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="invoice_period_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                name="invoice_unpaid_due_idx",
                condition=Q(paid_at__isnull=True, kind="invoice"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            current = (
                type(self)
                ._default_manager.filter(pk=self.pk)
                .values(*self.FROZEN, "anonymised_at")
                .first()
            )
            if current and current["anonymised_at"] is None:
                changed = [
                    name for name in self.FROZEN if getattr(self, name) != current[name]
                ]
                if changed:
                    raise ValidationError(
                        _(
                            "An issued invoice cannot be changed; issue a credit "
                            "note instead."
                        ),
                        code="invoice_frozen",
                    )
        super().save(*args, **kwargs)

    @property
    def is_overdue(self) -> bool:
        return (
            self.kind == self.Kind.INVOICE
            and self.paid_at is None
            and self.credited_at is None
            and self.due_date < timezone.localdate()
        )


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("invoice"),
    )
    position = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=300)
    service_date = models.DateField(_("date of service"))
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoice_line_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.description
