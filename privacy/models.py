from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import export_storage, export_upload_to


class AuditEvent(models.Model):
    """Who did what to whose personal data, and when. Append-only.

    ``details`` holds ids and field names only, never personal data itself.
    """

    at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("time")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("subject"),
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(
        max_length=100, blank=True, verbose_name=_("target type")
    )
    target_id = models.CharField(max_length=64, blank=True, verbose_name=_("target id"))
    details = models.JSONField(default=dict, blank=True, verbose_name=_("details"))

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject", "-at"], name="audit_subject_at_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


class RetentionPolicy(models.Model):
    """The admin-tunable mirror of one retention rule of the registry.

    Rows are created from the registry (never by hand) and never deleted: a
    rule is switched off with ``enabled``, not removed.
    """

    key = models.CharField(max_length=100, unique=True, verbose_name=_("key"))
    model_label = models.CharField(max_length=100, verbose_name=_("model"))
    action = models.CharField(max_length=20, verbose_name=_("action"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    default_period_days = models.PositiveIntegerField(
        verbose_name=_("default period days")
    )
    period_days = models.PositiveIntegerField(
        _("period (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Days after the purpose ended before the action is taken."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["key"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return self.key


class LegalHold(models.Model):
    """Keep data the purge would otherwise remove (litigation, authority request).

    Either a whole subject (``subject``) or one row (``content_type`` and
    ``object_id``) is held, until ``until`` or until released.
    """

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_holds",
        verbose_name=_("subject"),
    )
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("content type"),
    )
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object id"))
    reason = models.TextField(_("reason"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    released_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("released at")
    )

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__isnull=False)
                | (models.Q(content_type__isnull=False) & ~models.Q(object_id="")),
                name="legalhold_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk}"


class PurgeRun(models.Model):
    """One run of the retention purge. Counts only, never personal data."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("started at")
    )
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("finished at")
    )
    dry_run = models.BooleanField(default=False, verbose_name=_("dry run"))
    triggered_by = models.CharField(
        max_length=30, default="command", verbose_name=_("triggered by")
    )
    status = models.CharField(
        max_length=10, choices=Status, default=Status.RUNNING, verbose_name=_("status")
    )
    # "<host>:<pid>" of the process doing the run, and its last sign of life
    # (every batch): a run whose process is gone is marked failed by the next one.
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")

    def __str__(self) -> str:
        return f"Purge {self.started_at:%Y-%m-%d %H:%M}"


class PurgeRunRule(models.Model):
    run = models.ForeignKey(
        PurgeRun, on_delete=models.CASCADE, related_name="rules", verbose_name=_("run")
    )
    rule_key = models.CharField(max_length=100, verbose_name=_("rule"))
    model_label = models.CharField(max_length=100, verbose_name=_("model"))
    action = models.CharField(max_length=20, verbose_name=_("action"))
    matched = models.PositiveIntegerField(default=0, verbose_name=_("matched"))
    anonymised = models.PositiveIntegerField(default=0, verbose_name=_("anonymised"))
    deleted = models.PositiveIntegerField(default=0, verbose_name=_("deleted"))
    skipped_hold = models.PositiveIntegerField(
        default=0, verbose_name=_("skipped (legal hold)")
    )
    errors = models.PositiveIntegerField(default=0, verbose_name=_("errors"))
    error_message = models.TextField(blank=True, verbose_name=_("error message"))

    class Meta:
        ordering = ["rule_key"]

    def __str__(self) -> str:
        return self.rule_key


class SessionOwner(models.Model):
    """Whose a session is: written by the session store (``privacy.sessions``)
    whenever a session's key or user changes, so erasure finds and deletes a
    member's sessions with one indexed query instead of decoding every session.
    The row goes with its session (cascade)."""

    session = models.OneToOneField(
        "sessions.Session",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="owner",
        db_constraint=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class FileDeletion(models.Model):
    """A stored file to delete: the outbox of durable file deletion.

    Written in the transaction that stops referencing the file (erasure, a
    purge batch, a replaced photo), so a crash after the commit cannot leave
    the file behind; ``privacy.files`` deletes the file and then the row.
    """

    #: "default" or the import path of a deconstructible storage class.
    storage = models.CharField(_("storage"), max_length=200)
    name = models.CharField(_("file name"), max_length=500)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pending file deletion")
        verbose_name_plural = _("pending file deletions")

    def __str__(self) -> str:
        return self.name


# --- Data-subject requests --------------------------------------------------


class DataSubjectRequest(models.Model):
    """A request under GDPR Art. 15-22, from receipt to completion or rejection.

    Changed only through ``privacy.dsr`` (every step is an audit event whose
    target is this row). ``email`` is where replies go; erasure replaces it.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to my data")
        RECTIFICATION = "rectification", _("Correct my data")
        ERASURE = "erasure", _("Delete my data")
        RESTRICTION = "restriction", _("Restrict (block) the use of my data")
        PORTABILITY = "portability", _("Move my data (machine-readable copy)")
        OBJECTION = "objection", _("Object to marketing")
        CONSENT_WITHDRAWAL = "consent_withdrawal", _("Withdraw all my consents")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VERIFIED = "verified", _("Verified")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATUSES = (Status.RECEIVED, Status.VERIFIED, Status.IN_PROGRESS)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_subject_requests",
        verbose_name=_("subject"),
    )
    email = models.EmailField(_("reply e-mail"), max_length=254)
    # The language of the form the request came from: replies use it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    details = models.TextField(_("details"), blank=True, max_length=5000)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    extended_due_at = models.DateTimeField(_("extended due"), null=True, blank=True)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    verification_method = models.CharField(
        max_length=10, blank=True, verbose_name=_("verification method")
    )
    # Only a hash of the e-mailed token is stored; it is single-use.
    token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, verbose_name=_("token hash")
    )
    token_expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("token expires at")
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    #: [{"model", "key", "reason", "rows"}] of rows an erasure kept by law.
    legal_exceptions = models.JSONField(
        default=list, blank=True, verbose_name=_("legal exceptions")
    )
    #: [{"name", "since", "notified"}] recipients told of the change (Art. 19).
    recipients_notified = models.JSONField(
        default=list, blank=True, verbose_name=_("recipients notified")
    )
    restriction_applied_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("restriction applied at")
    )
    restriction_lift_notified_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("restriction lift notified at")
    )
    restriction_lifted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("restriction lifted at")
    )
    erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("erased at"))
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        permissions = [
            (
                "process_datasubjectrequest",
                "Can verify, start, extend, complete and reject data-subject requests",
            ),
            ("execute_erasure", "Can execute erasure requests"),
            ("apply_restriction", "Can apply and lift restrictions of processing"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="dsr_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("privacy:request_detail", kwargs={"pk": self.pk})

    @property
    def effective_due_at(self):
        return self.extended_due_at or self.due_at

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def days_left(self) -> int:
        return (timezone.localdate(self.effective_due_at) - timezone.localdate()).days


class ExportArchive(models.Model):
    """The ZIP built for an access or portability request (private storage)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    request = models.OneToOneField(
        DataSubjectRequest,
        on_delete=models.CASCADE,
        related_name="export",
        verbose_name=_("request"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_archives",
        verbose_name=_("subject"),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        verbose_name=_("status"),
    )
    progress = models.PositiveSmallIntegerField(default=0, verbose_name=_("progress"))
    file = models.FileField(
        upload_to=export_upload_to,
        storage=export_storage,
        blank=True,
        max_length=200,
        verbose_name=_("file"),
    )
    size = models.PositiveBigIntegerField(default=0, verbose_name=_("size"))
    # Hash of the token in the e-mailed download link.
    token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, verbose_name=_("token hash")
    )
    created_at = models.DateTimeField(
        default=timezone.now, verbose_name=_("created at")
    )
    started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("started at")
    )
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("finished at")
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("expires at")
    )
    error = models.CharField(max_length=100, blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("export archive")
        verbose_name_plural = _("export archives")

    def __str__(self) -> str:
        return f"Export for request #{self.request_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and bool(self.file)
            and not (self.is_expired)
        )


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
        verbose_name = _("marketing suppression")
        verbose_name_plural = _("marketing suppressions")

    def __str__(self) -> str:
        return f"Suppression {self.email_hash[:12]}"


# --- The privacy policy as a product ------------------------------------------


class TransferBasis(models.TextChoices):
    """Why personal data may go to a recipient (GDPR Chapter V)."""

    EEA = "eea", _("Within the EU/EEA (no transfer)")
    ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
    DPF = "dpf", _("EU-US Data Privacy Framework (adequacy decision, Art. 45)")
    SCC = "scc", _("Standard contractual clauses 2021/914 (Art. 46(2)(c))")


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
        ordering = ["ordering", "purpose"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")

    def __str__(self) -> str:
        return self.purpose

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .retention import retention_rules

        keys = {rule.key for rule in retention_rules()}
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
