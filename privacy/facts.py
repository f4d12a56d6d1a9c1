"""Who answers for personal data, and where people may complain: one home.

The controller's identity comes from ``settings.PRIVACY_CONTROLLER`` (the
``CONTROLLER_*`` environment variables; development placeholders live there
too, and ``check --deploy`` refuses them). The supervisory authority and the
fixed texts of Art. 13-15 are written here once; the policy page, replies to
requests, exports and e-mail footers all read them from here.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

#: The keys every controller dict has (empty when the setting lacks one).
CONTROLLER_KEYS = ("name", "address", "cvr", "email", "phone", "dpo_email")

SUPERVISORY_AUTHORITY = {
    "name": "Datatilsynet",
    "address": "Carl Jacobsens Vej 35, 2500 Valby",
    "email": "dt@datatilsynet.dk",
    "url": "https://www.datatilsynet.dk/",
}

COMPLAINT_TEXT = format_lazy(
    _(
        "You may complain to the Danish Data Protection Agency, {name}, "
        "{address}, {email}."
    ),
    **{key: SUPERVISORY_AUTHORITY[key] for key in ("name", "address", "email")},
)

RIGHTS = [
    _("Access: a copy of your personal data and these facts (Art. 15)."),
    _("Rectification: correct inaccurate or incomplete data (Art. 16)."),
    _("Erasure: have your data deleted (Art. 17)."),
    _("Restriction: have the use of your data blocked (Art. 18)."),
    _("Portability: your data in a machine-readable format (Art. 20)."),
    _("Objection: object to processing, and to marketing at any time (Art. 21)."),
    _("Withdraw consent at any time, without affecting earlier processing (Art. 7)."),
    _("Complain to Datatilsynet, the Danish Data Protection Agency (Art. 77)."),
]

SOURCE_TEXT = _(
    "You gave us this data when you signed up, edited your profile and made "
    "choices on the site. Recipient records come from companies downloading "
    "your CV; consent records from your choices in the cookie banner and "
    "settings. We do not buy or collect data about you from other sources."
)

AUTOMATED_DECISIONS_TEXT = _(
    "No decisions about you are made by automated means, and no profiling (Art. 22)."
)


def controller() -> dict[str, str]:
    """The data controller, from ``settings.PRIVACY_CONTROLLER`` (read now)."""
    configured = getattr(settings, "PRIVACY_CONTROLLER", None) or {}
    return {**dict.fromkeys(CONTROLLER_KEYS, ""), **configured}


def controller_footer() -> str:
    """Who is answering, for the end of an e-mail (GDPR Art. 12-14)."""
    details = controller()
    who = ", ".join(
        part
        for part in (
            details["name"],
            details["address"],
            f"CVR {details['cvr']}" if details["cvr"] else "",
        )
        if part
    )
    contact = " · ".join(part for part in (details["email"], details["phone"]) if part)
    footer = "\n\n-- \n" + _("Data controller: %(who)s") % {"who": who}
    return footer + (f"\n{contact}" if contact else "")
