"""Journey 7: a company inquires, the freelancer accepts, both agree a
contract, hours are approved and invoiced; then the freelancer is erased.

Every step a person takes is done in the browser, as that person: the
company member (one browser context) and the freelancer (another). Celery
runs its tasks in-process (eager), after commit, as a worker would: the
contract and invoice PDFs are built and e-mailed for real (the locmem
outbox). The erasure is executed through the privacy services, as staff's
admin action does; afterwards the invoice is kept, restricted, and the
freelancer's messages and name are gone from the company's inbox.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from engagements import services
from engagements.models import Engagement, HoursReport, Invoice, Message, Thread
from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from tests.e2e.test_journey_export import _log_in
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMPANY_EMAIL = "mette.indkob@firma.example"
BILLING_EMAIL = "faktura@firma.example"
FREELANCER_EMAIL = "freja.opgave@example.com"
FREELANCER_NAME = "Freja Opgavesen"


def _parties():
    member = UserFactory(email=COMPANY_EMAIL)
    company = CompanyFactory(
        verified=True,
        name="Firma Indkøb ApS",
        street="Vestergade 1",
        postal_code="8000",
        city="Aarhus",
        contact_email=BILLING_EMAIL,
    )
    company.memberships.create(user=member, role="owner")
    profile = FreelancerProfileFactory(
        user=UserFactory(email=FREELANCER_EMAIL),
        full_name=FREELANCER_NAME,
        phone="+4520304050",
        street="Nørregade 2",
        postal_code="1165",
        city="København",
    )
    return member, company, profile


@pytest.fixture
def eager_tasks():
    """Celery runs tasks in-process (set on the app: a settings override does
    not reach it once a test has set the app's value by hand)."""
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def test_inquiry_to_invoice_then_erasure_keeps_the_invoice_only(
    live_server, browser, eager_tasks, shot
):
    base = live_server.url
    _member, company, profile = _parties()
    today = timezone.localdate()
    last_month_start, _last_month_end = services.previous_month(today)
    # A Monday inside last month: the week the freelancer reports.
    week = services.week_start(last_month_start)
    if week < last_month_start:
        week += dt.timedelta(days=7)

    buyer: Page = browser.new_context().new_page()
    seller: Page = browser.new_context().new_page()

    # The company member finds the profile and sends an inquiry.
    _log_in(buyer, base, COMPANY_EMAIL)
    buyer.goto(f"{base}/freelancers/{profile.slug}/")
    buyer.get_by_role("link", name="Send inquiry").click()
    buyer.locator("#id_subject").fill("Booking system in Django")
    buyer.locator("#id_body").fill("We need help with our booking system.")
    buyer.get_by_role("button", name="Send inquiry").click()
    expect(
        buyer.get_by_text(f"Your inquiry was sent to {FREELANCER_NAME}.")
    ).to_be_visible()
    expect(buyer.get_by_text(FREELANCER_EMAIL)).to_have_count(0)
    shot(buyer, "inquiry-sent")
    thread = Thread.objects.get()

    # The freelancer sees it, unread, in the inbox and accepts it.
    _log_in(seller, base, FREELANCER_EMAIL)
    seller.goto(base + "/inbox/")
    expect(seller.locator("tr.unread")).to_have_count(1)
    seller.get_by_role("link", name="Booking system in Django").click()
    seller.locator("#accept_body").fill("Happy to help.")
    seller.get_by_role("button", name="Accept", exact=True).click()
    expect(seller.get_by_text("You accepted the inquiry.")).to_be_visible()
    shot(seller, "inquiry-accepted")

    # The company now sees the contact details and proposes a contract.
    buyer.goto(f"{base}/inbox/{thread.pk}/")
    expect(buyer.get_by_text(FREELANCER_EMAIL)).to_be_visible()
    buyer.get_by_role("link", name="Propose a contract").click()
    expect(buyer.locator("#id_billing_email")).to_have_value(BILLING_EMAIL)
    buyer.locator("#id_title").fill("Booking system")
    buyer.locator("#id_scope").fill("Build the booking service in Django.")
    buyer.locator("#id_start_date").fill(
        (last_month_start - dt.timedelta(days=7)).isoformat()
    )
    buyer.locator("#id_end_date").fill((today + dt.timedelta(days=60)).isoformat())
    buyer.locator("#id_rate_kind").select_option("hourly")
    buyer.locator("#id_rate").fill("850")
    buyer.get_by_role("button", name="Propose contract").click()
    expect(buyer.get_by_text("The contract was proposed.")).to_be_visible()
    shot(buyer, "contract-proposed")
    engagement = Engagement.objects.get()

    # The freelancer reads and accepts it: the PDF goes to both.
    seller.goto(base + "/engagements/")
    seller.get_by_role("link", name="Booking system").click()
    seller.get_by_role("link", name="Read and answer").click()
    expect(
        seller.get_by_text("Build the booking service in Django.").first
    ).to_be_visible()
    seller.get_by_role("button", name="Accept the contract").click()
    expect(seller.get_by_text("You accepted the contract.")).to_be_visible()
    expect(
        seller.get_by_role("link", name="Download the contract (PDF)")
    ).to_be_visible()
    shot(seller, "contract-accepted")
    contract_mail = [
        m for m in mail.outbox if m.attachments and m.to == [FREELANCER_EMAIL]
    ]
    assert contract_mail and contract_mail[0].attachments[0][2] == "application/pdf"

    # The freelancer reports a week of last month; the company approves it.
    seller.goto(f"{base}/engagements/{engagement.pk}/")
    seller.locator("#id_week").fill((week + dt.timedelta(days=2)).isoformat())
    seller.locator("#id_hours").fill("30")
    seller.get_by_role("button", name="Send for approval").click()
    expect(seller.get_by_text("were sent for approval")).to_be_visible()
    report = HoursReport.objects.get()
    assert report.week == week and report.status == "submitted"

    buyer.goto(f"{base}/engagements/{engagement.pk}/")
    buyer.get_by_role("button", name="Approve").click()
    expect(buyer.get_by_text("The hours were approved.")).to_be_visible()
    shot(buyer, "hours-approved")

    # The freelancer asks for last month's invoice now; it is e-mailed with
    # its PDF to the company's billing address.
    seller.goto(f"{base}/engagements/{engagement.pk}/")
    seller.locator("#id_month").select_option(last_month_start.strftime("%Y-%m"))
    seller.get_by_role("button", name="Request invoice").click()
    expect(seller.get_by_text(re.compile(r"Invoice \d+ was issued"))).to_be_visible()
    invoice = Invoice.objects.get()
    expect(
        seller.get_by_role("heading", name=f"Invoice {invoice.number}")
    ).to_be_visible()
    expect(
        seller.get_by_text("25.500,00 DKK")
        .or_(seller.get_by_text("25,500.00 DKK"))
        .first
    ).to_be_visible()
    shot(seller, "invoice-issued")
    invoice_mail = [m for m in mail.outbox if m.to == [BILLING_EMAIL] and m.attachments]
    invoice_mail = [m for m in invoice_mail if str(invoice.number) in m.subject]
    assert len(invoice_mail) == 1
    name, content, mimetype = invoice_mail[0].attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert name == f"invoice-{invoice.number}.pdf"

    # The freelancer asks to be erased; staff execute it.
    freelancer_user = profile.user
    request = dsr.dsr_submit(
        user=freelancer_user,
        kind=DataSubjectRequest.Kind.ERASURE,
        details="Please erase me.",
    )
    dsr.dsr_erasure_execute(request=request, actor=None)
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.COMPLETED

    # The invoice survives, restricted; the freelancer's messages do not.
    invoice.refresh_from_db()
    assert invoice.restricted_at is not None
    assert invoice.provider_name == FREELANCER_NAME  # frozen, for bookkeeping
    assert not Message.objects.filter(sender_id=freelancer_user.pk).exists()
    assert not Message.objects.filter(party="freelancer").exists()
    buyer.goto(base + "/inbox/")
    expect(buyer.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(buyer.get_by_text(FREELANCER_NAME)).to_have_count(0)
    shot(buyer, "inbox-after-erasure")
    buyer.goto(f"{base}/engagements/{engagement.pk}/")
    expect(
        buyer.get_by_text("Restricted: kept for bookkeeping only until")
    ).to_be_visible()
    expect(buyer.get_by_role("button", name="Approve")).to_have_count(0)

    # On a phone the header's links stay on one line and the page does not
    # scroll sideways.
    buyer.set_viewport_size({"width": 390, "height": 844})
    buyer.goto(base + "/inbox/")
    tops = buyer.locator(".site-header .nav > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) >= 6 and len(set(tops)) == 1, tops
    assert buyer.evaluate("document.documentElement.scrollWidth") <= 390
    shot(buyer, "inbox-on-a-phone")
