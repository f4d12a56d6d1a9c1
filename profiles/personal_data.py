from functools import partial

from allauth.account.models import EmailAddress, EmailConfirmation
from django.db import transaction
from django.db.models import Min, Q
from django.utils.translation import gettext_lazy as _

from privacy.registry import (
    Action,
    Anonymise,
    Event,
    Export,
    PersonalData,
    PersonalField,
    Recipient,
    Retention,
    personal_data,
)
from profiles.directory import profile_cache_forget
from profiles.models import (
    ApiToken,
    Company,
    CompanyInvitation,
    CompanyMembership,
    CvDownload,
    FreelancerProfile,
    FreelancerSlugHistory,
    ShortlistEntry,
    Skill,
    User,
    account_purpose_ended,
    account_retention_ready,
)
from profiles.services import (
    account_close,
    companies_close_memberless,
    shortlist_entries_delete_gone,
)


@personal_data.register(User)
class UserData(PersonalData):
    description = _(
        "Your account: e-mail address (your login), your name and whether you "
        "signed up as a freelancer or a company, when you joined, when you "
        "last logged in, and your password (stored only as a hash)."
    )
    subject = ""
    fields = {
        "email": Anonymise.unique_email(),
        "name": Anonymise.text(""),
        "role": Anonymise.keep(),
        # "!" marks an unusable password: nobody can log in as the anonymised user.
        "password": Anonymise.text("!"),
        "last_login": Anonymise.null(),
        "date_joined": Anonymise.month(),
        "closed_at": Anonymise.keep(),
        "inactivity_warning_sent_at": Anonymise.keep(),
        "is_active": Anonymise.fixed(False),
    }
    export_exclude = ("password",)
    retention = Retention(
        key="profiles.user.closed",
        purpose_ended=account_purpose_ended(),
        condition=account_retention_ready(),
        action=Action.ANONYMISE,
        description=_(
            "Accounts are anonymised 12 months after they are closed, or "
            "after 2 years without use (with a warning e-mail 30 days before)."
        ),
    )


@personal_data.register(EmailAddress)
class EmailAddressData(PersonalData):
    description = _("Your e-mail addresses and whether you have verified them.")
    subject = "user"
    fields = {
        "email": Anonymise.unique_email(),
        "verified": Anonymise.keep(),
        "primary": Anonymise.keep(),
    }
    retention = Retention(
        key="profiles.emailaddress.closed",
        purpose_ended=account_purpose_ended("user__"),
        condition=account_retention_ready("user__"),
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the account is closed or unused for 2 years."
        ),
    )


@personal_data.register(EmailConfirmation)
class EmailConfirmationData(PersonalData):
    description = _("Pending e-mail verification links (only when they are stored).")
    subject = "email_address__user"
    fields = {"created": Anonymise.keep(), "sent": Anonymise.keep()}
    retention = Retention(
        key="profiles.emailconfirmation.sent",
        purpose_ended="created",
        action=Action.DELETE,
        description=_(
            "Verification links expire after 3 days; the rows go within 12 months."
        ),
    )


@personal_data.register(FreelancerProfile)
class FreelancerProfileData(PersonalData):
    description = _(
        "Your freelancer profile: name, contact details, address, website, CVR "
        "and (if you gave it) CPR number, headline, skills, about text, photo, CV, "
        "availability, hourly rate range, languages, years of experience, work "
        "mode and portfolio links."
    )
    subject = "user"
    fields = {
        "slug": Anonymise.unique_text("deleted-"),
        "full_name": Anonymise.text("Deleted user"),
        "phone": Anonymise.text(""),
        "company_name": Anonymise.text(""),
        "street": Anonymise.text(""),
        "postal_code": Anonymise.text(""),
        "city": Anonymise.text(""),
        # Derived from postal_code (profiles.regions): cleared with it.
        "region": Anonymise.text(""),
        "website": Anonymise.text(""),
        "cvr": Anonymise.text(""),
        "cpr": Anonymise.null(),
        "cpr_hash": Anonymise.null(),
        "headline": Anonymise.text(""),
        "bio": Anonymise.text(""),
        "photo": Anonymise.delete_file(),
        "photo_thumbnail": Anonymise.delete_file(),
        "cv": Anonymise.delete_file(),
        "published_at": Anonymise.null(),
        "created_at": Anonymise.month(),
        "availability": Anonymise.text(""),
        "available_from": Anonymise.null(),
        "rate_min": Anonymise.null(),
        "rate_max": Anonymise.null(),
        "languages": Anonymise.fixed([]),
        "years_experience": Anonymise.null(),
        "work_mode": Anonymise.text(""),
        "portfolio_links": Anonymise.fixed([]),
        "skills": PersonalField(
            name="skills",
            anonymise=Anonymise.keep(),
            export=Export.using(lambda p: [s.name for s in p.skills.all()]),
        ),
    }
    export_exclude = ("cpr_hash", "photo_thumbnail")
    retention = Retention(
        key="profiles.freelancer.closed",
        purpose_ended=account_purpose_ended("user__"),
        condition=account_retention_ready("user__"),
        action=Action.ANONYMISE,
        description=_(
            "Anonymised 12 months after the account is closed or unused for 2 years."
        ),
    )


