"""Every beat entry can be queued: the options beat's ``apply_async`` checks.

``Task.apply_async`` refuses a task whose soft time limit (its own, or the
global ``CELERY_TASK_SOFT_TIME_LIMIT`` it inherits) is above its hard limit;
beat then logs the error and the job never runs. The entries are read from
the settings, so a new one is checked without editing this file. The real run
on a prefork worker is tests/integration/test_beat_entries.py.
"""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from worksome.celery import app

ENTRIES = sorted(settings.CELERY_BEAT_SCHEDULE.items())


def test_there_are_scheduled_jobs():
    assert len(ENTRIES) >= 5


@pytest.mark.parametrize(("name", "entry"), ENTRIES, ids=[n for n, _ in ENTRIES])
def test_scheduled_task_options_pass_apply_async_checks(name, entry):
    app.loader.import_default_modules()
    task = app.tasks[entry["task"]]
    soft, hard = task.soft_time_limit, task.time_limit
    # The exact condition Task.apply_async raises ValueError on.
    assert not (soft and hard and soft > hard), (
        f"{entry['task']}: soft_time_limit {soft} > time_limit {hard}; "
        "set both limits on the task, or neither"
    )
    # The same argument check apply_async runs (task typing).
    task.__header__(*entry.get("args", ()), **entry.get("kwargs", {}))


def test_beat_makes_exactly_the_settings_entries(beat_schedule_synced):
    """Schedules come from CELERY_BEAT_SCHEDULE only (no data migrations): the
    rows beat makes are those entries, with their tasks; a row under another
    name would run the job twice and escape the beat-entry tests."""
    rows = dict(
        PeriodicTask.objects.exclude(name__startswith="celery.").values_list(
            "name", "task"
        )
    )
    for name, task in rows.items():
        assert settings.CELERY_BEAT_SCHEDULE.get(name, {}).get("task") == task, name
    assert set(rows) == set(settings.CELERY_BEAT_SCHEDULE)
