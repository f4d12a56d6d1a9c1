"""Mail plumbing every app uses: absolute links, and sending after commit.

What a mail says, in whose language and with which footer, belongs to the
app that sends it; this module only decides how it leaves: never from inside
a transaction that may still roll back (``transaction.on_commit``), and a
failing mail server is logged, not raised into the request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction


def absolute_url(path: str, *, base_url: str = "") -> str:
    """``path`` on ``base_url`` (the current request's site), else on
    ``settings.SITE_URL`` (background tasks have no request)."""
    base = base_url or getattr(settings, "SITE_URL", "")
    return f"{base.rstrip('/')}{path}" if base else path


def mail_after_commit(*, to: str, subject: str, body: str) -> None:
    """Send a plain-text e-mail once the current transaction commits."""
    if not to:
        return
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]), robust=True)


def message_after_commit(build: Callable[[], EmailMessage]) -> None:
    """Build and send a prepared message once the transaction commits (for
    mails with headers or alternatives)."""
    transaction.on_commit(lambda: build().send(), robust=True)
