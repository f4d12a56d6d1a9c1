"""Tickets and the privacy machinery: the access export holds a member's
tickets (notes included: Art. 15) and the attachment; erasure deletes them
and their files; the purge deletes them 12 months after closing; a visitor's
ticket never verified goes when its link expires."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.storage import export_storage
from privacy.erasure import erasure_execute
from privacy.models import AuditEvent
from privacy.requests import services as dsr
from privacy.retention import retention_purge
from support import services
from support.models import Ticket, TicketMessage
from tests.factories import UserFactory
from tests.support.helpers import (
    VISITOR,
    member_ticket,
    pdf,
    verified_visitor_ticket,
    visitor_ticket,
)

pytestmark = pytest.mark.django_db

YEAR = dt.timedelta(days=365)
NOTE = "Quibbleton note about the member 5R"


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def _file(ticket) -> Path:
    return Path(ticket.attachment.path)


def _export(user, capture) -> tuple[dict, zipfile.ZipFile]:
    request = dsr.dsr_submit(user=user, kind="access")
    with capture(execute=True):
        dsr.dsr_export_request(request=request, actor=None, base_url="http://t/")
    request.refresh_from_db()
    with export_storage.open_plain(request.export.file.name) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return json.loads(archive.read("data.json")), archive


def test_the_access_export_holds_the_tickets_messages_notes_and_file(
    mailed, staff, eager_tasks, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    other = UserFactory()
    with mailed():
        ticket = member_ticket(owner, attachment=pdf())
        member_ticket(other, body="Someone else's words")
        services.ticket_reply(ticket=ticket, actor=staff, body="A reply")
    services.ticket_note_add(ticket=ticket, actor=staff, body=NOTE)
    payload, archive = _export(owner, django_capture_on_commit_callbacks)
    data = payload["data"]
    assert [row["id"] for row in data["support.Ticket"]] == [ticket.pk]
    assert data["support.Ticket"][0]["topic"] == "engagement"
    bodies = {(row["kind"], row["body"]) for row in data["support.TicketMessage"]}
    assert bodies == {
        ("member", "My invoice is wrong"),
        ("reply", "A reply"),
        ("note", NOTE),
    }
    assert all("author" not in row for row in data["support.TicketMessage"])
    files = {(f["data"], f["field"]): f["path"] for f in payload["files"]}
    with ticket.attachment.open("rb") as handle:
        assert archive.read(files["support.Ticket", "attachment"]) == handle.read()


def test_erasure_deletes_the_members_tickets_and_their_files(mailed, staff):
    owner = UserFactory()
    other = UserFactory()
    with mailed():
        ticket = member_ticket(owner, attachment=pdf())
        kept = member_ticket(other, attachment=pdf())
    services.ticket_note_add(ticket=ticket, actor=staff, body=NOTE)
    path, kept_path = _file(ticket), _file(kept)
    assert path.exists()
    with mailed():
        outcome = erasure_execute(user=owner, actor=None)
    assert outcome.deleted["support.Ticket"] == 1
    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    assert not TicketMessage.objects.filter(ticket_id=ticket.pk).exists()
    assert not path.exists()
    assert Ticket.objects.filter(pk=kept.pk).exists() and kept_path.exists()


def test_the_purge_deletes_tickets_12_months_after_closing_or_going_idle(mailed, staff):
    owner = UserFactory()
    with mailed():
        old = member_ticket(owner, attachment=pdf())
        fresh = member_ticket(owner)
        still_open = member_ticket(owner)
        abandoned = member_ticket(owner)
    for ticket in (old, fresh):
        services.ticket_close(ticket=ticket, actor=staff)
    Ticket.objects.filter(pk=old.pk).update(
        closed_at=timezone.now() - YEAR - dt.timedelta(minutes=1),
        created_at=timezone.now() - 2 * YEAR,
    )
    Ticket.objects.filter(pk=fresh.pk).update(
        closed_at=timezone.now() - YEAR + dt.timedelta(minutes=1)
    )
    # Open: kept while it moves; left open and idle over a year, it goes
    # (it was kept for ever).
    Ticket.objects.filter(pk=still_open.pk).update(
        created_at=timezone.now() - 3 * YEAR,
        last_activity_at=timezone.now() - YEAR + dt.timedelta(days=1),
    )
    Ticket.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - 3 * YEAR,
        last_activity_at=timezone.now() - YEAR - dt.timedelta(days=1),
    )
    path = _file(old)
    with mailed():
        run = retention_purge()
    assert run.status == "completed"
    assert set(Ticket.objects.values_list("pk", flat=True)) == {
        fresh.pk,
        still_open.pk,
    }
    assert not TicketMessage.objects.filter(ticket_id=old.pk).exists()
    assert not TicketMessage.objects.filter(ticket_id=abandoned.pk).exists()
    assert not path.exists()


def test_an_open_ticket_goes_12_months_after_its_members_account_closed(mailed, staff):
    """Nobody is left to answer a ticket whose member closed the account: its
    purpose ended then, even though staff never closed it."""
    owner, other = UserFactory(), UserFactory()
    with mailed():
        closed_with_account = member_ticket(owner, attachment=pdf())
        services.ticket_reply(ticket=closed_with_account, actor=staff, body="Hi")
        recent = member_ticket(other)
    path = _file(closed_with_account)
    type(owner).objects.filter(pk=owner.pk).update(
        closed_at=timezone.now() - YEAR - dt.timedelta(minutes=1), is_active=False
    )
    type(other).objects.filter(pk=other.pk).update(
        closed_at=timezone.now() - YEAR + dt.timedelta(minutes=1), is_active=False
    )

    with mailed():
        run = retention_purge()

    assert run.status == "completed"
    assert set(Ticket.objects.values_list("pk", flat=True)) == {recent.pk}
    assert not TicketMessage.objects.filter(ticket_id=closed_with_account.pk).exists()
    assert not path.exists()


def test_unverified_visitor_tickets_go_when_the_link_expires(mailed):
    with mailed():
        expired = visitor_ticket(attachment=pdf())
        waiting = visitor_ticket(email="later@example.org")
    Ticket.objects.filter(pk=expired.pk).update(
        token_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    path = _file(expired)
    with mailed():
        assert services.ticket_unverified_purge() == 1
    assert list(Ticket.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert not TicketMessage.objects.filter(ticket_id=expired.pk).exists()
    assert not path.exists()


def test_the_beat_task_runs_the_unverified_purge(mailed, eager_tasks):
    from support.tasks import ticket_unverified_purge

    with mailed():
        ticket = visitor_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(
        token_expires_at=timezone.now() - dt.timedelta(days=1)
    )
    assert ticket_unverified_purge.delay().get() == 1
    assert not Ticket.objects.exists()


def test_a_members_export_and_erasure_take_visitor_tickets_under_their_verified_address(
    mailed, eager_tasks, django_capture_on_commit_callbacks
):
    member = UserFactory(email="sam@example.org")
    with mailed():
        mine = visitor_ticket(email="SAM@example.org", attachment=pdf())
    from django.core import mail

    from tests.support.helpers import link_token

    with mailed():
        services.ticket_verify_token(token=link_token(mail.outbox[-1]))
        never_opened = visitor_ticket(email="sam@example.org")
        someone_else = visitor_ticket(email="other@example.org")
    payload, _archive = _export(member, django_capture_on_commit_callbacks)
    assert [row["id"] for row in payload["data"]["support.Ticket"]] == [mine.pk]
    assert {row["body"] for row in payload["data"]["support.TicketMessage"]} == {
        "How do I sign up?"
    }
    path = _file(Ticket.objects.get(pk=mine.pk))
    with mailed():
        erasure_execute(user=member, actor=None)
    assert not Ticket.objects.filter(pk=mine.pk).exists() and not path.exists()
    assert set(Ticket.objects.values_list("pk", flat=True)) == {
        never_opened.pk,
        someone_else.pk,
    }


def test_an_unverified_account_address_claims_no_visitor_tickets(mailed):
    from django.core import mail

    from privacy.registry import personal_data
    from tests.support.helpers import link_token

    member = UserFactory(email="claim@example.org", verified=False)
    with mailed():
        visitor_ticket(email="claim@example.org")
    services.ticket_verify_token(token=link_token(mail.outbox[-1]))
    declaration = personal_data.get(Ticket)
    assert not declaration.rows_for(member).exists()


# --- A visitor without an account: a request verified by a link ---------------


def _visitor_request(kind: str, mailed, email=VISITOR):
    """A data-subject request from ``email``, verified by its link, as the
    public request form and the e-mailed link make it."""
    with mailed():
        request = dsr.dsr_submit_anonymous(email=email, kind=kind, base_url="http://t/")
    token = re.search(r"/privacy/requests/verify/([^/\s]+)/", mail.outbox[-1].body)
    assert token, mail.outbox[-1].body
    with mailed():
        request = dsr.dsr_verify_token(token=token.group(1))
    assert request.subject is None
    return request


def test_a_visitors_access_request_gets_a_copy_of_their_tickets(mailed, staff):
    ticket = verified_visitor_ticket(mailed, body="Hvordan opretter jeg en konto?")
    with mailed():
        services.ticket_reply(ticket=ticket, actor=staff, body="Click Sign up.")
        verified_visitor_ticket(mailed, email="other@example.org", body="Not yours")
        visitor_ticket(body="Typed by someone else, never verified")
    request = _visitor_request("access", mailed)
    mail.outbox.clear()
    with mailed():
        dsr.dsr_complete(request=request, actor=staff, base_url="http://t/")
    (reply,) = [m for m in mail.outbox if m.to == [VISITOR]]
    assert "Your messages to customer service (1)" in reply.body
    assert "Hvordan opretter jeg en konto?" in reply.body
    assert "Click Sign up." in reply.body
    assert "Not yours" not in reply.body
    assert "never verified" not in reply.body
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_a_visitors_erasure_request_deletes_their_tickets_and_files(mailed, staff):
    ticket = verified_visitor_ticket(mailed, attachment=pdf())
    with mailed():
        unverified = visitor_ticket(email=VISITOR.upper())
    other = verified_visitor_ticket(mailed, email="other@example.org")
    path = _file(ticket)
    request = _visitor_request("erasure", mailed)
    with pytest.raises(ValidationError):  # no account: it is completed instead
        dsr.dsr_erasure_execute(request=request, actor=staff)
    mail.outbox.clear()
    with mailed():
        dsr.dsr_complete(request=request, actor=staff, base_url="http://t/")
    assert not Ticket.objects.filter(pk__in=[ticket.pk, unverified.pk]).exists()
    assert not TicketMessage.objects.filter(ticket_id=ticket.pk).exists()
    assert not path.exists()
    assert Ticket.objects.filter(pk=other.pk).exists()
    (reply,) = [m for m in mail.outbox if m.to == [VISITOR]]
    assert "We deleted what we held under it" in reply.body
    assert "Your messages to customer service (1)" in reply.body
    assert AuditEvent.objects.filter(
        action="dsr.address_erased", target_id=str(request.pk)
    ).exists()


def test_a_visitor_with_nothing_held_is_told_so(mailed, staff):
    request = _visitor_request("erasure", mailed, email="nobody@example.org")
    mail.outbox.clear()
    with mailed():
        dsr.dsr_complete(request=request, actor=staff, base_url="http://t/")
    (reply,) = [m for m in mail.outbox if m.to == ["nobody@example.org"]]
    assert "We hold no account under this e-mail address." in reply.body
    assert "We deleted" not in reply.body
