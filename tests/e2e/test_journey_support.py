"""Journey: a visitor contacts customer service, opens the link in the mail,
staff answer in the admin, and the visitor reads the answer in the mail.

Every step is done in the browser: the visitor (one context) fills in the
contact form with an attachment and opens the link read from the locmem
outbox; a member of staff (another context) logs in with password and TOTP,
finds the ticket in the queue (only after the link was opened), adds an
internal note, replies and closes it. Celery runs the mail tasks in-process
(eager), after commit, as a worker would.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from playwright.sync_api import Page, expect

from support.models import Ticket
from tests.e2e.test_journey_export import _dismiss_banner, _log_in
from tests.factories import UserFactory
from tests.profiles.upload_corpus import MINIMAL_PDF
from tests.security.totp import activate_totp, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VISITOR = "nysgerrig.besoeg@example.org"
STAFF_EMAIL = "kundeservice.e2e@example.com"
QUEUE = "/admin/support/ticket/"
NOTE = "Probably wants the Norway rules"
REPLY = "Yes, freelancers in Norway can sign up too."


def _agent_with_totp() -> str:
    staff = UserFactory(email=STAFF_EMAIL, is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="support",
            codename__in=["view_ticket", "change_ticket"],
        )
    )
    return activate_totp(staff)


def test_a_visitor_files_a_ticket_verifies_and_reads_the_staff_reply(
    live_server, browser, eager_tasks, shot, tmp_path
):
    base = live_server.url
    secret = _agent_with_totp()
    attachment = tmp_path / "screenshot.pdf"
    attachment.write_bytes(MINIMAL_PDF)

    visitor: Page = browser.new_context(locale="en-GB").new_page()
    visitor.goto(base + "/")
    _dismiss_banner(visitor)
    visitor.get_by_role("link", name="Contact us").click()
    visitor.locator("#id_email").fill(VISITOR)
    visitor.locator("#id_topic").select_option("other")
    visitor.locator("#id_body").fill("Can freelancers in Norway sign up?")
    visitor.locator("#id_attachment").set_input_files(str(attachment))
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    shot(visitor, "contact-sent")
    ticket = Ticket.objects.get()
    assert ticket.verified_at is None and ticket.language == "en"

    agent: Page = browser.new_context(locale="en-GB").new_page()
    _log_in(agent, base, STAFF_EMAIL)
    agent.locator("#id_code").fill(totp_code(secret))
    agent.get_by_role("button", name="Sign In").click()
    agent.goto(base + QUEUE)
    expect(agent.locator("#result_list")).to_have_count(0)  # nothing to see yet

    [link_mail] = mail.outbox
    assert link_mail.to == [VISITOR]
    link = re.search(r"https?://\S+/support/verify/\S+/", link_mail.body).group(0)
    visitor.goto(link)
    visitor.get_by_role("button", name="Confirm").click()
    expect(visitor.get_by_role("heading", name="Message confirmed")).to_be_visible()
    shot(visitor, "verified")
    assert "We got your question" in mail.outbox[-1].subject

    agent.goto(base + QUEUE + "?waiting_for_us=yes")
    agent.get_by_role("link", name=f"#{ticket.pk}").click()
    expect(agent.get_by_text("Can freelancers in Norway sign up?")).to_be_visible()
    expect(agent.locator(f'a[href$="/{ticket.pk}/attachment/"]')).to_be_visible()
    agent.locator("#id_note-body").fill(NOTE)
    agent.get_by_role("button", name="Add note").click()
    expect(agent.get_by_text("The note was added.")).to_be_visible()
    agent.locator("#id_reply-body").fill(REPLY)
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.get_by_text("The reply was sent.")).to_be_visible()
    agent.locator("#id_status").select_option("closed")
    agent.get_by_role("button", name="Change status").click()
    expect(agent.get_by_text("The status was changed.")).to_be_visible()
    shot(agent, "answered-and-closed")

    reply = mail.outbox[-1]
    assert reply.to == [VISITOR]
    assert REPLY in reply.body and NOTE not in reply.body
    assert all(NOTE not in m.body for m in mail.outbox)
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None
