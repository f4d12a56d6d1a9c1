"""The retention purge, on whatever database the suite runs on."""

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from privacy.models import LegalHold, PurgeRun, PurgeRunRule, RetentionPolicy
from privacy.retention import retention_policies_sync, retention_purge
from privacy.tasks import retention_purge as retention_purge_task
from profiles import services
from profiles.models import CvDownload, FreelancerProfile, User
from tests.factories import CompanyFactory, FreelancerProfileFactory
from tests.profiles import upload_corpus as corpus

RULE = "profiles.freelancer.closed"
YEAR = dt.timedelta(days=365)


def _closed(days_ago: float = 0, minutes: float = 0, **kwargs) -> FreelancerProfile:
    profile = FreelancerProfileFactory(**kwargs)
    closed_at = timezone.now() - dt.timedelta(days=days_ago, minutes=minutes)
    User.objects.filter(pk=profile.user_id).update(closed_at=closed_at)
    FreelancerProfile.objects.filter(pk=profile.pk).update(
        phone="+4520123456", street="Vej 1", company_name="Firma"
    )
    return profile


def _counts(run, key=RULE) -> PurgeRunRule:
    return run.rules.get(rule_key=key)


def test_boundary_one_minute_either_side_of_365_days(db):
    now = timezone.now()
    over = _closed(365, 1)
    under = _closed(365, -1)
    run = retention_purge(rule_key=RULE, now=now)
    over.refresh_from_db()
    under.refresh_from_db()
    assert over.anonymised_at is not None and over.full_name == "Deleted user"
    assert under.anonymised_at is None and under.full_name.startswith("Freelancer")
    assert _counts(run).anonymised == 1


def test_anonymised_profile_keeps_nothing_identifying(db):
    profile = _closed(400)
    original_slug = profile.slug
    retention_purge(rule_key=RULE)
    profile.refresh_from_db()
    assert profile.full_name == "Deleted user"
    assert (str(profile.phone), profile.street, profile.company_name) == ("", "", "")
    assert profile.cpr is None and profile.cpr_hash is None
    assert profile.slug == f"deleted-{profile.pk}" != original_slug
    assert profile.published_at is None


def test_a_second_run_changes_nothing(db):
    for _ in range(3):
        _closed(400)
    first = retention_purge()
    second = retention_purge()
    assert _counts(first).anonymised == 3
    assert all(r.anonymised == r.deleted == 0 for r in second.rules.all())


def test_small_batches_reach_every_row_with_one_write_per_batch(db):
    profiles = [_closed(400) for _ in range(7)]
    live = FreelancerProfileFactory()
    with CaptureQueriesContext(connection) as queries:
        run = retention_purge(rule_key=RULE, batch_size=3)
    assert _counts(run).anonymised == 7
    assert (
        FreelancerProfile.objects.filter(
            pk__in=[p.pk for p in profiles], anonymised_at__isnull=False
        ).count()
        == 7
    )
    live.refresh_from_db()
    assert live.anonymised_at is None
    table = FreelancerProfile._meta.db_table
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "WITH")) and f'"{table}"' in q["sql"]
    ]
    if connection.vendor == "postgresql":
        # 3 + 3 + 1 rows, then an empty claim, and the second pass's empty
        # claim (rows a killed run still held): claim and UPDATE are one statement.
        assert len(writes) == 5
        assert all(sql.startswith("WITH claimed") for sql in writes)
    else:
        assert len(writes) == 3


def test_open_accounts_are_never_touched(db):
    live = FreelancerProfileFactory()
    run = retention_purge()
    live.refresh_from_db()
    assert live.anonymised_at is None
    assert live.user.email.startswith("member")
    assert _counts(run).matched == 0


@pytest.mark.django_db(transaction=True)
def test_files_of_anonymised_profiles_are_deleted(db):
    profile = _closed(400)
    services.freelancer_photo_set(
        profile=profile,
        actor=profile.user,
        upload=corpus.jpeg_photo(),
        consent_text="x",
    )
    services.freelancer_cv_set(
        profile=profile, actor=profile.user, upload=corpus.pdf_cv()
    )
    profile.refresh_from_db()
    photo, thumb, cv = profile.photo.name, profile.photo_thumbnail.name, profile.cv.name
    retention_purge(rule_key=RULE)
    profile.refresh_from_db()
    assert not profile.photo and not profile.cv
    assert not default_storage.exists(photo) and not default_storage.exists(thumb)
    assert not profile.cv.storage.exists(cv)


def test_legal_hold_on_the_subject_is_honoured(db):
    held, free = _closed(400), _closed(400)
    LegalHold.objects.create(subject=held.user, reason="Pending court case")
    run = retention_purge(rule_key=RULE)
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.anonymised_at is None
    assert free.anonymised_at is not None
    assert _counts(run).skipped_hold == 1


