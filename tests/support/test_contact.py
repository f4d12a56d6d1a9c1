"""The contact form: members and visitors, the visitor's link, bad input and
flooding (a form error or a 429, and nothing stored)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from privacy.models import AuditEvent
from support import services
from support.models import Ticket, TicketMessage
from support.selectors import ticket_queue
from tests.factories import UserFactory
from tests.profiles import upload_corpus as corpus
from tests.support.helpers import VISITOR, link_token, pdf, visitor_ticket

pytestmark = pytest.mark.django_db

URL = "/support/contact/"


def test_the_footer_links_to_the_contact_form(client):
    response = client.get("/")
    assert f'href="{URL}"' in response.content.decode()


def test_a_member_files_a_ticket_verified_by_their_session(client, mailed):
    member = UserFactory(language="en")
    client.force_login(member)
    with mailed():
        response = client.post(
            URL,
            {
                "topic": "account",
                "body": "I cannot change my e-mail",
                "attachment": pdf(),
            },
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:ticket_detail", args=[ticket.pk])
    assert ticket.user == member and ticket.email == ""
    assert ticket.verified_at is not None and ticket.status == "new"
    assert ticket.attachment.name.startswith("support/")
    assert ticket.attachment.name.endswith(".pdf")
    assert ticket.attachment_content_type == "application/pdf"
    assert list(ticket_queue()) == [ticket]
    [message] = TicketMessage.objects.all()
    assert message.kind == "member" and message.author == member
    [receipt] = mail.outbox
    assert receipt.to == [member.email]
    assert f"#{ticket.pk}" in receipt.subject
    assert "We got your question" in receipt.subject
    assert AuditEvent.objects.filter(
        action="support.ticket_received", subject=member
    ).exists()


def test_a_visitor_ticket_waits_for_the_link_and_staff_see_it_only_after(
    client, mailed
):
    with mailed():
        response = client.post(
            URL,
            {"email": VISITOR, "topic": "other", "body": "Do you cover Norway?"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.user is None and ticket.email == VISITOR
    assert ticket.verified_at is None and ticket.token_hash
    assert ticket.language == "en"
    assert list(ticket_queue()) == []
    [link_mail] = mail.outbox
    assert link_mail.to == [VISITOR]
    token = link_token(link_mail)
    assert token not in ticket.token_hash  # only its hash is stored

    page = client.get(f"/support/verify/{token}/")
    assert page.status_code == 200  # a button: link scanners only GET
    assert Ticket.objects.get().verified_at is None
    with mailed():
        done = client.post(f"/support/verify/{token}/")
    assert done.status_code == 200
    ticket.refresh_from_db()
    assert ticket.verified_at is not None and ticket.token_hash is None
    assert list(ticket_queue()) == [ticket]
    receipt = mail.outbox[-1]
    assert receipt.to == [VISITOR] and "We got your question" in receipt.subject


def test_a_visitor_link_works_once(client, mailed):
    with mailed():
        visitor_ticket()
    token = link_token(mail.outbox[-1])
    with mailed():
        assert client.post(f"/support/verify/{token}/").status_code == 200
    again = client.post(f"/support/verify/{token}/")
    assert again.status_code == 400
    assert "not valid or was already used" in again.content.decode()


def test_an_expired_link_is_refused(client, mailed):
    with mailed():
        ticket = visitor_ticket()
    token = link_token(mail.outbox[-1])
    Ticket.objects.filter(pk=ticket.pk).update(
        token_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for method in (client.get, client.post):
        response = method(f"/support/verify/{token}/")
        assert response.status_code == 400
        assert "expired" in response.content.decode()
    assert Ticket.objects.get().verified_at is None


@pytest.mark.parametrize("token", ["wrong", "x" * 200, "a%00b"])
def test_a_wrong_link_is_refused(client, mailed, token):
    with mailed():
        visitor_ticket()
    response = client.post(f"/support/verify/{token}/")
    # A NUL never reaches the view (core.security answers 404 first).
    assert response.status_code in (400, 404)
    assert Ticket.objects.get().verified_at is None


def test_the_visitor_mails_are_in_the_language_of_their_request(client, mailed):
    with mailed():
        client.post(
            URL,
            {"email": VISITOR, "topic": "other", "body": "Hej"},
            HTTP_ACCEPT_LANGUAGE="da",
        )
    assert Ticket.objects.get().language == "da"
    [message] = mail.outbox
    assert message.alternatives[0][0].startswith('<html lang="da">')


# --- Bad input: a form error, nothing stored ---------------------------------


def _assert_nothing_stored():
    assert Ticket.objects.count() == 0
    assert TicketMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "data, field",
    [
        ({"topic": "other", "body": ""}, "body"),
        ({"topic": "other", "body": "   "}, "body"),
        ({"topic": "billing", "body": "Hello"}, "topic"),
        ({"topic": "other", "body": "x" * 5001}, "body"),
        ({"topic": "other", "body": "Hi", "email": "not-an-address"}, "email"),
        ({"topic": "other", "body": "Hi", "email": ""}, "email"),
    ],
)
def test_bad_input_is_a_form_error_and_stores_nothing(client, mailed, data, field):
    payload = {"email": VISITOR, **data}
    with mailed():
        response = client.post(URL, payload)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    _assert_nothing_stored()


def test_a_nul_in_the_message_is_refused_before_the_form(client, mailed):
    with mailed():
        response = client.post(
            URL, {"email": VISITOR, "topic": "other", "body": "bad\x00byte"}
        )
    assert response.status_code == 400
    _assert_nothing_stored()


@pytest.mark.parametrize(
    "upload",
    [
        corpus.png_renamed_pdf(),
        corpus.legacy_doc(),
        corpus.xlsx_workbook(),
        corpus.encrypted_pdf(),
        corpus.hostile_pdfs()["open_action_javascript"],
    ],
    ids=["png-as-pdf", "doc", "xlsx", "encrypted", "active-pdf"],
)
def test_a_bad_attachment_is_a_form_error_and_stores_nothing(
    member_client, mailed, upload
):
    with mailed():
        response = member_client.post(
            URL, {"topic": "profile", "body": "See file", "attachment": upload}
        )
    assert response.status_code == 400
    assert "attachment" in response.context["form"].errors
    _assert_nothing_stored()


def test_a_too_big_attachment_is_a_form_error(member_client, mailed, settings):
    settings.CV_UPLOAD_MAX_BYTES = 1024 * 1024
    with mailed():
        response = member_client.post(
            URL,
            {
                "topic": "profile",
                "body": "See file",
                "attachment": corpus.oversized_pdf_cv(size=2 * 1024 * 1024),
            },
        )
    assert response.status_code == 400
    [error] = response.context["form"].errors["attachment"]
    assert error == "The attachment must be 1 MB or smaller."
    _assert_nothing_stored()


# --- Flooding: 429, nothing stored --------------------------------------------


def test_flooding_from_one_address_is_refused_with_429(client, mailed, settings):
    settings.SUPPORT_RATE_LIMIT = (2, 3600)
    for n in range(2):
        with mailed():
            response = client.post(
                URL,
                {"email": VISITOR, "topic": "other", "body": f"Question {n}"},
                REMOTE_ADDR=f"10.1.0.{n}",  # a new IP each time: the address counts
            )
        assert response.status_code == 200
    sent = len(mail.outbox)
    with mailed():
        refused = client.post(
            URL,
            {"email": VISITOR.upper(), "topic": "other", "body": "Question 3"},
            REMOTE_ADDR="10.1.0.9",
        )
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "nothing was stored" in refused.content.decode()
    assert Ticket.objects.count() == 2
    assert len(mail.outbox) == sent


def test_flooding_from_one_ip_is_refused_with_429(client, mailed, settings):
    settings.SUPPORT_RATE_LIMIT = (2, 3600)
    for n in range(2):
        with mailed():
            client.post(
                URL,
                {"email": f"v{n}@example.org", "topic": "other", "body": "Hi"},
                REMOTE_ADDR="10.2.0.1",
            )
    refused = client.post(
        URL,
        {
            "email": "v9@example.org",
            "topic": "other",
            "body": "Hi",
            "attachment": pdf(),
        },
        REMOTE_ADDR="10.2.0.1",
    )
    assert refused.status_code == 429
    assert Ticket.objects.count() == 2
    assert not Ticket.objects.filter(email="v9@example.org").exists()


def test_a_member_is_limited_by_their_address_too(member_client, settings, mailed):
    settings.SUPPORT_RATE_LIMIT = (1, 3600)
    with mailed():
        assert (
            member_client.post(URL, {"topic": "other", "body": "One"}).status_code
            == 302
        )
    refused = member_client.post(
        URL, {"topic": "other", "body": "Two"}, REMOTE_ADDR="10.3.0.1"
    )
    assert refused.status_code == 429
    assert Ticket.objects.count() == 1


def test_the_service_refuses_without_storing(settings):
    settings.SUPPORT_RATE_LIMIT = (1, 3600)
    visitor_ticket()
    with pytest.raises(services.SubmissionThrottled):
        visitor_ticket(email="other@example.org")  # same IP
    assert Ticket.objects.count() == 1
