"""A company's shortlist of freelancers, kept by its members."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models.accounts import User
from profiles.models.companies import Company
from profiles.models.freelancers import FreelancerProfile


class ShortlistEntry(models.Model):
    """A published freelancer a member put on their company's shortlist.

    Personal data about the freelancer and about the member who added it
    (``profiles.personal_data``): deleted 12 months after it was (last)
    added, and at once when the freelancer's account closes or is erased, the
    member is erased, or the company closes.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="shortlist_entries",
        verbose_name=_("company"),
    )
    profile = models.ForeignKey(
        FreelancerProfile,
        on_delete=models.CASCADE,
        related_name="shortlist_entries",
        verbose_name=_("freelancer"),
    )
    added_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    # Moved on when a member adds the freelancer again: retention counts from it.
    added_at = models.DateTimeField(_("added at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "profile"], name="shortlist_company_profile_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} on the shortlist of {self.company_id}"
