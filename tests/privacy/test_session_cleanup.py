"""Expired sessions are cleared with their owner rows, by the beat task and by
`clearsessions` alike (both run privacy.sessions' ``clear_expired``)."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from privacy.models import SessionOwner
from privacy.sessions import SessionStore
from privacy.tasks import sessions_clear_expired
from tests.factories import UserFactory


def _logged_in_session(user, *, expired: bool) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store.create()
    if expired:
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() - dt.timedelta(seconds=1)
        )
    return store.session_key


@pytest.fixture
def sessions(db):
    user = UserFactory()
    return {
        "expired": _logged_in_session(user, expired=True),
        "live": _logged_in_session(user, expired=False),
    }


def test_the_beat_task_deletes_expired_sessions_and_their_owner_rows(sessions):
    assert SessionOwner.objects.count() == 2
    # Sessions only: the owner row that went with it is not counted.
    assert sessions_clear_expired.apply().get() == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [sessions["live"]]
    assert list(SessionOwner.objects.values_list("pk", flat=True)) == [sessions["live"]]


def test_clearsessions_deletes_the_owner_rows_too(sessions):
    call_command("clearsessions")
    assert list(Session.objects.values_list("pk", flat=True)) == [sessions["live"]]
    assert list(SessionOwner.objects.values_list("pk", flat=True)) == [sessions["live"]]
