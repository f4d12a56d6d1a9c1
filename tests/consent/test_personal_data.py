"""Consent records in the personal-data registry: export and retention."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from consent import services
from consent.models import ConsentRecord, Purpose
from privacy.registry import personal_data
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("catalogue")


def _declaration():
    return personal_data.get(ConsentRecord)


def test_records_are_registered_and_the_check_passes(db):
    declaration = _declaration()
    assert declaration.retention.key == "consent.record.superseded"
    assert declaration.retention.action == "delete"
    call_command("check", fail_level="ERROR")


def test_export_includes_the_text_the_subject_was_shown(db):
    user = UserFactory()
    record = services.consent_record(
        purpose=Purpose.PROFILE_PHOTO,
        granted=True,
        source="profile",
        user=user,
        shown_text="Publish my photo.",
    )
    rows = list(_declaration().rows_for(user))
    assert rows == [record]
    exported = _declaration().export_row(record)
    assert exported["purpose"] == "profile_photo"
    assert exported["granted"] is True
    assert exported["version"]["text"] == "Publish my photo."
    assert exported["version"]["policy_version"] == "1"


def test_superseded_records_are_purged_12_months_later_and_current_ones_kept(db):
    user = UserFactory()
    old = services.consent_record(
        purpose=Purpose.PROFILE_PHOTO, granted=True, source="profile", user=user
    )
    current = services.consent_record(
        purpose=Purpose.PROFILE_PHOTO, granted=False, source="profile", user=user
    )
    declaration = _declaration()
    assert not declaration.expired().exists()
    later = timezone.now() + dt.timedelta(days=366)
    assert list(declaration.expired(now=later)) == [old]
    # A current photo consent never lapses on its own.
    far_later = timezone.now() + dt.timedelta(days=5000)
    assert current not in declaration.expired(now=far_later)


def test_a_visitors_cookie_choice_is_purged_12_months_after_it_lapsed(db, visitor_id):
    record = services.consent_record(
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=True,
        source="banner",
        visitor_id=visitor_id,
    )
    declaration = _declaration()
    lapsed_plus_retention = record.decided_at + dt.timedelta(days=365 + 365)
    assert not declaration.expired(now=lapsed_plus_retention - dt.timedelta(days=1))
    assert list(
        declaration.expired(now=lapsed_plus_retention + dt.timedelta(days=1))
    ) == [record]


def test_purging_is_set_based(db, visitor_id):
    for granted in (True, False, True):
        services.consent_record(
            purpose=Purpose.COOKIES_MARKETING,
            granted=granted,
            source="banner",
            visitor_id=visitor_id,
        )
    later = timezone.now() + dt.timedelta(days=400)
    deleted, _ = _declaration().expired(now=later).delete()
    assert deleted == 2
    assert ConsentRecord.objects.get().superseded_at is None
