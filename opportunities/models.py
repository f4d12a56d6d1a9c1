"""Opportunities: a verified company's call for freelancers, the alerts
freelancers set for them, the mail each alert got, and who said "I'm
interested".

Invariants, and where they are kept:
- At most one alert mail per (opportunity, freelancer): ``OpportunityDelivery``
  is unique on the pair and a row is claimed (``claimed_at``) before its mail
  is sent (``opportunities.services.fanout``).
- A rate range is ordered and a period does not end before it starts: check
  constraints, and the services' field errors before them.
- One expression of interest per (opportunity, freelancer): unique.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models import Company, Skill, User

MONEY = dict(max_digits=10, decimal_places=2)


class WorkMode(models.TextChoices):
    ONSITE = "onsite", _("On-site")
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")


class Opportunity(models.Model):
    """A company's opportunity, public while open and before its deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="opportunities",
        verbose_name=_("company"),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    skills = models.ManyToManyField(
        Skill, related_name="opportunities", verbose_name=_("competences")
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    work_mode = models.CharField(
        _("work mode"), max_length=10, choices=WorkMode, default=WorkMode.ONSITE
    )
    rate_min = models.DecimalField(
        _("rate from (DKK/hour)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    rate_max = models.DecimalField(
        _("rate to (DKK/hour)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="opportunity_open_idx"),
            models.Index(fields=["company", "created_at"], name="opportunity_co_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_min__isnull=True)
                | Q(rate_max__isnull=True)
                | Q(rate_max__gte=models.F("rate_min")),
                name="opportunity_rate_ordered",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="opportunity_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opportunities:detail", kwargs={"pk": self.pk})

    @property
    def is_listed(self) -> bool:
        """Open and its deadline not passed (what the listing shows)."""
        return self.status == self.Status.OPEN and self.deadline >= timezone.localdate()


class OpportunityAlert(models.Model):
    """A freelancer's choice of which opportunities to hear about, and how
    often. Mail goes out only while Purpose.OPPORTUNITY_EMAIL is granted."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once, one e-mail per opportunity")
        DAILY = "daily", _("A daily digest")

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="opportunity_alert",
        verbose_name=_("user"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, default=Frequency.DAILY
    )
    onsite = models.BooleanField(_("on-site"), default=True)
    remote = models.BooleanField(_("remote"), default=True)
    hybrid = models.BooleanField(_("hybrid"), default=True)
    city = models.CharField(
        _("city"),
        max_length=100,
        blank=True,
        help_text=_("On-site and hybrid work only in this city; empty: any city."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("opportunity alert")
        verbose_name_plural = _("opportunity alerts")

    def __str__(self) -> str:
        return f"{self.user} ({self.frequency})"


class OpportunityDelivery(models.Model):
    """One matching freelancer for one opportunity: the alert mail's row.

    ``claimed_at`` is set, and committed, before the mail is sent: a claimed
    row is never sent again (at most once). ``sent_at`` says it went out;
    claimed without ``sent_at``: skipped at sending time (consent withdrawn,
    restricted, suppressed, closed, unverified) or lost with a killed worker.
    """

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("opportunity"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="opportunity_deliveries",
        verbose_name=_("user"),
    )
    digest = models.BooleanField(_("in the daily digest"), default=False)
    created_at = models.DateTimeField(_("matched at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opportunity e-mail")
        verbose_name_plural = _("opportunity e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "user"], name="delivery_opportunity_user_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["opportunity", "id"],
                name="delivery_pending_idx",
                condition=Q(claimed_at__isnull=True, digest=False),
            ),
            models.Index(
                fields=["user", "id"],
                name="delivery_digest_idx",
                condition=Q(claimed_at__isnull=True, digest=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} -> {self.user_id}"


class OpportunityInterest(models.Model):
    """A freelancer pressed "I'm interested": the inquiry thread it opened."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="interests",
        verbose_name=_("opportunity"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="opportunity_interests",
        verbose_name=_("user"),
    )
    thread = models.ForeignKey(
        "engagements.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inquiry"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "user"], name="interest_opportunity_user_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.opportunity_id}"
