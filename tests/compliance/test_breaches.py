"""The breach register (GDPR Art. 33): deadline in the admin, 48-hour reminder."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from compliance.models import Breach
from compliance.services import breach_reminders_send
from compliance.tasks import breach_deadline_check
from privacy.erasure import erasure_execute
from privacy.registry import personal_data
from tests.factories import UserFactory
from tests.security.totp import activate_totp

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/compliance/breach/"


def _breach(hours_ago: float, **extra) -> Breach:
    values = {
        "reference": f"B-{Breach.objects.count() + 1:03d}",
        "discovered_at": timezone.now() - dt.timedelta(hours=hours_ago),
        "nature": "A backup file was readable from the internet.",
        "data_categories": "Names, e-mail addresses",
        "subject_categories": "Freelancers",
        "approx_subjects": 120,
        "approx_records": 300,
        "likely_consequences": "Phishing e-mails",
        "measures_taken": "File removed, access logs reviewed",
    }
    values.update(extra)
    return Breach.objects.create(**values)


@pytest.fixture
def breach_staff(db):
    """A staff member who may view breaches, and one who may not."""
    viewer = UserFactory(is_staff=True, email="dpo@worksome.example")
    viewer.user_permissions.add(Permission.objects.get(codename="view_breach"))
    activate_totp(viewer)  # staff powers (and duties) need TOTP
    activate_totp(UserFactory(is_staff=True, email="support@worksome.example"))
    UserFactory(email="member@example.com")
    return viewer


# --- Deadline --------------------------------------------------------------------


def test_deadline_is_72_hours_after_discovery_and_overdue_when_not_notified():
    fresh, late = _breach(10), _breach(80)
    assert fresh.notification_deadline == fresh.discovered_at + dt.timedelta(hours=72)
    assert not fresh.is_overdue
    assert late.is_overdue
    late.authority_notified_at = timezone.now()
    assert not late.is_overdue


def test_admin_list_shows_the_deadline_and_whether_it_is_overdue(admin_user):
    overdue = _breach(80, reference="B-LATE")
    _breach(5, reference="B-FRESH")
    client = Client()
    client.force_login(admin_user)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "notify authority by" in html.lower()
    deadline = timezone.localtime(overdue.notification_deadline)
    assert date_format(deadline, "DATETIME_FORMAT") in html
    # A passed deadline is a warning in words, never a (green) tick.
    assert html.count('data-overdue="yes"') == 1
    assert "Deadline passed: notify the authority now" in html
    assert 'alt="True"' not in html and "icon-yes" not in html


def test_admin_add_records_who_recorded_it(admin_user):
    client = Client()
    client.force_login(admin_user)
    discovered = timezone.localtime() - dt.timedelta(hours=1)
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "reference": "B-2026-001",
            "discovered_at_0": discovered.strftime("%Y-%m-%d"),
            "discovered_at_1": discovered.strftime("%H:%M:%S"),
            "nature": "Lost laptop",
            "data_categories": "Names",
            "subject_categories": "Freelancers",
            "approx_subjects": "3",
            "approx_records": "3",
            "likely_consequences": "Low: the disk is encrypted",
            "measures_taken": "Remote wipe",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    breach = Breach.objects.get(reference="B-2026-001")
    assert breach.created_by == admin_user
    assert breach.reminder_sent_at is None


def test_staff_without_the_permission_cannot_see_breaches():
    staff = UserFactory(is_staff=True)
    activate_totp(staff)
    client = Client()
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403


def test_late_notification_needs_reasons_for_the_delay():
    breach = _breach(100)
    breach.authority_notified_at = timezone.now()
    with pytest.raises(ValidationError) as exc:
        breach.full_clean()
    assert "delay_reason" in exc.value.message_dict
    breach.delay_reason = "The breach was first understood on day four."
    breach.full_clean()


# --- The 48-hour reminder ----------------------------------------------------------


def test_no_reminder_before_48_hours(breach_staff):
    _breach(47)
    assert breach_reminders_send() == 0
    assert mail.outbox == []


def test_reminder_at_48_hours_goes_to_staff_who_may_view_breaches_once(breach_staff):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="root@w.example")
    activate_totp(superuser)
    breach = _breach(48.5, reference="B-042")
    assert breach_deadline_check() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([breach_staff.email, superuser.email])
    assert "B-042" in message.subject
    assert f"/admin/compliance/breach/{breach.pk}/change/" in message.body
    # Nothing about the breach's content in the mail.
    assert "backup" not in message.body
    breach.refresh_from_db()
    assert breach.reminder_sent_at is not None

    # The next hourly runs send nothing more.
    assert breach_deadline_check() == 0
    assert breach_reminders_send(now=timezone.now() + dt.timedelta(hours=30)) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_once_the_authority_was_notified(breach_staff):
    _breach(50, authority_notified_at=timezone.now() - dt.timedelta(hours=1))
    assert breach_reminders_send() == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_on_the_next_run(breach_staff, monkeypatch):
    breach = _breach(49)

    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("compliance.services.send_mail", broken)
    assert breach_reminders_send() == 0
    breach.refresh_from_db()
    assert breach.reminder_sent_at is None
    monkeypatch.undo()
    assert breach_reminders_send() == 1
    assert len(mail.outbox) == 1


def test_the_reminder_is_scheduled_hourly(beat_schedule_synced):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="compliance.tasks.breach_deadline_check")
    assert task.enabled
    assert task.crontab.hour == "*"


# --- Registry ------------------------------------------------------------------


def test_erasing_the_recorder_keeps_the_breach_by_law(admin_user):
    recorder = UserFactory(is_staff=True)
    breach = _breach(10, created_by=recorder)
    outcome = erasure_execute(user=recorder, actor=admin_user)
    assert Breach.objects.filter(pk=breach.pk).exists()
    assert {k["key"] for k in outcome.kept} >= {"privacy.breach.documented"}


def test_breach_records_are_deleted_five_years_after_discovery():
    declaration = personal_data.get(Breach)
    (rule,) = declaration.rules()
    assert rule.key == "privacy.breach.aged"
    old, recent = _breach(5 * 365 * 24 + 48), _breach(10)
    assert list(rule.expired()) == [old]
    assert recent not in rule.expired()
