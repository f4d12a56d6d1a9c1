"""Settings for the worksome platform: one module, driven by the environment.

One module on purpose (~600 lines): every setting, its environment variable and
its development default are read in one place, in sections (security,
sessions, mail, Celery, consent, privacy), as cookiecutter-django does;
splitting it would spread one deployment's configuration over several files.

Development defaults exist only when DJANGO_DEBUG=1 (``make run`` sets it). With
DEBUG off, a missing secret stops start-up with a one-line message that names
the variable to set.
"""

import datetime as dt
import ipaddress
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp import constants as csp_constants

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Local state of `make run` (SQLite file, on-disk broker, uploads).
VAR_DIR = Path(env.str("WORKSOME_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Development-only values. They are public (committed), so they are never used
# unless DJANGO_DEBUG=1.
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
_DEV_FIELD_ENCRYPTION_KEY = "TjAKJZT6itucCxj53yoE3-BoZsuIwFA1mrKP6Ib37f8="


def _required(name: str, dev_default: str) -> str:
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    sys.exit(
        f"worksome: the environment variable {name} is not set; set it "
        "(or DJANGO_DEBUG=1 for local development)."
    )


SECRET_KEY = _required("SECRET_KEY", _DEV_SECRET_KEY)
# The key of core.crypto.keyed_hash (CPR uniqueness, the marketing
# suppression list, rate-limit buckets). Stored hashes depend on it, and the
# suppression list cannot be recomputed (no plaintext is kept), so it is kept
# apart from SECRET_KEY: SECRET_KEY can then be rotated (after a leak, say)
# without touching them. Defaults to SECRET_KEY, which existing hashes use.
HASH_KEY = env.str("HASH_KEY", default="") or SECRET_KEY

# Comma-separated Fernet keys, newest first. The first encrypts; all decrypt,
# so a key can be rotated in without losing data (see the rotation command).
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in _required("FIELD_ENCRYPTION_KEYS", _DEV_FIELD_ENCRYPTION_KEY).split(",")
    if key.strip()
]
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        sys.exit(
            "worksome: FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes); generate one with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`.'
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, so translated fields get its widgets (modeltranslation).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "phonenumber_field",
    # Country choices (ISO 3166-1) with their names in Danish and English.
    "django_countries",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "cookie_consent",
    "django_celery_beat",
    # Layers, lowest first (import-linter enforces them; docs/architecture.md).
    "core",
    "privacy",
    "consent",
    "profiles",
    "engagements",
    # Siblings above engagements; none imports another.
    "opportunities",
    "support",
    "mailings",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.ConsentAwareCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switcher's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "consent.middleware.ConsentBodyLimitMiddleware",
    # After the body limits: refuses NUL and other control characters.
    "core.middleware.ControlCharacterMiddleware",
    "core.middleware.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "consent.middleware.ConsentMiddleware",
    "core.middleware.StaffMfaMiddleware",
    "privacy.middleware.SecurityLogMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "worksome.urls"
WSGI_APPLICATION = "worksome.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'worksome.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if "DATABASE_URL" not in env:
        VAR_DIR.mkdir(exist_ok=True)
    # The dev server, the Celery worker and beat share one SQLite file under
    # `make run`. A writer waits for the lock instead of failing at once
    # (timeout); a transaction takes the write lock when it begins
    # (IMMEDIATE), so one that read first cannot fail with "database is
    # locked" when it then writes (SQLite cannot wait there); WAL lets
    # readers go on while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
else:
    # Persistent connections, but never with DEBUG: the threaded dev server
    # opens one per request thread, and each would stay open (idle) until
    # PostgreSQL refuses new clients.
    DATABASES["default"]["CONN_MAX_AGE"] = (
        0 if DEBUG else env.int("CONN_MAX_AGE", default=60)
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out clients before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # ASVS 4.0 level 2 (2.1.1): at least 12 characters.
        "OPTIONS": {"min_length": 12},
    },
    # Django's list of 20,000 common and breached passwords: works offline.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "profiles:dashboard"
LOGIN_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Password reset and login never reveal whether an address has an account.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "profiles.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Worksome] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Absolute links in e-mails sent outside a request (Celery tasks).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Variables production must set although development has a default for them:
# with DEBUG off, ``check --deploy`` names each one that is missing
# (compliance.checks.check_deploy_settings).
DEPLOY_MISSING_ENV = [
    name for name in ("SITE_URL", "EMAIL_URL") if not env.str(name, default="")
]

# --- E-mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL",
    # Development prints mail (verification links included) to the terminal.
    default="consolemail://" if DEBUG else "smtp://127.0.0.1:25",
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Worksome <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("da", "Dansk")]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content held in the database (policy text, processors, processing activities)
# has a field per language; an empty Danish field shows the English one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "da")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_TZ = True
# One date format per language (worksome/formats/: English "9 December 2026").
FORMAT_MODULE_PATH = ["worksome.formats"]

# --- Static and media files -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# CVs live here, outside MEDIA_ROOT: only a permission-checking view serves them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
IMAGE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 24_000_000
CV_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# Any request body above this is refused (413) before Django parses it;
# gunicorn in front should be given the same cap by the proxy.
MAX_REQUEST_BYTES = 12 * 1024 * 1024
PHONENUMBER_DEFAULT_REGION = "DK"
# Country lists start with Denmark (profiles' and companies' country field).
COUNTRIES_FIRST = ["DK"]
COUNTRIES_FIRST_REPEAT = True
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
# Without the manifest (dev server, tests) WhiteNoise serves the source files.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest needs `collectstatic` (the Docker image runs it); the dev
        # server and the tests serve the source files as they are.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security ---------------------------------------------------------------
# DJANGO_HTTPS=1 (the default when DEBUG is off) turns on everything that only
# makes sense behind TLS.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Idle timeout: every request of a logged-in session pushes its expiry forward,
# so a session ends SESSION_IDLE_TIMEOUT seconds after its last request.
# Database sessions that also record whose they are, so erasure deletes them.
SESSION_ENGINE = "privacy.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = True
# Absolute lifetime: however active, a log-in ends this many seconds after it
# began (core.middleware.SessionLifetimeMiddleware); ASVS 3.3.2.
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=60 * 60 * 12)
# Changing e-mail or password asks for the password again (allauth); revealing a
# CPR number does too (profiles.views).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# allauth's own limits (429); "login_failed" is per address across all IPs, so it
# still holds when django-axes' per address-and-IP lockout is spread over IPs.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/m/ip,20/900s/key",
}

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# Responses under these paths are never stored by browsers or proxies: account,
# profile-edit and data-subject request pages.
NO_STORE_PATH_PREFIXES = ("/accounts/", "/dashboard/", "/privacy/requests/")

