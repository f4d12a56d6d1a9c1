import datetime as dt

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.tasks import ping
from privacy.tasks import sessions_clear_expired


def test_ping_answers_with_the_database_it_reached(db):
    assert ping.apply().get()["pong"] is True


def test_expired_sessions_are_deleted_and_live_ones_kept(db):
    live = SessionStore()
    live["k"] = 1
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert sessions_clear_expired.apply().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [
        live.session_key
    ]


def test_session_cleanup_is_scheduled_daily(beat_schedule_synced):
    task = PeriodicTask.objects.get(task="privacy.tasks.sessions_clear_expired")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")
    assert str(task.crontab.timezone) == "Europe/Copenhagen"
