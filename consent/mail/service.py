"""The one mail service: every mail a person gets from the platform about
opportunities, news, staff messages and support goes out through here.

A mail has a kind. ``SERVICE`` mail is part of the service (tickets, system
updates, contracts) and goes out whatever the preferences. The optional
kinds, ``MARKETING`` and ``OPPORTUNITY``, each need their consent purpose.

What must never happen, and how it is prevented:
- An optional mail to someone who may not get it: ``mail_may_send`` is asked
  when the message is built, which is the moment of sending (``mail_send``
  builds in the worker, not when it queues). It refuses a member without a
  current grant for the kind's purpose, a restricted member (Art. 18), an
  address on the suppression list (Art. 21(3)), an unverified address, a
  closed, erased or inactive account.
- An optional mail that cannot be left in one click: it carries an
  unsubscribe link for its own purpose in its text and the RFC 8058 headers
  ``List-Unsubscribe`` and ``List-Unsubscribe-Post``.
- Mail in the wrong language: subject, body and footer are rendered under
  the recipient's language (the member's, else the one the sender knows,
  e.g. a visitor's, else the site's); staff-written content comes as
  ``{"da": ..., "en": ...}`` and is picked in the same language.
- A mail without the controller: every mail ends with who the data
  controller is (``privacy.facts.controller_footer``).
- A mail for a transaction that rolls back: ``mail_send`` queues only after
  commit. A transient SMTP failure is retried by the task with backoff;
  ``mail_send_now`` (for batch senders that record their own deliveries)
  retries a few times inline and then raises, so the caller can unclaim.
- A tracking pixel without consent: the pixel is added only when the
  member's current ``EMAIL_TRACKING`` record is a grant and the sender
  tagged the mail.
- Mail to an address erasure left behind (``...@invalid.example``) or a
  reserved ``.invalid`` domain: never sent.
"""

from __future__ import annotations

import logging
import re
import smtplib
import time
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.mail.preferences import open_pixel_url, unsubscribe_url
from consent.models import Purpose
from consent.selectors import (
    consent_current,
    consent_current_many,
    consent_record_effective,
    marketing_suppressed_hashes,
    marketing_suppression_hash,
)
from core.mail import absolute_url
from privacy.facts import controller_footer
from privacy.selectors import subjects_restricted

logger = logging.getLogger(__name__)

#: Errors worth another try: the server or the network is away for a while.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
#: ``mail_send_now``'s tries and the pause before each retry, in seconds.
INLINE_RETRY_PAUSES = (1, 3)


class MailKind(models.TextChoices):
    SERVICE = "service", gettext_lazy("Service message")
    MARKETING = "marketing", gettext_lazy("News and offers")
    OPPORTUNITY = "opportunity", gettext_lazy("New opportunities")


#: the consent purpose each optional kind needs.
KIND_PURPOSES = {
    MailKind.MARKETING: Purpose.MARKETING_EMAIL,
    MailKind.OPPORTUNITY: Purpose.OPPORTUNITY_EMAIL,
}


def _deliverable(address: str) -> bool:
    domain = address.rpartition("@")[2].lower()
    reserved = domain in ("invalid", "invalid.example") or domain.endswith(".invalid")
    return "@" in address and not reserved


@dataclass(frozen=True)
class MailChecks:
    """What ``mail_may_send`` reads about members, read for a whole batch at
    once (four queries instead of four per mail): a batch sender reads it in
    each claim's transaction (``mail_checks_read``), so the checks are as of
    the moment its batch is sent, and passes it to ``mail_send_now``.
    A member the batch did not include is checked one by one, as without it."""

    user_ids: frozenset[int]
    current: dict[int, dict]
    verified: frozenset[tuple[int, str]]
    restricted: frozenset[int]
    suppressed: frozenset[str]

    def covers(self, user) -> bool:
        return user is not None and user.pk in self.user_ids

    def current_for(self, user) -> dict:
        return self.current.get(user.pk, {})

    def allows(self, user) -> bool:
        """The address, restriction and suppression checks of ``_may_send``."""
        return (
            (user.pk, (user.email or "").lower()) in self.verified
            and user.pk not in self.restricted
            and marketing_suppression_hash(user.email) not in self.suppressed
        )


