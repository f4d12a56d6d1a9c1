"""Messages staff write to members, and the record of who got each one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: the open pixel's tag of a mailing's mail (``consent.models.EmailOpen.tag``).
TAG_PREFIX = "mailing:"


def mailing_tag(pk: int) -> str:
    return f"{TAG_PREFIX}{pk}"


class Mailing(models.Model):
    """One message to an audience of members, written in Danish and English."""

    class Kind(models.TextChoices):
        # The values are consent.mail.MailKind's, so one is passed as the other.
        SERVICE = "service", _("Service message (cannot be unsubscribed)")
        MARKETING = "marketing", _("Marketing (only members who opted in)")

    class Audience(models.TextChoices):
        ALL = "all", _("All members")
        FREELANCERS = "freelancers", _("Freelancers")
        COMPANY_MEMBERS = "company_members", _("Company members")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    subject_da = models.CharField(_("subject (Danish)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_da = models.TextField(_("text (Danish)"))
    body_en = models.TextField(_("text (English)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sending_started_at = models.DateTimeField(
        _("sending started"), null=True, blank=True
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    #: the last user id the audience walk has reached (keyset pagination).
    cursor = models.BigIntegerField(_("audience walked up to user id"), default=0)
    #: members of the audience who could not get it when their turn came
    #: (a marketing mail without a current opt-in, a suppressed address, ...).
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    #: the chain of page tasks allowed to send (a new one on start and resume).
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    #: when the staff accounts that wrote and sent it were cleared (registry).
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message to members")
        verbose_name_plural = _("messages to members")
        permissions = [("send_mailing", _("Can send messages to members"))]

    def __str__(self) -> str:
        return self.subject_en or self.subject_da or f"#{self.pk}"

    @property
    def tag(self) -> str:
        return mailing_tag(self.pk)

    @property
    def subject(self) -> dict[str, str]:
        return {"da": self.subject_da, "en": self.subject_en}

    @property
    def body(self) -> dict[str, str]:
        return {"da": self.body_da, "en": self.body_en}

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class MailingDelivery(models.Model):
    """That ``user`` was (being) sent ``mailing``: one row per pair, ever.

    ``pending`` rows are the audience still to mail; claiming a row (``sending``,
    under SKIP LOCKED) is what allows one mail; ``sent`` after it went out;
    ``failed`` when the mail server refused it for good.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    mailing = models.ForeignKey(
        Mailing,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("message"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mailing_deliveries",
        verbose_name=_("member"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "user"], name="mailing_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "state"], name="mailing_delivery_state"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id}/{self.user_id}"
