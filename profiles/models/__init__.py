"""The models of profiles, by noun: the map. Import from here.

- ``accounts``: ``User`` and when an account's purpose ends
- ``freelancers``: ``FreelancerProfile``, ``Skill``, ``FreelancerSlugHistory``,
  ``CvDownload``
- ``companies``: ``Company``, ``CompanyMembership``, ``CompanyInvitation``
- ``shortlists``: ``ShortlistEntry`` (a company's shortlist of freelancers)
- ``tokens``: ``ApiToken``
- ``base``: the address and URL field profiles and companies share

Migrations name ``profiles.models.UserManager`` and
``profiles.models.HttpsURLField``: both stay importable from here.
"""

from profiles.models.accounts import (
    ACCOUNT_INACTIVITY,
    INACTIVITY_WARNING_NOTICE,
    User,
    UserManager,
    account_last_active,
    account_purpose_ended,
    account_retention_ready,
    user_has_staff_powers,
)
from profiles.models.base import COUNTRY_CODE, Address, HttpsURLField
from profiles.models.companies import Company, CompanyInvitation, CompanyMembership
from profiles.models.freelancers import (
    CvDownload,
    FreelancerProfile,
    FreelancerSlugHistory,
    Skill,
)
from profiles.models.shortlists import ShortlistEntry
from profiles.models.tokens import ApiToken

__all__ = [
    # accounts
    "ACCOUNT_INACTIVITY",
    "INACTIVITY_WARNING_NOTICE",
    "User",
    "UserManager",
    "account_last_active",
    "account_purpose_ended",
    "account_retention_ready",
    "user_has_staff_powers",
    # freelancers
    "CvDownload",
    "FreelancerProfile",
    "FreelancerSlugHistory",
    "Skill",
    # companies
    "Company",
    "CompanyInvitation",
    "CompanyMembership",
    # shortlists
    "ShortlistEntry",
    # tokens
    "ApiToken",
    # base
    "COUNTRY_CODE",
    "Address",
    "HttpsURLField",
]
