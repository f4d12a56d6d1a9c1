"""The "Monthly invoice run" beat entry, applied as beat applies it, issues
last month's invoices on a real prefork worker (PostgreSQL, Redis).

tests/integration/test_beat_entries.py already applies every entry, this one
included, on an empty database; here the database holds work, and a second
application of the entry (beat firing twice, or two beats) issues nothing more.
"""

import pytest
from celery import states
from django.utils import timezone

from engagements import services
from engagements.models import Invoice
from tests.engagements import support
from worksome.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ENTRY = "Monthly invoice run"


def test_the_monthly_invoice_run_beat_entry_issues_invoices_on_a_real_worker(
    start_workers, settings
):
    # The set-up's contracts mail their PDFs after commit: here, not queued.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    flows = [support.hours_approved() for _ in range(3)]
    # From here on every task goes to the worker (eager would run it here).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    entry = settings.CELERY_BEAT_SCHEDULE[ENTRY]
    queue = start_workers(1, pool="prefork")
    app.loader.import_default_modules()
    task = app.tasks[entry["task"]]
    options = {**entry.get("options", {}), "queue": queue}

    def apply() -> int:
        result = task.apply_async(
            entry.get("args", ()), entry.get("kwargs", {}), **options
        )
        answer = result.get(timeout=120)
        assert result.state == states.SUCCESS
        return answer

    assert apply() == 3
    assert apply() == 0
    start, end = services.previous_month(timezone.localdate())
    for flow in flows:
        invoice = Invoice.objects.get(engagement=flow.engagement)
        assert (invoice.period_start, invoice.period_end) == (start, end)
        assert invoice.hours.count() == len(flow.hours)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2, 3]
    # Each invoice's PDF task was queued after its commit, for the default
    # queue's workers (none here): issued, not yet built.
    assert not Invoice.objects.exclude(pdf="").exists()
