"""The access matrix: every URL and API operation, for every kind of visitor.

Roles: anonymous; another member; the owner of the objects in the URL; staff
without permissions; staff with permissions (and TOTP). Someone else's object
answers 404, never 403, so ids cannot be probed.

The URL resolver and the OpenAPI schema are walked, so a new endpoint fails
``test_every_url_is_in_the_matrix`` / ``test_every_api_operation_is_in_the_matrix``
until its row is added here. Admin model pages are checked per registered
ModelAdmin (``test_admin_model_pages``).
"""

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.security.access_world import ROLES, World, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "_fast")]


@pytest.fixture
def _fast(settings):
    # Password hashing is not what is checked here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(_fast, db) -> World:
    return build_world()


def row(anonymous, other, owner, staff, staff_perm) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, other, owner, staff, staff_perm), strict=True))


def every(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


PUBLIC = every(200)
MEMBERS = row(302, 200, 200, 200, 200)  # log-in required, anyone logged in
ANON_ONLY = row(200, 302, 302, 302, 302)  # log-in and sign-up forms
OWNER_ONLY = row(302, 404, 200, 404, 404)

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
    # allauth.mfa: only staff with permission have an authenticator.
    "mfa_index": ("/accounts/2fa/", MEMBERS),
    "mfa_authenticate": ("/accounts/2fa/authenticate/", every(302)),
    "mfa_reauthenticate": (
        "/accounts/2fa/reauthenticate/",
        row(302, 302, 302, 302, 200),
    ),
    "mfa_activate_totp": ("/accounts/2fa/totp/activate/", every(302)),
    "mfa_deactivate_totp": (
        "/accounts/2fa/totp/deactivate/",
        row(302, 404, 404, 404, 302),
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
    "privacy:policy": ("/privacy/", PUBLIC),
    "privacy:policy_versions": ("/privacy/versions/", PUBLIC),
    # Any published version in full; an unknown one is a 404 for everyone.
    "privacy:policy_version_detail": ("/privacy/versions/no-such-version/", every(404)),
    "privacy:policy_acknowledge": ("/privacy/acknowledge/", every(405)),  # POST only
    "privacy:request_list": ("/privacy/requests/", MEMBERS),
    "privacy:request_new": ("/privacy/requests/new/", PUBLIC),
    "privacy:request_detail": ("/privacy/requests/{dsr}/", OWNER_ONLY),
    # No export built yet: 404 for the owner too.
    "privacy:export_download": (
        "/privacy/requests/{dsr}/download/",
        row(302, 404, 404, 404, 404),
    ),
    "privacy:request_verify": ("/privacy/requests/verify/not-a-token/", every(400)),
    "privacy:export_token": ("/privacy/exports/not-a-token/", every(404)),
    "privacy:email_preferences": ("/privacy/email/", MEMBERS),
    # Signed links from marketing e-mail: no login; a forged token is refused.
    "privacy:unsubscribe": ("/privacy/unsubscribe/not-a-token/", every(400)),
    "privacy:email_open": ("/privacy/email/open/not-a-token/", every(404)),
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
    # Unpublished: the owner and staff who may view profiles.
    "profiles:freelancer_detail": (
        "/freelancers/{profile}/",
        row(404, 404, 200, 404, 200),
    ),
    # No CV uploaded: nobody gets a file.
    "profiles:freelancer_cv": (
        "/freelancers/{profile}/cv/",
        row(302, 404, 404, 404, 404),
    ),
    # A name no profile or company has. Who may see a real photo (public,
    # owner, staff with the permission) is in tests/profiles/test_profile_views.
    "photo_file": ("/media/photos/not-a-photo.jpg", every(404)),
    "profiles:company_list": ("/companies/", PUBLIC),
    "profiles:company_create": ("/companies/new/", MEMBERS),
    "profiles:company_invitation": (
        "/companies/invitations/not-a-token/",
        row(302, 404, 404, 404, 404),
    ),
    "profiles:company_detail": ("/companies/{company}/", PUBLIC),
    "profiles:company_edit": ("/companies/{company}/edit/", OWNER_ONLY),
    "profiles:company_invite": ("/companies/{company}/invite/", OWNER_ONLY),
    # API (as pages; operations below)
    "api:root": ("/api/v1/", PUBLIC),
    "api:token": ("/api/v1/auth/token/", every(405)),
    "api:me": ("/api/v1/me/", row(403, 200, 200, 200, 200)),
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
    "api-schema": ("/api/schema/", PUBLIC),
    "api-docs": ("/api/docs/", PUBLIC),
    # admin site pages that are not a model's (model pages: see below)
    "admin:index": ("/admin/", row(302, 302, 302, 200, 200)),
    "admin:login": ("/admin/login/", every(302)),  # to allauth's log-in
    "admin:logout": ("/admin/logout/", row(302, 302, 302, 405, 405)),
    "admin:password_change": ("/admin/password_change/", row(302, 302, 302, 200, 200)),
    "admin:password_change_done": (
        "/admin/password_change/done/",
        row(302, 302, 302, 200, 200),
    ),
    "admin:autocomplete": ("/admin/autocomplete/", row(302, 302, 302, 403, 403)),
    "admin:jsi18n": ("/admin/jsi18n/", row(302, 302, 302, 200, 200)),
    "admin:view_on_site": ("/admin/r/1/1/", row(302, 302, 302, 404, 404)),
    "admin:app_list": ("/admin/profiles/", row(302, 302, 302, 404, 200)),
    "admin:profiles_freelancerprofile_reveal_cpr": (
        "/admin/profiles/freelancerprofile/{profile_pk}/reveal-cpr/",
        row(302, 302, 302, 403, 200),
    ),
    "admin:auth_user_password_change": (
        "/admin/profiles/user/{owner_pk}/password/",
        row(302, 302, 302, 403, 403),
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
    ("GET", "/api/v1/me/profile/"): row(403, 404, 200, 404, 404),
    ("PATCH", "/api/v1/me/profile/"): row(403, 200, 200, 200, 200),  # creates own
    ("POST", "/api/v1/me/profile/cv/"): row(403, 400, 400, 400, 400),
    ("DELETE", "/api/v1/me/profile/cv/"): row(403, 204, 204, 204, 204),
    ("POST", "/api/v1/me/profile/photo/"): row(403, 400, 400, 400, 400),
    ("DELETE", "/api/v1/me/profile/photo/"): row(403, 204, 204, 204, 204),
    ("GET", "/api/v1/privacy/requests/"): row(403, 200, 200, 200, 200),
    ("POST", "/api/v1/privacy/requests/"): row(403, 400, 400, 400, 400),
    ("GET", "/api/v1/privacy/requests/{id}/"): row(403, 404, 200, 404, 404),
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


def _fill(path: str, world: World) -> str:
    return path.format(
        profile=world.profile.slug,
        company=world.company.slug,
        dsr=world.dsr.pk,
        profile_pk=world.profile.pk,
        owner_pk=world.owner.pk,
    )


def _check(world: World, method: str, path: str, expected: dict[str, int], **kw):
    got = {}
    for role in ROLES:
        response = getattr(world.client(role), method.lower())(path, **kw)
        got[role] = response.status_code
    assert got == expected, f"{method} {path}"


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
    filled = path.replace(
        "{slug}", "{profile}" if "freelancers" in path else "{company}"
    )
    filled = _fill(filled.replace("{id}", "{dsr}"), world)
    kwargs = {}
    if method in ("POST", "PATCH", "PUT") and path not in MULTIPART:
        kwargs = {"data": {}, "content_type": "application/json"}
    elif method == "POST":
        kwargs = {"data": {}}
    _check(world, method, filled, API_OPERATIONS[(method, path)], **kwargs)


def test_published_profile_is_public_on_site_and_api(world):
    slug = world.public_profile.slug
    _check(world, "GET", f"/freelancers/{slug}/", PUBLIC)
    _check(world, "GET", f"/api/v1/freelancers/{slug}/", PUBLIC)


def test_someone_elses_objects_answer_404_not_403(world):
    """The same URLs with the other member as 'owner': never a 403."""
    for name in (
        "privacy:request_detail",
        "profiles:company_edit",
        "api:privacy-request-detail",
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
    """Changelists: members are sent to log in, staff without permission get
    403, staff with it 200 (models they may view) or 403."""
    opts = model._meta
    path = f"/admin/{opts.app_label}/{opts.model_name}/"
    may_view = world.staff_perm.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    expected = row(302, 302, 302, 403, 200 if may_view else 403)
    _check(world, "GET", path, expected)
