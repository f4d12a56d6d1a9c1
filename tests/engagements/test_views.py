"""The browser side of engagements: every page for each party, the access
matrix (404 for everyone else, 405 for GET on actions), bad input on every
form (400, the message shown, nothing changed), contact details before and
after accept, and query counts that do not grow with the rows shown."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagements import services, tasks
from engagements.models import (
    CompanyBlock,
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    Message,
    Thread,
    ThreadReport,
)
from tests.engagements import support
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(name: str, **kwargs) -> str:
    return reverse(f"engagements:{name}", kwargs=kwargs)


@pytest.fixture
def world():
    """An invoiced engagement with both PDFs on disk, one week of hours
    awaiting approval, a pending change of contract, and a blocked company."""
    flow = support.invoiced()
    tasks.contract_document_send(flow.contract.pk)
    tasks.invoice_document_send(flow.invoice.pk)
    flow.contract.refresh_from_db()
    flow.invoice.refresh_from_db()
    assert flow.contract.pdf and flow.invoice.pdf
    # A week of the month before last: inside the contract, not invoiced.
    before_last = services.previous_month(timezone.localdate())[0] - dt.timedelta(
        days=10
    )
    flow.submitted = services.hours_report(
        engagement=flow.engagement,
        actor=flow.freelancer_user,
        week=services.week_start(before_last),
        hours=Decimal("12.5"),
        note="Reviews",
    )
    current = flow.contract
    flow.pending = services.contract_propose(
        actor=flow.company_member,
        engagement=flow.engagement,
        title=flow.engagement.title,
        scope="Build the booking service and its API.",
        start_date=current.start_date,
        end_date=current.end_date + dt.timedelta(days=30),
        rate_kind="hourly",
        rate=Decimal("900.00"),
        payment_terms_days=14,
        billing_email="billing@company.example",
    )
    other = CompanyFactory(verified=True)
    services.company_block(
        freelancer=flow.freelancer, company=other, actor=flow.freelancer_user
    )
    flow.blocked = other
    return flow


@pytest.fixture
def stranger_clients(client, django_user_model):
    """Logged-in strangers: a member of no company, and a member of another
    verified company (who may send inquiries, but is no party here)."""
    from django.test import Client

    plain = Client()
    plain.force_login(UserFactory())
    member = UserFactory()
    CompanyFactory(verified=True).memberships.create(user=member, role="owner")
    other = Client()
    other.force_login(member)
    return {"stranger": plain, "other company": other}


def _party_clients(flow):
    from django.test import Client

    company, freelancer = Client(), Client()
    company.force_login(flow.company_member)
    freelancer.force_login(flow.freelancer_user)
    return {"company": company, "freelancer": freelancer}


def _pages(flow) -> list[str]:
    return [
        _url("inbox"),
        _url("thread_detail", pk=flow.thread.pk),
        _url("block_list"),
        _url("contract_new", pk=flow.thread.pk),
        _url("contract_new_version", pk=flow.engagement.pk),
        _url("contract_detail", pk=flow.contract.pk),
        _url("contract_detail", pk=flow.pending.pk),
        _url("engagement_list"),
        _url("engagement_detail", pk=flow.engagement.pk),
        _url("invoice_list"),
        _url("invoice_detail", pk=flow.invoice.pk),
    ]


# --- Every page, for each party ----------


@pytest.mark.parametrize("party", ["company", "freelancer"])
def test_every_page_renders_for_each_party(world, party):
    client = _party_clients(world)[party]
    for url in _pages(world):
        for language in ("da", "en"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (url, language)
            assert f'<html lang="{language}"' in _text(response)
        assert "no-store" in response["Cache-Control"], url
    text = _text(client.get(_url("engagement_detail", pk=world.engagement.pk)))
    assert "Django build" in text
    assert "Week" in text and "12.50" in text
    if party == "company":
        assert 'action="' + _url("hours_approve", pk=world.submitted.pk) in text
        assert "Report hours" not in text
    else:
        assert "Report hours" in text and "Request invoice" in text
        assert _url("hours_approve", pk=world.submitted.pk) not in text


@pytest.mark.parametrize("party", ["company", "freelancer"])
def test_both_parties_download_the_pdfs(world, party):
    client = _party_clients(world)[party]
    for url, name in (
        (
            _url("contract_pdf", pk=world.contract.pk),
            f"contract-{world.engagement.pk}-v1.pdf",
        ),
        (_url("invoice_pdf", pk=world.invoice.pk), f"invoice-{world.invoice.number}"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert name in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_pdf_not_made_yet_is_404(world):
    client = _party_clients(world)["company"]
    assert client.get(_url("contract_pdf", pk=world.pending.pk)).status_code == 404


def test_contract_page_shows_text_status_acceptances_and_the_fingerprint(world):
    freelancer = _party_clients(world)["freelancer"]
    text = _text(freelancer.get(_url("contract_detail", pk=world.contract.pk)))
    assert world.contract.text.splitlines()[0] in text
    assert "Accepted by both" in text
    assert "Anna Jensen" in text and world.company_member.email in text
    assert "Accept the contract" not in text  # accepted already
    pending = _text(freelancer.get(_url("contract_detail", pk=world.pending.pk)))
    assert "Accept the contract" in pending
    assert f'name="text_sha256" value="{world.pending.text_sha256}"' in pending
    company = _party_clients(world)["company"]
    assert "Accept the contract" not in _text(
        company.get(_url("contract_detail", pk=world.pending.pk))
    )


def test_invoice_page_shows_the_legal_details(world, settings):
    invoice = world.invoice
    text = _text(
        _party_clients(world)["company"].get(_url("invoice_detail", pk=invoice.pk))
    )
    for value in (
        str(invoice.number),
        settings.PRIVACY_CONTROLLER["cvr"],
        invoice.seller_name,
        invoice.buyer_name,
        invoice.buyer_cvr,
        "Aarhus",
        "Anna Jensen",
        "VAT 25 %",
        "Amount excluding VAT",
        "Awaiting payment",
    ):
        assert value in text, value
    assert f"{invoice.total:,.2f} DKK" in text


def test_inbox_and_nav_show_the_unread_count(world):
    freelancer = _party_clients(world)["freelancer"]
    services.message_send(
        thread=world.thread, actor=world.company_member, body="Any news?"
    )
    text = _text(freelancer.get(_url("inbox")))
    assert 'class="unread"' in text
    assert world.company.name in text
    assert '1<span class="visually-hidden"> unread</span>' in text
    freelancer.get(_url("thread_detail", pk=world.thread.pk))  # marks it read
    text = _text(freelancer.get(_url("inbox")))
    assert 'class="unread"' not in text
    assert "unread" not in text.split("</header>")[0]


def test_restricted_engagement_shows_why_and_no_actions(world):
    Engagement.objects.filter(pk=world.engagement.pk).update(
        restricted_at=timezone.now()
    )
    world.engagement.refresh_from_db()
    for client in _party_clients(world).values():
        text = _text(client.get(_url("engagement_detail", pk=world.engagement.pk)))
        until = timezone.localtime(world.engagement.retain_until)
        assert "Restricted: kept for bookkeeping only until" in text
        assert str(until.year) in text
        for action in (
            "hours_new",
            "engagement_end",
            "invoice_request",
            "contract_new_version",
        ):
            assert _url(action, pk=world.engagement.pk) not in text
        assert _url("hours_approve", pk=world.submitted.pk) not in text


# --- The public profile's call to action ----------


def test_profile_offers_inquiry_to_verified_company_members_only(world, client):
    profile_url = world.freelancer.get_absolute_url()
    inquiry_url = _url("inquiry_new", slug=world.freelancer.slug)
    member = _party_clients(world)["company"]
    text = _text(member.get(profile_url))
    assert f'href="{inquiry_url}"' in text

    loner = UserFactory()
    client.force_login(loner)
    text = _text(client.get(profile_url))
    assert "disabled" in text and "members of verified companies" in text
    assert f'href="{inquiry_url}"' not in text

    owner = _party_clients(world)["freelancer"]
    text = _text(owner.get(profile_url))
    assert "Send inquiry" not in text


def test_inquiry_form_sends_and_a_user_without_company_is_told_why(client):
    flow = support.parties()
    url = _url("inquiry_new", slug=flow.freelancer.slug)
    loner = UserFactory()
    client.force_login(loner)
    response = client.get(url)
    assert response.status_code == 200
    assert "members of verified companies" in _text(response)
    response = client.post(url, {"subject": "Hi", "body": "Work?"})
    assert response.status_code == 400
    assert not Thread.objects.exists()

    client.force_login(flow.company_member)
    response = client.get(url)
    assert 'type="hidden" name="company"' in _text(response)  # one company
    response = client.post(
        url,
        {
            "company": flow.company.pk,
            "subject": "Django help",
            "body": "Can you help us?",
            "period_start": "2026-03-02",
            "period_end": "2026-04-30",
            "rate": "800",
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("thread_detail", pk=thread.pk)
    assert thread.rate == Decimal("800") and thread.period_end == dt.date(2026, 4, 30)


def test_member_of_two_companies_chooses_one(client):
    flow = support.parties()
    second = CompanyFactory(verified=True, name="Second ApS")
    second.memberships.create(user=flow.company_member, role="member")
    client.force_login(flow.company_member)
    url = _url("inquiry_new", slug=flow.freelancer.slug)
    text = _text(client.get(url))
    assert '<select name="company"' in text and "Second ApS" in text
    response = client.post(
        url, {"company": second.pk, "subject": "Hello", "body": "Work for us?"}
    )
    assert response.status_code == 302
    assert Thread.objects.get().company == second


# --- Access: 404 for everyone else, 405 for GET on actions ----------


def _actions(flow) -> list[str]:
    return [
        _url("thread_reply", pk=flow.thread.pk),
        _url("thread_accept", pk=flow.thread.pk),
        _url("thread_decline", pk=flow.thread.pk),
        _url("thread_report", pk=flow.thread.pk),
        _url("thread_block", pk=flow.thread.pk),
        _url("company_unblock", company_id=flow.blocked.pk),
        _url("contract_accept", pk=flow.pending.pk),
        _url("contract_decline", pk=flow.pending.pk),
        _url("engagement_end", pk=flow.engagement.pk),
        _url("hours_new", pk=flow.engagement.pk),
        _url("hours_approve", pk=flow.submitted.pk),
        _url("hours_dispute", pk=flow.submitted.pk),
        _url("invoice_request", pk=flow.engagement.pk),
    ]


def _private_pages(flow) -> list[str]:
    return [
        _url("thread_detail", pk=flow.thread.pk),
        _url("contract_new", pk=flow.thread.pk),
        _url("contract_new_version", pk=flow.engagement.pk),
        _url("contract_detail", pk=flow.contract.pk),
        _url("contract_pdf", pk=flow.contract.pk),
        _url("engagement_detail", pk=flow.engagement.pk),
        _url("invoice_detail", pk=flow.invoice.pk),
        _url("invoice_pdf", pk=flow.invoice.pk),
    ]


def _snapshot() -> dict:
    return {
        "messages": Message.objects.count(),
        "threads": list(Thread.objects.values_list("status", flat=True)),
        "reports": ThreadReport.objects.count(),
        "blocks": CompanyBlock.objects.count(),
        "versions": list(ContractVersion.objects.values_list("status", flat=True)),
        "engagements": list(Engagement.objects.values_list("status", flat=True)),
        "hours": list(HoursReport.objects.values_list("status", "hours")),
        "invoices": Invoice.objects.count(),
    }


def test_strangers_get_404_on_every_private_url(world, stranger_clients):
    before = _snapshot()
    for who, client in stranger_clients.items():
        for url in _private_pages(world):
            assert client.get(url).status_code == 404, (who, url)
        for url in _actions(world):
            response = client.post(
                url,
                {
                    "body": "x",
                    "reason": "x",
                    "confirm": "on",
                    "week": "2026-01-05",
                    "hours": "1",
                    "text_sha256": world.pending.text_sha256,
                },
            )
            assert response.status_code == 404, (who, url)
        # Their own lists are empty of this engagement.
        for url in (_url("inbox"), _url("engagement_list"), _url("invoice_list")):
            response = client.get(url)
            assert response.status_code == 200
            assert "Django build" not in _text(response)
            assert "Django project" not in _text(response)
    assert _snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    urls = [
        *_private_pages(world),
        _url("inbox"),
        _url("block_list"),
        _url("engagement_list"),
        _url("invoice_list"),
        _url("inquiry_new", slug=world.freelancer.slug),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    before = _snapshot()
    for url in _actions(world):
        assert client.post(url, {"body": "x"}).status_code in (302, 404), url
    assert _snapshot() == before


def test_missing_objects_are_404(world):
    client = _party_clients(world)["company"]
    for name in ("thread_detail", "contract_detail", "engagement_detail"):
        assert client.get(_url(name, pk=999999)).status_code == 404
    assert client.get(_url("invoice_pdf", pk=999999)).status_code == 404
    assert client.get(_url("inquiry_new", slug="nobody-at-all")).status_code == 404


def test_actions_refuse_get_with_405(world):
    client = _party_clients(world)["freelancer"]
    for url in _actions(world):
        assert client.get(url).status_code == 405, url


# --- Contact details ----------


def test_company_sees_contact_details_only_after_accept():
    flow = support.inquired()
    clients = _party_clients(flow)
    email, phone = flow.freelancer_user.email, str(flow.freelancer.phone)
    url = _url("thread_detail", pk=flow.thread.pk)
    text = _text(clients["company"].get(url))
    assert email not in text and phone not in text
    assert "shared with your company when they accept" in text

    response = clients["freelancer"].post(
        _url("thread_accept", pk=flow.thread.pk), {"body": "Happy to."}
    )
    assert response.status_code == 302
    text = _text(clients["company"].get(url))
    assert email in text and phone in text
    assert "shared these details with your company by accepting" in text


# --- The whole flow through the pages ----------


def test_flow_through_the_pages(django_capture_on_commit_callbacks, eager_tasks):
    flow = support.accepted()
    clients = _party_clients(flow)
    company, freelancer = clients["company"], clients["freelancer"]
    today = timezone.localdate()
    start = today.replace(day=1) - dt.timedelta(days=40)

    text = _text(company.get(_url("contract_new", pk=flow.thread.pk)))
    assert 'value="billing@' in text and 'value="14"' in text
    response = company.post(
        _url("contract_new", pk=flow.thread.pk),
        {
            "title": "Booking",
            "scope": "The booking API.",
            "start_date": start.isoformat(),
            "end_date": (today + dt.timedelta(days=60)).isoformat(),
            "rate_kind": "hourly",
            "rate": "750",
            "payment_terms_days": "14",
            "billing_email": "billing@company.example",
        },
    )
    version = ContractVersion.objects.get()
    assert response["Location"] == _url("contract_detail", pk=version.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = freelancer.post(
            _url("contract_accept", pk=version.pk),
            {"text_sha256": version.text_sha256},
        )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "accepted" and version.pdf
    engagement = version.engagement

    previous_start, _end = services.previous_month(today)
    week = services.week_start(previous_start) + dt.timedelta(days=7)
    response = freelancer.post(
        _url("hours_new", pk=engagement.pk),
        {"week": (week + dt.timedelta(days=2)).isoformat(), "hours": "30"},
    )
    assert response.status_code == 302
    report = HoursReport.objects.get()
    assert report.week == week
    response = company.post(_url("hours_approve", pk=report.pk))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"

    with django_capture_on_commit_callbacks(execute=True):
        response = freelancer.post(
            _url("invoice_request", pk=engagement.pk),
            {"month": previous_start.strftime("%Y-%m")},
        )
    invoice = Invoice.objects.get()
    assert response["Location"] == _url("invoice_detail", pk=invoice.pk)
    assert invoice.period_start == previous_start
    assert invoice.amount_excl_vat == Decimal("22500.00")
    invoice.refresh_from_db()
    assert invoice.pdf

    response = company.post(_url("engagement_end", pk=engagement.pk), {"confirm": "on"})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "ended"


def test_reply_decline_report_block_and_unblock():
    flow = support.inquired()
    clients = _party_clients(flow)
    company, freelancer = clients["company"], clients["freelancer"]
    thread_url = _url("thread_detail", pk=flow.thread.pk)

    response = company.post(_url("thread_reply", pk=flow.thread.pk), {"body": "Hi"})
    assert response.status_code == 302 and response["Location"] == thread_url
    assert flow.thread.messages.count() == 2
    response = company.post(
        _url("thread_report", pk=flow.thread.pk), {"reason": "Spam"}
    )
    assert response.status_code == 302
    assert ThreadReport.objects.get().reason == "Spam"
    response = freelancer.post(
        _url("thread_decline", pk=flow.thread.pk), {"body": "No, thanks."}
    )
    assert response.status_code == 302
    flow.thread.refresh_from_db()
    assert flow.thread.status == "declined"
    assert freelancer.post(_url("thread_block", pk=flow.thread.pk)).status_code == 302
    assert CompanyBlock.objects.filter(company=flow.company).exists()
    assert flow.company.name in _text(freelancer.get(_url("block_list")))
    response = freelancer.post(_url("company_unblock", company_id=flow.company.pk))
    assert response.status_code == 302
    assert not CompanyBlock.objects.exists()


def test_freelancer_declines_a_contract_version(world):
    freelancer = _party_clients(world)["freelancer"]
    response = freelancer.post(_url("contract_decline", pk=world.pending.pk))
    assert response.status_code == 302
    world.pending.refresh_from_db()
    assert world.pending.status == "declined"


def test_company_disputes_hours(world):
    company = _party_clients(world)["company"]
    response = company.post(
        _url("hours_dispute", pk=world.submitted.pk), {"reason": "Too many."}
    )
    assert response.status_code == 302
    world.submitted.refresh_from_db()
    assert world.submitted.status == "disputed"
    assert "Too many." in _text(
        company.get(_url("engagement_detail", pk=world.engagement.pk))
    )


# --- Bad input: 400, the message on the page, nothing changed ----------


def _refused(client, url, data, message):
    before = _snapshot()
    response = client.post(url, data)
    assert response.status_code == 400, (url, data)
    shown = re.findall(r"errorlist[^>]*>(.*?)</", _text(response), re.S)[:5]
    assert message in _text(response), (url, message, shown)
    assert _snapshot() == before
    return response


def test_bad_input_on_the_inquiry_form():
    flow = support.parties()
    company = _party_clients(flow)["company"]
    url = _url("inquiry_new", slug=flow.freelancer.slug)
    base = {"company": flow.company.pk, "subject": "Hi", "body": "Work?"}
    _refused(company, url, {**base, "body": "  "}, "This field is required.")
    _refused(
        company,
        url,
        {**base, "period_start": "2026-05-01", "period_end": "2026-04-01"},
        "The period cannot end before it starts.",
    )
    _refused(company, url, {**base, "rate": "0"}, "The rate must be more than 0 DKK.")
    _refused(
        company, url, {**base, "period_start": "31-31-2026"}, "Enter a valid date."
    )
    own = _party_clients(flow)["freelancer"]
    own_company = CompanyFactory(verified=True)
    own_company.memberships.create(user=flow.freelancer_user, role="owner")
    _refused(
        own,
        url,
        {**base, "company": own_company.pk},
        "You cannot send an inquiry to yourself.",
    )


def test_bad_input_in_a_thread():
    flow = support.inquired()
    clients = _party_clients(flow)
    company, freelancer = clients["company"], clients["freelancer"]
    pk = flow.thread.pk
    _refused(
        company, _url("thread_reply", pk=pk), {"body": ""}, "This field is required."
    )
    _refused(
        company,
        _url("thread_report", pk=pk),
        {"reason": " "},
        "This field is required.",
    )
    _refused(
        company,
        _url("thread_accept", pk=pk),
        {"body": ""},
        "Only the freelancer can answer an inquiry.",
    )
    _refused(
        company,
        _url("thread_block", pk=pk),
        {},
        "Only the freelancer can block a company.",
    )
    _refused(
        company,
        _url("contract_new", pk=pk),
        {
            "title": "T",
            "scope": "S",
            "start_date": "2026-01-01",
            "end_date": "2026-02-01",
            "rate_kind": "hourly",
            "rate": "100",
            "payment_terms_days": "14",
            "billing_email": "a@example.com",
        },
        "A contract can be proposed once the freelancer has accepted the inquiry.",
    )
    services.inquiry_decline(thread=flow.thread, actor=flow.freelancer_user)
    _refused(
        freelancer,
        _url("thread_accept", pk=pk),
        {"body": ""},
        "This inquiry has already been answered.",
    )
    _refused(
        company,
        _url("thread_reply", pk=pk),
        {"body": "Please?"},
        "the conversation is closed.",
    )


CONTRACT = {
    "title": "Booking",
    "scope": "The booking API.",
    "start_date": "2026-01-05",
    "end_date": "2026-03-31",
    "rate_kind": "hourly",
    "rate": "750",
    "payment_terms_days": "14",
    "billing_email": "billing@company.example",
}


def test_bad_input_on_the_contract_forms(world):
    clients = _party_clients(world)
    company, freelancer = clients["company"], clients["freelancer"]
    new = _url("contract_new", pk=world.thread.pk)
    change = _url("contract_new_version", pk=world.engagement.pk)
    for url in (new, change):
        _refused(
            company,
            url,
            {**CONTRACT, "end_date": "2026-01-01"},
            "The contract cannot end before it starts.",
        )
        _refused(
            company, url, {**CONTRACT, "rate": "0"}, "The rate must be more than 0 DKK."
        )
        _refused(
            company,
            url,
            {**CONTRACT, "payment_terms_days": "0"},
            "Payment terms are 1 to 90 days.",
        )
        _refused(company, url, {**CONTRACT, "title": ""}, "This field is required.")
    _refused(
        freelancer,
        change,
        CONTRACT,
        "Only a member of the client company can propose a contract.",
    )


def test_bad_input_when_accepting_a_contract(world):
    clients = _party_clients(world)
    url = _url("contract_accept", pk=world.pending.pk)
    response = _refused(
        clients["freelancer"],
        url,
        {"text_sha256": "0" * 64},
        "The contract changed while you read it.",
    )
    # The page offers the right fingerprint again, not the one posted.
    assert f'value="{world.pending.text_sha256}"' in _text(response)
    _refused(clients["freelancer"], url, {}, "The contract changed while you read it.")
    _refused(
        clients["company"],
        url,
        {"text_sha256": world.pending.text_sha256},
        "Only the freelancer can accept this contract.",
    )
    _refused(
        clients["company"],
        _url("contract_decline", pk=world.pending.pk),
        {},
        "Only the freelancer can decline this contract.",
    )
    _refused(
        clients["freelancer"],
        _url("contract_accept", pk=world.contract.pk),
        {"text_sha256": world.contract.text_sha256},
        "This contract version is no longer open for acceptance.",
    )


def test_bad_input_on_hours(world):
    clients = _party_clients(world)
    company, freelancer = clients["company"], clients["freelancer"]
    url = _url("hours_new", pk=world.engagement.pk)
    last_week = services.week_start(timezone.localdate()) - dt.timedelta(days=7)
    week = last_week.isoformat()
    _refused(
        freelancer,
        url,
        {"week": week, "hours": "-5"},
        "Report at least a quarter of an hour (0.25).",
    )
    _refused(
        freelancer,
        url,
        {"week": week, "hours": "0"},
        "Report at least a quarter of an hour (0.25).",
    )
    _refused(
        freelancer, url, {"week": week, "hours": "169"}, "A week has at most 168 hours."
    )
    _refused(freelancer, url, {"week": week, "hours": "abc"}, "Enter a number.")
    _refused(freelancer, url, {"week": "", "hours": "5"}, "This field is required.")
    outside = world.contract.start_date - dt.timedelta(days=14)
    _refused(
        freelancer,
        url,
        {"week": outside.isoformat(), "hours": "5"},
        "The week is outside the contract's period.",
    )
    future = timezone.localdate() + dt.timedelta(days=14)
    _refused(
        freelancer,
        url,
        {"week": future.isoformat(), "hours": "5"},
        "You cannot report hours for a week that has not begun.",
    )
    _refused(
        company,
        url,
        {"week": week, "hours": "5"},
        "Only the freelancer reports hours on an engagement.",
    )
    approve = _url("hours_approve", pk=world.submitted.pk)
    _refused(
        freelancer, approve, {}, "Only the client company approves or disputes hours."
    )
    dispute = _url("hours_dispute", pk=world.submitted.pk)
    _refused(company, dispute, {"reason": ""}, "This field is required.")
    _refused(
        freelancer,
        dispute,
        {"reason": "No"},
        "Only the client company approves or disputes hours.",
    )
    _refused(
        company,
        _url("hours_approve", pk=world.hours[0].pk),
        {},
        "These hours have already been answered.",
    )


def test_bad_input_on_invoice_requests_and_ending(world):
    clients = _party_clients(world)
    company, freelancer = clients["company"], clients["freelancer"]
    url = _url("invoice_request", pk=world.engagement.pk)
    today = timezone.localdate()
    this_month = today.strftime("%Y-%m")
    last_month = services.previous_month(today)[0].strftime("%Y-%m")
    # A month still running is not offered (it can be invoiced only once).
    _refused(freelancer, url, {"month": this_month}, "Select a valid choice.")
    # The month before last has hours awaiting approval only.
    month_before_last = (
        services.previous_month(today)[0] - dt.timedelta(days=1)
    ).strftime("%Y-%m")
    _refused(
        freelancer,
        url,
        {"month": month_before_last},
        "There are no approved hours to invoice for this period.",
    )
    _refused(
        freelancer,
        url,
        {"month": last_month},
        "This engagement has already been invoiced for that period.",
    )
    _refused(freelancer, url, {"month": "2001-01"}, "Select a valid choice.")
    _refused(
        company,
        url,
        {"month": last_month},
        "Only the freelancer can ask for an invoice.",
    )
    end = _url("engagement_end", pk=world.engagement.pk)
    _refused(company, end, {}, "This field is required.")


# --- Query counts ----------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _inbox_with(threads: int):
    member = UserFactory()
    company = CompanyFactory(verified=True)
    company.memberships.create(user=member, role="owner")
    for i in range(threads):
        thread = services.inquiry_send(
            company=company,
            freelancer=FreelancerProfileFactory(),
            actor=member,
            subject=f"Inquiry {i}",
            body="Hello",
        )
        if i % 2:
            services.inquiry_accept(thread=thread, actor=thread.freelancer.user)
    from django.test import Client

    client = Client()
    client.force_login(member)
    client.get(_url("inbox"))  # warm the shared caches (banner, policy)
    return client


def test_inbox_query_count_does_not_grow_with_threads(django_assert_max_num_queries):
    one = _queries(_inbox_with(1), _url("inbox"))
    client = _inbox_with(10)
    with django_assert_max_num_queries(one):
        response = client.get(_url("inbox"))
    assert _text(response).count("Inquiry ") == 10
    # Session, user, consent, two counts (page, unread), policy, the page.
    with django_assert_max_num_queries(11):
        client.get(_url("inbox"))


def test_engagement_page_query_count_does_not_grow_with_hours(
    django_assert_max_num_queries,
):
    small = support.hours_approved(
        weeks=[services.week_start(timezone.localdate()) - dt.timedelta(days=7)]
    )
    client = _party_clients(small)["company"]
    url = _url("engagement_detail", pk=small.engagement.pk)
    client.get(url)
    few = _queries(client, url)

    today = timezone.localdate()
    start = today.replace(day=1) - dt.timedelta(days=62)
    big = support.hours_approved(
        weeks=[services.week_start(start) + dt.timedelta(days=7 * i) for i in range(8)]
    )
    services.invoice_issue(
        engagement=big.engagement,
        period_start=start.replace(day=1),
        period_end=today,
    )
    client = _party_clients(big)["company"]
    url = _url("engagement_detail", pk=big.engagement.pk)
    client.get(url)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert _text(response).count("Invoice ") >= 8
    with django_assert_max_num_queries(16):
        client.get(url)


def test_email_preferences_say_contract_and_invoice_mail_is_service_mail(client):
    client.force_login(UserFactory())
    text = _text(client.get(reverse("consent:email_preferences")))
    assert (
        "Mail about your contracts and invoices is a service message: it is sent "
        "while you have an active engagement and cannot be switched off." in text
    )
