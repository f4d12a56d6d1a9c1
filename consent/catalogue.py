"""The one catalogue of what each cookie group sets and what it switches on.

The content is the versioned data file ``consent/data/cookie_catalogue.json``;
this module reads it once and offers it as the structures below.

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
  Danish is the gettext catalogue (``consent.texts``). Written into
  django-cookie-consent's ``CookieGroup``/``Cookie`` and ``CookieDetails`` by
  ``cookie_catalogue_sync`` (``manage.py seed_compliance``, and after every
  ``migrate``).
- ``STORAGE_KEYS``: the browser-storage keys (localStorage/sessionStorage) of
  each group's vendors, also name patterns; removed on withdrawal.

Lifetimes of Worksome's own cookies are read from the settings that set them
when shown (``consent.durations``), so the list never drifts from the code.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.utils import translation

from consent.durations import Lifetime, lifetime_text

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "cookie_catalogue.json"


def _read(path: Path = CATALOGUE_FILE) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    for group in data["groups"]:
        for cookie in group["cookies"]:
            cookie["lifetime"] = Lifetime(**cookie["lifetime"])
    return data


_DATA = _read()

#: Google Consent Mode v2 signal -> the cookie group whose consent grants it;
#: ``None``: never granted.
CONSENT_MODE_SIGNALS: dict[str, str | None] = _DATA["consent_mode_signals"]
GROUPS: list[dict] = _DATA["groups"]
#: Group varname -> browser-storage keys its vendors' scripts write (patterns).
STORAGE_KEYS: dict[str, list[dict[str, str]]] = _DATA["storage_keys"]
STORAGE_PURPOSE: str = _DATA["storage_purpose"]


def consent_mode_state(choices: dict[str, bool | None]) -> dict[str, str]:
    """Every signal, ``granted`` only when its group is accepted."""
    return {
        signal: "granted" if group and choices.get(group) is True else "denied"
        for signal, group in CONSENT_MODE_SIGNALS.items()
    }


def consent_mode_signals_for(varname: str | None) -> list[str]:
    """The signals accepting the group ``varname`` grants (None: never granted)."""
    return [s for s, group in CONSENT_MODE_SIGNALS.items() if group == varname]


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


def cookie_catalogue_sync(apps) -> int:
    """Create or update the catalogue's rows (in English, the source language).

    Idempotent (rows matched by group varname and cookie name and domain);
    returns the number of cookies in the catalogue. The stored ``duration``
    is the English text of the lifetime at seeding time, a fallback only:
    ``/cookies/`` computes it.
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
    return sum(len(group["cookies"]) for group in GROUPS)
