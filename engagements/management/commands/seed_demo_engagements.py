"""The engagement part of the ``make run`` demo, through the services: the
demo company's inquiry to a demo freelancer, accepted; an accepted contract;
last month's hours, approved; last month's invoice, issued, its PDF built.

A command of its own because ``profiles`` (where ``seed_demo`` lives) sits
below ``engagements`` and must not import it; ``make run`` runs this one
after ``seed_demo``. Idempotent: each step looks for what an earlier run
made and goes on from there, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from engagements import services
from engagements.models import (
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    Thread,
)
from engagements.tasks import contract_document_send, invoice_document_send
from profiles.management.commands.seed_demo import COMPANIES, FREELANCERS
from profiles.models import Company, FreelancerProfile, User

#: The freelancer the demo company engages: the first demo freelancer.
FREELANCER_EMAIL = FREELANCERS[0]["email"]
COMPANY = COMPANIES[0]
BILLING_EMAIL = COMPANY["contact_email"]
RATE = Decimal("875.00")
HOURS = [Decimal("37.5"), Decimal("30"), Decimal("35.25"), Decimal("37.5")]


def last_month_weeks(today: dt.date) -> list[dt.date]:
    """The Mondays of last month (the weeks its invoice covers)."""
    start, end = services.previous_month(today)
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


class Command(BaseCommand):
    help = (
        "Create the demo engagement (inquiry, contract, approved hours, an "
        "invoice with its PDF) between the seed_demo company and freelancer. "
        "Idempotent; run seed_demo first."
    )

    def handle(self, *args, **options):
        try:
            company = Company.objects.get(cvr=COMPANY["cvr"])
            owner = User.objects.get(email=COMPANY["owner"])
            freelancer = FreelancerProfile.objects.select_related("user").get(
                user__email=FREELANCER_EMAIL
            )
        except (
            Company.DoesNotExist,
            User.DoesNotExist,
            FreelancerProfile.DoesNotExist,
        ) as error:
            raise CommandError("Run `manage.py seed_demo` first.") from error
        today = timezone.localdate()
        # The demo reads in Danish (the site's first language) where no one
        # chose otherwise.
        with translation.override("da"):
            thread = self._inquiry(company, owner, freelancer, today)
            version = self._contract(thread, owner, freelancer, today)
            self._hours(version, owner, freelancer, today)
            self._invoice(version.engagement, today)
        self.stdout.write(self.style.SUCCESS("Demo engagement ready."))

    def _say(self, created: bool, what: str) -> None:
        self.stdout.write(f"{'created' if created else 'exists '} {what}")

    def _inquiry(self, company, owner, freelancer, today) -> Thread:
        thread = (
            Thread.objects.filter(company=company, freelancer=freelancer)
            .order_by("created_at", "pk")
            .first()
        )
        self._say(thread is None, "inquiry")
        if thread is None:
            thread = services.inquiry_send(
                company=company,
                freelancer=freelancer,
                actor=owner,
                subject="Booking-app til færgeruter",
                body=(
                    "Hej Freja, vi bygger en booking-app til færgeruterne i "
                    "Østersøen og søger en Django-udvikler i tre måneder. "
                    "Har du tid?"
                ),
                period_start=today.replace(day=1) - dt.timedelta(days=40),
                period_end=today + dt.timedelta(days=60),
                rate=RATE,
            )
        if thread.status == Thread.Status.OPEN:
            services.inquiry_accept(
                thread=thread,
                actor=freelancer.user,
                body="Det lyder spændende. Jeg kan starte med det samme.",
            )
            thread.refresh_from_db()
        return thread

    def _contract(self, thread, owner, freelancer, today) -> ContractVersion:
        accepted = (
            ContractVersion.objects.filter(
                engagement__thread=thread, status=ContractVersion.Status.ACCEPTED
            )
            .select_related("engagement")
            .first()
        )
        self._say(accepted is None, "accepted contract")
        if accepted is None:
            proposal = ContractVersion.objects.filter(
                engagement__thread=thread, status=ContractVersion.Status.PROPOSED
            ).first() or services.contract_propose(
                actor=owner,
                thread=thread,
                title="Booking-app til færgeruter",
                scope=(
                    "Udvikling af booking-flowet (Django, PostgreSQL): søgning "
                    "i afgange, reservation, betaling og kvitteringer på dansk "
                    "og engelsk."
                ),
                start_date=today.replace(day=1) - dt.timedelta(days=40),
                end_date=today + dt.timedelta(days=60),
                rate_kind="hourly",
                rate=RATE,
                payment_terms_days=14,
                billing_email=BILLING_EMAIL,
            )
            accepted = services.contract_accept(
                version=proposal,
                actor=freelancer.user,
                text_sha256=proposal.text_sha256,
            )
        if not accepted.pdf:
            # Built here so the demo has it without a worker; the task queued
            # on accept finds it built and mailed, and does nothing.
            contract_document_send(accepted.pk)
        return accepted

    def _hours(self, version: ContractVersion, owner, freelancer, today) -> None:
        engagement = version.engagement
        # A database seeded months ago: its contract may have ended by now.
        weeks = [
            week
            for week in last_month_weeks(today)
            if version.start_date <= week <= version.end_date
        ]
        if not weeks:
            self.stdout.write("skipped hours: the demo contract has ended")
            return
        existing = {r.week: r for r in engagement.hours.filter(week__in=weeks)}
        created = 0
        for week, hours in zip(weeks, HOURS + HOURS[:1], strict=False):
            report = existing.get(week)
            if report is None:
                report = services.hours_report(
                    engagement=engagement,
                    actor=freelancer.user,
                    week=week,
                    hours=hours,
                    note="Booking-flow: søgning, reservation og betaling.",
                )
                created += 1
            if report.status == HoursReport.Status.SUBMITTED:
                services.hours_approve(report=report, actor=owner)
        self._say(bool(created), f"approved hours for {len(weeks)} weeks")

    def _invoice(self, engagement: Engagement, today) -> None:
        start, end = services.previous_month(today)
        invoice = Invoice.objects.filter(
            engagement=engagement,
            kind=Invoice.Kind.INVOICE,
            credited_at__isnull=True,
            period_start=start,
            period_end=end,
        ).first()
        created = invoice is None
        if created:
            try:
                invoice = services.invoice_issue(
                    engagement=engagement,
                    period_start=start,
                    period_end=end,
                    send=False,
                )
            except ValidationError as error:
                self.stdout.write(f"skipped the invoice: {' '.join(error.messages)}")
                return
        self._say(created, f"invoice {invoice.number} for last month")
        if not invoice.pdf:
            # Built and mailed (to the terminal, in `make run`) here, as the
            # document task does after an issue.
            invoice_document_send(invoice.pk)
