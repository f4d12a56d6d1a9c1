"""Fixed texts of data-subject requests: rights, the complaint authority."""

from django.utils.translation import gettext_lazy as _

COMPLAINT_AUTHORITY = {
    "name": "Datatilsynet",
    "address": "Carl Jacobsens Vej 35, 2500 Valby, Denmark",
    "email": "dt@datatilsynet.dk",
    "website": "https://www.datatilsynet.dk",
}

COMPLAINT_TEXT = _(
    "You may complain to the Danish Data Protection Agency, Datatilsynet, "
    "Carl Jacobsens Vej 35, 2500 Valby, dt@datatilsynet.dk."
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
