"""E-mail preferences and marketing mail.

Service messages (contracts, invoices, system updates, downtime, privacy
requests, policy changes) are sent to every member and are not a consent.
Marketing (news, opportunities, products, prices) is a consent purpose
(``Purpose.MARKETING_EMAIL``), off until the member records a grant.

What must never happen, and how it is prevented:
- Marketing to someone who did not consent, who restricted processing
  (Art. 18) or who objected (Art. 21(3), the suppression list): every check is
  made in ``marketing_mail_send`` itself, right before the message is built,
  so no caller can skip one.
- A marketing mail the member cannot leave in one click: every message
  carries an unsubscribe link in its text and the RFC 8058 headers
  ``List-Unsubscribe`` and ``List-Unsubscribe-Post``.
- A tracking pixel without consent: the ``<img>`` is added only when the
  member's current ``EMAIL_TRACKING`` record is a grant.
- A forged unsubscribe or pixel link: links carry a ``django.core.signing``
  signature (own salt per use) over the user id and purpose; a bad signature
  is refused before anything is read or written.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from consent.models import Purpose, Source
from consent.selectors import (
    consent_current,
    consent_is_granted,
    marketing_is_suppressed,
)
from consent.services import consent_record
from core.mail import absolute_url
from privacy.selectors import subject_is_restricted

UNSUBSCRIBE_SALT = "privacy.mail.unsubscribe"  # kept: links already sent stay valid
OPEN_SALT = "privacy.mail.open"  # kept: links already sent stay valid
#: purposes an unsubscribe link may withdraw.
EMAIL_PURPOSES = (Purpose.MARKETING_EMAIL, Purpose.EMAIL_TRACKING)


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


def open_pixel_url(*, user) -> str:
    token = signing.dumps({"u": user.pk}, salt=OPEN_SALT)
    return absolute_url(reverse("consent:email_open", kwargs={"token": token}))


def open_token_valid(*, token: str) -> bool:
    try:
        signing.loads(token[:500], salt=OPEN_SALT)
    except signing.BadSignature:
        return False
    return True


# --- Preferences -----------------------------------------------------------------


def email_preferences_get(*, user) -> dict[str, bool]:
    """The member's current choices; no record means no (marketing is opt-in)."""
    return {
        "marketing": consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=user),
        "tracking": consent_is_granted(purpose=Purpose.EMAIL_TRACKING, user=user),
    }


def email_preferences_set(*, user, marketing: bool, tracking: bool) -> list:
    """Record a consent choice for each purpose whose answer changed.

    Returns the records written (none when nothing changed).
    """
    current = email_preferences_get(user=user)
    records = []
    for key, purpose, wanted in (
        ("marketing", Purpose.MARKETING_EMAIL, marketing),
        ("tracking", Purpose.EMAIL_TRACKING, tracking),
    ):
        if current[key] != wanted:
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


# --- Sending ---------------------------------------------------------------------


def marketing_may_send(*, user) -> bool:
    """Consent is current, processing is not restricted, the address did not object."""
    if not (user and user.is_active and user.email):
        return False
    if getattr(user, "closed_at", None) or getattr(user, "anonymised_at", None):
        return False
    return (
        consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=user)
        and not subject_is_restricted(user=user)
        and not marketing_is_suppressed(email=user.email)
    )


def marketing_message_build(*, user, subject: str, body: str) -> EmailMultiAlternatives:
    """The message with its unsubscribe link, RFC 8058 headers and, with
    tracking consent only, the open pixel."""
    unsubscribe = unsubscribe_url(user=user)
    preferences = absolute_url(reverse("consent:email_preferences"))
    # The footer in the member's language (the body is the sender's).
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        footer = _(
            "You get this e-mail because you chose to receive news and offers from "
            "Worksome.\nUnsubscribe with one click: %(unsubscribe)s\n"
            "Your e-mail preferences: %(preferences)s"
        ) % {"unsubscribe": unsubscribe, "preferences": preferences}
        links = (
            f'<hr><p><a href="{escape(unsubscribe)}">{escape(_("Unsubscribe"))}</a>'
            f' · <a href="{escape(preferences)}">'
            f"{escape(_('E-mail preferences'))}</a></p>"
        )
    text = f"{body.rstrip()}\n\n--\n{footer}\n"
    html = f"{linebreaks(body.rstrip(), autoescape=True)}{links}"
    if consent_is_granted(purpose=Purpose.EMAIL_TRACKING, user=user):
        html += (
            f'<img src="{escape(open_pixel_url(user=user))}" width="1" height="1" '
            'alt="">'
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(f"<html><body>{html}</body></html>", "text/html")
    return message


def marketing_mail_send(*, user, subject: str, body: str) -> bool:
    """Send one marketing e-mail if the member may get it; True when sent.

    Call it from a task, outside a transaction (it sends at once).
    """
    if not marketing_may_send(user=user):
        return False
    return bool(marketing_message_build(user=user, subject=subject, body=body).send())
