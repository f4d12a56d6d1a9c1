"""The compliance records: processors, processing activities, policy
versions and acknowledgements, breaches.

One module on purpose (~440 lines): it holds fields, constraints, choices,
``clean()`` and cheap properties only; the length is the translated field
labels and help texts the admin shows. The logic is in
``compliance.services`` and ``compliance.selectors``.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import TransferBasis
from privacy.registry import personal_data


class Processor(models.Model):
    """A data processor (Art. 28) or other recipient the platform shares data with.

    The privacy policy's sharing and transfer section and the record of
    processing activities are generated from these rows; a cookie vendor or
    tracker integration without a row fails ``manage.py check --database``.
    """

    class Service(models.TextChoices):
        HOSTING = "hosting", _("Hosting")
        IT_OPERATIONS = "it_operations", _("IT operations")
        SMS = "sms", _("SMS gateway")
        EMAIL = "email", _("E-mail delivery")
        BANK = "bank", _("Bank and payments")
        ANALYTICS = "analytics", _("Analytics")
        ADVERTISING = "advertising", _("Advertising")

    key = models.SlugField(
        _("key"),
        max_length=50,
        unique=True,
        help_text=_(
            "Stable id used by the code (e.g. 'google' for GA_MEASUREMENT_ID)."
        ),
    )
    vendor = models.CharField(
        _("vendor"),
        max_length=200,
        unique=True,
        help_text=_("As named on the cookie list, so cookies can be matched to it."),
    )
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    data_categories = models.TextField(_("data categories"))
    country = models.CharField(_("country of processing"), max_length=100)
    transfer_basis = models.CharField(
        _("transfer basis"),
        max_length=10,
        choices=TransferBasis.choices,
        default=TransferBasis.EEA,
    )
    transfer_assessment_date = models.DateField(
        _("transfer impact assessment"),
        null=True,
        blank=True,
        help_text=_("Required with standard contractual clauses."),
    )
    dpa_signed_on = models.DateField(_("DPA signed"), null=True, blank=True)
    link = models.URLField(_("link"), blank=True, help_text=_("Vendor's privacy page."))
    joint_controller = models.BooleanField(
        _("joint controller"),
        default=False,
        help_text=_(
            "The vendor decides with us why and how data is processed (Art. 26), "
            "e.g. Meta for the pixel."
        ),
    )
    joint_arrangement = models.TextField(
        _("joint-controller arrangement, in essence"),
        blank=True,
        help_text=_(
            "What each party is responsible for (Art. 26(2)); shown in the policy."
        ),
    )

    class Meta:
        db_table = "privacy_processor"  # made by privacy before the split
        ordering = ["service", "vendor"]
        verbose_name = _("processor")
        verbose_name_plural = _("processors")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(transfer_basis="scc")
                | models.Q(transfer_assessment_date__isnull=False),
                name="processor_scc_has_assessment",
            )
        ]

    def __str__(self) -> str:
        return self.vendor

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if (
            self.transfer_basis == TransferBasis.SCC
            and self.transfer_assessment_date is None
        ):
            errors["transfer_assessment_date"] = _(
                "Standard contractual clauses need the date of the "
                "transfer impact assessment."
            )
        if self.joint_controller and not (self.joint_arrangement or "").strip():
            errors["joint_arrangement"] = _(
                "A joint controller needs the essence of the arrangement (Art. 26(2))."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_transfer(self) -> bool:
        """Whether data leaves the EU/EEA (a Chapter V transfer)."""
        return self.transfer_basis != TransferBasis.EEA


class ProcessingActivity(models.Model):
    """One entry of the record of processing activities (GDPR Art. 30(1))."""

    class LegalBasis(models.TextChoices):
        CONSENT = "a", _("Consent (Art. 6(1)(a))")
        CONTRACT = "b", _("Contract (Art. 6(1)(b))")
        LEGAL_OBLIGATION = "c", _("Legal obligation (Art. 6(1)(c))")
        VITAL_INTERESTS = "d", _("Vital interests (Art. 6(1)(d))")
        PUBLIC_TASK = "e", _("Public task (Art. 6(1)(e))")
        LEGITIMATE_INTERESTS = "f", _("Legitimate interests (Art. 6(1)(f))")

    class Requirement(models.TextChoices):
        """Art. 13(2)(e): whether the data must be given, and why."""

        STATUTORY = "statutory", _("Required by law")
        CONTRACTUAL = "contractual", _("Required by our agreement with you")
        CONTRACT_PREREQUISITE = (
            "prerequisite",
            _("Required to enter into an agreement with us"),
        )
        VOLUNTARY = "voluntary", _("Voluntary")
        NOT_FROM_YOU = "not_from_you", _("Not asked of you")

    purpose = models.CharField(_("purpose"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=1, choices=LegalBasis.choices
    )
    special_basis = models.CharField(
        _("national or special-category basis"),
        max_length=200,
        blank=True,
        help_text=_(
            "E.g. Databeskyttelsesloven § 11 for CPR numbers; empty when none "
            "is needed."
        ),
    )
    requirement = models.CharField(
        _("must the data be given?"),
        max_length=20,
        choices=Requirement.choices,
        default=Requirement.VOLUNTARY,
    )
    requirement_consequence = models.TextField(
        _("if it is not given"),
        blank=True,
        help_text=_("What happens when the person does not give the data."),
    )
    source = models.TextField(
        _("source, when not the person"),
        blank=True,
        help_text=_(
            "Where data comes from when it is not collected from the person "
            "(Art. 14(2)(f)); empty when it is."
        ),
    )
    profiling = models.TextField(
        _("profiling or automated decisions"),
        blank=True,
        help_text=_(
            "Whether this is profiling or automated decision-making (Art. "
            "13(2)(f)), its logic and its consequences; empty when it is neither."
        ),
    )
    legal_basis_note = models.TextField(
        _("legal basis, explained"),
        blank=True,
        help_text=_("E.g. the legitimate interest, or the law that obliges us."),
    )
    data_subjects = models.CharField(_("data subjects"), max_length=200)
    data_categories = models.TextField(_("data categories"))
    recipients = models.ManyToManyField(
        Processor,
        blank=True,
        related_name="activities",
        verbose_name=_("recipients"),
    )
    other_recipients = models.TextField(
        _("other recipients"),
        blank=True,
        help_text=_(
            "Who else receives the data, as a controller of their own rather "
            "than our processor (Art. 13(1)(e), 30(1)(d)): e.g. the client "
            "company, or an authority on request."
        ),
    )
    retention_key = models.CharField(
        _("retention rule"),
        max_length=100,
        help_text=_(
            "Key of the retention rule (Retention policies) whose period the "
            "purge applies to this data."
        ),
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        db_table = "privacy_processingactivity"  # made by privacy before the split
        ordering = ["ordering", "purpose"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")

    def __str__(self) -> str:
        return self.purpose

    def clean(self) -> None:
        keys = {rule.key for rule in personal_data.retention_rules()}
        if self.retention_key and self.retention_key not in keys:
            raise ValidationError(
                {"retention_key": _("No retention rule has this key.")}
            )
        if (
            self.requirement
            in (
                self.Requirement.STATUTORY,
                self.Requirement.CONTRACTUAL,
                self.Requirement.CONTRACT_PREREQUISITE,
            )
            and not (self.requirement_consequence or "").strip()
        ):
            raise ValidationError(
                {
                    "requirement_consequence": _(
                        "Say what happens when the data is not given."
                    )
                }
            )


class PolicyVersion(models.Model):
    """One version of the privacy policy's editorial text.

    The rendered policy is this text plus sections generated from the records
    the code uses. Published versions are never edited (the admin makes them
    read-only), so the list of versions and their diffs is the history.
    """

    version = models.CharField(_("version"), max_length=32, unique=True)
    effective_date = models.DateField(_("effective date"))
    summary = models.TextField(_("summary of changes"), blank=True)
    significant = models.BooleanField(
        _("significant change"),
        default=False,
        help_text=_(
            "Members are told on every page until they acknowledge it, and "
            "by e-mail once."
        ),
    )
    intro = models.TextField(_("introduction"), blank=True)
    security = models.TextField(_("security"), blank=True)
    contact = models.TextField(_("contact"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The whole policy as published (editorial text and generated sections),
    # one per language (modeltranslation: rendered_en, rendered_da). Stored at
    # publication, so an earlier version reads as it was, whatever changed since.
    rendered = models.TextField(_("published text"), blank=True, editable=False)

    TEXT_BLOCKS = ("summary", "intro", "security", "contact")

    class Meta:
        db_table = "privacy_policyversion"  # made by privacy before the split
        ordering = ["-effective_date", "-published_at", "-pk"]
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")

    def __str__(self) -> str:
        return self.version

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PolicyAcknowledgement(models.Model):
    """A member and a significant policy version: when they were told by
    e-mail and when they acknowledged the notice. One row per pair, so the
    e-mail goes out once (``notified_at``) whatever the number of workers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="policy_acknowledgements",
        verbose_name=_("user"),
    )
    version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    notified_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        db_table = "privacy_policyacknowledgement"  # made by privacy before the split
        verbose_name = _("policy acknowledgement")
        verbose_name_plural = _("policy acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="policy_ack_user_version"
            )
        ]
        indexes = [
            models.Index(
                fields=["version", "notified_at"], name="policy_ack_notified_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.user_id}"


# --- Breach register (Art. 33) -------------------------------------------------


class Breach(models.Model):
    """A personal-data breach as documented under GDPR Art. 33(5).

    The authority must be told within 72 hours of discovery (Art. 33(1));
    ``breach_deadline_check`` reminds staff once, 48 hours in, while
    ``authority_notified_at`` is still empty (``reminder_sent_at``).
    """

    NOTIFY_WITHIN = timedelta(hours=72)
    REMIND_AFTER = timedelta(hours=48)

    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        help_text=_("Case number, e.g. B-2025-001 (also given to the authority)."),
    )
    discovered_at = models.DateTimeField(
        _("discovered at"),
        help_text=_(
            "When the platform became aware of the breach; the 72 hours run from here."
        ),
    )
    nature = models.TextField(
        _("nature of the breach"),
        help_text=_("What happened: confidentiality, integrity or availability."),
    )
    data_categories = models.TextField(_("categories of personal data"))
    subject_categories = models.TextField(_("categories of data subjects"))
    approx_subjects = models.PositiveIntegerField(
        _("approximate number of data subjects"), null=True, blank=True
    )
    approx_records = models.PositiveIntegerField(
        _("approximate number of records"), null=True, blank=True
    )
    likely_consequences = models.TextField(_("likely consequences"))
    measures_taken = models.TextField(
        _("measures taken or proposed"),
        help_text=_("To address the breach and mitigate its possible effects."),
    )
    authority_notified_at = models.DateTimeField(
        _("authority notified at"), null=True, blank=True
    )
    delay_reason = models.TextField(
        _("reasons for the delay"),
        blank=True,
        help_text=_("Required when the authority was notified after 72 hours."),
    )
    subjects_notified_at = models.DateTimeField(
        _("data subjects notified at"), null=True, blank=True
    )
    reminder_sent_at = models.DateTimeField(
        _("48-hour reminder sent"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        db_table = "privacy_breach"  # made by privacy before the split
        ordering = ["-discovered_at", "-pk"]
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("personal-data breaches")

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.discovered_at and self.discovered_at > timezone.now():
            errors["discovered_at"] = _("The discovery cannot be in the future.")
        for name in ("authority_notified_at", "subjects_notified_at"):
            moment = getattr(self, name)
            if moment and self.discovered_at and moment < self.discovered_at:
                errors[name] = _("This is before the breach was discovered.")
        if (
            self.discovered_at
            and self.authority_notified_at
            and self.authority_notified_at > self.notification_deadline
            and not self.delay_reason.strip()
        ):
            errors["delay_reason"] = _(
                "The authority was notified after 72 hours: give the reasons "
                "for the delay (Art. 33(1))."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def notification_deadline(self):
        return self.discovered_at + self.NOTIFY_WITHIN

    @property
    def is_overdue(self) -> bool:
        """72 hours have passed and the authority has not been notified."""
        return (
            self.authority_notified_at is None
            and timezone.now() > self.notification_deadline
        )
