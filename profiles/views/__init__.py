"""Every page of profiles, by noun: the map (``profiles.urls`` and
``worksome.urls`` import the views from here).

- ``accounts``: the dashboard, closing and keeping an account, language
- ``freelancers``: the directory, profile pages, photos, CVs, the owner's
  profile pages
- ``companies``: company directory and pages, editing, invitations
- ``shortlists``: a company's shortlist of freelancers
- ``tokens``: the member's API tokens
"""

from profiles.views.accounts import account_close, account_keep, dashboard, set_language
from profiles.views.companies import (
    company_create,
    company_detail,
    company_edit,
    company_invitation,
    company_invite,
    company_list,
    company_membership_show,
)
from profiles.views.freelancers import (
    freelancer_cv_download,
    freelancer_detail,
    freelancer_list,
    home,
    photo_file,
    profile_cpr_reveal,
    profile_cv,
    profile_edit,
    profile_photo,
    profile_publish,
    skill_suggest,
)
from profiles.views.shortlists import freelancer_shortlist, shortlist
from profiles.views.tokens import api_token_revoke, api_tokens

__all__ = [
    # accounts
    "account_close",
    "account_keep",
    "dashboard",
    "set_language",
    # freelancers
    "freelancer_cv_download",
    "freelancer_detail",
    "freelancer_list",
    "home",
    "photo_file",
    "profile_cpr_reveal",
    "profile_cv",
    "profile_edit",
    "profile_photo",
    "profile_publish",
    "skill_suggest",
    # companies
    "company_create",
    "company_detail",
    "company_edit",
    "company_invitation",
    "company_invite",
    "company_list",
    "company_membership_show",
    # shortlists
    "freelancer_shortlist",
    "shortlist",
    # tokens
    "api_token_revoke",
    "api_tokens",
]