def test_legal_hold_on_one_row_is_honoured(db):
    held = _closed(400)
    LegalHold.objects.create(
        content_type=ContentType.objects.get_for_model(FreelancerProfile),
        object_id=str(held.pk),
        reason="Authority request",
    )
    retention_purge(rule_key=RULE)
    held.refresh_from_db()
    assert held.anonymised_at is None


def test_ended_and_released_holds_do_not_keep_data(db):
    a, b = _closed(400), _closed(400)
    LegalHold.objects.create(
        subject=a.user, reason="x", until=timezone.now() - dt.timedelta(days=1)
    )
    LegalHold.objects.create(subject=b.user, reason="x", released_at=timezone.now())
    retention_purge(rule_key=RULE)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.anonymised_at is not None and b.anonymised_at is not None


def test_dry_run_reports_and_changes_nothing(db):
    profile = _closed(400)
    out = io.StringIO()
    call_command("purge_expired", "--dry-run", "--rule", RULE, stdout=out)
    profile.refresh_from_db()
    assert profile.anonymised_at is None
    assert f"{RULE}: matched=1 would anonymise=1" in out.getvalue()
    assert PurgeRun.objects.get().dry_run


def test_unknown_rule_is_a_clear_command_error(db):
    with pytest.raises(CommandError, match="No retention rule"):
        call_command("purge_expired", "--rule", "no.such.rule", stdout=io.StringIO())
    with pytest.raises(CommandError, match="batch-size"):
        call_command("purge_expired", "--batch-size", "0", stdout=io.StringIO())


def test_admins_tune_the_period_and_can_switch_a_rule_off(db):
    profile = _closed(40)
    retention_policies_sync()
    RetentionPolicy.objects.filter(key=RULE).update(period_days=30)
    retention_purge(rule_key=RULE)
    profile.refresh_from_db()
    assert profile.anonymised_at is not None

    other = _closed(400)
    RetentionPolicy.objects.filter(key=RULE).update(enabled=False)
    retention_purge(rule_key=RULE)
    other.refresh_from_db()
    assert other.anonymised_at is None


def test_policies_mirror_every_registry_rule_and_keep_admin_values(db):
    policies = retention_policies_sync()
    assert policies[RULE].period_days == 365
    RetentionPolicy.objects.filter(key=RULE).update(period_days=100)
    assert retention_policies_sync()[RULE].period_days == 100
    assert RetentionPolicy.objects.filter(key="profiles.user.closed").exists()


def test_recipient_records_are_deleted_a_year_after_the_download(db):
    profile = FreelancerProfileFactory()
    company = CompanyFactory()
    old = CvDownload.objects.create(
        profile=profile,
        company=company,
        company_name=company.name,
        downloaded_at=timezone.now() - YEAR - dt.timedelta(days=1),
    )
    recent = CvDownload.objects.create(
        profile=profile, company=company, company_name=company.name
    )
    run = retention_purge(rule_key="profiles.cvdownload.aged")
    assert list(CvDownload.objects.all()) == [recent]
    assert _counts(run, "profiles.cvdownload.aged").deleted == 1
    assert not CvDownload.objects.filter(pk=old.pk).exists()


def test_closed_accounts_are_anonymised_with_their_email(db):
    profile = _closed(400)
    retention_purge(rule_key="profiles.user.closed")
    user = User.objects.get(pk=profile.user_id)
    assert user.email == f"deleted-{user.pk}@invalid.example"
    assert not user.is_active and not user.has_usable_password()


def test_run_records_hold_counts_only(db):
    _closed(400)
    run = retention_purge()
    assert run.status == PurgeRun.Status.COMPLETED
    assert run.finished_at is not None
    row = _counts(run)
    assert (row.matched, row.anonymised, row.errors) == (1, 1, 0)
    assert row.model_label == "profiles.FreelancerProfile"


def test_the_celery_task_calls_the_same_service(db):
    _closed(400)
    result = retention_purge_task.apply(kwargs={"rule_key": RULE}).get()
    assert result["status"] == "completed"
    assert result["rules"][RULE]["anonymised"] == 1


def test_the_purge_is_scheduled_daily_at_three(beat_schedule_synced):
    task = PeriodicTask.objects.get(task="privacy.tasks.retention_purge")
    assert (task.crontab.hour, task.crontab.minute) == ("3", "0")
    assert str(task.crontab.timezone) == "Europe/Copenhagen"


def test_a_period_of_0_days_is_only_for_rules_that_default_to_it(db):
    """Rows never go the moment their purpose ends, except under a rule whose
    purpose end is itself the day they may go (a bookkeeping record's
    ``retain_until``): that rule's row can be saved as it is."""
    from django.core.exceptions import ValidationError

    policies = retention_policies_sync()
    ordinary = policies[RULE]
    ordinary.period_days = 0
    with pytest.raises(ValidationError) as error:
        ordinary.full_clean()
    assert "period_days" in error.value.message_dict
    kept = policies["engagements.invoice.bookkeeping.kept"]
    assert kept.period_days == 0
    kept.full_clean()
    kept.period_days = 4000
    with pytest.raises(ValidationError):
        kept.full_clean()
