"""Customer service: tickets from members and visitors, and their messages.

Invariants, and where they are kept:
- Staff see a visitor's ticket only once its e-mailed link was opened
  (``verified_at``); the admin's queryset and every selector filter on it.
- Internal notes (``TicketMessage.Kind.NOTE``) are for staff: the member's
  pages read ``TicketMessage.objects.visible_to_member()`` only, and no mail
  is sent for a note.
- The attachment lives in private storage (no URL); views that check who
  asks stream it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.storage import attachment_upload_to, private_storage

MAX_MESSAGE = 5000


class Ticket(models.Model):
    class Topic(models.TextChoices):
        ACCOUNT = "account", _("My account")
        PROFILE = "profile", _("My profile")
        ENGAGEMENT = "engagement", _("An engagement or invoice")
        PRIVACY = "privacy", _("Privacy and my data")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting for the member")
        CLOSED = "closed", _("Closed")

    #: states in which staff owe an answer
    AWAITING_STAFF = (Status.NEW, Status.OPEN)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_tickets",
        verbose_name=_("member"),
    )
    #: a visitor's address (members are written to at their account's address)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_assignments",
        verbose_name=_("assigned to"),
    )
    attachment = models.FileField(
        _("attachment"),
        upload_to=attachment_upload_to,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    attachment_content_type = models.CharField(
        _("attachment type"), max_length=100, blank=True
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-last_activity_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "last_activity_at"]),
            models.Index(fields=["closed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="support_ticket_has_requester",
            ),
        ]

    def __str__(self) -> str:
        return _("Ticket %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("support:ticket_detail", kwargs={"pk": self.pk})

    @property
    def reply_address(self) -> str:
        return self.user.email if self.user_id else self.email


class TicketMessageQuerySet(models.QuerySet):
    def visible_to_member(self):
        return self.exclude(kind=TicketMessage.Kind.NOTE)


class TicketMessage(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("From the member")
        REPLY = "reply", _("Reply from customer service")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("ticket"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    body = models.TextField(_("message"), max_length=MAX_MESSAGE)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    objects = TicketMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"
