"""A member's tickets on the site, and the staff side through the services:
replies mailed in the member's language, internal notes never shown or
mailed, assignment, closing, and the identity rule on every URL."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from privacy.models import AuditEvent
from support import services
from support.models import Ticket
from tests.factories import UserFactory
from tests.support.helpers import (
    VISITOR,
    member_ticket,
    pdf,
    verified_visitor_ticket,
)

pytestmark = pytest.mark.django_db

NOTE = "Zorblax internal suspicion 9F2"


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def owner(db):
    return UserFactory(language="en")


@pytest.fixture
def ticket(owner, mailed):
    with mailed():
        return member_ticket(owner, attachment=pdf())


def _urls(ticket):
    return [
        f"/support/{ticket.pk}/",
        f"/support/{ticket.pk}/attachment/",
    ]


def test_the_owner_sees_the_list_and_the_ticket(client, owner, ticket):
    client.force_login(owner)
    listing = client.get("/support/")
    assert listing.status_code == 200
    assert f"/support/{ticket.pk}/" in listing.content.decode()
    detail = client.get(f"/support/{ticket.pk}/")
    assert detail.status_code == 200
    assert "My invoice is wrong" in detail.content.decode()
    download = client.get(f"/support/{ticket.pk}/attachment/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["other", "staff"])
def test_anyone_but_the_owner_gets_404(client, ticket, staff, who):
    client.force_login(UserFactory() if who == "other" else staff)
    for url in _urls(ticket):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/support/{ticket.pk}/reply/", {"body": "x"}).status_code == 404
    assert f"/support/{ticket.pk}/" not in client.get("/support/").content.decode()


def test_anonymous_is_sent_to_log_in(client, ticket):
    for url in ["/support/", *_urls(ticket)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_ticket_list_costs_a_fixed_number_of_queries(
    client, owner, mailed, django_assert_max_num_queries
):
    with mailed():
        for n in range(5):
            member_ticket(owner, body=f"Question {n}")
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        response = client.get("/support/")
    assert response.content.decode().count('href="/support/') >= 5


def test_the_member_replies_while_open(client, owner, ticket, staff, mailed):
    with mailed():
        services.ticket_reply(ticket=ticket, actor=staff, body="Which invoice?")
    assert Ticket.objects.get().status == "waiting"
    client.force_login(owner)
    response = client.post(f"/support/{ticket.pk}/reply/", {"body": "Number 7"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.messages.filter(kind="member", body="Number 7").exists()
    empty = client.post(f"/support/{ticket.pk}/reply/", {"body": " "})
    assert empty.status_code == 400
    assert "body" in empty.context["form"].errors


def test_a_closed_ticket_takes_no_more_replies(client, owner, ticket, staff):
    services.ticket_close(ticket=ticket, actor=staff)
    client.force_login(owner)
    page = client.get(f"/support/{ticket.pk}/")
    assert "This ticket is closed" in page.content.decode()
    response = client.post(f"/support/{ticket.pk}/reply/", {"body": "Hello?"})
    assert response.status_code == 400
    assert ticket.messages.count() == 1


def test_a_staff_reply_is_mailed_in_the_members_language_and_shown(
    client, ticket, staff, mailed
):
    owner = ticket.user
    owner.language = "da"
    owner.save(update_fields=["language"])
    mail.outbox.clear()
    with mailed():
        services.ticket_reply(ticket=ticket, actor=staff, body="Vi har rettet den.")
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.alternatives[0][0].startswith('<html lang="da">')
    assert "Vi har rettet den." in message.body
    assert f"/support/{ticket.pk}/" in message.body
    client.force_login(owner)
    assert "Vi har rettet den." in client.get(f"/support/{ticket.pk}/").content.decode()


def test_a_staff_reply_to_a_visitor_goes_to_their_address_in_their_language(
    mailed, staff
):
    ticket = verified_visitor_ticket(mailed, language="en")
    mail.outbox.clear()
    with mailed():
        services.ticket_reply(ticket=ticket, actor=staff, body="Yes, Norway too.")
    [message] = mail.outbox
    assert message.to == [VISITOR]
    assert message.alternatives[0][0].startswith('<html lang="en">')
    assert "Answer from customer service" in message.subject
    assert "Yes, Norway too." in message.body


def test_internal_notes_are_never_shown_or_mailed_to_the_member(
    client, owner, ticket, staff, mailed
):
    mail.outbox.clear()
    with mailed():
        services.ticket_note_add(ticket=ticket, actor=staff, body=NOTE)
        services.ticket_reply(ticket=ticket, actor=staff, body="Answer")
    assert all(NOTE not in m.body for m in mail.outbox)
    assert all(NOTE not in html for m in mail.outbox for html, _type in m.alternatives)
    client.force_login(owner)
    assert NOTE not in client.get(f"/support/{ticket.pk}/").content.decode()
    assert NOTE not in client.get("/support/").content.decode()


def test_staff_work_is_audited_and_closing_stamps_closed_at(ticket, staff, mailed):
    with mailed():
        services.ticket_assign(ticket=ticket, actor=staff, assignee=staff)
        services.ticket_note_add(ticket=ticket, actor=staff, body="Check")
        services.ticket_reply(ticket=ticket, actor=staff, body="Done")
        services.ticket_close(ticket=ticket, actor=staff)
    ticket.refresh_from_db()
    assert ticket.assigned_to == staff
    assert ticket.status == "closed" and ticket.closed_at is not None
    actions = list(
        AuditEvent.objects.filter(actor=staff, subject=ticket.user)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "support.assigned",
        "support.note_added",
        "support.reply_sent",
        "support.closed",
    ]
    for event in AuditEvent.objects.filter(actor=staff):
        assert "Check" not in str(event.details) and "Done" not in str(event.details)
    services.ticket_status_set(ticket=ticket, actor=staff, status="open")
    ticket.refresh_from_db()
    assert ticket.closed_at is None


def test_only_staff_work_tickets_and_only_verified_ones(ticket, mailed, owner, staff):
    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=ticket, actor=owner, body="I am staff")
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, actor=staff, assignee=owner)
    with mailed():
        from tests.support.helpers import visitor_ticket

        unverified = visitor_ticket()
    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=unverified, actor=staff, body="Hi")
    with pytest.raises(ValidationError):
        services.ticket_status_set(ticket=ticket, actor=staff, status="bogus")
