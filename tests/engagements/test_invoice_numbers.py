"""Invoice numbers stay gapless and unique when two real database connections
issue at once (PostgreSQL; in CI a missing PostgreSQL fails, never skips).

Why the sequence row lock matters, and why these tests would catch its loss:
``invoice_number_take`` reads ``InvoiceSequence.last_number`` and writes it
back plus one. Without ``SELECT ... FOR UPDATE`` two transactions both read
the same value (the other's write is not committed yet); the second one's
UPDATE waits for the first to commit and then writes the same number again,
so both insert that number: the unique index refuses the second invoice
(an error in a thread here, an engagement left uninvoiced), or, without the
index, a duplicate. With the lock the second reader waits until the first
commits and reads the new value. A rolled-back issue rolls its number back
with it, so the next issue takes the same number: no gap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone

from engagements import services
from engagements.models import Invoice, InvoiceSequence
from engagements.tasks import invoices_monthly_run
from tests.engagements import support
from tests.integration.conftest import unavailable

pytestmark = pytest.mark.django_db(transaction=True)

PER_CONNECTION = 10


@pytest.fixture
def postgres(transactional_db, settings):
    if connection.vendor != "postgresql":
        unavailable("row locks need PostgreSQL (DATABASE_URL)")
    # Contracts and runs queue their document tasks after commit (these
    # tests commit): eager, so nothing is left on the test broker.
    settings.CELERY_TASK_ALWAYS_EAGER = True


class RolledBack(Exception):
    """Raised after an invoice was issued, to roll its transaction back."""


def run_together(*targets: Callable[[], None]) -> list[BaseException]:
    """Each target in its own thread, so on its own database connection,
    released together by a barrier; returns what they raised."""
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(target) -> None:
        try:
            barrier.wait(10)
            target()
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a connection is stuck"
    return errors


def test_two_connections_issuing_at_once_number_1_to_n_without_gap_or_repeat(
    postgres,
):
    flows = [support.hours_approved() for _ in range(2 * PER_CONNECTION)]
    start, end = services.previous_month(timezone.localdate())
    taken_then_rolled_back: list[int] = []

    def issue(flow) -> None:
        services.invoice_issue(
            engagement=flow.engagement, period_start=start, period_end=end, send=False
        )

    def first() -> None:
        mine = flows[:PER_CONNECTION]
        for position, flow in enumerate(mine):
            if position == 3:
                # Fails mid-way: the number is taken, the invoice inserted,
                # then the transaction rolls back. The engagement is invoiced
                # again at the end.
                try:
                    with transaction.atomic():
                        invoice = services.invoice_issue(
                            engagement=flow.engagement,
                            period_start=start,
                            period_end=end,
                            send=False,
                        )
                        taken_then_rolled_back.append(invoice.number)
                        raise RolledBack
                except RolledBack:
                    continue
            issue(flow)
        issue(mine[3])

    def second() -> None:
        for flow in flows[PER_CONNECTION:]:
            issue(flow)

    assert run_together(first, second) == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    n = len(flows)
    assert numbers == list(range(1, n + 1))
    assert InvoiceSequence.objects.get(name="invoice").last_number == n
    # The rolled-back number was given out again, to some invoice.
    assert taken_then_rolled_back and taken_then_rolled_back[0] in numbers
    for flow in flows:
        assert Invoice.objects.filter(engagement=flow.engagement).count() == 1


def test_two_monthly_runs_at_once_invoice_each_engagement_once(postgres):
    flows = [support.hours_approved() for _ in range(PER_CONNECTION)]
    issued: list[int] = []
    errors = run_together(
        lambda: issued.append(invoices_monthly_run()),
        lambda: issued.append(invoices_monthly_run()),
    )
    assert errors == []
    assert sum(issued) == len(flows)
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(flows) + 1))
    for flow in flows:
        invoice = Invoice.objects.get(engagement=flow.engagement)
        assert set(invoice.hours.all()) == set(flow.hours)
