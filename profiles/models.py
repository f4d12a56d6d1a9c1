from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from privacy.fields import EncryptedTextField

from .identifiers import cvr_validator, mask_cpr
from .storage import cv_upload_to, photo_upload_to, private_storage, thumb_upload_to

#: An account unused this long has served its purpose (like a closed one): the
#: retention period runs from then, after a warning e-mail.
ACCOUNT_INACTIVITY = timedelta(days=730)


def account_last_active(prefix: str = "") -> Combinable:
    """An account's last sign of life, as SQL: login, "keep my account" or joining.

    ``prefix`` is the ORM path to the user, e.g. "user__".
    """

    def f(name: str) -> F:
        return F(f"{prefix}{name}")

    return Greatest(
        Coalesce(f("last_login"), f("date_joined")),
        Coalesce(f("activity_confirmed_at"), f("date_joined")),
    )


def account_purpose_ended(prefix: str = "") -> Combinable:
    """When an account's purpose ended, as SQL: its closing or, failing that,
    ACCOUNT_INACTIVITY after its last sign of life."""
    return Coalesce(
        F(f"{prefix}closed_at"),
        ExpressionWrapper(
            account_last_active(prefix) + Value(ACCOUNT_INACTIVITY),
            output_field=models.DateTimeField(),
        ),
    )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser needs is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. The e-mail address is the login; there is no username."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("When the account was closed; retention counts from here."),
    )
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The member said "keep my account" (the inactivity warning's link).
    activity_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    inactivity_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


COUNTRY_CODE = RegexValidator(
    r"^[A-Z]{2}$", _("Use a two-letter ISO country code, e.g. DK.")
)


class HttpsURLField(models.URLField):
    """A URL field whose forms (site and admin) assume https:// when none is given.

    Django 6.0 makes that the default; saying it here keeps 5.2 warning-free.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


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


class Address(models.Model):
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, default="DK", validators=[COUNTRY_CODE]
    )

    class Meta:
        abstract = True


class FreelancerProfile(Address):
    """A freelancer's profile: private until its owner publishes it."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="freelancer_profile"
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = PhoneNumberField(_("phone"), blank=True)
    company_name = models.CharField(_("company name"), max_length=150, blank=True)
    website = HttpsURLField(_("website"), blank=True)
    cvr = models.CharField(
        _("CVR number"), max_length=8, blank=True, validators=[cvr_validator]
    )
    # Encrypted at rest; cpr_hash (keyed HMAC) gives uniqueness and lookup.
    cpr = EncryptedTextField(_("CPR number"), blank=True, null=True)
    cpr_hash = models.CharField(max_length=64, blank=True, null=True, unique=True)
    headline = models.CharField(_("headline"), max_length=150, blank=True)
    bio = models.TextField(_("about"), blank=True, max_length=5000)
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="freelancers", verbose_name=_("skills")
    )
    photo = models.ImageField(
        _("profile photo"), upload_to=photo_upload_to, blank=True, max_length=200
    )
    photo_thumbnail = models.ImageField(
        upload_to=thumb_upload_to, blank=True, max_length=200
    )
    cv = models.FileField(
        _("CV"),
        upload_to=cv_upload_to,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    cv_content_type = models.CharField(max_length=100, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    restricted_at = models.DateTimeField(
        _("restricted"),
        null=True,
        blank=True,
        help_text=_("Processing restricted (GDPR Art. 18): hidden from everyone."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

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


class Company(Address):
    """A company profile; its members browse freelancers and download CVs."""

    name = models.CharField(_("company name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    cvr = models.CharField(
        _("CVR number"), max_length=8, unique=True, validators=[cvr_validator]
    )
    website = HttpsURLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    logo = models.ImageField(
        _("logo"), upload_to=photo_upload_to, blank=True, max_length=200
    )
    logo_thumbnail = models.ImageField(
        upload_to=thumb_upload_to, blank=True, max_length=200
    )
    verified_at = models.DateTimeField(
        _("verified"),
        null=True,
        blank=True,
        help_text=_("Set by staff once the CVR and contact have been checked."),
    )
    members = models.ManyToManyField(
        User, through="CompanyMembership", related_name="companies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("profiles:company_detail", kwargs={"slug": self.slug})

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class CompanyMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="company_memberships"
    )
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user"], name="membership_company_user_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.company} ({self.role})"


class CompanyInvitation(models.Model):
    """An owner's invitation, sent by e-mail; the link carries a random token."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        max_length=10,
        choices=CompanyMembership.Role,
        default=CompanyMembership.Role.MEMBER,
    )
    # Only a hash of the token is stored; the token itself is only in the e-mail.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Invitation to {self.company}"


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
        FreelancerProfile, on_delete=models.CASCADE, related_name="cv_downloads"
    )
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, related_name="cv_downloads"
    )
    company_name = models.CharField(max_length=150)
    downloaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    downloaded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.company_name} downloaded a CV"