@personal_data.register(Company)
class CompanyData(PersonalData):
    description = _(
        "Company profiles you are a member of: name, CVR, address, contact "
        "e-mail and phone, website, description, logo."
    )
    subject = "members"
    # The page belongs to the company: one member's erasure leaves it to the
    # others (their membership row goes); a sole member's erasure clears it.
    shared = True
    # A company is often one person (its name, CVR and address are theirs), so
    # all of it is personal. It closes when its last member goes (account
    # closed, erased or purged: ``companies_close_memberless``).
    fields = {
        "name": Anonymise.text("Closed company"),
        "slug": Anonymise.unique_text("closed-"),
        "cvr": Anonymise.null(),
        "website": Anonymise.text(""),
        "description": Anonymise.text(""),
        "street": Anonymise.text(""),
        "postal_code": Anonymise.text(""),
        "city": Anonymise.text(""),
        "contact_email": Anonymise.text(""),
        "phone": Anonymise.text(""),
        "logo": Anonymise.delete_file(),
        "logo_thumbnail": Anonymise.delete_file(),
        "created_at": Anonymise.month(),
        "closed_at": Anonymise.keep(),
    }
    export_exclude = ("logo_thumbnail",)
    retention = Retention(
        key="profiles.company.closed",
        purpose_ended="closed_at",
        action=Action.ANONYMISE,
        description=_(
            "A company closes when its last member leaves (account closed or "
            "erased); its profile is anonymised 12 months later (at once when its "
            "only member is erased)."
        ),
    )


@personal_data.register(FreelancerSlugHistory)
class FreelancerSlugHistoryData(PersonalData):
    description = _(
        "Former addresses of your public profile (they follow your name), kept "
        "so old links still lead to it."
    )
    subject = "profile__user"
    fields = {"slug": Anonymise.unique_text("deleted-"), "created_at": Anonymise.keep()}
    retention = Retention(
        key="profiles.freelancer_slug.closed",
        purpose_ended=account_purpose_ended("profile__user__"),
        condition=account_retention_ready("profile__user__"),
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the account is closed or unused for 2 years."
        ),
    )


@personal_data.register(CompanyMembership)
class CompanyMembershipData(PersonalData):
    description = _(
        "Which companies you belong to, your role there, and whether you chose "
        "to be shown on the company's page."
    )
    subject = "user"
    fields = {
        "role": Anonymise.keep(),
        "show_on_page": Anonymise.fixed(False),
        "created_at": Anonymise.keep(),
    }
    retention = Retention(
        key="profiles.membership.closed",
        purpose_ended=account_purpose_ended("user__"),
        condition=account_retention_ready("user__"),
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the account is closed or unused for 2 years."
        ),
    )


@personal_data.register(CompanyInvitation)
class CompanyInvitationData(PersonalData):
    description = _("Invitations to join a company that were sent to you.")
    subject = "accepted_by"
    fields = {
        "email": Anonymise.unique_email(),
        "created_at": Anonymise.keep(),
        "accepted_at": Anonymise.keep(),
    }
    retention = Retention(
        key="profiles.invitation.expired",
        purpose_ended="expires_at",
        action=Action.DELETE,
        description=_("Deleted 12 months after the invitation expires."),
    )

    def subject_q(self, user) -> Q:
        """Accepted invitations by who accepted them; pending ones by the
        address they were sent to (the person has not answered yet, but the
        invitation is about them: access and erasure must reach it)."""
        return Q(accepted_by=user) | Q(
            accepted_by__isnull=True, email__iexact=user.email
        )


@personal_data.register(CvDownload)
class CvDownloadData(PersonalData):
    description = _(
        "Recipients of your data: which companies downloaded your CV, and when."
    )
    subject = "profile__user"
    fields = {"company_name": Anonymise.keep(), "downloaded_at": Anonymise.keep()}
    retention = Retention(
        key="profiles.cvdownload.aged",
        purpose_ended="downloaded_at",
        action=Action.DELETE,
        description=_("Deleted 12 months after the download."),
    )