# Content Security Policy (django-csp 4). Tracker hosts are added per response,
# only for the cookie groups the visitor accepted (core.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", csp_constants.NONCE],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Cookie group varname -> hosts its trackers load from and send to.
CSP_CONSENTED_HOSTS = {
    "analytics": [
        "https://www.googletagmanager.com",
        "https://www.google-analytics.com",
    ],
    "marketing": [
        "https://connect.facebook.net",
        "https://www.facebook.com",
        "https://static.ads-twitter.com",
        "https://analytics.twitter.com",
    ],
}

# Rate limits (uses, seconds) per client IP, answered with 429 and Retry-After
# (core.ratelimit). Data-subject request intake has its own (privacy.views).
RATE_LIMITS = {
    "signup": (env.int("RATE_LIMIT_SIGNUP", default=10), 60 * 60),
    "password_reset": (env.int("RATE_LIMIT_PASSWORD_RESET", default=5), 60 * 60),
    "consent": (env.int("RATE_LIMIT_CONSENT", default=60), 60),
}

# Inquiries a company may send (engagements.services.inquiry_send): uses per
# company and window (seconds), and per member, so one company's members
# cannot flood freelancers between them.
INQUIRY_RATE_LIMIT = (env.int("RATE_LIMIT_INQUIRY", default=20), 60 * 60 * 24)

# The controller's financial year ends in this month (12: the calendar year).
# Bookkeeping records are kept 5 years after its end (engagements.models).
FINANCIAL_YEAR_END_MONTH = env.int("FINANCIAL_YEAR_END_MONTH", default=12)

# Setting a CPR number: uses per member and window (seconds). Each refusal is
# an audit event (profiles.services.freelancer_cpr_set).
CPR_CHANGE_RATE_LIMIT = (env.int("RATE_LIMIT_CPR_CHANGE", default=5), 60 * 60 * 24)

# The contact form (support.services.ticket_submit): uses per client IP and,
# separately, per e-mail address, and window (seconds). A refused one is a 429
# and stores nothing.
SUPPORT_RATE_LIMIT = (env.int("RATE_LIMIT_SUPPORT", default=5), 60 * 60)

# Behind a reverse proxy every request comes from the proxy's address. The
# client's address is then read from X-Forwarded-For, trusting only the hops the
# proxies appended: TRUSTED_PROXY_COUNT proxies in front of the app, or proxies
# inside TRUSTED_PROXY_CIDRS. Neither set (the default): X-Forwarded-For is
# ignored. One function (core.ratelimit.client_ip) serves every limit:
# RATE_LIMITS, request intake, django-axes and allauth (core.security).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
try:
    TRUSTED_PROXY_CIDRS = tuple(
        ipaddress.ip_network(cidr, strict=False)
        for cidr in env.list("TRUSTED_PROXY_CIDRS", default=[])
    )
