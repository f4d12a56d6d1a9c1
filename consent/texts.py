"""The texts a consent is asked with; records store and hash exactly these.

The cookie notice is a template (``consent/notice_text.html``), rendered here
both for the banner and for the record, so editing the template changes the
version recorded with every later choice.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Purpose
from .policy import current_policy_version

PURPOSE_TEXTS = {
    Purpose.PROFILE_PHOTO: _(
        "Publish my profile photo on my public profile and in the freelancer directory."
    ),
    Purpose.MARKETING_EMAIL: _("Send me news and offers from Worksome by e-mail."),
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
            "policy_url": reverse("privacy:policy"),
        },
    ).strip()


def cookie_choice_text(*, name: str, description: str) -> str:
    """What a person saw when choosing one cookie group: notice + the group."""
    return f"{cookie_notice_html()}\n\n{name}: {description}".strip()


def purpose_text(purpose: str) -> str:
    return str(PURPOSE_TEXTS.get(purpose, ""))