@personal_data.register(ShortlistEntry)
class ShortlistEntryData(PersonalData):
    description = _(
        "Shortlists: freelancers you put on your company's shortlist, and "
        "companies that put your profile on theirs, and when."
    )
    # About two people: the member who added the entry (``added_by``) and the
    # freelancer it names. Both get it in their export.
    subject = "added_by"
    fields = {
        "company": PersonalField(
            name="company",
            anonymise=Anonymise.keep(),
            export=Export.using(lambda entry: entry.company.name),
        ),
        "profile": PersonalField(
            name="profile",
            anonymise=Anonymise.keep(),
            export=Export.using(lambda entry: entry.profile.full_name),
        ),
        "added_at": Anonymise.keep(),
    }
    retention = Retention(
        key="profiles.shortlist.added",
        purpose_ended="added_at",
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the freelancer was last added, and at once "
            "when the freelancer's account closes or is erased, the member who "
            "added it is erased, or the company closes."
        ),
    )

    def subject_q(self, user) -> Q:
        return Q(added_by=user) | Q(profile__user=user)

    # Erasure (action DELETE) deletes every entry about the subject or added
    # by them; the entries of a company that closes with them went before,
    # with the account (the ERASE handler ``account_close``).


personal_data.exempt(Skill, reason="Names of competences, shared by many profiles.")


@personal_data.register(ApiToken)
class ApiTokenData(PersonalData):
    description = _(
        "Your API tokens: that each exists and when it was created, last used and "
        "expires. Never the key: only a digest of it is stored, and that is not "
        "exported either."
    )
    subject = "user"
    # digest, token_key and auth_hash are deleted with the row, never exported.
    fields = {
        "created": Anonymise.keep(),
        "last_used_at": Anonymise.keep(),
        "expiry": Anonymise.keep(),
    }
    retention = Retention(
        key="profiles.apitoken.closed",
        purpose_ended=account_purpose_ended("user__"),
        condition=account_retention_ready("user__"),
        action=Action.DELETE,
        description=_(
            "Deleted at once on erasure, and 12 months after the account is closed "
            "or unused for 2 years."
        ),
    )


# --- Hooks for data-subject requests (privacy never imports profiles) ---------

FreelancerProfileData.restriction_field = "restricted_at"


@personal_data.on(Event.ERASE)
def _close_account_on_erasure(*, user, actor) -> None:
    """Erasure closes the account first (unpublished, no logins)."""
    account_close(user=user, actor=actor)


@personal_data.on(Event.ERASE)
def _forget_cached_pages_on_erasure(*, user, actor) -> None:
    """The rendered card and page of the profile leave the cache with it."""
    for pk, updated_at in FreelancerProfile.objects.filter(user=user).values_list(
        "pk", "updated_at"
    ):
        profile_cache_forget(pk=pk, updated_at=updated_at)
        transaction.on_commit(
            partial(profile_cache_forget, pk=pk, updated_at=updated_at)
        )


@personal_data.after_purge_batch
def _close_memberless_companies(*, model, now) -> None:
    """A purge batch that anonymised accounts or deleted memberships may have
    removed a company's last member: close it in the same transaction."""
    if model in (User, CompanyMembership):
        companies_close_memberless(now=now)


@personal_data.after_purge_batch
def _delete_gone_shortlist_entries(*, model, now) -> None:
    """A batch that anonymised profiles or accounts, or closed companies (the
    handler above), leaves entries whose purpose ended: delete them too."""
    if model in (User, FreelancerProfile, CompanyMembership, Company):
        shortlist_entries_delete_gone()


@personal_data.recipients_provider
def _cv_recipients(user) -> list[Recipient]:
    """Companies that downloaded the member's CV (GDPR Art. 15(1)(c), 19).

    One row per company with its first download, grouped in SQL: a member's
    download log can hold many thousands of rows, and the export must not
    load them all to keep the first of each.
    """
    first: dict[object, dict] = {}
    grouped = (
        CvDownload.objects.filter(profile__user=user)
        .values("company_id", "company_name")
        .annotate(since=Min("downloaded_at"))
        .order_by()
    )
    for row in grouped:
        # A company's name is kept on each download; after a rename the same
        # company appears twice here. A deleted company is known by name only.
        key = row["company_id"] or row["company_name"]
        if key not in first or row["since"] < first[key]["since"]:
            first[key] = row
    if not first:
        return []
    companies = Company.objects.in_bulk(
        [row["company_id"] for row in first.values() if row["company_id"]]
    )
    reference = (
        FreelancerProfile.objects.filter(user=user)
        .values_list("full_name", flat=True)
        .first()
    )
    recipients = []
    for row in sorted(first.values(), key=lambda r: r["since"]):
        company = companies.get(row["company_id"])
        recipients.append(
            Recipient(
                name=company.name if company else row["company_name"],
                email=company.contact_email if company else "",
                since=row["since"],
                reference=reference or "",
            )
        )
    return recipients
