"""E-mail preferences, one-click unsubscribe and the open pixel's tokens.

The preferences are consent purposes, off until the member records a grant:
marketing (``Purpose.MARKETING_EMAIL``), opportunity alerts
(``Purpose.OPPORTUNITY_EMAIL``) and tracking pixels (``Purpose.EMAIL_TRACKING``).
Service messages are not a choice (``consent.mail.service``).

What must never happen, and how it is prevented:
- A forged unsubscribe or pixel link: links carry a ``django.core.signing``
  signature (own salt per use) over the user id and purpose (or mail tag); a
  bad signature is refused before anything is read or written.
- A second click (or a mail client's repeated RFC 8058 POST) writing a second
  withdrawal: ``marketing_unsubscribe`` writes only while the current record
  is a grant.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from consent.models import Purpose, Source
from consent.selectors import consent_current, consent_record_effective
from consent.services import consent_record
from core.mail import absolute_url

UNSUBSCRIBE_SALT = "privacy.mail.unsubscribe"  # kept: links already sent stay valid
OPEN_SALT = "privacy.mail.open"  # kept: links already sent stay valid
#: purposes an unsubscribe link may withdraw.
EMAIL_PURPOSES = (
    Purpose.MARKETING_EMAIL,
    Purpose.OPPORTUNITY_EMAIL,
    Purpose.EMAIL_TRACKING,
)


# --- Tokens ----------------------------------------------------------------------


def unsubscribe_token_make(*, user, purpose: str = Purpose.MARKETING_EMAIL) -> str:
    """A signed, non-expiring token naming the member and the purpose."""
    return signing.dumps({"u": user.pk, "p": str(purpose)}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user, purpose: str = Purpose.MARKETING_EMAIL) -> str:
    token = unsubscribe_token_make(user=user, purpose=purpose)
    return absolute_url(reverse("consent:unsubscribe", kwargs={"token": token}))


def unsubscribe_token_read(*, token: str) -> tuple[object | None, str]:
    """(user or None if the account is gone, purpose) of a valid token.

    Raises ValidationError for a token this site did not sign.
    """
    try:
        payload = signing.loads(token[:500], salt=UNSUBSCRIBE_SALT)
        user_id, purpose = int(payload["u"]), str(payload["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(
            _(
                "This unsubscribe link is not valid. Use the link in the e-mail, "
                "or change your e-mail preferences after logging in."
            ),
            code="invalid_token",
        ) from None
    if purpose not in EMAIL_PURPOSES:
        raise ValidationError(_("This unsubscribe link is not valid."), code="purpose")
    return get_user_model().objects.filter(pk=user_id).first(), purpose


def open_pixel_url(*, user, tag: str = "") -> str:
    """The pixel of one mail to ``user``; ``tag`` names the mail (e.g.
    ``mailing:12``) so an open can be told apart from another mail's."""
    token = signing.dumps({"u": user.pk, "t": tag[:100]}, salt=OPEN_SALT)
    return absolute_url(reverse("consent:email_open", kwargs={"token": token}))


def open_token_read(*, token: str) -> tuple[int, str] | None:
    """(user id, tag) of a pixel token this site signed, else None."""
    try:
        payload = signing.loads(token[:500], salt=OPEN_SALT)
        return int(payload["u"]), str(payload.get("t", ""))[:100]
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def open_token_valid(*, token: str) -> bool:
    return open_token_read(token=token) is not None


# --- Preferences -----------------------------------------------------------------


#: preference key -> the consent purpose it records.
PREFERENCE_PURPOSES = {
    "marketing": Purpose.MARKETING_EMAIL,
    "opportunities": Purpose.OPPORTUNITY_EMAIL,
    "tracking": Purpose.EMAIL_TRACKING,
}


def email_preferences_get(*, user) -> dict[str, bool]:
    """The member's current choices; no record means no (each is opt-in)."""
    current = consent_current(user=user)
    return {
        key: consent_record_effective(current.get(str(purpose))) is True
        for key, purpose in PREFERENCE_PURPOSES.items()
    }


def email_preferences_set(
    *,
    user,
    marketing: bool,
    tracking: bool,
    opportunities: bool | None = None,
) -> list:
    """Record a consent choice for each purpose whose answer changed
    (``opportunities=None`` leaves that choice as it is).

    Returns the records written (none when nothing changed).
    """
    current = email_preferences_get(user=user)
    records = []
    for key, purpose, wanted in (
        ("marketing", Purpose.MARKETING_EMAIL, marketing),
        ("opportunities", Purpose.OPPORTUNITY_EMAIL, opportunities),
        ("tracking", Purpose.EMAIL_TRACKING, tracking),
    ):
        if wanted is not None and current[key] != wanted:
            records.append(
                consent_record(
                    purpose=purpose,
                    granted=wanted,
                    source=Source.SETTINGS,
                    user=user,
                    actor=user,
                )
            )
    return records


def marketing_unsubscribe(*, user, purpose: str = Purpose.MARKETING_EMAIL):
    """Withdraw ``purpose`` for a one-click unsubscribe; idempotent.

    Records a withdrawal only while the current record is a grant, so a second
    click (or a mail client's repeat POST) writes nothing. Returns the record
    written, or None.
    """
    if user is None:
        return None
    record = consent_current(user=user).get(str(purpose))
    if record is None or not record.granted:
        return None
    return consent_record(
        purpose=purpose, granted=False, source=Source.EMAIL_LINK, user=user, actor=user
    )
