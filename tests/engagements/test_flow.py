"""The engagement flow through its services: inquiry to invoice, and the
bad input each step refuses without changing anything."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from engagements import services
from engagements.models import (
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    InvoiceSequence,
    Message,
    Thread,
)
from tests.engagements import support
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def eager_celery():
    """Tasks run in-process. Set on the app, not in settings: the app reads
    the settings once, so a setting changed after an earlier test read
    ``app.conf`` would not be seen."""
    from worksome.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def test_inquiry_to_invoice(eager_celery, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        flow = support.invoiced()
    invoice = flow.invoice
    assert invoice.number >= 1
    assert invoice.kind == "invoice"
    lines = list(invoice.lines.all())
    assert lines and all(
        line.amount == line.quantity * line.unit_price for line in lines
    )
    assert invoice.amount_excl_vat == sum(line.amount for line in lines)
    assert invoice.vat_amount == (invoice.amount_excl_vat * Decimal("0.25")).quantize(
        Decimal("0.01")
    )
    assert invoice.total == invoice.amount_excl_vat + invoice.vat_amount
    assert invoice.seller_cvr == settings.PRIVACY_CONTROLLER["cvr"]
    assert invoice.buyer_name == flow.company.name
    assert invoice.buyer_cvr == flow.company.cvr
    assert "Aarhus" in invoice.buyer_address
    assert invoice.retain_until.year == invoice.issue_date.year + 6
    assert set(HoursReport.objects.filter(invoice=invoice)) == set(flow.hours)
    invoice.refresh_from_db()
    assert invoice.pdf and invoice.emailed_at
    assert any(
        m.to == ["billing@company.example"] and m.attachments for m in mail.outbox
    )


def test_company_sees_contact_only_after_accept():
    from engagements.selectors import thread_contact_visible

    flow = support.inquired()
    assert not thread_contact_visible(thread=flow.thread, party="company")
    services.inquiry_accept(thread=flow.thread, actor=flow.freelancer_user)
    flow.thread.refresh_from_db()
    assert thread_contact_visible(thread=flow.thread, party="company")


def test_unverified_company_cannot_inquire():
    flow = support.parties()
    flow.company.verified_at = None
    flow.company.save()
    with pytest.raises(ValidationError):
        support.inquired(flow)
    assert not Thread.objects.exists()


def test_blocked_company_cannot_inquire():
    flow = support.parties()
    services.company_block(
        freelancer=flow.freelancer, company=flow.company, actor=flow.freelancer_user
    )
    with pytest.raises(ValidationError):
        support.inquired(flow)
    assert not Thread.objects.exists()


def test_inquiries_are_rate_limited_per_company(settings):
    settings.INQUIRY_RATE_LIMIT = (2, 3600)
    flow = support.parties()
    from tests.factories import FreelancerProfileFactory

    for _ in range(2):
        services.inquiry_send(
            company=flow.company,
            freelancer=FreelancerProfileFactory(),
            actor=flow.company_member,
            subject="Hi",
            body="Hello",
        )
    with pytest.raises(ValidationError) as error:
        services.inquiry_send(
            company=flow.company,
            freelancer=FreelancerProfileFactory(),
            actor=flow.company_member,
            subject="Hi",
            body="Hello",
        )
    assert error.value.code == "rate_limited"
    assert Thread.objects.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rate": Decimal("0")}, "rate"),
        ({"rate": Decimal("-5")}, "rate"),
        (
            {"end_date": dt.date(2026, 1, 1), "start_date": dt.date(2026, 2, 1)},
            "end_date",
        ),
        ({"scope": ""}, "scope"),
        ({"billing_email": "not an address"}, "billing_email"),
        ({"payment_terms_days": 0}, "payment_terms_days"),
    ],
)
def test_bad_contract_terms_are_refused(change, field):
    flow = support.accepted()
    terms = dict(
        title="T",
        scope="S",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 3, 1),
        rate_kind="hourly",
        rate=Decimal("500"),
        billing_email="b@example.com",
        payment_terms_days=14,
    )
    terms.update(change)
    with pytest.raises(ValidationError) as error:
        services.contract_propose(
            actor=flow.company_member, thread=flow.thread, **terms
        )
    assert field in error.value.message_dict
    assert not Engagement.objects.exists()
    assert not ContractVersion.objects.exists()


def test_contract_accept_needs_the_text_shown():
    flow = support.accepted()
    proposal = services.contract_propose(
        actor=flow.company_member,
        thread=flow.thread,
        title="T",
        scope="S",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 3, 1),
        rate_kind="hourly",
        rate=Decimal("500"),
        billing_email="b@example.com",
    )
    with pytest.raises(ValidationError):
        services.contract_accept(
            version=proposal, actor=flow.freelancer_user, text_sha256="0" * 64
        )
    with pytest.raises(ValidationError):  # the company cannot accept for them
        services.contract_accept(
            version=proposal,
            actor=flow.company_member,
            text_sha256=proposal.text_sha256,
        )
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert proposal.acceptances.count() == 1  # the company's, at proposal


def test_contract_text_names_both_parties_and_platform(settings):
    flow = support.contracted()
    text = flow.contract.text
    assert flow.company.name in text and flow.company.cvr in text
    assert "Anna Jensen" in text and "Nørregade 2" in text
    assert settings.PRIVACY_CONTROLLER["name"] in text
    assert flow.contract.acceptances.count() == 2


def test_changes_are_new_versions_both_accept():
    flow = support.contracted()
    v2 = services.contract_propose(
        actor=flow.company_member,
        engagement=flow.engagement,
        title="Django build",
        scope="Also the admin.",
        start_date=flow.contract.start_date,
        end_date=flow.contract.end_date,
        rate_kind="hourly",
        rate=Decimal("900"),
        billing_email="billing@company.example",
    )
    assert v2.number == 2
    flow.contract.refresh_from_db()
    assert flow.contract.status == "accepted"  # in force until v2 is accepted
    services.contract_accept(
        version=v2, actor=flow.freelancer_user, text_sha256=v2.text_sha256
    )
    flow.contract.refresh_from_db()
    assert flow.contract.status == "superseded"
    assert flow.contract.scope == "Build the booking service in Django."


@pytest.mark.parametrize(
    "hours, field",
    [
        ("-1", "hours"),
        ("0", "hours"),
        ("169", "hours"),
        ("abc", "hours"),
        ("1.234", "hours"),
    ],
)
def test_bad_hours_are_refused(hours, field):
    flow = support.contracted()
    with pytest.raises(ValidationError) as error:
        services.hours_report(
            engagement=flow.engagement,
            actor=flow.freelancer_user,
            week=timezone.localdate(),
            hours=hours,
        )
    assert field in error.value.message_dict
    assert not HoursReport.objects.exists()


def test_hours_of_a_future_week_or_outside_the_contract_are_refused():
    flow = support.contracted()
    for week in (
        timezone.localdate() + dt.timedelta(days=14),
        flow.contract.start_date - dt.timedelta(days=30),
    ):
        with pytest.raises(ValidationError):
            services.hours_report(
                engagement=flow.engagement,
                actor=flow.freelancer_user,
                week=week,
                hours=8,
            )
    assert not HoursReport.objects.exists()


def test_only_the_company_approves_and_only_its_own_hours():
    flow = support.contracted()
    report = services.hours_report(
        engagement=flow.engagement,
        actor=flow.freelancer_user,
        week=timezone.localdate(),
        hours=10,
    )
    other_company = CompanyFactory(verified=True)
    stranger = UserFactory()
    other_company.memberships.create(user=stranger, role="owner")
    for actor in (flow.freelancer_user, stranger):
        with pytest.raises(ValidationError):
            services.hours_approve(report=report, actor=actor)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_invoicing_an_unapproved_week_is_refused():
    flow = support.contracted()
    start, end = services.previous_month(timezone.localdate())
    monday = services.week_start(end)
    report = services.hours_report(
        engagement=flow.engagement, actor=flow.freelancer_user, week=monday, hours=5
    )
    before = InvoiceSequence.objects.values_list("last_number", flat=True).first()
    with pytest.raises(ValidationError):
        services.invoice_issue(
            engagement=flow.engagement,
            period_start=start,
            period_end=end,
            weeks=[monday],
        )
    with pytest.raises(ValidationError):  # nothing approved at all
        services.invoice_issue(
            engagement=flow.engagement, period_start=start, period_end=end
        )
    assert not Invoice.objects.exists()
    assert (
        InvoiceSequence.objects.values_list("last_number", flat=True).first() == before
    )
    report.refresh_from_db()
    assert report.invoice_id is None


def test_issued_invoice_cannot_be_edited_and_credit_note_corrects_it():
    flow = support.invoiced()
    invoice = Invoice.objects.get(pk=flow.invoice.pk)
    invoice.total = Decimal("1.00")
    with pytest.raises(ValidationError):
        invoice.save()
    invoice.refresh_from_db()
    assert invoice.total == flow.invoice.total
    note = services.invoice_credit(invoice=invoice, actor=None, reason="Wrong hours")
    assert note.kind == "credit_note" and note.credits_id == invoice.pk
    assert note.total == -invoice.total
    assert note.number == invoice.number + 1
    invoice.refresh_from_db()
    assert invoice.credited_at is not None
    # The hours can be invoiced again, under a new number.
    start, end = invoice.period_start, invoice.period_end
    again = services.invoice_issue(
        engagement=flow.engagement, period_start=start, period_end=end
    )
    assert again.number == note.number + 1


def test_one_invoice_per_engagement_and_period():
    flow = support.invoiced()
    with pytest.raises(ValidationError):
        services.invoice_issue(
            engagement=flow.engagement,
            period_start=flow.invoice.period_start,
            period_end=flow.invoice.period_end,
        )
    assert Invoice.objects.count() == 1


def test_thread_is_shared_messages_are_the_parties_only():
    flow = support.accepted()
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.message_send(thread=flow.thread, actor=stranger, body="hi")
    assert Message.objects.filter(thread=flow.thread).count() == 2
