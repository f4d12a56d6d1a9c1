"""The support desk in the admin: the queue (verified tickets only, with its
filters), a ticket with an attachment renders (its private storage has no
URL), the attachment is served to staff who may view, and reply, note,
assignment and status are POSTs that call the audited services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client

from privacy.models import AuditEvent
from profiles.models import User
from support import services
from support.models import Ticket
from tests.factories import UserFactory
from tests.security.totp import activate_totp
from tests.support.helpers import member_ticket, pdf, visitor_ticket

pytestmark = pytest.mark.django_db

ADMIN = "/admin/support/ticket/"
NOTE = "Flimwick staff-only note 3Z"


def staff(*codenames: str) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="support", codename__in=codenames
        )
    )
    activate_totp(user)
    return User.objects.get(pk=user.pk)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def worker():
    return staff("view_ticket", "change_ticket")


@pytest.fixture
def ticket(mailed):
    with mailed():
        return member_ticket(UserFactory(language="en"), attachment=pdf())


def test_the_queue_lists_verified_tickets_only_and_filters(
    worker, ticket, mailed, django_assert_max_num_queries
):
    with mailed():
        unverified = visitor_ticket()
        for n in range(4):
            member_ticket(UserFactory(), body=f"Q{n}")
    client = client_for(worker)
    with django_assert_max_num_queries(25):
        response = client.get(ADMIN)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{ADMIN}{ticket.pk}/change/" in page
    assert f"{ADMIN}{unverified.pk}/change/" not in page
    assert client.get(f"{ADMIN}{unverified.pk}/change/").status_code in (302, 404)

    services.ticket_assign(ticket=ticket, actor=worker, assignee=worker)
    mine = client.get(ADMIN, {"assigned": "me"}).content.decode()
    assert f"{ADMIN}{ticket.pk}/change/" in mine
    nobody = client.get(ADMIN, {"assigned": "nobody"}).content.decode()
    assert f"{ADMIN}{ticket.pk}/change/" not in nobody
    for params in (
        {"waiting_for_us": "yes"},
        {"status__exact": "open"},
        {"topic__exact": "engagement"},
        {"q": ticket.user.email},
    ):
        assert client.get(ADMIN, params).status_code == 200
    services.ticket_reply(ticket=ticket, actor=worker, body="Answer")
    waiting = client.get(ADMIN, {"waiting_for_us": "yes"}).content.decode()
    assert f"{ADMIN}{ticket.pk}/change/" not in waiting


def test_a_ticket_with_an_attachment_renders_and_the_file_is_served(worker, ticket):
    services.ticket_note_add(ticket=ticket, actor=worker, body=NOTE)
    client = client_for(worker)
    response = client.get(f"{ADMIN}{ticket.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{ADMIN}{ticket.pk}/attachment/" in page
    assert "My invoice is wrong" in page and NOTE in page
    download = client.get(f"{ADMIN}{ticket.pk}/attachment/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(
        actor=worker, action="admin.personal_data_viewed", target_id=str(ticket.pk)
    ).exists()


def test_staff_reply_note_assign_and_close_through_the_admin(worker, ticket, mailed):
    client = client_for(worker)
    mail.outbox.clear()
    with mailed():
        client.post(f"{ADMIN}{ticket.pk}/note/", {"note-body": NOTE})
        client.post(f"{ADMIN}{ticket.pk}/reply/", {"reply-body": "Fixed it"})
        client.post(f"{ADMIN}{ticket.pk}/assign/", {"assignee": worker.pk})
        response = client.post(f"{ADMIN}{ticket.pk}/status/", {"status": "closed"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None
    assert ticket.assigned_to == worker
    assert [m.kind for m in ticket.messages.order_by("pk")] == [
        "member",
        "note",
        "reply",
    ]
    [reply] = mail.outbox
    assert reply.to == [ticket.user.email] and "Fixed it" in reply.body
    assert NOTE not in reply.body
    assert set(
        AuditEvent.objects.filter(
            actor=worker, action__startswith="support."
        ).values_list("action", flat=True)
    ) == {
        "support.note_added",
        "support.reply_sent",
        "support.assigned",
        "support.closed",
    }


def test_bad_input_in_the_admin_is_a_message_not_a_500(worker, ticket):
    client = client_for(worker)
    for url, data in (
        ("reply", {"reply-body": ""}),
        ("note", {"note-body": "x" * 6000}),
        ("assign", {"assignee": 999999}),
        ("status", {"status": "bogus"}),
    ):
        response = client.post(f"{ADMIN}{ticket.pk}/{url}/", data)
        assert response.status_code == 302, url
    assert ticket.messages.count() == 1
    assert Ticket.objects.get().status == "new"


def test_staff_without_the_change_permission_only_look(ticket):
    viewer = staff("view_ticket")
    client = client_for(viewer)
    page = client.get(f"{ADMIN}{ticket.pk}/change/")
    assert page.status_code == 200
    assert 'id="ticket-reply"' not in page.content.decode()
    assert (
        client.post(f"{ADMIN}{ticket.pk}/reply/", {"reply-body": "x"}).status_code
        == 403
    )
    nobody = client_for(staff())
    assert nobody.get(f"{ADMIN}{ticket.pk}/change/").status_code == 403
    assert nobody.get(f"{ADMIN}{ticket.pk}/attachment/").status_code == 403