except ValueError as exc:
    sys.exit(f"TRUSTED_PROXY_CIDRS is not a list of networks: {exc}")
if TRUSTED_PROXY_COUNT < 0 or (TRUSTED_PROXY_COUNT and TRUSTED_PROXY_CIDRS):
    sys.exit("Set TRUSTED_PROXY_COUNT (>= 0) or TRUSTED_PROXY_CIDRS, not both.")
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
ACCOUNT_ADAPTER = "core.security.AccountAdapter"

# Brute force on login (django-axes): 5 failures of one address from one IP
# lock that pair out for 15 minutes. Counts live in the cache and expire with
# the cool-off, so no IP address or tried address is stored in the database.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "axes"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "core.security.axes_username"
AXES_LOCKOUT_CALLABLE = "core.security.axes_lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "login", "email"]

# Staff who may reveal CPR numbers or act on data-subject requests must use a
# TOTP authenticator; the admin sends them to set one up (StaffMfaMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Worksome"

# --- Cache ------------------------------------------------------------------
# Redis in production (CACHE_URL, e.g. redis://redis:6379/1): rate limits and
# the cookie catalogue are then shared by every web process. Local memory
# (one process) otherwise.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
CACHES["consent"] = {**CACHES["default"], "KEY_PREFIX": "consent"}
# django-axes counts failed log-ins here: the shared cache when there is one,
# else a database table (shared by every process, unlike local memory; created
# by worksome's migration 0001).
CACHES["axes"] = (
    {**CACHES["default"], "KEY_PREFIX": "axes"}
    if "CACHE_URL" in env
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "worksome_axes_cache",
    }
)

# --- Celery -----------------------------------------------------------------
# Without CELERY_BROKER_URL the broker is a folder on disk (kombu's filesystem
# transport), so `make run` needs no Redis and scheduled tasks still run.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else f"file://{VAR_DIR / 'celery-results'}",
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(
        parents=True, exist_ok=True
    )
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every scheduled job. Beat's DatabaseScheduler syncs these into its tables at
# start, by name: the names are those of the rows the data migrations created,
# so each job exists once. tests/integration/test_beat_entries.py applies every
# entry the way beat does, on a real prefork worker.
CELERY_BEAT_SCHEDULE = {
    "Delete expired sessions": {
        "task": "privacy.tasks.sessions_clear_expired",
        "schedule": crontab(minute="30", hour="3"),
    },
    "Retention purge": {
        "task": "privacy.tasks.retention_purge",
        "schedule": crontab(minute="0", hour="3"),
    },
    "Data-subject request digest": {
        "task": "privacy.requests.tasks.dsr_digest_send",
        "schedule": crontab(minute="0", hour="7"),
    },
    "Breach deadline check": {
        "task": "compliance.tasks.breach_deadline_check",
        "schedule": crontab(minute="5", hour="*"),
    },
    "Warn members before unused accounts are anonymised": {
        "task": "profiles.tasks.inactivity_warnings_send",
        "schedule": crontab(minute="0", hour="9"),
    },
    # Files that erasure, the purge or a profile edit recorded for deletion and
    # that a crash or an error left on disk.
    # Invoices for last month's approved hours, one per engagement.
    "Monthly invoice run": {
        "task": "engagements.tasks.invoices_monthly_run",
        "schedule": crontab(minute="0", hour="6", day_of_month="1"),
    },
    "Pending file deletions": {
        "task": "core.tasks.file_deletions_retry",
        "schedule": crontab(minute="*/15"),
    },
    # Each digest subscriber's new opportunities in one mail.
    "Opportunity digest": {
        "task": "opportunities.tasks.opportunity_digests_send",
        "schedule": crontab(minute="0", hour="7"),
    },
    # Visitors' support tickets whose verification link expired unopened.
    "Delete unverified support tickets": {
        "task": "support.tasks.ticket_unverified_purge",
        "schedule": crontab(minute="20", hour="3"),
    },
}

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # `Authorization: Token <key>`; hashed, expiring tokens (profiles.ApiToken).
        "profiles.api_auth.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
}
# API tokens (django-rest-knox): stored as a digest, expiring after
# API_TOKEN_TTL_DAYS; revoked by a password change or reset and by erasure.
KNOX_TOKEN_MODEL = "profiles.ApiToken"  # noqa: S105 (a model label)
# knox's own AuthToken is swapped out; its migrations would still create an
# unused table holding a foreign key to users (which breaks TRUNCATE in tests).
MIGRATION_MODULES = {"knox": None}  # noqa: S105 (a model label)
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Worksome API",
    "DESCRIPTION": "Freelancer and company profiles, consent, privacy requests, "
    "and engagements: inquiries, contracts, hours and invoices.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets sharing a field name ("status", "kind") get one name each;
    # without these, drf-spectacular names them by hash and warns. The
    # privacy requests' keep the names they had before engagements came.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "privacy.models.DataSubjectRequest.Status",
        "KindEnum": "privacy.models.DataSubjectRequest.Kind",
        "InquiryStatusEnum": "engagements.models.Thread.Status",
        "EngagementStatusEnum": "engagements.models.Engagement.Status",
        "ContractStatusEnum": "engagements.models.ContractVersion.Status",
        "HoursStatusEnum": "engagements.models.HoursReport.Status",
        "MessageKindEnum": "engagements.models.Message.Kind",
        "InvoiceKindEnum": "engagements.models.Invoice.Kind",
    },
}

