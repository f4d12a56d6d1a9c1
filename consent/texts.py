"""The texts a consent is asked with; records store and hash exactly these.

The cookie notice is a template (``consent/notice_text.html``), rendered here
both for the banner and for the record, so editing the template changes the
version recorded with every later choice.

Cookie groups and cookies are django-cookie-consent rows whose text is stored
once, in English (the source language, seeded from ``consent.catalogue``).
Their Danish (and any later language) is the gettext catalogue: each stored
text is looked up as a msgid when shown, the way Django translates its own
model choices. A text an admin typed that has no translation is shown as
typed; a test keeps every catalogue text translated. Durations of catalogued
cookies are computed (``consent.durations``), never read from the row.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent import catalogue
from consent.durations import lifetime_text
from consent.models import Purpose
from consent.policy import current_policy_version

PURPOSE_TEXTS = {
    Purpose.PROFILE_PHOTO: _(
        "Publish my profile photo on my public profile and in the freelancer directory."
    ),
    Purpose.MARKETING_EMAIL: _("Send me news and offers from Worksome by e-mail."),
    Purpose.OPPORTUNITY_EMAIL: _(
        "Send me new opportunities that match my competences by e-mail."
    ),
    Purpose.EMAIL_TRACKING: _(
        "Let Worksome see when I open its e-mails and which links I click "
        "(tracking pixels and tracked links)."
    ),
}


def cookie_notice_html() -> str:
    """The banner's text, as shown (HTML), citing the current policy version."""
    return render_to_string(
        "consent/notice_text.html",
        {
            "policy_version": current_policy_version(),
            "policy_url": reverse("compliance:policy"),
        },
    ).strip()


def cookie_choice_text(*, name: str, description: str) -> str:
    """What a person saw when choosing one cookie group: notice + the group."""
    return f"{cookie_notice_html()}\n\n{name}: {description}".strip()


def purpose_text(purpose: str) -> str:
    return str(PURPOSE_TEXTS.get(purpose, ""))


def shown(stored: str) -> str:
    """A stored catalogue text in the active language (as stored if unknown)."""
    return gettext(stored) if stored else ""


def cookie_duration(*, name: str, domain: str, stored: str) -> str:
    """The cookie's lifetime in words, computed for catalogued cookies."""
    spec = catalogue.cookie_spec(name, domain)
    if spec is not None:
        return lifetime_text(spec["lifetime"])
    return shown(stored)


def group_shown(group) -> dict[str, str]:
    """A ``CookieGroup`` row, or a ``selectors.cookie_lists`` entry, as shown."""
    if isinstance(group, dict):
        name, description = group["name"], group["description"]
        return {"name": shown(name), "description": shown(description)}
    return {"name": shown(group.name), "description": shown(group.description)}


def cookie_shown(cookie) -> dict[str, str]:
    """A ``Cookie`` row with its ``details`` as shown in the active language."""
    details = getattr(cookie, "details", None)
    return {
        "name": cookie.name,
        "domain": cookie.domain,
        "description": shown(cookie.description),
        "vendor": shown(details.vendor) if details else "",
        "purpose": shown(details.purpose) if details else "",
        "duration": cookie_duration(
            name=cookie.name,
            domain=cookie.domain,
            stored=details.duration if details else "",
        ),
        "vendor_country": shown(details.vendor_country) if details else "",
        "transfer_basis": (
            str(details.get_transfer_basis_display())
            if details and details.transfer_basis
            else ""
        ),
    }


def storage_shown(varname: str) -> list[dict[str, str]]:
    """The group's browser-storage keys, as shown."""
    return [
        {
            "area": entry["area"],
            "name": entry["name"],
            "vendor": shown(entry["vendor"]),
            "purpose": shown(catalogue.STORAGE_PURPOSE),
        }
        for entry in catalogue.STORAGE_KEYS.get(varname, [])
    ]


def consent_mode_shown(varname: str) -> dict[str, list[str]]:
    """Which Google Consent Mode signals accepting ``varname`` grants."""
    return {
        "granted": catalogue.consent_mode_signals_for(varname),
        "never": catalogue.consent_mode_signals_for(None),
    }