def mail_checks_read(*, users) -> MailChecks:
    """The may-send facts of ``users`` (members), read at once."""
    users = [user for user in users if user is not None]
    ids = frozenset(user.pk for user in users)
    verified = frozenset(
        (user_id, email.lower())
        for user_id, email in EmailAddress.objects.filter(
            user_id__in=ids, verified=True
        ).values_list("user_id", "email")
    )
    return MailChecks(
        user_ids=ids,
        current=consent_current_many(user_ids=ids),
        verified=verified,
        restricted=frozenset(subjects_restricted(user_ids=ids)),
        suppressed=frozenset(
            marketing_suppressed_hashes(emails=[user.email for user in users])
        ),
    )


def mail_may_send(*, kind: str, user=None, to: str = "") -> bool:
    """Whether a mail of ``kind`` may go to ``user`` (or, for service mail
    only, to the bare address ``to``, e.g. a visitor's) now."""
    return _may_send(MailKind(kind), user=user, to=to)


def _may_send(
    kind: MailKind, *, user, to: str, checks: MailChecks | None = None
) -> bool:
    """``mail_may_send``; ``checks`` (covering ``user``) are the member's
    facts as a batch sender read them, else they are read here: one rule for
    a single mail and a batch."""
    if user is None:
        return kind == MailKind.SERVICE and _deliverable(to)
    if kind == MailKind.SERVICE:
        return _deliverable(to or user.email)
    if not (user.is_active and _deliverable(user.email)):
        return False
    if getattr(user, "closed_at", None) or getattr(user, "anonymised_at", None):
        return False
    if checks is None:
        checks = mail_checks_read(users=[user])
    record = checks.current_for(user).get(str(KIND_PURPOSES[kind]))
    return consent_record_effective(record) is True and checks.allows(user)


def mail_language(*, user=None, language: str = "") -> str:
    """The language mail to ``user`` goes out in: theirs, else ``language``
    (a visitor's), else the site's."""
    known = {code for code, _name in settings.LANGUAGES}
    for choice in (getattr(user, "language", "") if user else "", language):
        if choice in known:
            return choice
    return settings.LANGUAGE_CODE


def _in_language(content, language: str) -> str:
    """``content`` as given, or its entry for ``language`` when it is a dict
    of languages (staff-written text held in both)."""
    if isinstance(content, dict):
        return str(
            content.get(language)
            or content.get(settings.LANGUAGE_CODE)
            or next(iter(content.values()), "")
        )
    return str(content or "")


def _optional_footer(*, user, kind: MailKind) -> tuple[str, str, str]:
    """(text, html, unsubscribe url) for an optional kind."""
    unsubscribe = unsubscribe_url(user=user, purpose=KIND_PURPOSES[kind])
    preferences = absolute_url(reverse("consent:email_preferences"))
    values = {"unsubscribe": unsubscribe, "preferences": preferences}
    if kind == MailKind.OPPORTUNITY:
        text = _(
            "You get this e-mail because you asked for new opportunities from "
            "Worksome.\nUnsubscribe with one click: %(unsubscribe)s\n"
            "Your e-mail preferences: %(preferences)s"
        )
    else:
        text = _(
            "You get this e-mail because you chose to receive news and offers from "
            "Worksome.\nUnsubscribe with one click: %(unsubscribe)s\n"
            "Your e-mail preferences: %(preferences)s"
        )
    text %= values
    why = text.split("\n", 1)[0]
    html = (
        f'<hr><p>{escape(why)}<br><a href="{escape(unsubscribe)}">'
        f'{escape(_("Unsubscribe"))}</a> · <a href="{escape(preferences)}">'
        f"{escape(_('E-mail preferences'))}</a></p>"
    )
    return text, html, unsubscribe


