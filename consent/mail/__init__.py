"""Mail: the one mail service, and the e-mail preferences it honours.

- ``service``: ``MailKind``, ``mail_may_send``, ``mail_build``, ``mail_send``
  (after commit, in the worker, retried), ``mail_send_now`` (batch senders,
  with ``mail_checks_read``'s ``MailChecks`` for a batch),
  ``mail_language``;
- ``preferences``: the member's choices, one-click unsubscribe, the signed
  tokens of unsubscribe links and of the open pixel.
"""

from consent.mail.preferences import (
    EMAIL_PURPOSES,
    OPEN_SALT,
    PREFERENCE_PURPOSES,
    UNSUBSCRIBE_SALT,
    email_preferences_get,
    email_preferences_set,
    marketing_unsubscribe,
    open_pixel_url,
    open_token_read,
    open_token_valid,
    unsubscribe_token_make,
    unsubscribe_token_read,
    unsubscribe_url,
)
from consent.mail.service import (
    KIND_PURPOSES,
    MailChecks,
    MailKind,
    mail_build,
    mail_checks_read,
    mail_deliver_payload,
    mail_language,
    mail_may_send,
    mail_send,
    mail_send_now,
)


def marketing_may_send(*, user) -> bool:
    """Whether ``user`` may get marketing mail now."""
    return mail_may_send(kind=MailKind.MARKETING, user=user)


def marketing_message_build(*, user, subject: str, body: str):
    """A marketing message to ``user`` as it would look (a preview: built
    whether or not they may get it; ``marketing_mail_send`` checks)."""
    return mail_build(
        kind=MailKind.MARKETING, user=user, subject=subject, body=body, preview=True
    )


def marketing_mail_send(*, user, subject: str, body: str) -> bool:
    """Send one marketing e-mail at once if the member may get it."""
    return mail_send_now(
        kind=MailKind.MARKETING, user=user, subject=subject, body=body, tag="marketing"
    )


__all__ = [
    "EMAIL_PURPOSES",
    "KIND_PURPOSES",
    "OPEN_SALT",
    "PREFERENCE_PURPOSES",
    "UNSUBSCRIBE_SALT",
    "MailChecks",
    "MailKind",
    "email_preferences_get",
    "email_preferences_set",
    "mail_build",
    "mail_checks_read",
    "mail_deliver_payload",
    "mail_language",
    "mail_may_send",
    "mail_send",
    "mail_send_now",
    "marketing_mail_send",
    "marketing_may_send",
    "marketing_message_build",
    "marketing_unsubscribe",
    "open_pixel_url",
    "open_token_read",
    "open_token_valid",
    "unsubscribe_token_make",
    "unsubscribe_token_read",
    "unsubscribe_url",
]
