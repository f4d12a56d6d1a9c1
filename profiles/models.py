from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from phonenumber_field.modelfields import PhoneNumberField

from core.fields import EncryptedTextField
from profiles.identifiers import cvr_validator, mask_cpr
from profiles.storage import (
    cv_upload_to,
    photo_upload_to,
    private_storage,
    thumb_upload_to,
)

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


#: an unused account is anonymised no earlier than this after the warning
#: e-mail was sent.
INACTIVITY_WARNING_NOTICE = timedelta(days=30)


def account_retention_ready(prefix: str = ""):
    """The retention condition of account data: ``condition(now) -> Q``.

    A closed account's data follows its period alone. An unused account's only
    once its warning e-mail was sent (after its last sign of life) at least
    INACTIVITY_WARNING_NOTICE before ``now``: never earlier than the 30 days
    the e-mail promises, whatever the purpose-end date says.
    """

    def condition(now) -> Q:
        sent = f"{prefix}inactivity_warning_sent_at"
        return Q(**{f"{prefix}closed_at__isnull": False}) | Q(
            **{
                f"{sent}__gte": account_last_active(prefix),
                f"{sent}__lte": now - INACTIVITY_WARNING_NOTICE,
            }
        )

    return condition


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


def user_has_staff_powers(user) -> bool:
    """May ``user`` use any permission at all (staff powers)?

    Only with a TOTP authenticator: staff and superusers without one are
    ordinary members everywhere (site, API, media, admin), because every
    permission check goes through ``User.has_perm`` below. Members hold no
    permissions, so for them this only decides that they still have none.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_second_factor_cache", None)
    if cached is None:
        cached = user.authenticator_set.filter(type="totp").exists()
        user._second_factor_cache = cached
    return cached


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
    # The language e-mails to this member go out in: the site's language when
    # they signed up, then whatever they last switched to.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("When the account was closed; retention counts from here."),
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )
    # The member said "keep my account" (the inactivity warning's link).
    activity_confirmed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("activity confirmed at")
    )
    inactivity_warned_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("inactivity warned at")
    )
    # Set once the warning e-mail went out: the 30 days count from here.
    inactivity_warning_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("inactivity warning sent at"),
    )

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

    # Every permission, a superuser's too, needs the second factor; see
    # user_has_staff_powers.
    def has_perm(self, perm, obj=None) -> bool:
        return user_has_staff_powers(self) and super().has_perm(perm, obj)

    def has_perms(self, perm_list, obj=None) -> bool:
        return user_has_staff_powers(self) and super().has_perms(perm_list, obj)

    def has_module_perms(self, app_label) -> bool:
        return user_has_staff_powers(self) and super().has_module_perms(app_label)


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


class Company(Address):
    """A company profile; its members browse freelancers and download CVs."""

    name = models.CharField(_("company name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    # NULL only once anonymised (unique, so a placeholder could not repeat).
    cvr = models.CharField(  # noqa: DJ001
        _("CVR number"),
        max_length=8,
        unique=True,
        null=True,
        validators=[cvr_validator],
    )
    website = HttpsURLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    logo = models.ImageField(
        _("logo"), upload_to=photo_upload_to, blank=True, max_length=200
    )
    logo_thumbnail = models.ImageField(
        upload_to=thumb_upload_to,
        blank=True,
        max_length=200,
        verbose_name=_("logo thumbnail"),
    )
    verified_at = models.DateTimeField(
        _("verified"),
        null=True,
        blank=True,
        help_text=_("Set by staff once the CVR and contact have been checked."),
    )
    members = models.ManyToManyField(
        User,
        through="CompanyMembership",
        related_name="companies",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised at")
    )

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
        Company,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("company"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="company_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        max_length=10, choices=Role, default=Role.MEMBER, verbose_name=_("role")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("company membership")
        verbose_name_plural = _("company memberships")
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
        Company,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("company"),
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        max_length=10,
        choices=CompanyMembership.Role,
        default=CompanyMembership.Role.MEMBER,
        verbose_name=_("role"),
    )
    # Only a hash of the token is stored; the token itself is only in the e-mail.
    token_hash = models.CharField(
        max_length=64, unique=True, verbose_name=_("token hash")
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    accepted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("accepted at")
    )
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        verbose_name = _("company invitation")
        verbose_name_plural = _("company invitations")

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


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only a SHA-512 digest of the key and its
    first 15 characters are stored, so neither a database copy nor an export
    ever holds a usable key.

    ``auth_hash`` ties the token to the password it was issued under (like a
    session's auth hash): after any password change, by any path, it no
    longer authenticates.
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True)
    auth_hash = models.CharField(max_length=128, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"API token {self.pk}"
