"""The engagement jobs: documents are built once and mailed once, a failed
send is retried, and the monthly run invoices last month once per engagement.

Mail leaves the machine, so the failing mail server is a test e-mail backend
(``FlakyBackend``); everything else is the real database and Celery's own
retry machinery (``Task.apply`` runs the retries a worker would).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements import services
from engagements.models import ContractVersion, HoursReport, Invoice
from engagements.tasks import (
    contract_document_send,
    invoice_document_send,
    invoices_monthly_run,
)
from privacy.registry import Event, personal_data
from tests.engagements import support

pytestmark = pytest.mark.django_db

FLAKY = "tests.engagements.test_tasks.FlakyBackend"


class FlakyBackend(EmailBackend):
    """The mail server drops the connection on the first ``failures`` sends."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = FLAKY
    FlakyBackend.failures, FlakyBackend.attempts = 1, 0
    yield FlakyBackend
    FlakyBackend.failures = FlakyBackend.attempts = 0


def issued_unsent(django_capture_on_commit_callbacks) -> Invoice:
    """An invoice whose document task was queued but has not run."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        flow = support.invoiced()
    assert callbacks  # the document task, queued after commit
    return flow.invoice


def documents(settings, kind: str) -> list[Path]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "documents" / kind
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


def test_a_failed_send_leaves_the_invoice_unsent_and_the_next_try_sends_it_once(
    django_capture_on_commit_callbacks, flaky, settings
):
    invoice = issued_unsent(django_capture_on_commit_callbacks)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        invoice_document_send(invoice.pk)
    invoice.refresh_from_db()
    assert invoice.emailed_at is None
    assert mail.outbox == []
    assert invoice.pdf  # built before the send, and kept
    assert invoice_document_send(invoice.pk) == 1
    assert invoice_document_send(invoice.pk) == 0  # a late duplicate delivery
    invoice.refresh_from_db()
    assert invoice.emailed_at is not None
    assert [m.to for m in mail.outbox] == [["billing@company.example"]]
    assert mail.outbox[0].attachments[0][0] == f"invoice-{invoice.number}.pdf"
    assert len(documents(settings, "invoices")) == 1  # built once


def test_celery_retries_a_disconnected_smtp_send_and_mails_exactly_once(
    django_capture_on_commit_callbacks, flaky
):
    invoice = issued_unsent(django_capture_on_commit_callbacks)
    result = invoice_document_send.apply(args=[invoice.pk])
    assert result.successful(), result.traceback
    assert result.get() == 1
    assert flaky.attempts == 2  # the failure, then the retry
    assert len(mail.outbox) == 1
    assert Invoice.objects.get(pk=invoice.pk).emailed_at is not None


def test_the_retry_policy_covers_smtp_and_connection_errors():
    for task in (invoice_document_send, contract_document_send):
        assert set(task.autoretry_for) >= {smtplib.SMTPException, OSError}
        assert task.retry_backoff and task.max_retries >= 5


def test_a_contract_is_mailed_once_to_each_party_after_a_failed_try(
    django_capture_on_commit_callbacks, flaky, settings
):
    with django_capture_on_commit_callbacks(execute=False):
        flow = support.contracted()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        contract_document_send(flow.contract.pk)
    assert ContractVersion.objects.get(pk=flow.contract.pk).emailed_at is None
    assert mail.outbox == []
    sent = contract_document_send.apply(args=[flow.contract.pk]).get()
    assert contract_document_send(flow.contract.pk) == 0
    addresses = sorted(m.to[0] for m in mail.outbox)
    assert addresses == sorted(
        {
            flow.freelancer_user.email,
            flow.company_member.email,
            "billing@company.example",
        }
    )
    assert sent == len(addresses) == 3
    assert all(m.attachments for m in mail.outbox)
    assert len(documents(settings, "contracts")) == 1


def test_a_restricted_invoice_gets_its_pdf_but_is_not_mailed(
    django_capture_on_commit_callbacks,
):
    invoice = issued_unsent(django_capture_on_commit_callbacks)
    Invoice.objects.filter(pk=invoice.pk).update(restricted_at=timezone.now())
    assert invoice_document_send(invoice.pk) == 0
    invoice.refresh_from_db()
    assert invoice.pdf and invoice.emailed_at is None
    assert mail.outbox == []


# --- The monthly run ----------


def _last_month_weeks() -> list[dt.date]:
    start, end = services.previous_month(timezone.localdate())
    monday = services.week_start(start)
    monday += dt.timedelta(days=7) if monday < start else dt.timedelta()
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def test_the_monthly_run_invoices_last_months_approved_hours_once_even_run_twice(
    django_capture_on_commit_callbacks,
):
    flows = [support.hours_approved() for _ in range(3)]
    # Not last month's, or not approved: never on last month's invoice.
    first = flows[0]
    start, end = services.previous_month(timezone.localdate())
    current = services.hours_report(
        engagement=first.engagement,
        actor=first.freelancer_user,
        week=services.week_start(start - dt.timedelta(days=14)),
        hours=Decimal("10"),
    )
    services.hours_approve(report=current, actor=first.company_member)
    pending = support.contracted()
    services.hours_report(
        engagement=pending.engagement,
        actor=pending.freelancer_user,
        week=_last_month_weeks()[0],
        hours=Decimal("5"),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert invoices_monthly_run() == 3
    assert len(callbacks) == 3  # one document task per invoice, after commit
    with django_capture_on_commit_callbacks(execute=False):
        assert invoices_monthly_run() == 0
    for flow in flows:
        invoice = Invoice.objects.get(engagement=flow.engagement)
        assert (invoice.period_start, invoice.period_end) == (start, end)
        assert set(invoice.hours.all()) == set(flow.hours)
        assert invoice.issue_date == timezone.localdate()
    assert HoursReport.objects.get(pk=current.pk).invoice is None
    assert not Invoice.objects.filter(engagement=pending.engagement).exists()
    assert Invoice.objects.count() == 3


def test_the_monthly_run_skips_restricted_engagements(
    django_capture_on_commit_callbacks,
):
    kept = support.hours_approved()
    erased = support.hours_approved()
    # What erasure does to the records the Bookkeeping Act keeps.
    personal_data.emit(Event.ERASE, user=erased.freelancer_user, actor=None)
    erased.engagement.refresh_from_db()
    assert erased.engagement.restricted_at is not None
    with django_capture_on_commit_callbacks(execute=False):
        assert invoices_monthly_run() == 1
    assert Invoice.objects.filter(engagement=kept.engagement).count() == 1
    assert not Invoice.objects.filter(engagement=erased.engagement).exists()
    assert not HoursReport.objects.filter(
        engagement=erased.engagement, invoice__isnull=False
    ).exists()


# --- Queries per invoice ----------


def _issue_queries(weeks: list[dt.date], start: dt.date, end: dt.date) -> int:
    flow = support.hours_approved(weeks=weeks)
    with CaptureQueriesContext(connection) as queries:
        invoice = services.invoice_issue(
            engagement=flow.engagement, period_start=start, period_end=end, send=False
        )
    assert invoice.lines.count() == len(weeks)
    return len(queries)


def test_the_queries_of_issuing_an_invoice_do_not_grow_with_its_lines(
    django_assert_max_num_queries,
):
    """The monthly run's cost per invoice must not depend on how many weeks
    (lines) it holds: no query per line (N+1)."""
    today = timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = services.week_start(today.replace(day=1) - dt.timedelta(days=56))
    weeks = [start + dt.timedelta(days=7 * i) for i in range(8)]
    weeks = [w for w in weeks if w <= end]
    assert len(weeks) >= 6
    _issue_queries(weeks[:2], start, end)  # the first ever creates the sequence
    one = _issue_queries(weeks[:1], start, end)
    many = _issue_queries(weeks, start, end)
    assert one == many
    assert one <= 15  # 14: locks, reads, the number, the inserts, the audit row
    flow = support.hours_approved(weeks=weeks)
    with django_assert_max_num_queries(one):
        services.invoice_issue(
            engagement=flow.engagement, period_start=start, period_end=end, send=False
        )
