"""Build engagements through the services, as the site does (shared by the
engagement tests; each step is a function so a test can stop anywhere)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from engagements import services
from engagements.models import ContractVersion, Engagement, HoursReport, Invoice, Thread
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory


@dataclass
class Flow:
    company_member: object
    company: object
    freelancer: object  # the FreelancerProfile
    thread: Thread | None = None
    engagement: Engagement | None = None
    contract: ContractVersion | None = None
    hours: list[HoursReport] = field(default_factory=list)
    invoice: Invoice | None = None

    @property
    def freelancer_user(self):
        return self.freelancer.user


def parties(**company_kwargs) -> Flow:
    member = UserFactory()
    company = CompanyFactory(
        verified=True,
        street="Vestergade 1",
        postal_code="8000",
        city="Aarhus",
        contact_email="billing@company.example",
        **company_kwargs,
    )
    company.memberships.create(user=member, role="owner")
    freelancer = FreelancerProfileFactory(
        full_name="Anna Jensen",
        cvr="",
        street="Nørregade 2",
        postal_code="1165",
        city="København",
        phone="+4512345678",
    )
    return Flow(company_member=member, company=company, freelancer=freelancer)


def inquired(flow: Flow | None = None) -> Flow:
    flow = flow or parties()
    flow.thread = services.inquiry_send(
        company=flow.company,
        freelancer=flow.freelancer,
        actor=flow.company_member,
        subject="Django project",
        body="We need help with a Django project this spring.",
    )
    return flow


def accepted(flow: Flow | None = None) -> Flow:
    flow = inquired(flow)
    services.inquiry_accept(
        thread=flow.thread, actor=flow.freelancer_user, body="Happy to help."
    )
    flow.thread.refresh_from_db()
    return flow


def contracted(
    flow: Flow | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    rate_kind: str = "hourly",
    rate: Decimal = Decimal("850.00"),
) -> Flow:
    flow = accepted(flow)
    today = timezone.localdate()
    start = start or today.replace(day=1) - dt.timedelta(days=62)
    end = end or today + dt.timedelta(days=90)
    proposal = services.contract_propose(
        actor=flow.company_member,
        thread=flow.thread,
        title="Django build",
        scope="Build the booking service in Django.",
        start_date=start,
        end_date=end,
        rate_kind=rate_kind,
        rate=rate,
        payment_terms_days=14,
        billing_email="billing@company.example",
    )
    flow.contract = services.contract_accept(
        version=proposal, actor=flow.freelancer_user, text_sha256=proposal.text_sha256
    )
    flow.engagement = Engagement.objects.get(pk=flow.contract.engagement_id)
    return flow


def hours_approved(
    flow: Flow | None = None,
    *,
    weeks: list[dt.date] | None = None,
    hours: Decimal = Decimal("37.5"),
) -> Flow:
    """Approved hours in each of ``weeks`` (default: the Mondays of last month)."""
    flow = flow or contracted()
    if weeks is None:
        start, end = services.previous_month(timezone.localdate())
        monday = services.week_start(start)
        if monday < start:
            monday += dt.timedelta(days=7)
        weeks = []
        while monday <= end:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
    for week in weeks:
        report = services.hours_report(
            engagement=flow.engagement,
            actor=flow.freelancer_user,
            week=week,
            hours=hours,
            note="Booking API",
        )
        flow.hours.append(
            services.hours_approve(report=report, actor=flow.company_member)
        )
    return flow


def invoiced(flow: Flow | None = None) -> Flow:
    flow = hours_approved(flow)
    start, end = services.previous_month(timezone.localdate())
    flow.invoice = services.invoice_issue(
        engagement=flow.engagement, period_start=start, period_end=end
    )
    return flow
