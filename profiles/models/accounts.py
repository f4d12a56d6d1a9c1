"""Accounts: the User model (the e-mail address is the login), who has staff
powers, and when an account's purpose ends (as SQL, for the purge)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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

    class Role(models.TextChoices):
        """Who the member said they are at sign-up: what the dashboard offers."""

        FREELANCER = "freelancer", _("Freelancer")
        COMPANY = "company", _("Company")

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    # Given at sign-up; a freelancer's profile starts with it (never with the
    # e-mail address's local part), a company member is shown by it.
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("I am"), max_length=12, choices=Role, blank=True)
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
