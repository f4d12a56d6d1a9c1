"""Seed the cookie groups and cookies (django-cookie-consent's models) and their
vendor, purpose, duration and transfer details. Editable in the admin
afterwards; running this again updates the seeded rows and adds missing ones.
"""

from django.db import migrations

WORKSOME = {
    "vendor": "Worksome (this website)",
    "vendor_country": "Denmark",
    "transfer_basis": "eea",
}
GOOGLE = {
    "vendor": "Google Ireland Ltd.; Google LLC (USA)",
    "vendor_country": "United States",
    "transfer_basis": "dpf",
}
META = {
    "vendor": "Meta Platforms Ireland Ltd.; Meta Platforms, Inc. (USA)",
    "vendor_country": "United States",
    "transfer_basis": "dpf",
}
X_CORP = {
    "vendor": "X Corp. (USA)",
    "vendor_country": "United States",
    "transfer_basis": "scc",
}

GROUPS = [
    {
        "varname": "necessary",
        "name": "Necessary",
        "description": (
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
                "description": "A random session key.",
                "purpose": "Keeps you logged in from page to page.",
                "duration": "2 weeks",
                **WORKSOME,
            },
            {
                "name": "csrftoken",
                "description": "A random security token.",
                "purpose": "Protects forms against cross-site request forgery.",
                "duration": "1 year",
                **WORKSOME,
            },
            {
                "name": "django_language",
                "description": "A language code.",
                "purpose": "Remembers the language you chose.",
                "duration": "Session",
                **WORKSOME,
            },
            {
                "name": "messages",
                "description": "Short notices such as 'You are logged in'.",
                "purpose": "Shows a notice once on the next page.",
                "duration": "Session",
                **WORKSOME,
            },
            {
                "name": "cookie_consent",
                "description": "Which cookie groups you accepted or rejected.",
                "purpose": "Remembers your cookie choices.",
                "duration": "1 year",
                **WORKSOME,
            },
            {
                "name": "consent_visitor",
                "description": (
                    "A random id for this browser; no IP address or other data "
                    "about you."
                ),
                "purpose": (
                    "Proves your cookie choices and links them to your account "
                    "when you log in."
                ),
                "duration": "1 year",
                **WORKSOME,
            },
        ],
    },
    {
        "varname": "analytics",
        "name": "Analytics",
        "description": (
            "Google Analytics 4 tells us how the site is used (pages visited, "
            "time spent, device type), so we can improve it. Google receives your "
            "IP address and browser details."
        ),
        "is_required": False,
        "is_deletable": True,
        "ordering": 10,
        "cookies": [
            {
                "name": "_ga",
                "description": "A random identifier of your browser.",
                "purpose": "Counts visitors and tells visits apart (Google Analytics).",
                "duration": "2 years",
                **GOOGLE,
            },
            {
                "name": "_ga_*",
                "description": "The state of your current visit.",
                "purpose": "Keeps the statistics of one visit together.",
                "duration": "2 years",
                **GOOGLE,
            },
        ],
    },
    {
        "varname": "marketing",
        "name": "Marketing",
        "description": (
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
                "description": "A random identifier of your browser.",
                "purpose": "Measures and targets ads on Facebook and Instagram.",
                "duration": "3 months",
                **META,
            },
            {
                "name": "fr",
                "domain": ".facebook.com",
                "description": "Meta's advertising identifier (set by Meta).",
                "purpose": "Delivers, measures and targets ads on Facebook and Instagram.",
                "duration": "3 months",
                **META,
            },
            {
                "name": "_twclid",
                "description": "The ad click identifier when you come from an X ad.",
                "purpose": "Measures which ads on X lead to sign-ups.",
                "duration": "2 years",
                **X_CORP,
            },
            {
                "name": "personalization_id",
                "domain": ".x.com",
                "description": "X's advertising identifier (set by X).",
                "purpose": "Measures and personalises ads on X.",
                "duration": "13 months",
                **X_CORP,
            },
        ],
    },
]

DETAIL_FIELDS = ("vendor", "purpose", "duration", "vendor_country", "transfer_basis")


def seed(apps, schema_editor=None):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    Cookie = apps.get_model("cookie_consent", "Cookie")
    CookieDetails = apps.get_model("consent", "CookieDetails")
    for spec in GROUPS:
        group, _ = CookieGroup.objects.update_or_create(
            varname=spec["varname"],
            defaults={
                key: spec[key]
                for key in ("name", "description", "is_required", "is_deletable", "ordering")
            },
        )
        for cookie_spec in spec["cookies"]:
            cookie, _ = Cookie.objects.update_or_create(
                cookiegroup=group,
                name=cookie_spec["name"],
                domain=cookie_spec.get("domain", ""),
                defaults={"description": cookie_spec["description"], "path": "/"},
            )
            CookieDetails.objects.update_or_create(
                cookie=cookie,
                defaults={key: cookie_spec[key] for key in DETAIL_FIELDS},
            )


def unseed(apps, schema_editor):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    CookieGroup.objects.filter(
        varname__in=[spec["varname"] for spec in GROUPS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_initial"),
        ("cookie_consent", "0004_cookie_natural_key"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
