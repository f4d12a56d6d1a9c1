"""Every write of profiles, by noun: the map. Import from here.

- ``accounts``: users, closing an account, inactivity warnings, language
- ``freelancers``: the profile, publishing, CPR number, photo, CV
- ``companies``: company pages, memberships, invitations
- ``shortlists``: a company's shortlist of freelancers
- ``tokens``: API tokens

Reads and access decisions are in ``profiles.selectors``.
"""

from profiles.services.accounts import (
    INACTIVITY_WARNING_BEFORE,
    KEEP_ACCOUNT_LINK_DAYS,
    account_close,
    account_keep,
    account_keep_token_sign,
    account_signup_complete,
    inactivity_warnings_send,
    user_ensure_verified,
    user_language_set,
)
from profiles.services.companies import (
    COMPANY_FIELDS,
    INVITATION_VALID_FOR,
    companies_close_memberless,
    company_create,
    company_invitation_accept,
    company_invite,
    company_logo_set,
    company_update,
    company_verify,
    membership_show_set,
)
from profiles.services.freelancers import (
    CPR_HASH_PURPOSE,
    PROFILE_FIELDS,
    CprChangeRateLimited,
    freelancer_admin_update,
    freelancer_cpr_reveal,
    freelancer_cpr_set,
    freelancer_cv_download_record,
    freelancer_cv_remove,
    freelancer_cv_set,
    freelancer_photo_consent_withdrawn,
    freelancer_photo_remove,
    freelancer_photo_set,
    freelancer_profile_create,
    freelancer_profile_ensure,
    freelancer_profile_update,
    freelancer_publish,
    freelancer_unpublish,
    skills_parse,
)
from profiles.services.shortlists import (
    shortlist_add,
    shortlist_entries_delete_for_account,
    shortlist_entries_delete_gone,
    shortlist_remove,
)
from profiles.services.tokens import (
    API_TOKEN_LIMIT,
    TOKEN_TOUCH_INTERVAL,
    api_token_create,
    api_token_revoke,
    api_token_touch,
    api_tokens_revoke_all,
)

__all__ = [
    # accounts
    "INACTIVITY_WARNING_BEFORE",
    "KEEP_ACCOUNT_LINK_DAYS",
    "account_close",
    "account_keep",
    "account_keep_token_sign",
    "account_signup_complete",
    "inactivity_warnings_send",
    "user_ensure_verified",
    "user_language_set",
    # freelancers
    "CPR_HASH_PURPOSE",
    "PROFILE_FIELDS",
    "CprChangeRateLimited",
    "freelancer_admin_update",
    "freelancer_cpr_reveal",
    "freelancer_cpr_set",
    "freelancer_cv_download_record",
    "freelancer_cv_remove",
    "freelancer_cv_set",
    "freelancer_photo_consent_withdrawn",
    "freelancer_photo_remove",
    "freelancer_photo_set",
    "freelancer_profile_create",
    "freelancer_profile_ensure",
    "freelancer_profile_update",
    "freelancer_publish",
    "freelancer_unpublish",
    "skills_parse",
    # companies
    "COMPANY_FIELDS",
    "INVITATION_VALID_FOR",
    "companies_close_memberless",
    "company_create",
    "company_invitation_accept",
    "company_invite",
    "company_logo_set",
    "company_update",
    "company_verify",
    "membership_show_set",
    # shortlists
    "shortlist_add",
    "shortlist_entries_delete_for_account",
    "shortlist_entries_delete_gone",
    "shortlist_remove",
    # tokens
    "API_TOKEN_LIMIT",
    "TOKEN_TOUCH_INTERVAL",
    "api_token_create",
    "api_token_revoke",
    "api_token_touch",
    "api_tokens_revoke_all",
]
