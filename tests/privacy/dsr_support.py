"""Members with every kind of personal data the registry knows, for DSR tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from consent.models import Purpose
from consent.services import consent_record
from profiles import services
from profiles.models import CompanyMembership, FreelancerProfile, User
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory
from tests.profiles import upload_corpus as corpus
from tests.security.totp import activate_totp


@dataclass
class Member:
    user: User
    profile: FreelancerProfile
    strings: dict[str, str]


# CPR numbers with valid dates (the 7th digit sets the century).
CPRS = {"zelda": "0101904321", "yrsa": "0202915432"}


def rich_member(first: str, *, recipient=None, files: bool = True) -> Member:
    """A member with a profile, CPR, photo, CV, consent, company, API token.

    ``strings`` are the member's own values, unique to them, as they would be
    stored: what erasure must remove and an export must (only) contain.
    """
    title = first.capitalize()
    strings = {
        "email": f"{first}.quistgaard@example.org",
        "full_name": f"{title} Quistgaard",
        "phone": "+4522334455" if first == "zelda" else "+4533445566",
        "street": f"{title}s Hyldebærvej 17",
        "city": f"{title}købing",
        "company_name": f"{title} Consulting ApS",
        "headline": f"{title}'s headline about Django",
        "bio": f"{title} writes about herself here.",
        "website": f"https://{first}-quist.example.net",
        "cpr": CPRS[first],
        "company_email": f"{first}.company@example.org",
        "company_street": f"{title} Company Street 5",
    }
    user = UserFactory(email=strings["email"])
    profile = FreelancerProfileFactory(user=user, full_name=strings["full_name"])
    services.freelancer_profile_update(
        profile=profile,
        actor=user,
        data={
            k: strings[k]
            for k in (
                "full_name",
                "phone",
                "street",
                "city",
                "company_name",
                "headline",
                "bio",
                "website",
            )
        },
        skills=["Django", f"{title}craft"],
    )
    services.freelancer_cpr_set(profile=profile, actor=user, cpr=strings["cpr"])
    profile.refresh_from_db()
    strings["cpr_hash"] = profile.cpr_hash
    if files:
        services.freelancer_photo_set(
            profile=profile,
            actor=user,
            upload=corpus.jpeg_photo(),
            consent_text="Publish my photo",
        )
        services.freelancer_cv_set(profile=profile, actor=user, upload=corpus.pdf_cv())
    consent_record(
        purpose=Purpose.MARKETING_EMAIL, granted=True, source="profile", user=user
    )
    company = services.company_create(
        actor=user,
        data={
            "name": f"{title} Holding",
            "cvr": CompanyFactory.build().cvr,
            "contact_email": strings["company_email"],
            "street": strings["company_street"],
            "city": "Odense",
            "country": "DK",
        },
    )
    assert CompanyMembership.objects.filter(company=company, user=user).exists()
    services.api_token_create(user=user)
    if recipient is not None:
        services.freelancer_cv_download_record(
            profile=profile, user=recipient["user"], company=recipient["company"]
        )
    profile.refresh_from_db()
    return Member(user=user, profile=profile, strings=strings)


def recipient_company(email: str = "hr@recipient.example.com") -> dict:
    """A verified company with a contact address, and a member who downloads CVs."""
    company = CompanyFactory(verified=True, contact_email=email, name="Recipient A/S")
    user = UserFactory()
    company.memberships.create(user=user, role="member")
    return {"company": company, "user": user}


def staff(*codenames: str) -> User:
    """A staff member with the view permission and the given privacy permissions."""
    user = UserFactory(is_staff=True)
    perms = Permission.objects.filter(
        content_type__app_label="privacy",
        codename__in=["view_datasubjectrequest", *codenames],
    )
    user.user_permissions.set(perms)
    # Staff who act on requests need two-factor authentication for the admin.
    activate_totp(user)
    return User.objects.get(pk=user.pk)


ALL_PERMS = ("process_datasubjectrequest", "execute_erasure", "apply_restriction")
