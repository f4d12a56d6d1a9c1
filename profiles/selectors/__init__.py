"""Reads, and every "may this user see that" decision for profiles and
companies, by noun: the map. Import from here.

- ``freelancers``: the public rule, the directory (filters, sorting,
  autocomplete), profile pages, photos, CVs
- ``companies``: company pages, memberships, invitations
- ``dashboard``: the member's checklists and completeness figure
- ``shortlists``: a company's shortlist and who keeps it
- ``tokens``: API tokens

A profile someone may not see answers 404, never 403, so slugs cannot be probed.

Staff powers (``user.has_perm``) count only for staff with a TOTP authenticator:
``User.has_perm`` asks ``user_has_staff_powers``, so every check here, in the
API, the media views and the admin follows the one rule.
"""

from profiles.selectors.companies import (
    CompanyPage,
    company_get_for_owner,
    company_get_public,
    company_invitation_get,
    company_list_memberless,
    company_list_public,
    company_list_verified_for_user,
    company_page_for_user,
    company_role_for_user,
    membership_get_for_user,
    membership_list_for_user,
    search_term,
)
from profiles.selectors.dashboard import (
    ChecklistItem,
    CompanyChecklist,
    Dashboard,
    company_checklist,
    dashboard_for_user,
    freelancer_checklist,
)
from profiles.selectors.freelancers import (
    DIRECTORY_SORTS,
    cv_download_access_for_user,
    cv_recipient_list_for_owner,
    freelancer_current_slug,
    freelancer_get_for_user,
    freelancer_get_public,
    freelancer_is_public,
    freelancer_list_public,
    freelancer_list_public_in_order,
    freelancer_profile_for_owner,
    freelancer_public_q,
    freelancer_public_stamp,
    photo_file_is_visible,
    skill_names_suggest,
)
from profiles.selectors.shortlists import (
    shortlist_company_among,
    shortlist_company_for_user,
    shortlist_contains,
    shortlist_entries_for_company,
)
from profiles.selectors.tokens import (
    api_token_get_for_user,
    api_token_list_for_user,
)

__all__ = [
    "company_list_verified_for_user",
    "company_list_public",
    "company_get_public",
    "CompanyPage",
    "company_page_for_user",
    "membership_get_for_user",
    "company_role_for_user",
    "company_get_for_owner",
    "company_list_memberless",
    "company_invitation_get",
    "membership_list_for_user",
    "search_term",
    "ChecklistItem",
    "CompanyChecklist",
    "Dashboard",
    "freelancer_checklist",
    "company_checklist",
    "dashboard_for_user",
    "DIRECTORY_SORTS",
    "freelancer_list_public",
    "freelancer_list_public_in_order",
    "skill_names_suggest",
    "freelancer_get_public",
    "freelancer_public_stamp",
    "freelancer_get_for_user",
    "freelancer_current_slug",
    "photo_file_is_visible",
    "freelancer_profile_for_owner",
    "cv_download_access_for_user",
    "cv_recipient_list_for_owner",
    "freelancer_is_public",
    "freelancer_public_q",
    "shortlist_company_among",
    "shortlist_company_for_user",
    "shortlist_contains",
    "shortlist_entries_for_company",
    "api_token_list_for_user",
    "api_token_get_for_user",
]
