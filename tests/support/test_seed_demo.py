"""The support demo of ``make run``: one ticket with a staff reply, made once."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from support.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_one_answered_ticket_once(mailed, settings):
    settings.DEBUG = True  # seed_demo makes the demo admin only then
    with mailed():
        call_command("seed_demo")
    [ticket] = Ticket.objects.all()
    assert ticket.verified_at is not None and ticket.status == "waiting"
    assert ticket.assigned_to.email == "admin@example.com"
    assert list(ticket.messages.values_list("kind", flat=True)) == ["member", "reply"]
    assert any(
        "Svar fra kundeservice" in m.subject or "#" in m.subject
        for m in mail.outbox
        if m.to == [ticket.user.email]
    )
    with mailed():
        call_command("seed_demo_support")
    assert Ticket.objects.count() == 1 and TicketMessage.objects.count() == 2


def test_seed_demo_support_needs_seed_demo_first():
    with pytest.raises(CommandError):
        call_command("seed_demo_support")