# --- Logging ----------------------------------------------------------------
# JSON lines (LOG_FORMAT=json, the default without DEBUG) or plain text. Every
# handler masks CPR-, e-mail- and token-shaped strings (core.logging).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "core.logging.MaskingFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="plain" if DEBUG else "json"),
            "filters": ["mask"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Privacy policy ---------------------------------------------------------
# The data controller named on the policy and in replies to requests. The
# defaults are placeholders for development: with DEBUG off, ``check --deploy``
# fails while any of them is still published (CONTROLLER_PLACEHOLDERS).
CONTROLLER_PLACEHOLDERS = {
    "CONTROLLER_ADDRESS": "Eksempelvej 1, 8000 Aarhus C, Denmark",
    "CONTROLLER_CVR": "24256790",
    "CONTROLLER_EMAIL": "privacy@worksome.example",
    "CONTROLLER_PHONE": "+45 70 00 00 00",
}
PRIVACY_CONTROLLER = {
    "name": env.str("CONTROLLER_NAME", default="Worksome ApS"),
    "address": env.str(
        "CONTROLLER_ADDRESS", default=CONTROLLER_PLACEHOLDERS["CONTROLLER_ADDRESS"]
    ),
    "cvr": env.str("CONTROLLER_CVR", default=CONTROLLER_PLACEHOLDERS["CONTROLLER_CVR"]),
    "email": env.str(
        "CONTROLLER_EMAIL", default=CONTROLLER_PLACEHOLDERS["CONTROLLER_EMAIL"]
    ),
    "phone": env.str(
        "CONTROLLER_PHONE", default=CONTROLLER_PLACEHOLDERS["CONTROLLER_PHONE"]
    ),
    # Art. 37: whether a data protection officer is appointed. Empty: none is
    # (the policy says why); otherwise the DPO's contact e-mail.
    "dpo_email": env.str("CONTROLLER_DPO_EMAIL", default=""),
    "cookie_vendor": "Worksome (this website)",
}

# --- Consent ----------------------------------------------------------------
# Tracker ids (GA4 "G-...", Meta pixel, X pixel). Unset: no tracker snippet at
# all; set: loaded only for visitors who accepted the group.
GA_MEASUREMENT_ID = env.str("GA_MEASUREMENT_ID", default="")
META_PIXEL_ID = env.str("META_PIXEL_ID", default="")
TWITTER_PIXEL_ID = env.str("TWITTER_PIXEL_ID", default="")
# The privacy policy version the banner cites; a new version asks again.
# Read only through consent.policy.current_policy_version().
PRIVACY_POLICY_VERSION = "1"
# Cookie choices are asked again after this many days.
CONSENT_MAX_AGE_DAYS = env.int("CONSENT_MAX_AGE_DAYS", default=365)
CONSENT_VISITOR_COOKIE_NAME = "consent_visitor"
# Consent endpoints answer 413 above this (Django's own cap is 2.5 MB).
CONSENT_MAX_BODY_BYTES = 16 * 1024
# django-cookie-consent: its cookie like the session's, lasting as long as a
# choice counts; its anonymous LogItem is off (consent records replace it).
COOKIE_CONSENT_SECURE = SESSION_COOKIE_SECURE
COOKIE_CONSENT_MAX_AGE = CONSENT_MAX_AGE_DAYS * 24 * 60 * 60
COOKIE_CONSENT_LOG_ENABLED = False
# Its cache of cookie groups lives in the shared cache (see CACHES).
COOKIE_CONSENT_CACHE_BACKEND = "consent"

# --- Messages to members (mailings) ------------------------------------------
# The sender mails at most this many members per second on average (it waits
# sent/rate seconds before each next page) and walks the audience this many
# members per page (one task run each).
MAILING_RATE_PER_SECOND = env.float("MAILING_RATE_PER_SECOND", default=10.0)
MAILING_PAGE_SIZE = env.int("MAILING_PAGE_SIZE", default=50)