def mail_build(
    *,
    kind: str,
    user=None,
    to: str = "",
    language: str = "",
    template: str = "",
    context: dict[str, Any] | None = None,
    subject=None,
    body=None,
    tag: str = "",
    preview: bool = False,
    checks: MailChecks | None = None,
) -> EmailMultiAlternatives | None:
    """The message as the recipient will get it, or None when they may not
    (``preview=True`` builds it anyway, for staff to look at; never send it).

    Content is either ``template`` (``<template>_subject.txt``,
    ``<template>.txt`` and, if it exists, ``<template>.html``, rendered with
    ``context`` and ``recipient``) or ``subject`` and ``body`` (a string, or a
    dict of languages). Optional kinds always go to the member's own address.
    ``checks``: a batch sender's ``mail_checks_read`` (see ``MailChecks``).
    """
    kind = MailKind(kind)
    if checks is not None and not checks.covers(user):
        checks = None
    if checks is None and user is not None and kind in KIND_PURPOSES:
        # One read of the member's facts serves the checks and the pixel.
        checks = mail_checks_read(users=[user])
    may = _may_send(kind, user=user, to=to, checks=checks)
    if not preview and not may:
        return None
    if checks is not None:
        current = checks.current_for(user)
    elif user is not None and tag:
        current = consent_current(user=user)
    else:
        current = {}
    own_address = user is not None and (kind != MailKind.SERVICE or not to)
    address = user.email if own_address else to
    lang = mail_language(user=user, language=language)
    headers = {"Auto-Submitted": "auto-generated", "X-Mail-Kind": str(kind)}
    with translation.override(lang):
        if template:
            values = {**(context or {}), "recipient": user}
            title = render_to_string(f"{template}_subject.txt", values)
            text = render_to_string(f"{template}.txt", values).strip()
            try:
                html = get_template(f"{template}.html").render(values)
            except TemplateDoesNotExist:
                html = linebreaks(text, autoescape=True)
        else:
            title = _in_language(subject, lang)
            text = _in_language(body, lang).strip()
            html = linebreaks(text, autoescape=True)
        title = re.sub(r"\s+", " ", title).strip()
        footer = controller_footer()
        text = f"{text}\n{footer}\n"
        html += linebreaks(footer.strip().lstrip("- ").strip(), autoescape=True)
        if kind in KIND_PURPOSES:
            optional_text, optional_html, unsubscribe = _optional_footer(
                user=user, kind=kind
            )
            text += f"\n{optional_text}\n"
            html += optional_html
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if user is not None and tag:
        tracking = current.get(str(Purpose.EMAIL_TRACKING))
        if consent_record_effective(tracking) is True:
            html += (
                f'<img src="{escape(open_pixel_url(user=user, tag=tag))}" '
                'width="1" height="1" alt="">'
            )
    message = EmailMultiAlternatives(
        subject=title, body=text, to=[address], headers=headers
    )
    message.attach_alternative(
        f'<html lang="{lang}"><body>{html}</body></html>', "text/html"
    )
    return message


def mail_send_now(*, connection=None, **content) -> bool:
    """Build and send at once; True when sent, False when the recipient may
    not get it. Transient SMTP errors are retried inline
    (``INLINE_RETRY_PAUSES``), then raised. Call it outside a transaction
    (a batch sender, after its claim committed)."""
    message = mail_build(**content)
    if message is None:
        return False
    message.connection = connection
    for pause in (*INLINE_RETRY_PAUSES, None):
        try:
            return bool(message.send())
        except TRANSIENT_ERRORS:
            if pause is None:
                raise
            logger.warning("mail: transient failure, retrying in %s s", pause)
            time.sleep(pause)
    return False  # pragma: no cover - the loop returns or raises


def mail_send(*, kind: str, user=None, **content) -> None:
    """Queue the mail once the current transaction commits; the worker
    builds it (so the recipient's choices are read at sending time) and
    retries transient failures (``consent.tasks.mail_deliver``). Takes
    ``mail_build``'s arguments; ``context`` must be JSON-serialisable."""
    from consent.tasks import mail_deliver

    MailKind(kind)  # an unknown kind fails here, in the caller
    payload = {
        "kind": str(kind),
        "user_id": user.pk if user is not None else None,
        **content,
    }
    transaction.on_commit(lambda: mail_deliver.delay(**payload), robust=True)


def mail_deliver_payload(*, user_id: int | None, **content) -> bool:
    """The worker's side of ``mail_send``: build and send, raising transient
    errors (the task retries them). A member deleted meanwhile gets nothing."""
    user = None
    if user_id is not None:
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            return False
    message = mail_build(user=user, **content)
    return bool(message and message.send())
