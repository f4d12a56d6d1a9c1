"""Freelancer profiles, their skills, former slugs and CV downloads."""

from django.conf import global_settings
from django.core.exceptions import ValidationError
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
from profiles.regions import Region, region_for_postal_code
from profiles.storage import (
    cv_upload_to,
    photo_upload_to,
    private_storage,
    thumb_upload_to,
)

#: ISO 639-1 languages a freelancer can work in: Django's own list (whose
#: names Django translates) less its regional variants.
LANGUAGE_CHOICES = sorted(
    ((code, name) for code, name in global_settings.LANGUAGES if len(code) == 2),
    key=lambda choice: choice[0],
)
LANGUAGE_CODES = frozenset(code for code, _name in LANGUAGE_CHOICES)
PORTFOLIO_LINKS_MAX = 5


def languages_validate(value) -> None:
    """A list of at most 20 distinct ISO 639-1 codes from LANGUAGE_CHOICES."""
    if (
        not isinstance(value, list)
        or len(value) > 20
        or any(code not in LANGUAGE_CODES for code in value)
    ):
        raise ValidationError(_("Choose languages from the list."), code="invalid")


def portfolio_links_validate(value) -> None:
    """A list of at most PORTFOLIO_LINKS_MAX {"title", "url"} with https URLs."""
    from django.core.validators import URLValidator

    if not isinstance(value, list):
        raise ValidationError(_("Enter a list of links."), code="invalid")
    if len(value) > PORTFOLIO_LINKS_MAX:
        raise ValidationError(
            _("List at most %(max)d links.") % {"max": PORTFOLIO_LINKS_MAX},
            code="too_many_links",
        )
    https = URLValidator(schemes=["https"])
    for item in value:
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise ValidationError(
                _("Each link has a title and an address."), code="invalid"
            )
        title, url = item["title"], item["url"]
        if not isinstance(title, str) or not title.strip() or len(title) > 100:
            raise ValidationError(
                _("Give each link a title of at most 100 characters."),
                code="invalid_title",
            )
        if not isinstance(url, str) or len(url) > 200:
            raise ValidationError(_("Enter a valid https:// address."), code="https")
        try:
            https(url)
        except ValidationError as exc:
            raise ValidationError(
                _("Enter a valid https:// address: %(url)s") % {"url": url[:200]},
                code="https",
            ) from exc


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

    class Availability(models.TextChoices):
        NOW = "now", _("Available now")
        FROM = "from", _("Available from a date")
        NOT = "not", _("Not available")

    class WorkMode(models.TextChoices):
        REMOTE = "remote", _("Remote")
        ONSITE = "onsite", _("On-site")
        HYBRID = "hybrid", _("Hybrid")

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
    # What clients filter on (issue 20): all optional, all public once published.
    availability = models.CharField(
        _("availability"), max_length=4, choices=Availability, blank=True
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    rate_min = models.PositiveIntegerField(
        _("hourly rate from (DKK)"), null=True, blank=True
    )
    rate_max = models.PositiveIntegerField(
        _("hourly rate up to (DKK)"), null=True, blank=True
    )
    # A JSON list of ISO 639-1 codes, not an ArrayField: `make run` uses
    # SQLite, which has no arrays.
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[languages_validate],
    )
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True
    )
    work_mode = models.CharField(
        _("work mode"), max_length=6, choices=WorkMode, blank=True
    )
    portfolio_links = models.JSONField(
        _("portfolio links"),
        default=list,
        blank=True,
        validators=[portfolio_links_validate],
    )
    # Derived from country and postal_code on every save (see ``save``): the
    # directory's region filter, published with the city.
    region = models.CharField(
        _("region"), max_length=12, choices=Region, blank=True, editable=False
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
            # The region filter reads published profiles only (the public rule
            # includes published_at IS NOT NULL), so the index holds only them.
            models.Index(
                fields=["region"],
                name="freelancer_region_idx",
                condition=models.Q(published_at__isnull=False),
            ),
            models.Index(
                fields=["availability", "available_from"],
                name="freelancer_availability_idx",
            ),
            # The directory's availability order walks it range by range
            # (``selectors.AvailabilityOrder``), public profiles only.
            models.Index(
                "availability",
                "available_from",
                models.F("published_at").desc(),
                "id",
                name="freelancer_avail_walk_idx",
                condition=models.Q(
                    published_at__isnull=False, restricted_at__isnull=True
                ),
            ),
            models.Index(fields=["rate_min", "rate_max"], name="freelancer_rate_idx"),
            # The photo view finds the profile a file belongs to.
            models.Index(fields=["photo"], name="freelancer_photo_idx"),
            models.Index(fields=["photo_thumbnail"], name="freelancer_thumb_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_min__isnull=True)
                | models.Q(rate_max__isnull=True)
                | models.Q(rate_min__lte=models.F("rate_max")),
                name="freelancer_rate_range",
            ),
            # The directory's availability order reads one index range per
            # value (``selectors.AvailabilityOrder``): a value outside the
            # choices, or a date without "from", would be in none of them.
            models.CheckConstraint(
                condition=models.Q(availability__in=["", "now", "from", "not"]),
                name="freelancer_availability_known",
            ),
            models.CheckConstraint(
                condition=models.Q(availability="from")
                | models.Q(available_from__isnull=True),
                name="freelancer_available_from_only_from",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if (
            self.rate_min is not None
            and self.rate_max is not None
            and self.rate_min > self.rate_max
        ):
            errors["rate_max"] = _("The highest rate must be at least the lowest rate.")
        if self.availability == self.Availability.FROM and not self.available_from:
            errors["available_from"] = _("Say from which date you are available.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # A stored copy of a pure function of two columns (kept so the filter
        # can use an index), not domain logic: every write path (services,
        # admin, factories, seed) keeps it right. ``QuerySet.update`` bypasses
        # it; the anonymisers clear region with postal_code.
        self.region = region_for_postal_code(
            country=str(self.country or ""), postal_code=self.postal_code
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"postal_code", "country"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "region"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("profiles:freelancer_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def language_names(self) -> list[str]:
        """The languages' names in the reader's language (Django translates them)."""
        from django.utils.translation import gettext

        names = dict(LANGUAGE_CHOICES)
        return [gettext(names[code]) for code in self.languages if code in names]

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
