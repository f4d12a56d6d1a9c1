"""Freelancer profiles, their skills, former slugs and CV downloads."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.fields import EncryptedTextField
from profiles.identifiers import cvr_validator, mask_cpr
from profiles.models.accounts import User
from profiles.models.base import Address, HttpsURLField
from profiles.models.companies import Company
from profiles.storage import (
    cv_upload_to,
    photo_upload_to,
    private_storage,
    thumb_upload_to,
)


class Skill(models.Model):
    """A competence freelancers list and clients search by."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=70, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class FreelancerProfile(Address):
    """A freelancer's profile: private until its owner publishes it."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="freelancer_profile",
        verbose_name=_("user"),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = PhoneNumberField(_("phone"), blank=True)
    company_name = models.CharField(_("company name"), max_length=150, blank=True)
    website = HttpsURLField(_("website"), blank=True)
    cvr = models.CharField(
        _("CVR number"), max_length=8, blank=True, validators=[cvr_validator]
    )
    # Encrypted at rest; cpr_hash (keyed HMAC) finds profiles holding the same
    # number. Not unique: a uniqueness error would tell a member that someone
    # else registered a number (an oracle); both profiles are flagged instead.
    cpr = EncryptedTextField(_("CPR number"), blank=True, null=True)
    cpr_hash = models.CharField(  # noqa: DJ001 (NULL: no number, as before)
        max_length=64,
        blank=True,
        null=True,
        db_index=True,
        verbose_name=_("CPR lookup hash"),
    )
    cpr_review_at = models.DateTimeField(
        _("CPR to review"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The CPR number is also registered on another profile."),
    )
    headline = models.CharField(_("headline"), max_length=150, blank=True)
    bio = models.TextField(_("about"), blank=True, max_length=5000)
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="freelancers", verbose_name=_("skills")
    )
    photo = models.ImageField(
        _("profile photo"), upload_to=photo_upload_to, blank=True, max_length=200
    )
    photo_thumbnail = models.ImageField(
        upload_to=thumb_upload_to,
        blank=True,
        max_length=200,
        verbose_name=_("photo thumbnail"),
    )
    cv = models.FileField(
        _("CV"),
        upload_to=cv_upload_to,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    cv_content_type = models.CharField(
        max_length=100, blank=True, verbose_name=_("CV file type")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    restricted_at = models.DateTimeField(
        _("restricted"),
        null=True,
        blank=True,
        help_text=_("Processing restricted (GDPR Art. 18): hidden from everyone."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

    class Meta:
        verbose_name = _("freelancer profile")
        verbose_name_plural = _("freelancer profiles")
        permissions = [
            ("reveal_cpr", "Can reveal CPR numbers (audited)"),
            ("download_any_cv", "Can download any freelancer's CV (audited)"),
        ]
        indexes = [
            models.Index(
                fields=["published_at"],
                name="freelancer_published_idx",
                condition=models.Q(published_at__isnull=False),
            ),
            models.Index(fields=["city"], name="freelancer_city_idx"),
            # The photo view finds the profile a file belongs to.
            models.Index(fields=["photo"], name="freelancer_photo_idx"),
            models.Index(fields=["photo_thumbnail"], name="freelancer_thumb_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("profiles:freelancer_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def cpr_masked(self) -> str:
        return mask_cpr(self.cpr) if self.cpr else ""


class FreelancerSlugHistory(models.Model):
    """A slug a profile had before its name changed: the old URL redirects."""

    profile = models.ForeignKey(
        FreelancerProfile, on_delete=models.CASCADE, related_name="old_slugs"
    )
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("former profile address")
        verbose_name_plural = _("former profile addresses")

    def __str__(self) -> str:
        return self.slug


class CvDownload(models.Model):
    """A company received a freelancer's CV: a recipient (GDPR Art. 15, 19)."""

    profile = models.ForeignKey(
        FreelancerProfile,
        on_delete=models.CASCADE,
        related_name="cv_downloads",
        verbose_name=_("profile"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        related_name="cv_downloads",
        verbose_name=_("company"),
    )
    company_name = models.CharField(max_length=150, verbose_name=_("company name"))
    downloaded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("downloaded by"),
    )
    downloaded_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("downloaded at")
    )

    class Meta:
        verbose_name = _("CV download")
        verbose_name_plural = _("CV downloads")
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.company_name} downloaded a CV"
