"""The personal-data registry: declarations, export, both anonymiser forms."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from privacy.registry import (
    Action,
    Anonymise,
    LegalException,
    PersonalData,
    Registry,
    Retention,
    personal_data,
)
from profiles.models import User
from tests.factories import UserFactory


def test_apps_declarations_are_autodiscovered():
    declared = {d.model for d in personal_data.declarations()}
    assert {User, EmailAddress, LogEntry} <= declared


def test_retention_rules_default_to_365_days():
    rules = {rule.key: rule.retention for rule in personal_data.retention_rules()}
    assert rules["profiles.user.closed"].after == dt.timedelta(days=365)
    assert rules["profiles.user.closed"].action == Action.ANONYMISE


def test_rows_for_subject_finds_only_that_subjects_rows(db):
    alice, bob = UserFactory(), UserFactory()
    user_decl = personal_data.get(User)
    email_decl = personal_data.get(EmailAddress)
    assert list(user_decl.rows_for(alice)) == [alice]
    assert [e.email for e in email_decl.rows_for(alice)] == [alice.email]
    assert bob.email not in [e.email for e in email_decl.rows_for(alice)]


def test_export_row_holds_personal_fields_but_never_the_password_hash(db):
    user = UserFactory(email="export@example.com")
    row = personal_data.get(User).export_row(user)
    assert row["email"] == "export@example.com"
    assert row["date_joined"] == user.date_joined.isoformat()
    assert "password" not in row


def _anonymised_values(user):
    user.refresh_from_db()  # also loads anonymised_at for the assertion below
    return (user.email, user.password, user.last_login, user.is_active)


def test_row_and_sql_anonymisation_give_the_same_result(db):
    """Erasure (one row, Python) and the purge (a batch, SQL) must agree."""
    declaration = personal_data.get(User)
    by_row, by_sql, untouched = UserFactory(), UserFactory(), UserFactory()
    for user in (by_row, by_sql):
        user.last_login = timezone.now()
        user.save()

    User.objects.filter(pk__in=[by_row.pk, by_sql.pk]).update(
        date_joined=dt.datetime(2024, 5, 17, 13, 45, tzinfo=dt.UTC)
    )
    by_row.refresh_from_db()
    changed, files = declaration.anonymise_instance(by_row)
    by_row.save(update_fields=changed)
    User.objects.filter(pk=by_sql.pk).update(**declaration.anonymise_updates())

    row_values = _anonymised_values(by_row)
    sql_values = _anonymised_values(by_sql)
    assert row_values[0] == f"deleted-{by_row.pk}@invalid.example"
    assert sql_values[0] == f"deleted-{by_sql.pk}@invalid.example"
    assert row_values[1:] == sql_values[1:] == ("!", None, False)
    # Dates kept for statistics are coarsened to the month, in both forms.
    for user in (by_row, by_sql):
        assert (user.date_joined.day, user.date_joined.hour) == (1, 0)
    assert by_row.anonymised_at is not None and by_sql.anonymised_at is not None
    assert not by_row.has_usable_password()
    assert files == []
    untouched.refresh_from_db()
    assert untouched.email.startswith("member")
    assert untouched.is_active


def test_sql_anonymisation_keeps_unique_emails_unique(db):
    users = UserFactory.create_batch(3)
    declaration = personal_data.get(User)
    User.objects.filter(pk__in=[u.pk for u in users]).update(
        **declaration.anonymise_updates()
    )
    emails = set(User.objects.values_list("email", flat=True))
    assert len(emails) == 3


def test_expired_selects_only_rows_past_the_retention_period(db):
    now = timezone.now()
    old = UserFactory(closed_at=now - dt.timedelta(days=366))
    recent = UserFactory(closed_at=now - dt.timedelta(days=300))
    open_account = UserFactory()
    expired = set(personal_data.get(User).expired(now=now))
    assert old in expired
    assert recent not in expired
    assert open_account not in expired


def test_expired_follows_a_related_purpose_end(db):
    now = timezone.now()
    old = UserFactory(closed_at=now - dt.timedelta(days=400))
    UserFactory()
    expired = personal_data.get(EmailAddress).expired(now=now)
    assert [e.email for e in expired] == [old.email]


def test_a_legal_exception_keeps_its_rows_out_of_the_ordinary_rule(db):
    registry = Registry()

    @registry.register(User)
    class KeptUserData(PersonalData):
        subject = ""
        fields = {"email": Anonymise.unique_email()}
        retention = Retention(key="t.user", purpose_ended="closed_at")
        legal_exceptions = (
            LegalException(
                key="t.bookkeeping",
                reason="Bookkeeping Act: 5 years",
                keeps=models.Q(is_staff=True),
                retention=Retention(
                    key="t.bookkeeping.5y",
                    purpose_ended="closed_at",
                    after=dt.timedelta(days=5 * 365),
                ),
            ),
        )

    now = timezone.now()
    kept = UserFactory(closed_at=now - dt.timedelta(days=400), is_staff=True)
    gone = UserFactory(closed_at=now - dt.timedelta(days=400))
    declaration = registry.get(User)
    assert list(declaration.expired(now=now)) == [gone]
    assert kept not in declaration.expired(now=now)
    assert [r.key for r in registry.retention_rules()] == [
        "t.user",
        "t.bookkeeping.5y",
    ]


@isolate_apps("privacy")
def test_delete_file_anonymiser_reports_the_file_for_deletion():
    class Doc(models.Model):
        upload = models.FileField()

        class Meta:
            app_label = "privacy"
            managed = False

    registry = Registry()

    @registry.register(Doc)
    class DocData(PersonalData):
        subject = ""
        fields = {"upload": Anonymise.delete_file()}

    doc = Doc(pk=7, upload="cv/alice.pdf")
    declaration = registry.get(Doc)
    assert declaration.exported_files(doc) == ["cv/alice.pdf"]
    assert declaration.export_row(doc) == {"id": 7, "upload": "cv/alice.pdf"}
    changed, files = declaration.anonymise_instance(doc)
    assert changed == ["upload"]
    assert files == ["cv/alice.pdf"]
    assert not doc.upload
    assert declaration.file_fields() == ["upload"]


def test_registering_a_model_twice_is_refused():
    registry = Registry()
    registry.register(User)(PersonalData)
    with pytest.raises(Exception, match="already registered"):
        registry.register(User)(PersonalData)


def test_an_exemption_needs_a_reason():
    with pytest.raises(ValueError):
        Registry().exempt("auth.Group", reason="")


def test_anonymised_rows_are_not_expired_again(db):
    now = timezone.now()
    user = UserFactory(closed_at=now - dt.timedelta(days=400))
    declaration = personal_data.get(User)
    assert list(declaration.expired(now=now)) == [user]
    User.objects.filter(pk=user.pk).update(**declaration.anonymise_updates())
    assert list(declaration.expired(now=now)) == []


def test_erasure_and_restriction_act_on_all_the_subjects_rows_unless_narrowed(db):
    alice, bob = UserFactory(), UserFactory()
    declaration = personal_data.get(User)
    assert list(declaration.rows_owned_by(alice)) == list(declaration.rows_for(alice))
    assert bob not in declaration.rows_owned_by(alice)


def test_a_period_given_in_words_replaces_zero_days_in_the_policy(db):
    from privacy.selectors import retention_periods

    periods = retention_periods()
    kept = periods["engagements.invoice.bookkeeping.kept"]
    assert kept.days == 0
    assert kept.text == (
        "5 years from the end of the financial year they belong to, then anonymised"
    )
    assert periods["profiles.user.closed"].text == (
        "1 year after the purpose ends, then anonymised"
    )
