"""Every beat entry, applied the way beat applies it, succeeds on a real worker.

Beat calls ``app.tasks[entry["task"]].apply_async(args, kwargs, **options)``;
this test does the same for every entry of ``CELERY_BEAT_SCHEDULE`` (a new
entry is covered without editing it), on a prefork worker (which enforces time
limits, unlike the solo pool) against PostgreSQL and Redis.
"""

import pytest
from celery import states
from django.conf import settings

from worksome.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_every_beat_entry_is_queued_and_succeeds_on_a_prefork_worker(
    start_workers,
):
    queue = start_workers(1, pool="prefork")
    app.loader.import_default_modules()
    results, failures = {}, {}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        task = app.tasks[entry["task"]]
        options = {**entry.get("options", {}), "queue": queue}
        try:
            results[name] = task.apply_async(
                entry.get("args", ()), entry.get("kwargs", {}), **options
            )
        except Exception as exc:  # noqa: BLE001 - what beat would log and drop
            failures[name] = f"not queued: {exc!r}"
    for name, result in results.items():
        try:
            result.get(timeout=120)
        except Exception as exc:  # noqa: BLE001 - reported per entry below
            failures[name] = repr(exc)
        if result.state != states.SUCCESS:
            failures.setdefault(name, result.state)
    print(f"beat entries applied: {len(results)}")
    assert failures == {}
    assert len(results) == len(settings.CELERY_BEAT_SCHEDULE) >= 5
