"""Build tickets through the services, as the site does."""

from __future__ import annotations

import re

from django.core import mail

from support import services
from support.models import Ticket
from tests.profiles import upload_corpus as corpus

VISITOR = "visitor@example.org"


def member_ticket(user, *, body="My invoice is wrong", topic="engagement", **kw):
    return services.ticket_submit(
        user=user, topic=topic, body=body, client_ip="10.0.0.1", **kw
    )


def visitor_ticket(*, email=VISITOR, body="How do I sign up?", language="en", **kw):
    return services.ticket_submit(
        email=email,
        topic="other",
        body=body,
        language=language,
        client_ip="10.0.0.2",
        base_url="http://testserver/",
        **kw,
    )


def link_token(message) -> str:
    """The token of the verification link in a mail."""
    match = re.search(r"/support/verify/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def verified_visitor_ticket(mailed, **kw) -> Ticket:
    with mailed():
        visitor_ticket(**kw)
    token = link_token(mail.outbox[-1])
    with mailed():
        return services.ticket_verify_token(token=token)


def pdf():
    return corpus.pdf_cv(name="invoice.pdf")
