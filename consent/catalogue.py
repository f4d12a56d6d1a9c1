"""The one catalogue of what each cookie group sets and what it switches on.

Everything the banner, ``/cookies/``, the withdrawal code (server and
``consent.js``), the Consent Mode defaults and the privacy policy say about
cookies comes from here (through the database rows it seeds, for the parts an
admin may edit):

- ``CONSENT_MODE_SIGNALS``: each Google Consent Mode v2 signal and the one
  cookie group that grants it. Worksome uses Google only for analytics, so
  only ``analytics_storage`` belongs to a group; the advertising signals
  belong to none and are never granted (``None``).
- ``GROUPS``: the groups, every cookie each vendor's script sets (``*`` is a
  wildcard), its vendor, purpose and lifetime (``Lifetime``), in English. The
  Danish is the gettext catalogue (``consent.texts``). Seeded into
  django-cookie-consent's ``CookieGroup``/``Cookie`` and ``CookieDetails`` by
  the migrations 0002 and 0005.
- ``STORAGE_KEYS``: the browser-storage keys (localStorage/sessionStorage) of
  each group's vendors, also name patterns; removed on withdrawal.

Lifetimes of Worksome's own cookies are read from the settings that set them
when shown (``consent.durations``), so the list never drifts from the code.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

from .durations import Lifetime, lifetime_text

# --- Google Consent Mode v2 ------------------------------------------------

#: Signal -> the cookie group whose consent grants it; ``None``: never granted.
CONSENT_MODE_SIGNALS: dict[str, str | None] = {
    "analytics_storage": "analytics",
    "ad_storage": None,
    "ad_user_data": None,
    "ad_personalization": None,
}


def consent_mode_state(choices: dict[str, bool | None]) -> dict[str, str]:
    """Every signal, ``granted`` only when its group is accepted."""
    return {
        signal: "granted" if group and choices.get(group) is True else "denied"
        for signal, group in CONSENT_MODE_SIGNALS.items()
    }


def consent_mode_signals_for(varname: str | None) -> list[str]:
    """The signals accepting the group ``varname`` grants (None: never granted)."""
    return [s for s, group in CONSENT_MODE_SIGNALS.items() if group == varname]


# --- Vendors -----------------------------------------------------------------

WORKSOME = {
    "vendor": gettext_noop("Worksome (this website)"),
    "vendor_country": gettext_noop("Denmark"),
    "transfer_basis": "eea",
}
GOOGLE = {
    "vendor": gettext_noop("Google Ireland Ltd.; Google LLC (USA)"),
    "vendor_country": gettext_noop("United States"),
    "transfer_basis": "dpf",
}
META = {
    "vendor": gettext_noop("Meta Platforms Ireland Ltd.; Meta Platforms, Inc. (USA)"),
    "vendor_country": gettext_noop("United States"),
    "transfer_basis": "dpf",
}
X_CORP = {
    "vendor": gettext_noop("X Corp. (USA)"),
    "vendor_country": gettext_noop("United States"),
    "transfer_basis": "scc",
}

_RANDOM_ID = gettext_noop("A random identifier of your browser.")

GROUPS = [
    {
        "varname": "necessary",
        "name": gettext_noop("Necessary"),
        "description": gettext_noop(
            "Keep the site working and secure: your login, protection against "
            "forged forms, your language and your cookie choices. They cannot be "
            "switched off."
        ),
        "is_required": True,
        "is_deletable": False,
        "ordering": 0,
        "cookies": [
            {
                "name": "sessionid",
                "description": gettext_noop("A random session key."),
                "purpose": gettext_noop("Keeps you logged in from page to page."),
                "lifetime": Lifetime(setting="session"),
                **WORKSOME,
            },
            {
                "name": "csrftoken",
                "description": gettext_noop("A random security token."),
                "purpose": gettext_noop(
                    "Protects forms against cross-site request forgery."
                ),
                "lifetime": Lifetime(setting="csrf"),
                **WORKSOME,
            },
            {
                "name": "django_language",
                "description": gettext_noop("A language code."),
                "purpose": gettext_noop("Remembers the language you chose."),
                "lifetime": Lifetime(setting="language"),
                **WORKSOME,
            },
            {
                "name": "messages",
                "description": gettext_noop(
                    "Short notices such as 'You are logged in'."
                ),
                "purpose": gettext_noop("Shows a notice once on the next page."),
                "lifetime": Lifetime(setting="browser_session"),
                **WORKSOME,
            },
            {
                "name": "cookie_consent",
                "description": gettext_noop(
                    "Which cookie groups you accepted or rejected."
                ),
                "purpose": gettext_noop("Remembers your cookie choices."),
                "lifetime": Lifetime(setting="consent_cookie"),
                **WORKSOME,
            },
            {
                "name": "consent_visitor",
                "description": gettext_noop(
                    "A random id for this browser; no IP address or other data "
                    "about you. Set only when you accept a group, never when "
                    "you reject."
                ),
                "purpose": gettext_noop(
                    "Proves your cookie consent and links it to your account "
                    "when you log in."
                ),
                "lifetime": Lifetime(setting="consent_visitor"),
                **WORKSOME,
            },
        ],
    },
    {
        "varname": "analytics",
        "name": gettext_noop("Analytics"),
        "description": gettext_noop(
            "Google Analytics 4 tells us how the site is used (pages visited, "
            "time spent, device type), so we can improve it. Google receives your "
            "IP address and browser details. Google is used for analytics only: "
            "its advertising signals (ad_storage, ad_user_data, "
            "ad_personalization) are never granted."
        ),
        "is_required": False,
        "is_deletable": True,
        "ordering": 10,
        "cookies": [
            {
                "name": "_ga",
                "description": _RANDOM_ID,
                "purpose": gettext_noop(
                    "Counts visitors and tells visits apart (Google Analytics)."
                ),
                "lifetime": Lifetime(2, "years"),
                **GOOGLE,
            },
            {
                "name": "_ga_*",
                "description": gettext_noop("The state of your current visit."),
                "purpose": gettext_noop("Keeps the statistics of one visit together."),
                "lifetime": Lifetime(2, "years"),
                **GOOGLE,
            },
            {
                "name": "_gid",
                "description": _RANDOM_ID,
                "purpose": gettext_noop(
                    "Tells visits apart within one day (older Google Analytics code)."
                ),
                "lifetime": Lifetime(24, "hours"),
                **GOOGLE,
            },
            {
                "name": "_gat",
                "description": gettext_noop("A flag with no data about you."),
                "purpose": gettext_noop("Limits how often Google Analytics is called."),
                "lifetime": Lifetime(1, "minutes"),
                **GOOGLE,
            },
            {
                "name": "_gat_*",
                "description": gettext_noop("A flag with no data about you."),
                "purpose": gettext_noop("Limits how often Google Analytics is called."),
                "lifetime": Lifetime(1, "minutes"),
                **GOOGLE,
            },
            {
                "name": "_gcl_au",
                "description": _RANDOM_ID,
                "purpose": gettext_noop(
                    "Google's ad conversion linker. Set by Google's script only "
                    "when ad_storage is granted, which Worksome never does; "
                    "removed when you withdraw if it is there."
                ),
                "lifetime": Lifetime(90, "days"),
                **GOOGLE,
            },
            {
                "name": "_gcl_*",
                "description": gettext_noop("Ad click identifiers."),
                "purpose": gettext_noop(
                    "Google's ad conversion linker. Set by Google's script only "
                    "when ad_storage is granted, which Worksome never does; "
                    "removed when you withdraw if it is there."
                ),
                "lifetime": Lifetime(90, "days"),
                **GOOGLE,
            },
        ],
    },
    {
        "varname": "marketing",
        "name": gettext_noop("Marketing"),
        "description": gettext_noop(
            "The Meta (Facebook and Instagram) pixel and the X (Twitter) pixel "
            "tell Meta and X that you visited us, so we can measure our ads and "
            "show them to people like you. Meta and X may combine this with what "
            "they know about you."
        ),
        "is_required": False,
        "is_deletable": True,
        "ordering": 20,
        "cookies": [
            {
                "name": "_fbp",
                "description": _RANDOM_ID,
                "purpose": gettext_noop(
                    "Measures and targets ads on Facebook and Instagram."
                ),
                "lifetime": Lifetime(3, "months"),
                **META,
            },
            {
                "name": "_fbc",
                "description": gettext_noop(
                    "The ad click identifier when you come from a Meta ad."
                ),
                "purpose": gettext_noop(
                    "Measures which ads on Facebook and Instagram lead to visits."
                ),
                "lifetime": Lifetime(3, "months"),
                **META,
            },
            {
                "name": "fr",
                "domain": ".facebook.com",
                "description": gettext_noop(
                    "Meta's advertising identifier (set by Meta)."
                ),
                "purpose": gettext_noop(
                    "Delivers, measures and targets ads on Facebook and Instagram."
                ),
                "lifetime": Lifetime(3, "months"),
                **META,
            },
            {
                "name": "_twclid",
                "description": gettext_noop(
                    "The ad click identifier when you come from an X ad."
                ),
                "purpose": gettext_noop("Measures which ads on X lead to sign-ups."),
                "lifetime": Lifetime(2, "years"),
                **X_CORP,
            },
            {
                "name": "personalization_id",
                "domain": ".x.com",
                "description": gettext_noop("X's advertising identifier (set by X)."),
                "purpose": gettext_noop("Measures and personalises ads on X."),
                "lifetime": Lifetime(13, "months"),
                **X_CORP,
            },
            {
                "name": "muc_ads",
                "domain": ".x.com",
                "description": gettext_noop("X's advertising identifier (set by X)."),
                "purpose": gettext_noop("Measures and personalises ads on X."),
                "lifetime": Lifetime(13, "months"),
                **X_CORP,
            },
            {
                "name": "guest_id*",
                "domain": ".x.com",
                "description": gettext_noop(
                    "Identifiers of a browser not logged in to X (guest_id, "
                    "guest_id_ads, guest_id_marketing; set by X)."
                ),
                "purpose": gettext_noop("Measures and personalises ads on X."),
                "lifetime": Lifetime(13, "months"),
                **X_CORP,
            },
        ],
    },
]

#: Group varname -> browser-storage keys its vendors' scripts write (patterns).
STORAGE_KEYS: dict[str, list[dict[str, str]]] = {
    "analytics": [
        {"area": "localStorage", "name": "_ga*", "vendor": GOOGLE["vendor"]},
        {"area": "localStorage", "name": "_gcl_*", "vendor": GOOGLE["vendor"]},
        {"area": "sessionStorage", "name": "_gcl_*", "vendor": GOOGLE["vendor"]},
    ],
    "marketing": [
        {"area": "localStorage", "name": "_fbp", "vendor": META["vendor"]},
        {"area": "localStorage", "name": "_fbc", "vendor": META["vendor"]},
        {"area": "sessionStorage", "name": "_fbq*", "vendor": META["vendor"]},
        {"area": "localStorage", "name": "_twclid", "vendor": X_CORP["vendor"]},
        {"area": "localStorage", "name": "twq*", "vendor": X_CORP["vendor"]},
        {"area": "sessionStorage", "name": "twq*", "vendor": X_CORP["vendor"]},
    ],
}

STORAGE_PURPOSE = gettext_noop(
    "The same identifiers in the browser's storage instead of a cookie; "
    "removed when you withdraw."
)

DETAIL_FIELDS = ("vendor", "purpose", "vendor_country", "transfer_basis")


def cookie_spec(name: str, domain: str = "") -> dict | None:
    """The catalogue entry of cookie ``name`` (on ``domain``), if any."""
    for group in GROUPS:
        for spec in group["cookies"]:
            if spec["name"] == name and spec.get("domain", "") == domain:
                return spec
    return None


def group_spec(varname: str) -> dict | None:
    return next((g for g in GROUPS if g["varname"] == varname), None)


def seed(apps, schema_editor=None) -> None:
    """Create or update the catalogue's rows (in English, the source language).

    Safe on historical models: it only writes fields that exist since
    ``consent.0001``. The stored ``duration`` is the English text of the
    lifetime at seeding time, a fallback only: ``/cookies/`` computes it.
    """
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")  # noqa: N806
    Cookie = apps.get_model("cookie_consent", "Cookie")  # noqa: N806
    CookieDetails = apps.get_model("consent", "CookieDetails")  # noqa: N806
    with translation.override("en"):
        for spec in GROUPS:
            group, _ = CookieGroup.objects.update_or_create(
                varname=spec["varname"],
                defaults={
                    key: spec[key]
                    for key in (
                        "name",
                        "description",
                        "is_required",
                        "is_deletable",
                        "ordering",
                    )
                },
            )
            for cookie_spec_ in spec["cookies"]:
                cookie, _ = Cookie.objects.update_or_create(
                    cookiegroup=group,
                    name=cookie_spec_["name"],
                    domain=cookie_spec_.get("domain", ""),
                    defaults={"description": cookie_spec_["description"], "path": "/"},
                )
                CookieDetails.objects.update_or_create(
                    cookie=cookie,
                    defaults={
                        **{key: cookie_spec_[key] for key in DETAIL_FIELDS},
                        # A fallback only (the column holds 100 characters).
                        "duration": str(lifetime_text(cookie_spec_["lifetime"]))[:100],
                    },
                )
