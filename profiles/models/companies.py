"""Company pages, their members and invitations."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from profiles.identifiers import cvr_validator
from profiles.models.accounts import User
from profiles.models.base import Address, HttpsURLField
from profiles.storage import photo_upload_to, thumb_upload_to


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
    # The member chose to be shown (by name and role) on the company's page.
    show_on_page = models.BooleanField(_("show me on the company page"), default=False)
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
