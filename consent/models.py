"""Consent records: the proof that a person agreed (GDPR Art. 7(1)).

Every consent the platform asks for (cookie groups, publishing the profile
photo, marketing e-mail, tracking pixels in e-mail) is one append-only
``ConsentRecord``: who (a user, or a random visitor id), which purpose, granted
or withdrawn, the exact text shown (``ConsentVersion``), where (source), when.

Invariants:
- Records are never changed or deleted by the application. The only UPDATE is
  setting ``superseded_at`` on the previous current record, in the transaction
  that inserts its successor (``consent.services``); the retention purge
  deletes records 12 months after they stopped being current.
- At most one current record (``superseded_at IS NULL``) per subject and
  purpose: partial unique constraints enforce it, and they are the index the
  current-state selectors read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# One list of transfer grounds for cookie vendors and processors alike.
from privacy.models import TransferBasis

COOKIE_PURPOSE_PREFIX = "cookies_"


class Purpose(models.TextChoices):
    # One per optional cookie group: "cookies_<group varname>".
    COOKIES_ANALYTICS = "cookies_analytics", _("Analytics cookies")
    COOKIES_MARKETING = "cookies_marketing", _("Marketing cookies")
    PROFILE_PHOTO = "profile_photo", _("Publishing the profile photo")
    MARKETING_EMAIL = "marketing_email", _("Marketing e-mail")
    OPPORTUNITY_EMAIL = "opportunity_email", _("New opportunities by e-mail")
    EMAIL_TRACKING = "email_tracking", _("Tracking pixels in e-mail")

    @classmethod
    def for_cookie_group(cls, varname: str) -> str:
        return f"{COOKIE_PURPOSE_PREFIX}{varname}"

    @classmethod
    def cookie_group_of(cls, purpose: str) -> str | None:
        """The cookie group varname a purpose is about, or None."""
        if purpose.startswith(COOKIE_PURPOSE_PREFIX):
            return purpose.removeprefix(COOKIE_PURPOSE_PREFIX)
        return None


class Source(models.TextChoices):
    BANNER = "banner", _("Cookie banner")
    SETTINGS = "settings", _("Cookie settings page")
    PROFILE = "profile", _("Profile page")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    LOGIN_LINK = "login_link", _("Linked at login")
    EMAIL_LINK = "email_link", _("Unsubscribe link in an e-mail")
    REQUEST = "request", _("Data-subject request")


class CookieDetails(models.Model):
    """What django-cookie-consent's ``Cookie`` lacks: who sets it, why, how long."""

    cookie = models.OneToOneField(
        "cookie_consent.Cookie",
        on_delete=models.CASCADE,
        related_name="details",
        verbose_name=_("cookie"),
    )
    vendor = models.CharField(_("vendor"), max_length=200)
    purpose = models.TextField(_("purpose"))
    duration = models.CharField(
        _("duration"), max_length=100, help_text=_('e.g. "2 years", "Session".')
    )
    vendor_country = models.CharField(
        _("vendor's country"),
        max_length=100,
        help_text=_("Where the vendor processes the data."),
    )
    transfer_basis = models.CharField(
        _("transfer basis"),
        max_length=16,
        choices=TransferBasis.choices,
        default=TransferBasis.EEA,
    )

    class Meta:
        verbose_name = _("cookie details")
        verbose_name_plural = _("cookie details")

    def __str__(self) -> str:
        return f"{self.vendor}: {self.cookie_id}"


class ConsentVersion(models.Model):
    """The exact text a consent was given for, stored once per version.

    ``digest`` is the version recorded with each consent: SHA-256 of the text
    shown, the cookie-list version of the group (cookie purposes) and the
    privacy policy version. ``cookie_list`` is the cookie list of that version,
    so the record proves what the person was told.
    """

    digest = models.CharField(_("version"), max_length=64, unique=True)
    text = models.TextField(_("text shown"))
    cookie_list_version = models.CharField(
        _("cookie-list version"), max_length=64, blank=True
    )
    cookie_list = models.JSONField(_("cookie list"), default=list, blank=True)
    policy_version = models.CharField(_("privacy policy version"), max_length=32)
    created_at = models.DateTimeField(_("first shown"), default=timezone.now)

    class Meta:
        verbose_name = _("consent text version")
        verbose_name_plural = _("consent text versions")

    def __str__(self) -> str:
        return self.digest[:12]


class ConsentRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_records",
        verbose_name=_("user"),
    )
    visitor_id = models.CharField(
        _("visitor id"),
        max_length=64,
        blank=True,
        help_text=_("Random id of a browser (a first-party cookie) when logged out."),
    )
    purpose = models.CharField(_("purpose"), max_length=64, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    version = models.ForeignKey(
        ConsentVersion,
        on_delete=models.PROTECT,
        to_field="digest",
        related_name="+",
        verbose_name=_("version shown"),
    )
    decided_at = models.DateTimeField(
        _("decided at"),
        default=timezone.now,
        help_text=_("When the person chose; a record linked at login keeps it."),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    superseded_at = models.DateTimeField(
        _("superseded at"),
        null=True,
        blank=True,
        help_text=_("When a newer choice for the same purpose replaced this one."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, visitor_id="")
                    | Q(user__isnull=True) & ~Q(visitor_id="")
                ),
                name="consent_record_one_subject",
            ),
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=Q(superseded_at__isnull=True, user__isnull=False),
                name="consent_current_user_purpose",
            ),
            models.UniqueConstraint(
                fields=["visitor_id", "purpose"],
                condition=Q(superseded_at__isnull=True, user__isnull=True),
                name="consent_current_visitor_purpose",
            ),
        ]

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.purpose} {state} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class MarketingSuppression(models.Model):
    """An address that objected to marketing (Art. 21(3)), as a keyed hash.

    It outlives erasure on purpose: without it, the address could be added to
    marketing again. The hash cannot be turned back into the address without
    SECRET_KEY; it only answers "has this address objected?".
    """

    email_hash = models.CharField(
        max_length=64, unique=True, verbose_name=_("e-mail hash")
    )
    created_at = models.DateTimeField(
        default=timezone.now, verbose_name=_("created at")
    )

    class Meta:
        db_table = "privacy_marketingsuppression"  # made by privacy before the split
        verbose_name = _("marketing suppression")
        verbose_name_plural = _("marketing suppressions")

    def __str__(self) -> str:
        return f"Suppression {self.email_hash[:12]}"


class EmailOpen(models.Model):
    """That ``user`` opened the mail tagged ``tag`` (e.g. ``mailing:12``): the
    first open only, recorded only while the member's current
    ``EMAIL_TRACKING`` consent is a grant. No IP address, no user agent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_opens",
        verbose_name=_("member"),
    )
    tag = models.CharField(_("mail"), max_length=100)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail open")
        verbose_name_plural = _("e-mail opens")
        constraints = [
            models.UniqueConstraint(fields=["user", "tag"], name="email_open_once")
        ]
        indexes = [models.Index(fields=["tag"], name="email_open_tag")]

    def __str__(self) -> str:
        return f"{self.tag} ({self.user_id})"
