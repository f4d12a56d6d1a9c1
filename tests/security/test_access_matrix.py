"""The access matrix: every URL and API operation, for every kind of visitor.

Roles (tests/security/access_world.py): anonymous; another member; the owner
of the objects in the URL; a member of the owner's verified company; staff
without permission or TOTP; staff with every permission but no TOTP; staff
with TOTP and no permission; staff with every permission and TOTP. Staff
without TOTP must fare exactly like members outside the admin (issue 15 item
2). Someone else's object answers 404, never 403, so ids cannot be probed.
Each permission on its own is checked in ``test_each_staff_power_needs_its_permission``.
API operations are checked with a session and again with an API token.

The URL resolver and the OpenAPI schema are walked, so a new endpoint fails
``test_every_url_is_in_the_matrix`` / ``test_every_api_operation_is_in_the_matrix``
until its row is added here. Admin model pages are checked per registered
ModelAdmin (``test_admin_model_pages``).
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from profiles.services import api_token_create
from tests.factories import UserFactory
from tests.security.access_world import (
    ROLES,
    STAFF_PERMISSIONS,
    World,
    build_world,
)
from tests.security.totp import activate_totp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "_fast")]


@pytest.fixture
def _fast(settings):
    # Password hashing is not what is checked here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(_fast, db) -> World:
    return build_world()


def row(
    anonymous,
    other,
    owner,
    staff,
    staff_perm,
    *,
    company=None,
    staff_nomfa=None,
    staff_mfa=None,
) -> dict[str, int]:
    """Statuses per role. By default a company member fares like another
    member, and staff with permissions but no TOTP like staff without any;
    staff with TOTP and no permission get what staff without permission got
    before TOTP was required of every staff member (the admin lets them in)."""
    return {
        "anonymous": anonymous,
        "other": other,
        "owner": owner,
        "company": other if company is None else company,
        "staff": staff,
        "staff_nomfa": staff if staff_nomfa is None else staff_nomfa,
        "staff_mfa": staff if staff_mfa is None else staff_mfa,
        "staff_perm": staff_perm,
    }


def admin_row(staff_mfa: int, staff_perm: int, **kw) -> dict[str, int]:
    """Admin pages: members to the log-in, staff without TOTP to set it up."""
    return row(302, 302, 302, 302, staff_perm, staff_mfa=staff_mfa, **kw)


def every(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


PUBLIC = every(200)
MEMBERS = row(302, 200, 200, 200, 200)  # log-in required, anyone logged in
ANON_ONLY = row(200, 302, 302, 302, 302)  # log-in and sign-up forms
OWNER_ONLY = row(302, 404, 200, 404, 404)
# Engagements: the owner and the company member are the company's side of
# the world's engagement; everyone else (staff too) gets 404. Actions are
# POST only (405 for GET once logged in).
WEB_PARTIES = row(302, 404, 200, 404, 404, company=200)
WEB_POST_ONLY = row(302, 405, 405, 405, 405)
# The API: a log-in needed (403 without), then per role.
LOGGED_IN = row(403, 200, 200, 200, 200)
PARTIES = row(403, 404, 200, 404, 404, company=200)
POST_ONLY = row(403, 405, 405, 405, 405)
# Writes sent without a body: 400 for a party (let in, input refused), 404
# for everyone else.
PARTY_WRITE = row(403, 404, 400, 404, 404, company=400)

# Paths use {profile}, {company}, {dsr}: the owner's unpublished profile,
# company and data-subject request.
URLS: dict[str, tuple[str, dict[str, int]]] = {
    "home": ("/", PUBLIC),
    "healthz": ("/healthz", PUBLIC),
    # The footer's language switcher: changes only on POST, else back to "/".
    "set_language": ("/i18n/setlang/", every(302)),
    # allauth
    "account_login": ("/accounts/login/", ANON_ONLY),
    "account_signup": ("/accounts/signup/", ANON_ONLY),
    "account_logout": ("/accounts/logout/", row(302, 200, 200, 200, 200)),
    "account_inactive": ("/accounts/inactive/", PUBLIC),
    "account_reauthenticate": ("/accounts/reauthenticate/", MEMBERS),
    "account_request_reauthentication_code": (
        "/accounts/reauthenticate/code/",
        MEMBERS,
    ),
    # Only within a code flow; redirects otherwise.
    "account_confirm_reauthentication_code": (
        "/accounts/reauthenticate/code/confirm/",
        every(302),
    ),
    "account_email": ("/accounts/email/", MEMBERS),
    "account_email_verification_sent": ("/accounts/confirm-email/", PUBLIC),
    "account_confirm_email": ("/accounts/confirm-email/not-a-key/", PUBLIC),
    "account_change_password": ("/accounts/password/change/", MEMBERS),
    "account_set_password": ("/accounts/password/set/", every(302)),
    "account_reset_password": ("/accounts/password/reset/", PUBLIC),
    "account_reset_password_done": ("/accounts/password/reset/done/", PUBLIC),
    "account_reset_password_from_key": (
        "/accounts/password/reset/key/1-not-a-key/",
        PUBLIC,  # the page says the link is invalid
    ),
    "account_reset_password_from_key_done": (
        "/accounts/password/reset/key/done/",
        PUBLIC,
    ),
    "account_confirm_login_code": ("/accounts/login/code/confirm/", every(302)),
    # allauth.mfa: only the staff_mfa and staff_perm roles have an authenticator.
    "mfa_index": ("/accounts/2fa/", MEMBERS),
    "mfa_authenticate": ("/accounts/2fa/authenticate/", every(302)),
    "mfa_reauthenticate": (
        "/accounts/2fa/reauthenticate/",
        row(302, 302, 302, 302, 200, staff_mfa=200),
    ),
    "mfa_activate_totp": ("/accounts/2fa/totp/activate/", every(302)),
    "mfa_deactivate_totp": (
        "/accounts/2fa/totp/deactivate/",
        row(302, 404, 404, 404, 302, staff_mfa=302),
    ),
    "mfa_view_recovery_codes": (
        "/accounts/2fa/recovery-codes/",
        row(302, 404, 404, 404, 404),
    ),
    "mfa_generate_recovery_codes": (
        "/accounts/2fa/recovery-codes/generate/",
        every(302),
    ),
    "mfa_download_recovery_codes": (
        "/accounts/2fa/recovery-codes/download/",
        row(302, 404, 404, 404, 404),
    ),
    # consent
    "cookie_consent_accept": ("/cookies/accept/", every(405)),  # POST only
    "cookie_consent_decline": ("/cookies/decline/", every(405)),
    "consent_choose": ("/cookies/choose/", every(405)),
    "cookie_consent_status": ("/cookies/status/", PUBLIC),
    "cookie_consent_cookie_group_list": ("/cookies/", PUBLIC),
    # privacy
    "compliance:policy": ("/privacy/", PUBLIC),
    "compliance:policy_versions": ("/privacy/versions/", PUBLIC),
    # Any published version in full; an unknown one is a 404 for everyone.
    "compliance:policy_version_detail": (
        "/privacy/versions/no-such-version/",
        every(404),
    ),
    "compliance:policy_acknowledge": ("/privacy/acknowledge/", every(405)),  # POST only
    "privacy:request_list": ("/privacy/requests/", MEMBERS),
    "privacy:request_new": ("/privacy/requests/new/", PUBLIC),
    "privacy:request_detail": ("/privacy/requests/{dsr}/", OWNER_ONLY),
    # The page's JSON status poll: the owner's only (404 for anyone else).
    "privacy:request_status": ("/privacy/requests/{dsr}/status/", OWNER_ONLY),
    # No export built yet: 404 for the owner too.
    "privacy:export_download": (
        "/privacy/requests/{dsr}/download/",
        row(302, 404, 404, 404, 404),
    ),
    "privacy:request_verify": ("/privacy/requests/verify/not-a-token/", every(400)),
    "privacy:export_token": ("/privacy/exports/not-a-token/", every(404)),
    "consent:email_preferences": ("/privacy/email/", MEMBERS),
    # Signed links from marketing e-mail: no login; a forged token is refused.
    "consent:unsubscribe": ("/privacy/unsubscribe/not-a-token/", every(400)),
    # The open pixel answers its GIF to any token (it tells nothing; a
    # forged token records nothing: tests/consent/test_email_opens.py).
    "consent:email_open": ("/privacy/email/open/not-a-token/", every(200)),
    # profiles: the member's own pages
    "profiles:dashboard": ("/dashboard/", MEMBERS),
    "profiles:profile_edit": ("/dashboard/profile/", MEMBERS),
    "profiles:profile_photo": ("/dashboard/profile/photo/", MEMBERS),
    "profiles:profile_cv": ("/dashboard/profile/cv/", MEMBERS),
    "profiles:profile_publish": ("/dashboard/profile/publish/", MEMBERS),
    "profiles:profile_cpr": ("/dashboard/profile/cpr/", every(302)),  # re-auth first
    "profiles:account_close": ("/dashboard/close/", MEMBERS),
    # The inactivity warning's link: a page with a button; the token is
    # checked on POST (link scanners only GET).
    "profiles:account_keep": ("/account/keep/not-a-token/", PUBLIC),
    # profiles: directory and objects
    "profiles:freelancer_list": ("/freelancers/", PUBLIC),
    # Competence names for the directory's autocomplete: public data only.
    "profiles:skill_suggest": ("/skills/suggest/?q=py", PUBLIC),
    # Unpublished: the owner and staff who may view profiles, with TOTP.
    "profiles:freelancer_detail": (
        "/freelancers/{profile}/",
        row(404, 404, 200, 404, 200),
    ),
    # Unpublished: not even the owner's company; staff with the permission
    # and TOTP (download_any_cv).
    "profiles:freelancer_cv": (
        "/freelancers/{profile}/cv/",
        row(302, 404, 200, 404, 200),
    ),
    # The owner's unpublished photo: the owner, staff with TOTP who may view
    # profiles. Public photos: test_published_profile_is_public_on_site_and_api.
    "photo_file": ("{photo}", row(404, 404, 200, 404, 200)),
    # A company's shortlist: its members only (the owner and the company
    # member are in the world's company); everyone else 404. Adding and
    # removing is POST only (tests/profiles/test_shortlist.py).
    "profiles:shortlist": ("/dashboard/shortlist/", WEB_PARTIES),
    "profiles:freelancer_shortlist": (
        "/freelancers/{profile}/shortlist/",
        WEB_POST_ONLY,
    ),
    "profiles:api_tokens": ("/dashboard/tokens/", MEMBERS),
    # POST only (tests/security/test_api_tokens.py revokes).
    "profiles:api_token_revoke": (
        "/dashboard/tokens/{token}/revoke/",
        row(302, 405, 405, 405, 405),
    ),
    "profiles:company_list": ("/companies/", PUBLIC),
    "profiles:company_create": ("/companies/new/", MEMBERS),
    "profiles:company_invitation": (
        "/companies/invitations/not-a-token/",
        row(302, 404, 404, 404, 404),
    ),
    "profiles:company_detail": ("/companies/{company}/", PUBLIC),
    "profiles:company_edit": ("/companies/{company}/edit/", OWNER_ONLY),
    "profiles:company_invite": ("/companies/{company}/invite/", OWNER_ONLY),
    # POST only; a member changes only their own membership (404 for anyone
    # else: tests/profiles/test_journeys_profiles.py).
    "profiles:company_membership_show": (
        "/companies/{company}/membership/show/",
        WEB_POST_ONLY,
    ),
    # API (as pages; operations below)
    "api:root": ("/api/v1/", PUBLIC),
    "api:token": ("/api/v1/auth/token/", every(405)),
    "api:me": ("/api/v1/me/", row(403, 200, 200, 200, 200)),
    "api:my-tokens": ("/api/v1/me/tokens/", row(403, 200, 200, 200, 200)),
    "api:my-token-detail": (  # DELETE only
        "/api/v1/me/tokens/{token}/",
        row(403, 405, 405, 405, 405),
    ),
    "api:consents": ("/api/v1/consents/", PUBLIC),
    "api:privacy-requests": ("/api/v1/privacy/requests/", row(403, 200, 200, 200, 200)),
    "api:privacy-request-detail": (
        "/api/v1/privacy/requests/{dsr}/",
        row(403, 404, 200, 404, 404),
    ),
    "api:my-profile": ("/api/v1/me/profile/", row(403, 404, 200, 404, 404)),
    "api:my-photo": ("/api/v1/me/profile/photo/", row(403, 405, 405, 405, 405)),
    "api:my-cv": ("/api/v1/me/profile/cv/", row(403, 405, 405, 405, 405)),
    "api:freelancer-list": ("/api/v1/freelancers/", PUBLIC),
    # The API shows published profiles only, to everyone alike.
    "api:freelancer-detail": ("/api/v1/freelancers/{profile}/", every(404)),
    "api:company-list": ("/api/v1/companies/", PUBLIC),
    "api:company-detail": ("/api/v1/companies/{company}/", PUBLIC),
    # engagements ({thread}, {engagement}, ...: see World.engagement_fill)
    "engagements:inquiry_new": ("/inquiries/new/{public}/", MEMBERS),
    "engagements:inbox": ("/inbox/", MEMBERS),
    "engagements:thread_detail": ("/inbox/{thread}/", WEB_PARTIES),
    "engagements:thread_reply": ("/inbox/{thread}/reply/", WEB_POST_ONLY),
    "engagements:thread_accept": ("/inbox/{thread}/accept/", WEB_POST_ONLY),
    "engagements:thread_decline": ("/inbox/{thread}/decline/", WEB_POST_ONLY),
    "engagements:thread_report": ("/inbox/{thread}/report/", WEB_POST_ONLY),
    "engagements:thread_block": ("/inbox/{thread}/block/", WEB_POST_ONLY),
    "engagements:block_list": ("/inbox/blocked/", MEMBERS),
    "engagements:company_unblock": (
        "/inbox/blocked/{blocked}/unblock/",
        WEB_POST_ONLY,
    ),
    "engagements:contract_new": ("/inbox/{thread}/contract/", WEB_PARTIES),
    "engagements:contract_new_version": (
        "/engagements/{engagement}/contract/",
        WEB_PARTIES,
    ),
    "engagements:contract_detail": ("/contracts/{pending}/", WEB_PARTIES),
    "engagements:contract_accept": ("/contracts/{pending}/accept/", WEB_POST_ONLY),
    "engagements:contract_decline": ("/contracts/{pending}/decline/", WEB_POST_ONLY),
    "engagements:contract_pdf": ("/contracts/{contract}/pdf/", WEB_PARTIES),
    "engagements:engagement_list": ("/engagements/", MEMBERS),
    "engagements:engagement_detail": ("/engagements/{engagement}/", WEB_PARTIES),
    "engagements:engagement_end": ("/engagements/{engagement}/end/", WEB_POST_ONLY),
    "engagements:hours_new": ("/engagements/{engagement}/hours/", WEB_POST_ONLY),
    "engagements:hours_approve": ("/hours/{hours}/approve/", WEB_POST_ONLY),
    "engagements:hours_dispute": ("/hours/{hours}/dispute/", WEB_POST_ONLY),
    "engagements:invoice_request": (
        "/engagements/{engagement}/invoice/",
        WEB_POST_ONLY,
    ),
    "engagements:invoice_list": ("/invoices/", MEMBERS),
    "engagements:invoice_detail": ("/invoices/{invoice}/", WEB_PARTIES),
    "engagements:invoice_pdf": ("/invoices/{invoice}/pdf/", WEB_PARTIES),
    # Engagements: the owner and the company member are the company party of
    # {thread}, {engagement}, {contract}, {hours}, {invoice}; staff are not
    # parties (the API has no staff view). POST-only operations answer 405.
    "api:thread-list": ("/api/v1/threads/", LOGGED_IN),
    "api:thread-detail": ("/api/v1/threads/{thread}/", PARTIES),
    "api:thread-messages": ("/api/v1/threads/{thread}/messages/", POST_ONLY),
    "api:thread-accept": ("/api/v1/threads/{thread}/accept/", POST_ONLY),
    "api:thread-decline": ("/api/v1/threads/{thread}/decline/", POST_ONLY),
    "api:thread-report": ("/api/v1/threads/{thread}/report/", POST_ONLY),
    "api:thread-contract": ("/api/v1/threads/{thread}/contract/", POST_ONLY),
    "api:engagement-list": ("/api/v1/engagements/", LOGGED_IN),
    "api:engagement-detail": ("/api/v1/engagements/{engagement}/", PARTIES),
    "api:engagement-contract": (
        "/api/v1/engagements/{engagement}/contract/",
        POST_ONLY,
    ),
    "api:engagement-hours": ("/api/v1/engagements/{engagement}/hours/", POST_ONLY),
    "api:contract-detail": ("/api/v1/contracts/{contract}/", PARTIES),
    "api:contract-accept": ("/api/v1/contracts/{contract}/accept/", POST_ONLY),
    "api:contract-decline": ("/api/v1/contracts/{contract}/decline/", POST_ONLY),
    "api:hours-approve": ("/api/v1/hours/{hours}/approve/", POST_ONLY),
    "api:hours-dispute": ("/api/v1/hours/{hours}/dispute/", POST_ONLY),
    "api:invoice-list": ("/api/v1/invoices/", LOGGED_IN),
    "api:invoice-detail": ("/api/v1/invoices/{invoice}/", PARTIES),
    # Opportunities ({opportunity}: posted by the owner for the owner's
    # company): public to read; edited and closed by the company's members;
    # alerts for freelancers only (the owner has a profile).
    "opportunities:list": ("/opportunities/", PUBLIC),
    "opportunities:new": ("/opportunities/new/", MEMBERS),
    "opportunities:alerts": ("/opportunities/alerts/", OWNER_ONLY),
    "opportunities:detail": ("/opportunities/{opportunity}/", PUBLIC),
    "opportunities:edit": ("/opportunities/{opportunity}/edit/", WEB_PARTIES),
    "opportunities:close": ("/opportunities/{opportunity}/close/", WEB_POST_ONLY),
    "opportunities:interest": (
        "/opportunities/{opportunity}/interest/",
        WEB_POST_ONLY,
    ),
    "api:opportunity-list": ("/api/v1/opportunities/", PUBLIC),
    "api:opportunity-detail": ("/api/v1/opportunities/{opportunity}/", PUBLIC),
    "api:opportunity-close": ("/api/v1/opportunities/{opportunity}/close/", POST_ONLY),
    "api-schema": ("/api/schema/", PUBLIC),
    "api-docs": ("/api/docs/", PUBLIC),
    # admin site pages that are not a model's (model pages: see below)
    "admin:index": ("/admin/", admin_row(200, 200)),
    "admin:login": ("/admin/login/", every(302)),  # to allauth's log-in
    "admin:logout": ("/admin/logout/", admin_row(405, 405)),
    "admin:password_change": ("/admin/password_change/", admin_row(200, 200)),
    "admin:password_change_done": ("/admin/password_change/done/", admin_row(200, 200)),
    "admin:autocomplete": ("/admin/autocomplete/", admin_row(403, 403)),
    "admin:jsi18n": ("/admin/jsi18n/", admin_row(200, 200)),
    "admin:view_on_site": ("/admin/r/1/1/", admin_row(404, 404)),
    "admin:app_list": ("/admin/profiles/", admin_row(404, 200)),
    "admin:profiles_freelancerprofile_reveal_cpr": (
        "/admin/profiles/freelancerprofile/{profile_pk}/reveal-cpr/",
        admin_row(403, 200),
    ),
    # A reported thread's review: a confirmation page on GET (the reading,
    # audited, is a POST); resolving needs change_threadreport.
    "admin:engagements_threadreport_review": (
        "/admin/engagements/threadreport/{report}/review/",
        admin_row(403, 200),
    ),
    "admin:engagements_threadreport_resolve": (
        "/admin/engagements/threadreport/{report}/resolve/",
        admin_row(403, 403),
    ),
    "admin:engagements_contractversion_pdf": (
        "/admin/engagements/contractversion/{contract}/pdf/",
        admin_row(403, 200),
    ),
    "admin:engagements_invoice_pdf": (
        "/admin/engagements/invoice/{invoice}/pdf/",
        admin_row(403, 200),
    ),
    # Messages to members: previews need view_mailing, the steps (test, send,
    # resume, cancel) mailings.send_mailing, which no role here has.
    "admin:mailings_mailing_preview": (
        "/admin/mailings/mailing/1/preview/",
        admin_row(403, 403),
    ),
    "admin:mailings_mailing_step": (
        "/admin/mailings/mailing/1/step/send/",
        admin_row(403, 403),
    ),
    # A request's step (confirmation on GET): view and process permission.
    "admin:privacy_datasubjectrequest_step": (
        "/admin/privacy/datasubjectrequest/{dsr}/step/extend/",
        admin_row(403, 200),
    ),
    "admin:auth_user_password_change": (
        "/admin/profiles/user/{owner_pk}/password/",
        admin_row(403, 403),
    ),
    # support ({ticket}: the owner's ticket, with an attachment). Only the
    # owner on the site (staff work tickets in the admin); the admin's
    # actions are POST only.
    "support:ticket_list": ("/support/", MEMBERS),
    "support:contact": ("/support/contact/", PUBLIC),
    "support:verify": ("/support/verify/not-a-token/", every(400)),
    "support:ticket_detail": ("/support/{ticket}/", OWNER_ONLY),
    "support:ticket_reply": ("/support/{ticket}/reply/", WEB_POST_ONLY),
    "support:ticket_attachment": ("/support/{ticket}/attachment/", OWNER_ONLY),
    "admin:support_ticket_attachment": (
        "/admin/support/ticket/{ticket}/attachment/",
        admin_row(403, 200),
    ),
    "admin:support_ticket_reply": (
        "/admin/support/ticket/{ticket}/reply/",
        admin_row(405, 405),
    ),
    "admin:support_ticket_note": (
        "/admin/support/ticket/{ticket}/note/",
        admin_row(405, 405),
    ),
    "admin:support_ticket_assign": (
        "/admin/support/ticket/{ticket}/assign/",
        admin_row(405, 405),
    ),
    "admin:support_ticket_status": (
        "/admin/support/ticket/{ticket}/status/",
        admin_row(405, 405),
    ),
}

# API operations from the OpenAPI schema: (METHOD, path) -> statuses. Unsafe
# methods are sent without a body: 400 means "let in, input refused".
API_OPERATIONS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/api/v1/"): PUBLIC,
    ("POST", "/api/v1/auth/token/"): every(400),
    ("GET", "/api/v1/companies/"): PUBLIC,
    ("GET", "/api/v1/companies/{slug}/"): PUBLIC,
    ("GET", "/api/v1/consents/"): PUBLIC,
    ("POST", "/api/v1/consents/"): every(400),
    ("GET", "/api/v1/freelancers/"): PUBLIC,
    ("GET", "/api/v1/freelancers/{slug}/"): every(404),
    ("GET", "/api/v1/me/"): row(403, 200, 200, 200, 200),
    ("GET", "/api/v1/me/tokens/"): row(403, 200, 200, 200, 200),
    # The owner's token: revoked by its owner only (someone else's is a 404).
    ("DELETE", "/api/v1/me/tokens/{id}/"): row(403, 404, 204, 404, 404),
    ("GET", "/api/v1/me/profile/"): row(403, 404, 200, 404, 404),
    ("PATCH", "/api/v1/me/profile/"): row(403, 200, 200, 200, 200),  # creates own
    ("POST", "/api/v1/me/profile/cv/"): row(403, 400, 400, 400, 400),
    ("DELETE", "/api/v1/me/profile/cv/"): row(403, 204, 204, 204, 204),
    ("POST", "/api/v1/me/profile/photo/"): row(403, 400, 400, 400, 400),
    ("DELETE", "/api/v1/me/profile/photo/"): row(403, 204, 204, 204, 204),
    ("GET", "/api/v1/privacy/requests/"): row(403, 200, 200, 200, 200),
    ("POST", "/api/v1/privacy/requests/"): row(403, 400, 400, 400, 400),
    ("GET", "/api/v1/privacy/requests/{id}/"): row(403, 404, 200, 404, 404),
    # Engagements ({id}: the world's thread, engagement, contract, hours or
    # invoice, by path). Only the freelancer accepts or declines, only the
    # company approves: with no body, a party's every write is a 400.
    ("GET", "/api/v1/threads/"): LOGGED_IN,
    ("POST", "/api/v1/threads/"): row(403, 400, 400, 400, 400),
    ("GET", "/api/v1/threads/{id}/"): PARTIES,
    ("POST", "/api/v1/threads/{id}/messages/"): PARTY_WRITE,
    ("POST", "/api/v1/threads/{id}/accept/"): PARTY_WRITE,
    ("POST", "/api/v1/threads/{id}/decline/"): PARTY_WRITE,
    ("POST", "/api/v1/threads/{id}/report/"): PARTY_WRITE,
    ("POST", "/api/v1/threads/{id}/contract/"): PARTY_WRITE,
    ("GET", "/api/v1/engagements/"): LOGGED_IN,
    ("GET", "/api/v1/engagements/{id}/"): PARTIES,
    ("POST", "/api/v1/engagements/{id}/contract/"): PARTY_WRITE,
    ("POST", "/api/v1/engagements/{id}/hours/"): PARTY_WRITE,
    ("GET", "/api/v1/contracts/{id}/"): PARTIES,
    ("POST", "/api/v1/contracts/{id}/accept/"): PARTY_WRITE,
    ("POST", "/api/v1/contracts/{id}/decline/"): PARTY_WRITE,
    ("POST", "/api/v1/hours/{id}/approve/"): PARTY_WRITE,
    ("POST", "/api/v1/hours/{id}/dispute/"): PARTY_WRITE,
    ("GET", "/api/v1/invoices/"): LOGGED_IN,
    ("GET", "/api/v1/invoices/{id}/"): PARTIES,
    # Opportunities: public reads; a post without a body is refused (400); the
    # owner's company's members close it (again: still 200), others get 404.
    ("GET", "/api/v1/opportunities/"): PUBLIC,
    ("POST", "/api/v1/opportunities/"): row(403, 400, 400, 400, 400),
    ("GET", "/api/v1/opportunities/{id}/"): PUBLIC,
    ("POST", "/api/v1/opportunities/{id}/close/"): PARTIES,
}
#: which world object an API path's {id} names, by the path's first segment.
API_IDS = {
    "tokens": "{token}",
    "threads": "{thread}",
    "engagements": "{engagement}",
    "contracts": "{contract}",
    "hours": "{hours}",
    "invoices": "{invoice}",
    "opportunities": "{opportunity}",
}
MULTIPART = {"/api/v1/me/profile/cv/", "/api/v1/me/profile/photo/"}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                pattern.namespace or namespace,
            )
        else:
            name = pattern.name or ""
            yield (
                prefix + str(pattern.pattern),
                f"{namespace}:{name}" if namespace else name,
            )


def _admin_model_prefixes() -> tuple[str, ...]:
    return tuple(
        f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
    )


ENGAGEMENT_KEYS = re.compile(
    r"\{(thread|engagement|contract|pending|hours|invoice|blocked)\}"
)


class _PathKeys(dict):
    """The world's keys for an API or admin path; the engagement's only when
    the path has one (``World.engagement_object``)."""

    def __init__(self, world: World, **keys):
        super().__init__(**keys)
        self.world = world

    def __missing__(self, key: str):
        return self.world.engagement_object(key).pk


def _fill(path: str, world: World) -> str:
    keys = dict(
        profile=world.profile.slug,
        company=world.company.slug,
        dsr=world.dsr.pk,
        profile_pk=world.profile.pk,
        owner_pk=world.owner.pk,
        token=world.token.pk,
        public=world.public_profile.slug,
        photo=world.profile.photo.url,
    )
    if "{opportunity}" in path:
        keys["opportunity"] = world.opportunity_fill()
    if "{ticket}" in path:
        keys["ticket"] = world.support_ticket().pk
    if path.startswith(("/api/", "/admin/")):
        return path.format_map(_PathKeys(world, **keys))
    # Site pages: the engagement is built only for the paths that need it.
    engagement = world.engagement_fill() if ENGAGEMENT_KEYS.search(path) else {}
    return path.format(**engagement, **keys)


def _check(
    world: World,
    method: str,
    path: str,
    expected: dict[str, int],
    *,
    token: bool = False,
    **kw,
):
    got = {}
    for role in ROLES:
        client = world.client(role, token=token)
        got[role] = getattr(client, method.lower())(path, **kw).status_code
    via = "token" if token else "session"
    assert got == expected, f"{method} {path} ({via})"


# --- Completeness: a new endpoint needs a row ---------------------------------


def test_every_url_is_in_the_matrix():
    model_prefixes = _admin_model_prefixes()
    missing = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(model_prefixes):
            continue  # checked per ModelAdmin below
        if name in ("admin:",):  # the admin's catch-all and object shortcuts
            continue
        if name not in URLS:
            missing.append(f"{route} ({name})")
    assert not missing, "URLs missing from the access matrix: " + ", ".join(missing)


def test_every_api_operation_is_in_the_matrix():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert found == set(API_OPERATIONS), (
        f"missing: {sorted(found - set(API_OPERATIONS))}, "
        f"gone: {sorted(set(API_OPERATIONS) - found)}"
    )


# --- The matrix ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(URLS))
def test_url(world, name):
    path, expected = URLS[name]
    _check(world, "GET", _fill(path, world), expected)


@pytest.mark.parametrize(
    ("method", "path"), sorted(API_OPERATIONS), ids=lambda v: str(v)
)
def test_api_operation(world, method, path):
    """Each operation with a browser session, then again with API tokens:
    both ways in must answer alike."""
    template = path.replace(
        "{slug}", "{profile}" if "freelancers" in path else "{company}"
    )
    noun = next((n for n in API_IDS if f"/{n}/{{id}}/" in path), None)
    template = template.replace("{id}", API_IDS.get(noun, "{dsr}"))
    kwargs = {}
    if method in ("POST", "PATCH", "PUT") and path not in MULTIPART:
        kwargs = {"data": {}, "content_type": "application/json"}
    elif method == "POST":
        kwargs = {"data": {}}
    expected = API_OPERATIONS[(method, path)]
    _check(world, method, _fill(template, world), expected, **kwargs)
    # The session pass may have revoked the owner's token: a fresh one.
    world.token = api_token_create(user=world.owner)[0]
    _check(world, method, _fill(template, world), expected, token=True, **kwargs)


def test_published_profile_is_public_on_site_and_api(world):
    slug = world.public_profile.slug
    _check(world, "GET", f"/freelancers/{slug}/", PUBLIC)
    _check(world, "GET", f"/api/v1/freelancers/{slug}/", PUBLIC)


def test_someone_elses_objects_answer_404_not_403(world):
    """The same URLs with the other member as 'owner': never a 403."""
    for name in (
        "privacy:request_detail",
        "privacy:request_status",
        "profiles:company_edit",
        "api:privacy-request-detail",
        "api:thread-detail",
        "api:engagement-detail",
        "api:contract-detail",
        "api:invoice-detail",
        "support:ticket_detail",
    ):
        path = _fill(URLS[name][0], world)
        response = world.client("other").get(path)
        assert response.status_code == 404, path
    # An id that does not exist looks the same as someone else's.
    missing = world.client("other").get("/privacy/requests/999999/")
    assert missing.status_code == 404


# --- Admin model pages ---------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    sorted(admin.site._registry, key=lambda m: m._meta.label),
    ids=lambda m: m._meta.label,
)
def test_admin_model_pages(world, model):
    """Changelists: members are sent to log in, staff without TOTP to set it
    up (with permissions or not), staff with TOTP and no permission get 403,
    with it 200 (models they may view) or 403."""
    opts = model._meta
    path = f"/admin/{opts.app_label}/{opts.model_name}/"
    may_view = world.staff_perm.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    expected = admin_row(403, 200 if may_view else 403)
    _check(world, "GET", path, expected)


# --- Each staff power on its own ------------------------------------------------

#: permission -> (URL name, status with it, status without it) for staff with
#: TOTP. Without TOTP the permission never counts (the admin redirects).
STAFF_POWERS = {
    "view_freelancerprofile": [
        ("profiles:freelancer_detail", 200, 404),
        ("photo_file", 200, 404),
    ],
    # A published profile's CV: an unpublished one also needs
    # view_freelancerprofile (the profile itself is hidden).
    "download_any_cv": [("/freelancers/{public}/cv/", 200, 404)],
    "reveal_cpr": [("admin:profiles_freelancerprofile_reveal_cpr", 200, 403)],
    "view_datasubjectrequest": [("/admin/privacy/datasubjectrequest/", 200, 403)],
    "view_auditevent": [("/admin/privacy/auditevent/", 200, 403)],
    "view_consentrecord": [("/admin/consent/consentrecord/", 200, 403)],
    "view_invoice": [
        ("/admin/engagements/invoice/", 200, 403),
        ("admin:engagements_invoice_pdf", 200, 403),
    ],
    "view_threadreport": [("admin:engagements_threadreport_review", 200, 403)],
    "view_ticket": [
        ("/admin/support/ticket/", 200, 403),
        ("admin:support_ticket_attachment", 200, 403),
    ],
}


@pytest.mark.parametrize("codename", sorted(STAFF_POWERS))
def test_each_staff_power_needs_its_permission_and_totp(world, codename):
    """Staff with TOTP and only this permission may; staff with TOTP and every
    other permission may not; staff with only this permission and no TOTP
    may not either."""
    only = UserFactory(is_staff=True)
    only.user_permissions.set(Permission.objects.filter(codename=codename))
    activate_totp(only)
    all_but = UserFactory(is_staff=True)
    all_but.user_permissions.set(
        Permission.objects.filter(codename__in=STAFF_PERMISSIONS).exclude(
            codename=codename
        )
    )
    activate_totp(all_but)
    no_totp = UserFactory(is_staff=True)
    no_totp.user_permissions.set(Permission.objects.filter(codename=codename))
    for target, allowed, refused in STAFF_POWERS[codename]:
        path = _fill(URLS[target][0] if target in URLS else target, world)
        got = {}
        for name, user in (("only", only), ("all_but", all_but), ("no_totp", no_totp)):
            client = Client()
            client.force_login(user)
            got[name] = client.get(path).status_code
        no_totp_status = 302 if path.startswith("/admin/") else refused
        assert got == {
            "only": allowed,
            "all_but": refused,
            "no_totp": no_totp_status,
        }, (codename, path)
