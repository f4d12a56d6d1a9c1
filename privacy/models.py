"""The spine's tables: audit events, retention policies and purge runs,
legal holds, session owners, data-subject requests and their export archives.

One module on purpose (~430 lines): it holds fields, constraints, choices and
cheap properties only (the logic is in services, selectors, retention and
privacy.requests), and Django finds an app's models here. Split by topic, it
would scatter one app's schema, and its migrations, over modules that each
hold a class or two.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import export_storage, export_upload_to


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
        # The least is 1 day, or 0 for a rule that defaults to 0 (``clean``).
        validators=[MaxValueValidator(3650)],
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

    def clean(self) -> None:
        # At least a day, so nothing goes the moment its purpose ends. A rule
        # whose purpose end is already the day its rows may go (a bookkeeping
        # record's ``retain_until``) defaults to 0 and may stay there.
        if (
            self.period_days is not None
            and self.period_days < 1
            and self.default_period_days != 0
        ):
            minimum = MinValueValidator(1)
            raise ValidationError(
                {
                    "period_days": ValidationError(
                        minimum.message, code=minimum.code, params={"limit_value": 1}
                    )
                }
            )


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


class TransferBasis(models.TextChoices):
    """Why personal data may go to a recipient (GDPR Chapter V)."""

    EEA = "eea", _("Within the EU/EEA (no transfer)")
    ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
    DPF = "dpf", _("EU-US Data Privacy Framework (adequacy decision, Art. 45)")
    SCC = "scc", _("Standard contractual clauses 2021/914 (Art. 46(2)(c))")


# --- Data-subject requests (their workflow: privacy.requests) ------------------


class DataSubjectRequest(models.Model):
    """A request under GDPR Art. 15-22, from receipt to completion or rejection.

    Changed only through ``privacy.requests.services`` (every step is an audit
    event whose target is this row). ``email`` is where replies go; erasure replaces it.
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

    class Flag(models.TextChoices):
        VOLUME = "volume", _("Many export requests in a short time")

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
    #: why staff must look before the request is answered (empty: it is
    #: answered without staff, e.g. a member's own export). Not personal data.
    flagged_reason = models.CharField(
        _("flagged for staff"), max_length=20, choices=Flag.choices, blank=True
    )
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
