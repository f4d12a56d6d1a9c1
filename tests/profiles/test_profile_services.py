"""Freelancer profile services: CPR at rest, photo consent, CV, publishing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from PIL import Image

from privacy.models import AuditEvent
from profiles import services
from profiles.models import FreelancerProfile
from profiles.storage import private_storage
from tests.factories import FreelancerProfileFactory
from tests.profiles import upload_corpus as corpus

CPR = "0101901234"


def _raw_cpr_column(profile) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cpr FROM profiles_freelancerprofile WHERE id = %s", [profile.pk]
        )
        return cursor.fetchone()[0]


def test_cpr_is_encrypted_at_rest_and_readable_through_the_orm(freelancer):
    services.freelancer_cpr_set(
        profile=freelancer, actor=freelancer.user, cpr="010190-1234"
    )
    raw = _raw_cpr_column(freelancer)
    assert raw.startswith("gAAAA")
    assert "1234" not in raw and "010190" not in raw
    assert FreelancerProfile.objects.get(pk=freelancer.pk).cpr == CPR
    assert freelancer.cpr_masked == "******-1234"


def test_no_cpr_digits_anywhere_in_the_profile_row(freelancer):
    services.freelancer_cpr_set(profile=freelancer, actor=freelancer.user, cpr=CPR)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM profiles_freelancerprofile WHERE id = %s", [freelancer.pk]
        )
        row = " ".join(str(value) for value in cursor.fetchone())
    assert CPR not in row
    assert "010190-1234" not in row


def test_the_same_cpr_on_two_profiles_is_flagged_not_refused(db):
    """Refusing would tell the second member whose number it is (issue 15
    item 3); both profiles go to staff review instead."""
    first, second = FreelancerProfileFactory(), FreelancerProfileFactory()
    services.freelancer_cpr_set(profile=first, actor=first.user, cpr=CPR)
    services.freelancer_cpr_set(profile=second, actor=second.user, cpr="010190-1234")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.cpr == CPR
    assert first.cpr_review_at is not None and second.cpr_review_at is not None


def test_invalid_cpr_is_refused_without_echoing_it(freelancer):
    with pytest.raises(ValidationError) as exc:
        services.freelancer_cpr_set(
            profile=freelancer, actor=freelancer.user, cpr="310290-1234"
        )
    assert "310290" not in str(exc.value)


def test_cpr_audit_events_never_hold_the_number(freelancer):
    services.freelancer_cpr_set(profile=freelancer, actor=freelancer.user, cpr=CPR)
    services.freelancer_cpr_reveal(profile=freelancer, actor=freelancer.user)
    events = list(AuditEvent.objects.filter(subject=freelancer.user))
    assert {e.action for e in events} >= {"profile.cpr_set", "profile.cpr_revealed"}
    assert all(CPR not in str(e.details) for e in events)


def test_clearing_the_cpr_removes_value_and_hash(freelancer):
    services.freelancer_cpr_set(profile=freelancer, actor=freelancer.user, cpr=CPR)
    services.freelancer_cpr_set(profile=freelancer, actor=freelancer.user, cpr=None)
    freelancer.refresh_from_db()
    assert freelancer.cpr is None and freelancer.cpr_hash is None


@pytest.mark.django_db(transaction=True)
def test_photo_is_stored_stripped_with_consent_and_deleted_on_removal(freelancer):
    from consent.models import Purpose
    from consent.selectors import consent_is_granted

    services.freelancer_photo_set(
        profile=freelancer,
        actor=freelancer.user,
        upload=corpus.jpeg_with_gps_exif(),
        consent_text="I consent",
    )
    freelancer.refresh_from_db()
    photo, thumb = freelancer.photo.name, freelancer.photo_thumbnail.name
    assert default_storage.exists(photo) and default_storage.exists(thumb)
    with default_storage.open(photo) as f:
        assert not Image.open(f).getexif()
    assert consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=freelancer.user)

    services.freelancer_photo_remove(profile=freelancer, actor=freelancer.user)
    freelancer.refresh_from_db()
    assert not freelancer.photo and not freelancer.photo_thumbnail
    assert not default_storage.exists(photo) and not default_storage.exists(thumb)
    assert not consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=freelancer.user)


@pytest.mark.django_db(transaction=True)
def test_withdrawing_photo_consent_elsewhere_deletes_the_photo(freelancer):
    from consent.models import Purpose
    from consent.services import consent_record

    services.freelancer_photo_set(
        profile=freelancer,
        actor=freelancer.user,
        upload=corpus.jpeg_photo(),
        consent_text="I consent",
    )
    freelancer.refresh_from_db()
    photo = freelancer.photo.name
    consent_record(
        purpose=Purpose.PROFILE_PHOTO,
        granted=False,
        source="api",
        user=freelancer.user,
    )
    freelancer.refresh_from_db()
    assert not freelancer.photo
    assert not default_storage.exists(photo)


def test_a_rejected_photo_leaves_the_old_one_and_records_no_consent(freelancer):
    from consent.models import Purpose
    from consent.selectors import consent_is_granted

    with pytest.raises(ValidationError) as exc:
        services.freelancer_photo_set(
            profile=freelancer,
            actor=freelancer.user,
            upload=corpus.png_bomb(),
            consent_text="I consent",
        )
    assert exc.value.code == "too_many_pixels"
    freelancer.refresh_from_db()
    assert not freelancer.photo
    assert not consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=freelancer.user)


@pytest.mark.django_db(transaction=True)
def test_cv_goes_to_private_storage_under_a_random_name(freelancer):
    services.freelancer_cv_set(
        profile=freelancer,
        actor=freelancer.user,
        upload=corpus.pdf_cv(name="Jane Doe CV.pdf"),
    )
    freelancer.refresh_from_db()
    name = freelancer.cv.name
    assert name.startswith("cv/") and name.endswith(".pdf")
    assert "Jane" not in name
    assert private_storage.exists(name)
    assert not default_storage.exists(name)
    services.freelancer_cv_remove(profile=freelancer, actor=freelancer.user)
    assert not private_storage.exists(name)


def test_publishing_is_refused_for_a_restricted_profile(db):
    from django.utils import timezone

    profile = FreelancerProfileFactory(published=False, restricted_at=timezone.now())
    with pytest.raises(ValidationError):
        services.freelancer_publish(profile=profile, actor=profile.user)
    profile.refresh_from_db()
    assert profile.published_at is None


def test_closing_the_account_unpublishes_and_starts_the_retention_clock(freelancer):
    services.account_close(user=freelancer.user, actor=freelancer.user)
    freelancer.refresh_from_db()
    freelancer.user.refresh_from_db()
    assert freelancer.published_at is None
    assert freelancer.user.closed_at is not None
    assert not freelancer.user.is_active


def test_skills_are_parsed_and_deduplicated():
    assert services.skills_parse(" Python, django ,python,, UX  research ") == [
        "Python",
        "django",
        "UX research",
    ]
    with pytest.raises(ValidationError):
        services.skills_parse(",".join(f"s{i}" for i in range(31)))
