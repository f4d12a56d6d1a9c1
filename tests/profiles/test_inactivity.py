"""Unused accounts: a warning 30 days ahead, a one-click keep, then the purge."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from privacy.facts import controller_footer
from privacy.retention import retention_purge
from profiles import services
from profiles.models import ACCOUNT_INACTIVITY, User
from profiles.tasks import inactivity_warnings_send as warnings_task
from tests.factories import FreelancerProfileFactory, UserFactory

YEAR = dt.timedelta(days=365)
RULE = "profiles.user.closed"


def _last_seen(user, ago: dt.timedelta) -> User:
    moment = timezone.now() - ago
    User.objects.filter(pk=user.pk).update(last_login=moment, date_joined=moment)
    return User.objects.get(pk=user.pk)


def _send(now=None) -> int:
    return services.inactivity_warnings_send(
        now=now, build_link=lambda token: f"https://example.test/account/keep/{token}/"
    )


def test_member_is_warned_once_30_days_before_anonymisation(
    db, django_capture_on_commit_callbacks
):
    due = _last_seen(UserFactory(), ACCOUNT_INACTIVITY + YEAR - dt.timedelta(days=20))
    _last_seen(UserFactory(), ACCOUNT_INACTIVITY + YEAR - dt.timedelta(days=40))
    _last_seen(UserFactory(), dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert _send() == 1
    assert [m.to for m in mail.outbox] == [[due.email]]
    assert "account/keep/" in mail.outbox[0].body
    assert _send() == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("da", "Din Worksome-konto bliver anonymiseret om 30 dage"),
        ("en", "Your Worksome account will be anonymised in 30 days"),
    ],
)
def test_the_warning_is_in_the_member_s_language_with_the_controller(
    db, django_capture_on_commit_callbacks, language, subject
):
    """The beat task runs in the site's language; the mail is in the
    member's, through the mail service (its footer names the controller)."""
    user = _last_seen(UserFactory(language=language), ACCOUNT_INACTIVITY + 2 * YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        assert _send() == 1
    (message,) = mail.outbox
    assert message.subject == subject
    assert message.to == [user.email]
    assert message.extra_headers["X-Mail-Kind"] == "service"
    with translation.override(language):
        assert controller_footer().strip() in message.body


def test_unused_accounts_are_anonymised_with_their_profile(db):
    profile = FreelancerProfileFactory()
    _last_seen(profile.user, ACCOUNT_INACTIVITY + YEAR + dt.timedelta(days=1))
    # Warned 31 days ago (after their last sign of life).
    User.objects.filter(pk=profile.user_id).update(
        inactivity_warning_sent_at=timezone.now() - dt.timedelta(days=31)
    )
    active = _last_seen(UserFactory(), ACCOUNT_INACTIVITY + YEAR - dt.timedelta(days=1))
    retention_purge()
    profile.refresh_from_db()
    user = User.objects.get(pk=profile.user_id)
    assert user.anonymised_at is not None and not user.is_active
    assert profile.anonymised_at is not None
    active.refresh_from_db()
    assert active.anonymised_at is None


def test_keep_link_restarts_the_clock(client, db, django_capture_on_commit_callbacks):
    user = _last_seen(UserFactory(), ACCOUNT_INACTIVITY + YEAR - dt.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        _send()
    token = re.search(r"account/keep/([^/\s]+)/", mail.outbox[0].body).group(1)
    page = client.get(f"/account/keep/{token}/")
    assert page.status_code == 200
    response = client.post(f"/account/keep/{token}/")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.activity_confirmed_at is not None
    run = retention_purge(rule_key=RULE, now=timezone.now() + dt.timedelta(days=30))
    assert run.rules.get().anonymised == 0
    # A new period of inactivity would get a new warning, not this one again.
    assert _send() == 0


def test_logging_in_restarts_the_clock(db):
    user = _last_seen(UserFactory(), ACCOUNT_INACTIVITY + YEAR + dt.timedelta(days=1))
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    run = retention_purge(rule_key=RULE)
    assert run.rules.get().anonymised == 0


@pytest.mark.parametrize("token", ["forged", "1:abc:def", "x" * 300])
def test_forged_keep_link_is_a_clear_400_and_changes_nothing(client, db, token):
    user = _last_seen(UserFactory(), ACCOUNT_INACTIVITY)
    response = client.post(f"/account/keep/{token}/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.activity_confirmed_at is None


def test_a_closed_account_cannot_be_kept(client, db):
    user = UserFactory()
    token = services.account_keep_token_sign(user=user)
    services.account_close(user=user, actor=user)
    assert client.post(f"/account/keep/{token}/").status_code == 400


def test_the_warning_task_runs_daily(beat_schedule_synced):
    _last_seen(UserFactory(), ACCOUNT_INACTIVITY + YEAR - dt.timedelta(days=5))
    assert warnings_task.apply().get() == 1
    task = PeriodicTask.objects.get(task="profiles.tasks.inactivity_warnings_send")
    assert (task.crontab.hour, task.crontab.minute) == ("9", "0")


def test_overdue_member_is_anonymised_only_30_days_after_the_warning_was_sent(
    db, django_capture_on_commit_callbacks
):
    """Issue 14 item 8: an account already far past its date got the warning
    and was anonymised by the next purge, minutes later."""
    profile = FreelancerProfileFactory()
    user = _last_seen(profile.user, ACCOUNT_INACTIVITY + 3 * YEAR)
    # Not warned yet: the purge leaves the account alone.
    assert retention_purge(rule_key=RULE).rules.get().anonymised == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert _send() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    sent_at = User.objects.get(pk=user.pk).inactivity_warning_sent_at
    assert sent_at is not None
    soon = retention_purge(now=sent_at + dt.timedelta(days=29, hours=23))
    assert soon.status == "completed"
    user.refresh_from_db()
    profile.refresh_from_db()
    assert user.anonymised_at is None and profile.anonymised_at is None
    assert profile.full_name != "Deleted user"
    retention_purge(now=sent_at + dt.timedelta(days=30, minutes=1))
    user.refresh_from_db()
    profile.refresh_from_db()
    assert user.anonymised_at is not None and profile.anonymised_at is not None


def test_a_claimed_warning_that_was_never_sent_does_not_start_the_30_days(
    db, django_capture_on_commit_callbacks, settings, monkeypatch
):
    monkeypatch.setattr("consent.mail.service.INLINE_RETRY_PAUSES", ())
    user = _last_seen(UserFactory(), ACCOUNT_INACTIVITY + 3 * YEAR)
    settings.EMAIL_BACKEND = "tests.profiles.test_inactivity.FailingBackend"
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        _send()
    user.refresh_from_db()
    assert user.inactivity_warned_at is not None
    assert user.inactivity_warning_sent_at is None
    later = timezone.now() + dt.timedelta(days=60)
    assert retention_purge(rule_key=RULE, now=later).rules.get().anonymised == 0
    # The failed claim is retried (after an hour) and then counts.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(now=timezone.now() + dt.timedelta(hours=2)) == 1
    assert User.objects.get(pk=user.pk).inactivity_warning_sent_at is not None


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server refused")
