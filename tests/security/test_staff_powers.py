"""Staff powers need a second factor on every path (issue 15 item 2).

Staff and superusers without a TOTP authenticator are ordinary members on
the site, the media view, the API and the admin: ``User.has_perm`` asks
``profiles.models.user_has_staff_powers`` first.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.test import APIClient

from profiles import services
from profiles.models import User, user_has_staff_powers
from tests.factories import FreelancerProfileFactory, UserFactory
from tests.profiles import upload_corpus as corpus
from tests.security.totp import activate_totp

pytestmark = pytest.mark.django_db

POWERS = ("view_freelancerprofile", "download_any_cv", "reveal_cpr")


@pytest.fixture
def hidden_profile(db):
    """An unpublished profile with a photo, a CV and a CPR number."""
    profile = FreelancerProfileFactory(published=False)
    services.freelancer_photo_set(
        profile=profile,
        actor=profile.user,
        upload=corpus.jpeg_photo(),
        consent_text="x",
    )
    services.freelancer_cv_set(
        profile=profile, actor=profile.user, upload=corpus.pdf_cv()
    )
    services.freelancer_cpr_set(profile=profile, actor=profile.user, cpr="0101901234")
    profile.refresh_from_db()
    return profile


def _staff(*, superuser: bool = False, totp: bool) -> User:
    user = UserFactory(is_staff=True, is_superuser=superuser)
    user.user_permissions.set(Permission.objects.filter(codename__in=POWERS))
    if totp:
        activate_totp(user)
    return User.objects.get(pk=user.pk)


def _paths(profile) -> dict[str, str]:
    return {
        "profile page": f"/freelancers/{profile.slug}/",
        "photo": profile.photo.url,
        "thumbnail": profile.photo_thumbnail.url,
        "cv": f"/freelancers/{profile.slug}/cv/",
        "admin change page": f"/admin/profiles/freelancerprofile/{profile.pk}/change/",
        "admin cpr": f"/admin/profiles/freelancerprofile/{profile.pk}/reveal-cpr/",
    }


@pytest.mark.parametrize("superuser", [False, True], ids=["staff", "superuser"])
def test_staff_without_totp_are_members_on_every_path(hidden_profile, superuser):
    staff = _staff(superuser=superuser, totp=False)
    assert not user_has_staff_powers(staff)
    assert not staff.has_perm("profiles.download_any_cv")
    client = Client()
    client.force_login(staff)
    got = {
        name: client.get(path).status_code
        for name, path in _paths(hidden_profile).items()
    }
    assert got == {
        "profile page": 404,
        "photo": 404,
        "thumbnail": 404,
        "cv": 404,
        # The admin sends them to set up an authenticator first.
        "admin change page": 302,
        "admin cpr": 302,
    }


@pytest.mark.parametrize("superuser", [False, True], ids=["staff", "superuser"])
def test_staff_with_totp_keep_their_powers(hidden_profile, superuser):
    staff = _staff(superuser=superuser, totp=True)
    client = Client()
    client.force_login(staff)
    got = {
        name: client.get(path).status_code
        for name, path in _paths(hidden_profile).items()
    }
    assert got == dict.fromkeys(got, 200)


def test_api_token_of_staff_without_totp_carries_no_staff_power(hidden_profile):
    """The API never shows unpublished profiles; a staff token sees what a
    member sees, and has_perm on the token's user is False without TOTP."""
    staff = _staff(totp=False)
    _token, key = services.api_token_create(user=staff)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(f"/api/v1/freelancers/{hidden_profile.slug}/").status_code == 404
    assert api.get("/api/v1/me/profile/").status_code == 404
    assert api.get("/api/v1/privacy/requests/").json()["count"] == 0


def test_removing_the_authenticator_removes_the_powers(hidden_profile):
    staff = _staff(totp=True)
    client = Client()
    client.force_login(staff)
    cv = f"/freelancers/{hidden_profile.slug}/cv/"
    assert client.get(cv).status_code == 200
    staff.authenticator_set.all().delete()
    assert client.get(cv).status_code == 404
